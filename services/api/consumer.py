"""The API's one Kafka consumer: reads `news.articles.enriched`, writes the store, feeds the hub.

Every API process reads every partition itself (no consumer group: each replica must see every
event to serve its own clients) and starts where its store's recorded positions end. A batch is
written to the store before it is fanned out, so that a stream replay served from the store
never misses an event that a live client already received.
"""

import asyncio
import contextlib
import logging
import time
from datetime import UTC, datetime

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition

from newswire.kafka import consumer_config, ensure_topics
from newswire.schemas import ContractError, EnrichedArticle, TopicNames, decode, encode

from .errors import StoreError
from .hub import StreamHub
from .metrics import Metrics
from .settings import Settings
from .store import Store, StoredRecord

__all__ = ["EnrichedConsumer"]

logger = logging.getLogger(__name__)

#: Seconds between checks for partitions added to the topic.
PARTITION_REFRESH_SECONDS = 60.0
#: Seconds a readiness check of the broker may take, and how long its answer is reused.
PROBE_TIMEOUT = 3.0
PROBE_CACHE_SECONDS = 2.0


class EnrichedConsumer:
    def __init__(self, settings: Settings, *, store: Store, hub: StreamHub, metrics: Metrics) -> None:
        self.settings = settings
        self.store = store
        self.hub = hub
        self.metrics = metrics
        self.topic = TopicNames(settings.topic_prefix).enriched
        self.consumer: AIOKafkaConsumer | None = None
        self.running = False
        self._task: asyncio.Task[None] | None = None
        self._probe: tuple[float, bool] = (0.0, False)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="newswire-api-consumer")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self._close_consumer()

    async def _close_consumer(self) -> None:
        consumer, self.consumer = self.consumer, None
        self.running = False
        if consumer is not None:
            await consumer.stop()

    async def reachable(self) -> bool:
        """Whether the broker answers a metadata request now (cached briefly for /readyz)."""
        checked, answer = self._probe
        if time.monotonic() - checked < PROBE_CACHE_SECONDS:
            return answer
        answer = False
        if self.consumer is not None and self.running:
            try:
                async with asyncio.timeout(PROBE_TIMEOUT):
                    await self.consumer._client.fetch_all_metadata()
                answer = True
            except Exception as exc:  # any failure means "not reachable" to a readiness probe
                logger.debug("broker probe failed: %r", exc)
        self._probe = (time.monotonic(), answer)
        return answer

    async def _run(self) -> None:
        backoff = 1.0
        while True:
            try:
                await self._consume()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                logger.warning("enriched-topic consumer failed (%r); restarting in %.0f s", exc, backoff)
                await self._close_consumer()
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 30.0)
            else:
                backoff = 1.0

    async def _consume(self) -> None:
        await ensure_topics(self.settings)
        config = consumer_config(self.settings, client_id=self.settings.api_kafka_client_id, group_id=None)
        self.consumer = AIOKafkaConsumer(**config)
        await self.consumer.start()
        partitions = await self._assign(set())
        self.running = True
        logger.info("consuming %s (%s partitions) from %s", self.topic, len(partitions), self.hub.position)
        next_refresh = time.monotonic() + PARTITION_REFRESH_SECONDS
        while True:
            batches = await self.consumer.getmany(timeout_ms=500, max_records=500)
            records = [r for tp in sorted(batches, key=lambda t: t.partition) for r in batches[tp]]
            if records:
                await self.ingest(records)
            if time.monotonic() >= next_refresh:
                partitions = await self._assign(partitions)
                next_refresh = time.monotonic() + PARTITION_REFRESH_SECONDS

    async def _assign(self, known: set[int]) -> set[int]:
        """Assign every partition of the topic, each from the store's recorded position."""
        assert self.consumer is not None
        # A manual assignment needs the partition list; the consumer's own metadata only covers
        # topics it already reads, so ask the cluster for all of it.
        metadata = await self.consumer._client.fetch_all_metadata()
        partitions = set(metadata.partitions_for_topic(self.topic) or ())
        if not partitions:
            raise RuntimeError(f"topic {self.topic} has no partitions")
        tps = [TopicPartition(self.topic, p) for p in sorted(partitions)]
        if partitions == known:
            ends = await self.consumer.end_offsets(tps)
            for tp, end in ends.items():
                self.hub.log_end[tp.partition] = max(self.hub.log_end.get(tp.partition, 0), end)
            return known
        stored = await self.store.positions(self.topic)
        position = {p: max(stored.get(p, 0), self.hub.position.get(p, 0)) for p in partitions}
        self.consumer.assign(tps)
        ends = {tp.partition: end for tp, end in (await self.consumer.end_offsets(tps)).items()}
        restarted = sorted(p for p in partitions if position[p] > ends[p])
        if restarted:
            logger.warning(
                "%s partitions %s end before the positions the store recorded (topic recreated or broker "
                "data lost); reading them again from the start",
                self.topic,
                restarted,
            )
            await self.store.forget_positions(self.topic, restarted)
            self.hub.restart_partitions(restarted)
            position.update(dict.fromkeys(restarted, 0))
        self.hub.reset(position)
        self.hub.log_end.update(ends)
        for tp in tps:
            # An offset below the log start (retention) falls back to the earliest via auto_offset_reset.
            self.consumer.seek(tp, position[tp.partition])
        return partitions

    async def ingest(self, records: list[ConsumerRecord]) -> None:
        """Decode, store, then fan out one batch of records (also the entry point of test feeds)."""
        decoded: list[tuple[ConsumerRecord, StoredRecord | None]] = []
        for record in records:
            stored: StoredRecord | None = None
            try:
                article = decode(record.value, EnrichedArticle)
            except ContractError as exc:
                self.metrics.articles_invalid.inc()
                logger.warning(
                    "skipping invalid record %s/%s@%s: %s", record.topic, record.partition, record.offset, exc
                )
            else:
                event_time = (
                    datetime.fromtimestamp(record.timestamp / 1000, UTC)
                    if record.timestamp > 0
                    else article.enriched_at
                )
                stored = StoredRecord(
                    article=article,
                    body=encode(article),
                    partition=record.partition,
                    offset=record.offset,
                    event_time=event_time,
                )
            decoded.append((record, stored))
        to_store = [s for _, s in decoded if s is not None]
        redelivered = await self._write(to_store)
        for record, stored in decoded:
            if stored is None or (record.partition, record.offset) in redelivered:
                self.hub.advance(record.partition, record.offset)
                continue
            self.metrics.articles_consumed.inc()
            event = self.hub.make_event(
                partition=stored.partition, offset=stored.offset, article=stored.article, body=stored.body
            )
            self.hub.publish(event)

    async def _write(self, records: list[StoredRecord]) -> set[tuple[int, int]]:
        """Store the batch (retrying while the store is down); returns the redeliveries to skip."""
        if not records:
            return set()
        backoff = 0.5
        while True:
            try:
                redelivered = await self.store.write(records, topic=self.topic)
                break
            except StoreError:
                # Fan-out waits for the store: a replay must be able to serve whatever a client saw.
                self.store.ready = False
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 10.0)
        self.store.ready = True
        oldest = min(r.event_time for r in records)
        self.metrics.store_write_lag.set(max(0.0, (datetime.now(UTC) - oldest).total_seconds()))
        return redelivered
