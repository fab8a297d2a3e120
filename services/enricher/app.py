"""The Faust app of the enricher: `news.articles.raw` in; enriched articles, topic channels,
dead letters and window counts out.

    app = create_app(Settings())
    faust.Worker(app).execute_from_commandline()   # what `newswire enrich` does

Faust consumes and tracks offsets; the records the enricher writes go through one aiokafka
producer built by `newswire.kafka.make_producer`, because Faust's own producer cannot enable
idempotence outside its exactly-once mode and the project's producer settings (acks=all,
idempotence where the broker has it) must hold for every record newswire writes.
"""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import faust
from aiokafka import AIOKafkaProducer
from faust.types import TP, EventT

from newswire.kafka import make_producer
from newswire.kafka.clients import MAX_MESSAGE_BYTES
from newswire.schemas import TopicNames

from .agents import BatchRunner, register_agents
from .faust_api import on_partitions_revoked
from .metrics import CONSUMER_LAG
from .settings import Settings
from .tables import WindowStats
from .topics import EnricherTopics, source_topic
from .workers import EnricherPool

__all__ = ["EnricherApp", "create_app"]

logger = logging.getLogger(__name__)

LAG_INTERVAL_SECONDS = 5.0


class EnricherApp(faust.App):
    """faust.App plus the resources the enrich agent uses: process pool, producer, window stats."""

    def __init__(self, settings: Settings, **options: Any) -> None:
        self.enricher_settings = settings
        self.enricher_topics = EnricherTopics(TopicNames(settings.topic_prefix))
        super().__init__(settings.group_id, **_faust_options(settings), **options)
        self.source = source_topic(self, self.enricher_topics)
        self._batch_runner: BatchRunner | None = None
        self._batch_runner_lock = asyncio.Lock()
        self._nlp_pool: EnricherPool | None = None
        self._output_producer: AIOKafkaProducer | None = None
        self._window_stats: WindowStats | None = None
        register_agents(self, settings=settings, source=self.source, runner=self.batch_runner)
        self.timer(LAG_INTERVAL_SECONDS, name="consumer-lag")(self._update_lag)
        on_partitions_revoked(self, self._on_revoked)

    async def batch_runner(self, ack: Callable[[EventT], Awaitable[bool]]) -> BatchRunner:
        """Start the pool, producer and stats once (the agent calls this before its first batch);
        `ack` is the agent stream's ack, called for each event once its outputs are delivered."""
        async with self._batch_runner_lock:
            if self._batch_runner is None:
                settings = self.enricher_settings
                self._nlp_pool = EnricherPool(
                    workers=settings.workers,
                    model=settings.model,
                    nlp_batch_size=settings.nlp_batch_size,
                    max_text_chars=settings.max_text_chars,
                    pipeline=settings.pipeline,
                )
                await self._nlp_pool.start()
                self._output_producer = make_producer(settings, client_id="enricher")
                await self._output_producer.start()
                self._window_stats = WindowStats(
                    settings=settings, topics=self.enricher_topics, producer=self._output_producer
                )
                await self._window_stats.start()
                self._batch_runner = BatchRunner(
                    settings=settings,
                    topics=self.enricher_topics,
                    pool=self._nlp_pool,
                    producer=self._output_producer,
                    stats=self._window_stats,
                    ack=ack,
                    is_assigned=self._is_assigned,
                    on_error=self.crash,
                )
            return self._batch_runner

    async def on_stop(self) -> None:
        # Before Faust stops its consumer (which commits the acked offsets and leaves the group),
        # let the batches in flight finish, so a graceful stop leaves nothing to redo.
        if self._batch_runner is not None:
            await self._batch_runner.drain()
        await super().on_stop()
        if self._output_producer is not None:
            await self._output_producer.stop()
        if self._nlp_pool is not None:
            await asyncio.to_thread(self._nlp_pool.close)

    def _is_assigned(self, tp: TP) -> bool:
        return tp in self.consumer.assignment()

    async def _on_revoked(self, revoked: set[TP]) -> None:
        if self._window_stats is not None:
            self._window_stats.forget({tp.partition for tp in revoked if tp.topic == self.enricher_topics.raw})
        for tp in revoked:
            if tp.topic == self.enricher_topics.raw:
                with contextlib.suppress(KeyError):
                    CONSUMER_LAG.remove(tp.topic, str(tp.partition))

    async def _update_lag(self) -> None:
        consumer = self.consumer
        for tp in consumer.assignment():
            if tp.topic != self.enricher_topics.raw:
                continue
            position = await consumer.position(tp)
            highwater = consumer.highwater(tp)
            if position is not None and highwater is not None:
                CONSUMER_LAG.labels(tp.topic, str(tp.partition)).set(max(0, highwater - position))


def _faust_options(settings: Settings) -> dict[str, Any]:
    return {
        "broker": [f"kafka://{host.strip()}" for host in settings.kafka_bootstrap_servers.split(",")],
        "broker_client_id": f"{settings.kafka_client_id}-enricher",
        "key_serializer": "raw",
        "value_serializer": "raw",
        "store": "memory://",
        "datadir": str(Path(settings.data_dir) / "enricher"),
        "web_enabled": settings.web_port != 0,
        "web_port": settings.web_port or 6066,
        "web_bind": "127.0.0.1",
        "topic_partitions": settings.topic_partitions,
        "topic_replication_factor": settings.topic_replication_factor,
        # No internal leader topic: the enricher has no tables that need a single leader.
        "topic_disable_leader": True,
        "consumer_auto_offset_reset": "earliest",
        "consumer_max_fetch_size": MAX_MESSAGE_BYTES,
        # Commit acked offsets often: after a crash, at most about a second of work is redone.
        "broker_commit_interval": 1.0,
        # Faust would wait for every message it handed to a stream to be acked before a rebalance
        # or stop; messages still in the take buffer are never acked once the runner is closing, so
        # that wait would not end. The runner drains its own batches instead (see EnricherApp.on_stop).
        "stream_wait_empty": False,
        "producer_acks": -1,
    }


def create_app(settings: Settings | None = None) -> EnricherApp:
    return EnricherApp(settings or Settings())
