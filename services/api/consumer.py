"""The API's one Kafka consumer: reads `news.articles.enriched`, writes the store, feeds the hub.

Every API process reads every partition itself (no consumer group: each replica must see every
event to serve its own clients) and starts where its store's recorded positions end. A batch is
written to the store before it is fanned out, so that a stream replay served from the store
never misses an event that a live client already received.
"""

import asyncio
import logging
import time
from datetime import UTC, datetime

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from newswire.kafka import consumer_config, ensure_topics
from newswire.schemas import EnrichedArticle, TopicNames, decode, encode

from .errors import StoreError
from .hub import StreamHub
from .metrics import Metrics
from .settings import Settings
from .store import Store, StoredRecord
from .writer import StoreWriter, WriteResult

__all__ = ["EnrichedConsumer"]

logger = logging.getLogger(__name__)

#: Seconds between checks for partitions added to the topic.
PARTITION_REFRESH_SECONDS = 60.0
#: Seconds a readiness check of the broker may take, and how long its answer is reused.
PROBE_TIMEOUT = 3.0
PROBE_CACHE_SECONDS = 2.0
#: A consumer that has not polled Kafka for this long is not consuming (readiness says 503).
STALL_SECONDS = 60.0
#: Longest a (re)connection or a partition refresh may take before the session is restarted.
SETUP_TIMEOUT = 60.0
#: Longest closing the consumer or the admin client may take.
CLOSE_TIMEOUT = 15.0


class EnrichedConsumer:
    def __init__(self, settings: Settings, *, store: Store, hub: StreamHub, metrics: Metrics) -> None:
        self.settings = settings
        self.store = store
        self.hub = hub
        self.metrics = metrics
        self.topic = TopicNames(settings.topic_prefix).enriched
        self.consumer: AIOKafkaConsumer | None = None
        self.admin: AIOKafkaAdminClient | None = None
        self.running = False
        #: monotonic time of the last poll of Kafka (a consumer stuck anywhere stops updating it)
        self.last_poll = 0.0
        self.writer = StoreWriter(store, metrics, topic=self.topic)
        self._probe: tuple[float, bool] = (0.0, False)

    @property
    def consuming(self) -> bool:
        """Assigned, and polled Kafka recently: what readiness means by "consuming"."""
        return self.running and time.monotonic() - self.last_poll < STALL_SECONDS

    async def run(self) -> None:
        """One consuming session, until it fails; the API's supervisor runs it again (any outage length)."""
        try:
            await self._consume()
        finally:
            await self._close()

    async def stop(self) -> None:
        await self._close()

    async def _close(self) -> None:
        consumer, self.consumer = self.consumer, None
        admin, self.admin = self.admin, None
        self.running = False
        self.metrics.consuming.set(0)
        for name, client in (("consumer", consumer), ("admin client", admin)):
            if client is None:
                continue
            try:
                # Bounded: a close during an outage must not keep the supervisor from reconnecting.
                async with asyncio.timeout(CLOSE_TIMEOUT):
                    await (client.stop() if isinstance(client, AIOKafkaConsumer) else client.close())
            except asyncio.CancelledError:
                # After a long outage aiokafka's stop() can raise a CancelledError of its own; only
                # a cancellation of this task (shutdown) may propagate.
                task = asyncio.current_task()
                if task is not None and task.cancelling():
                    raise
                logger.warning("closing the Kafka %s raised a stray CancelledError; dropped", name)
            except Exception as exc:
                logger.warning("closing the Kafka %s failed: %r", name, exc)

    async def reachable(self) -> bool:
        """Whether this process consumes and the broker answers a metadata request now (cached briefly)."""
        checked, answer = self._probe
        if time.monotonic() - checked < PROBE_CACHE_SECONDS:
            return answer
        answer = False
        consumer = self.consumer
        if consumer is not None and self.consuming:
            try:
                async with asyncio.timeout(PROBE_TIMEOUT):
                    await consumer.topics()
                answer = True
            except Exception as exc:  # any failure means "not reachable" to a readiness probe
                logger.debug("broker probe failed: %r", exc)
        self._probe = (time.monotonic(), answer)
        return answer

    async def _consume(self) -> None:
        # Setting up may hang on a broker that accepts connections but does not answer: bounded.
        async with asyncio.timeout(SETUP_TIMEOUT):
            partitions = await self._setup()
        self.running = True
        self.last_poll = time.monotonic()
        self.metrics.consuming.set(1)
        logger.info("consuming %s (%s partitions) from %s", self.topic, len(partitions), self.hub.position)
        assert self.consumer is not None
        next_refresh = time.monotonic() + PARTITION_REFRESH_SECONDS
        while True:
            batches = await self.consumer.getmany(timeout_ms=500, max_records=500)
            self.last_poll = time.monotonic()
            records = [r for tp in sorted(batches, key=lambda t: t.partition) for r in batches[tp]]
            if records:
                await self.ingest(records)
            if time.monotonic() >= next_refresh:
                async with asyncio.timeout(SETUP_TIMEOUT):
                    partitions = await self._assign(partitions)
                next_refresh = time.monotonic() + PARTITION_REFRESH_SECONDS

    async def _setup(self) -> set[int]:
        await ensure_topics(self.settings)
        config = consumer_config(self.settings, client_id=self.settings.api_kafka_client_id, group_id=None)
        self.admin = AIOKafkaAdminClient(
            bootstrap_servers=self.settings.kafka_bootstrap_servers,
            client_id=f"{self.settings.kafka_client_id}-{self.settings.api_kafka_client_id}-admin",
        )
        await self.admin.start()
        self.consumer = AIOKafkaConsumer(**config)
        await self.consumer.start()
        return await self._assign(set())

    async def _partitions(self) -> set[int]:
        assert self.admin is not None
        # A manual assignment needs the partition list, which the consumer's own metadata only has
        # for topics it already reads: ask the cluster (public admin API, no private client).
        described = await self.admin.describe_topics([self.topic])
        for topic in described:
            if topic.get("topic") == self.topic and topic.get("error_code", 0) == 0:
                return {int(p["partition"]) for p in topic.get("partitions", [])}
        return set()

    async def _assign(self, known: set[int]) -> set[int]:
        """Assign every partition of the topic, each from the store's recorded position."""
        assert self.consumer is not None
        partitions = await self._partitions()
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
            decoded.append((record, self._decode(record)))
        to_store = [s for _, s in decoded if s is not None]
        result = await self._write(to_store)
        repeats = await self._repeats(to_store, result.redelivered)
        for record, stored in decoded:
            key = (record.partition, record.offset)
            if stored is None or key in repeats or key in result.set_aside:
                self.hub.advance(record.partition, record.offset)
                continue
            self.metrics.articles_consumed.inc()
            event = self.hub.make_event(
                partition=stored.partition, offset=stored.offset, article=stored.article, body=stored.body
            )
            self.hub.publish(event)

    def _decode(self, record: ConsumerRecord) -> StoredRecord | None:
        try:
            # The model cleans control characters as it decodes (schemas/text.py): PostgreSQL gets none.
            article = decode(record.value, EnrichedArticle)
        except Exception as exc:  # ContractError, or anything a validator let escape (OverflowError...)
            self.metrics.articles_invalid.inc()
            logger.warning(
                "skipping invalid record %s/%s@%s: %s", record.topic, record.partition, record.offset, _short(exc)
            )
            return None
        event_time = (
            datetime.fromtimestamp(record.timestamp / 1000, UTC) if record.timestamp > 0 else article.enriched_at
        )
        return StoredRecord(
            article=article,
            body=encode(article),
            partition=record.partition,
            offset=record.offset,
            event_time=event_time,
        )

    async def _write(self, records: list[StoredRecord]) -> WriteResult:
        """Store the batch (waiting while the store is down, setting aside what it refuses)."""
        if not records:
            return WriteResult()
        result = await self.writer.write(records)
        oldest = min(r.event_time for r in records)
        self.metrics.store_write_lag.set(max(0.0, (datetime.now(UTC) - oldest).total_seconds()))
        return result

    async def _repeats(self, records: list[StoredRecord], redelivered: set[tuple[int, int]]) -> set[tuple[int, int]]:
        """Of the records the store called redeliveries, those that are not the stored copy itself.

        The store's position of an article is where its content was first seen, and the stream
        follows it: a replay serves that position, so a live event is sent for that record only.
        A replica reading behind another one that shares its database meets articles already stored
        by the other: the very same record (same position) is no repeat and must reach its clients.
        """
        if not redelivered:
            return set()
        candidates = [r for r in records if (r.partition, r.offset) in redelivered]
        try:
            stored = await self.store.bodies([r.article.id for r in candidates])
        except StoreError:
            return set(redelivered)  # cannot tell: not sending is the side that never repeats
        return {
            (r.partition, r.offset)
            for r in candidates
            if r.article.id not in stored or stored[r.article.id][0] != r.offset
        }


def _short(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:500]
