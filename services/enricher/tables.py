"""Windowed counts per topic and per entity, kept exact across restarts, for `/v1/topics` and
`/v1/entities/trending`.

The shape, for readers of the stats topic (the API):

- Topic `<prefix>stats.windows` (e.g. `news.stats.windows`), one partition, `cleanup.policy=compact`;
  windows older than `stats_retention_hours` (default 48) are deleted with tombstones (null value).
  Headers `content-type: application/json`, `schema: WindowCounts/1`.
- Key `<window_start>/<raw partition>`, e.g. `2026-11-26T17:00:00Z/3`: one record per tumbling
  window (`stats_window_seconds`, default one hour, by the article's `fetched_at`) and per
  partition of `news.articles.raw`. The latest record of a key is that window's complete count for
  that partition, so a reader keeps the latest value per key and sums over partitions:

      {"window_start": "2026-11-26T17:00:00Z", "window_end": "2026-11-26T18:00:00Z",
       "partition": 3, "through_offset": 1234, "articles": 57,
       "topics": {"trade": 12, "diplomacy": 7},
       "entities": {"country:PK": {"name": "Pakistan", "type": "COUNTRY", "articles": 5, "mentions": 17}}}

  `topics` counts articles whose score reached the fan-out threshold (the articles that went to
  `news.topics.<id>`); `entities` counts articles and mentions per canonical entity id.

Why a compacted topic and not a Faust table: counting by topic or entity id from a stream keyed by
article id needs a repartition topic per key kind, and a Faust table's changelog is written apart
from the offset commit, so a crash between the two counts the redone articles twice. Here each
snapshot carries `through_offset`, the raw-topic offset it has counted up to: after a restart (or on
a new owner of the partition) the worker reloads the snapshots of its partitions and skips the
articles a snapshot already holds, so re-processing (at-least-once) never counts twice. A snapshot is
written and acknowledged before the batch it counts is acked, so it never falls behind the
committed offset either.
"""

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from newswire.kafka import consumer_config

from .settings import Settings
from .topics import EnricherTopics
from .workers import Enriched

__all__ = ["STATS_SCHEMA", "WindowCounts", "WindowStats"]

logger = logging.getLogger(__name__)

STATS_SCHEMA = "WindowCounts/1"
_HEADERS = [("content-type", b"application/json"), ("schema", STATS_SCHEMA.encode())]


@dataclass(slots=True)
class WindowCounts:
    """One window of one raw partition."""

    window_start: int
    window_seconds: int
    partition: int
    through_offset: int = 0
    articles: int = 0
    topics: Counter[str] = field(default_factory=Counter)
    entities: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def key(self) -> bytes:
        return f"{_iso(self.window_start)}/{self.partition}".encode()

    def add(self, offset: int, article: Enriched, *, threshold: float) -> None:
        self.articles += 1
        self.topics.update(topic_id for topic_id, score in article.topics if score >= threshold)
        for entity in article.entities:
            counts = self.entities.setdefault(
                entity.id, {"name": entity.name, "type": entity.type, "articles": 0, "mentions": 0}
            )
            counts["articles"] += 1
            counts["mentions"] += entity.mentions
        self.through_offset = offset + 1

    def to_json(self) -> bytes:
        return orjson.dumps(
            {
                "window_start": _iso(self.window_start),
                "window_end": _iso(self.window_start + self.window_seconds),
                "partition": self.partition,
                "through_offset": self.through_offset,
                "articles": self.articles,
                "topics": dict(self.topics),
                "entities": self.entities,
            }
        )

    @classmethod
    def from_json(cls, value: bytes, *, window_seconds: int) -> "WindowCounts":
        data = orjson.loads(value)
        return cls(
            window_start=int(datetime.fromisoformat(data["window_start"]).timestamp()),
            window_seconds=window_seconds,
            partition=int(data["partition"]),
            through_offset=int(data["through_offset"]),
            articles=int(data["articles"]),
            topics=Counter(data["topics"]),
            entities=data["entities"],
        )


class WindowStats:
    """The counts of the raw partitions this worker owns, published as snapshots per batch."""

    def __init__(self, *, settings: Settings, topics: EnricherTopics, producer: AIOKafkaProducer) -> None:
        self.settings = settings
        self.topic = topics.stats
        self.producer = producer
        self.window_seconds = settings.stats_window_seconds
        self._windows: dict[tuple[int, int], WindowCounts] = {}
        self._loaded: set[int] = set()
        self._lock = asyncio.Lock()

    async def start(self) -> None:
        await self._ensure_topic()

    def forget(self, partitions: Iterable[int]) -> None:
        """Drop partitions this worker no longer owns; their next owner reloads them."""
        gone = set(partitions)
        self._loaded -= gone
        for key in [k for k in self._windows if k[0] in gone]:
            del self._windows[key]

    async def add_batch(self, items: Sequence[tuple[int, int, Enriched]]) -> None:
        """Count (raw partition, offset, article) items and publish the touched windows' snapshots;
        returns once the broker has them. Items of one partition come in offset order."""
        async with self._lock:
            missing = {p for p, _, _ in items} - self._loaded
            if missing:
                await self._load(missing)
            now = datetime.now(UTC).timestamp()
            oldest = self._window_of(now - self.settings.stats_retention_hours * 3600)
            # A fetched_at in the future (a producer's wrong clock, or 9999-12-31) would open a
            # window that never expires, or whose end has no date: the article is published, but
            # not counted, instead of failing every batch it is in.
            newest = self._window_of(now + self.window_seconds)
            touched: dict[tuple[int, int], WindowCounts] = {}
            for partition, offset, article in items:
                start = self._window_of(article.fetched_at)
                if start < oldest or start > newest:
                    continue
                counts = self._windows.get((partition, start))
                if counts is None:
                    counts = self._windows[(partition, start)] = WindowCounts(start, self.window_seconds, partition)
                if offset < counts.through_offset:
                    continue  # counted before a restart or rebalance: at-least-once must not count twice
                counts.add(offset, article, threshold=self.settings.topic_threshold)
                touched[(partition, start)] = counts
            futures = [
                await self.producer.send(self.topic, counts.to_json(), key=counts.key, headers=_HEADERS)
                for counts in touched.values()
            ]
            # Windows past retention leave memory and, as tombstones, the compacted topic.
            for key in [k for k in self._windows if k[1] < oldest]:
                expired = self._windows.pop(key)
                futures.append(await self.producer.send(self.topic, None, key=expired.key, headers=_HEADERS))
            await asyncio.gather(*futures)

    def _window_of(self, timestamp: float) -> int:
        return int(timestamp // self.window_seconds * self.window_seconds)

    async def _load(self, partitions: set[int]) -> None:
        """Read the latest snapshot of every window of `partitions` from the compacted topic."""
        config = consumer_config(self.settings, client_id="enricher-stats", group_id=None)
        consumer = AIOKafkaConsumer(**config)
        await consumer.start()
        found = 0
        try:
            tp = TopicPartition(self.topic, 0)
            consumer.assign([tp])
            await consumer.seek_to_beginning(tp)
            end = (await consumer.end_offsets([tp]))[tp]
            while await consumer.position(tp) < end:
                batch = await consumer.getmany(tp, timeout_ms=1000)
                for record in batch.get(tp, []):
                    found += self._restore(record.key, record.value, partitions)
        finally:
            await consumer.stop()
        self._loaded |= partitions
        logger.info("window counts of raw partitions %s restored (%s snapshots)", sorted(partitions), found)

    def _restore(self, key: bytes | None, value: bytes | None, partitions: set[int]) -> int:
        if key is None:
            return 0
        start_text, _, partition_text = key.decode("utf-8", "replace").rpartition("/")
        if not partition_text.isdigit() or int(partition_text) not in partitions:
            return 0
        start = int(datetime.fromisoformat(start_text).timestamp())
        if value is None:
            self._windows.pop((int(partition_text), start), None)
            return 0
        try:
            counts = WindowCounts.from_json(value, window_seconds=self.window_seconds)
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            logger.warning("unreadable window snapshot %s skipped: %r", key, exc)
            return 0
        self._windows[(counts.partition, counts.window_start)] = counts
        return 1

    async def _ensure_topic(self) -> None:
        admin = AIOKafkaAdminClient(
            bootstrap_servers=self.settings.kafka_bootstrap_servers, client_id="newswire-enricher-admin"
        )
        await admin.start()
        try:
            if self.topic in set(await admin.list_topics()):
                return
            config = {"cleanup.policy": "compact"}
            topic = NewTopic(self.topic, 1, self.settings.topic_replication_factor, topic_configs=config)
            # Another worker may create it between our list and create: that is the goal anyway.
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics([topic])
            logger.info("created window stats topic %s", self.topic)
        finally:
            await admin.close()


def _iso(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
