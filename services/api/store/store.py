"""The article store: a queryable copy of `news.articles.enriched`, written by the API's consumer.

One code path for SQLite and PostgreSQL (dialect differences live in `dialects`). Blocking
database calls run in worker threads so the event loop keeps serving streams. Writes are
idempotent by article id: a re-delivered event updates the row in place, an older version never
overwrites a newer one, and every row remembers the Kafka position it came from so that stream
replays can be served from here.
"""

import asyncio
import base64
import binascii
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import orjson

from newswire.schemas import EnrichedArticle

from ..errors import BadRequest, StoreError
from ..filters import ArticleFilter
from .dialects import Connection, Dialect, make_dialect
from .schema import migrate

__all__ = [
    "EntityCount",
    "Page",
    "ReplayEntry",
    "Store",
    "StoredRecord",
    "TopicCount",
    "from_micros",
    "micros",
]

logger = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def micros(value: datetime) -> int:
    """UTC microseconds since the epoch, exactly (no float rounding)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    delta = value - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_micros(value: int) -> datetime:
    return datetime.fromtimestamp(value // 1_000_000, UTC).replace(microsecond=value % 1_000_000)


@dataclass(frozen=True, slots=True)
class StoredRecord:
    """One Kafka record of the enriched topic, decoded."""

    article: EnrichedArticle
    body: bytes
    partition: int
    offset: int
    event_time: datetime


@dataclass(frozen=True, slots=True)
class Page:
    items: list[dict[str, Any]]
    next_cursor: str | None


@dataclass(frozen=True, slots=True)
class ReplayEntry:
    article_id: str
    partition: int
    offset: int
    event_time: int


@dataclass(frozen=True, slots=True)
class TopicCount:
    topic_id: str
    count: int
    series: list[int] | None


@dataclass(frozen=True, slots=True)
class EntityCount:
    id: str
    name: str
    type: str
    country: str | None
    mentions: int
    articles: int


class Store:
    def __init__(self, dialect: Dialect, *, topic_min_score: float = 0.5) -> None:
        self.dialect = dialect
        self.topic_min_score = topic_min_score
        self.ready = False

    @classmethod
    def open(cls, *, database_url: str | None, data_dir: Path, topic_min_score: float = 0.5) -> "Store":
        return cls(make_dialect(database_url=database_url, data_dir=data_dir), topic_min_score=topic_min_score)

    @property
    def backend(self) -> str:
        return self.dialect.name

    async def _run(self, func: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return await asyncio.to_thread(func, *args, **kwargs)
        except (BadRequest, StoreError):
            raise
        except Exception as exc:
            # Database errors become 503s: the client can retry; the detail stays in the log.
            logger.warning("store operation %s failed: %r", func.__name__, exc)
            raise StoreError("the article store is unavailable") from exc

    async def start(self) -> None:
        await self._run(migrate, self.dialect)
        self.ready = True

    def close(self) -> None:
        self.ready = False
        self.dialect.close()

    async def ping(self) -> None:
        await self._run(self._ping)

    def _ping(self) -> None:
        with self.dialect.transaction() as conn:
            conn.execute("SELECT 1").fetchall()

    # -- writing ---------------------------------------------------------------------------

    async def write(self, records: Sequence[StoredRecord], *, topic: str) -> set[tuple[int, int]]:
        """Store a batch in one transaction and advance the recorded positions.

        Returns the (partition, offset) of redeliveries: records of an article already stored with
        the same body but for `enriched_at` (at-least-once upstream). They are not stored again,
        so a replay serves the first copy only, and callers do not fan them out to clients.
        """
        if not records:
            return set()
        return await self._run(self._write, records, topic)

    def _write(self, records: Sequence[StoredRecord], topic: str) -> set[tuple[int, int]]:
        redelivered: set[tuple[int, int]] = set()
        now = micros(datetime.now(UTC))
        positions: dict[int, int] = {}
        with self.dialect.transaction() as conn:
            for record in records:
                positions[record.partition] = max(positions.get(record.partition, 0), record.offset + 1)
                if self._is_redelivery(conn, record):
                    redelivered.add((record.partition, record.offset))
                else:
                    self._upsert(conn, record, now)
            for partition, next_offset in positions.items():
                conn.execute(
                    "INSERT INTO stream_positions (topic, kafka_partition, next_offset) VALUES (?, ?, ?) "
                    "ON CONFLICT (topic, kafka_partition) DO UPDATE SET next_offset = excluded.next_offset "
                    "WHERE excluded.next_offset > stream_positions.next_offset",
                    (topic, partition, next_offset),
                )
        return redelivered

    def _is_redelivery(self, conn: Connection, record: StoredRecord) -> bool:
        row = conn.execute("SELECT body FROM articles WHERE id = ?", (record.article.id,)).fetchone()
        if row is None:
            return False
        # Re-enrichment is deterministic except for the time it ran (see the enricher).
        stored, incoming = orjson.loads(row[0]), orjson.loads(record.body)
        stored.pop("enriched_at", None)
        incoming.pop("enriched_at", None)
        return stored == incoming

    def _upsert(self, conn: Connection, record: StoredRecord, now: int) -> bool:
        article = record.article
        event_time = micros(record.event_time)
        sort_time = micros(article.published_at or article.fetched_at)
        # An older version (lower offset in the article's partition) never overwrites a newer one,
        # which matters when replicas sharing one PostgreSQL are at different positions.
        row = conn.execute(
            "INSERT INTO articles (id, kafka_partition, kafka_offset, event_time, sort_time, source, title, body,"
            " stored_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET kafka_partition = excluded.kafka_partition,"
            " kafka_offset = excluded.kafka_offset, event_time = excluded.event_time,"
            " sort_time = excluded.sort_time, source = excluded.source, title = excluded.title,"
            " body = excluded.body, stored_at = excluded.stored_at "
            "WHERE excluded.kafka_offset >= articles.kafka_offset"
            " OR excluded.kafka_partition <> articles.kafka_partition "
            "RETURNING id",
            (
                article.id,
                record.partition,
                record.offset,
                event_time,
                sort_time,
                article.source,
                article.title,
                record.body.decode("utf-8"),
                now,
            ),
        ).fetchone()
        if row is None:
            return False
        for table in ("article_topics", "article_entities", "article_countries"):
            conn.execute(f"DELETE FROM {table} WHERE article_id = ?", (article.id,))
        for topic in article.topics:
            conn.execute(
                "INSERT INTO article_topics (article_id, topic_id, score, event_time) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (article_id, topic_id) DO NOTHING",
                (article.id, topic.id, topic.score, event_time),
            )
        for entity in article.entities:
            conn.execute(
                "INSERT INTO article_entities (article_id, entity_id, name, type, country, mentions, event_time)"
                " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (article_id, entity_id) DO NOTHING",
                (
                    article.id,
                    entity.id,
                    entity.name,
                    entity.type,
                    entity.country,
                    max(1, len(entity.mentions)),
                    event_time,
                ),
            )
        for country in dict.fromkeys(article.countries):
            conn.execute("INSERT INTO article_countries (article_id, country) VALUES (?, ?)", (article.id, country))
        self.dialect.index_text(
            conn, article_id=article.id, title=article.title, summary=article.summary, text=article.text
        )
        return True

    async def forget_positions(self, topic: str, partitions: list[int]) -> None:
        """The log of these partitions restarted: detach stored rows from their old offsets (partition
        -1 matches no replay range) so that replays only ever see positions of the current log."""
        await self._run(self._forget_positions, topic, partitions)

    def _forget_positions(self, topic: str, partitions: list[int]) -> None:
        marks = ", ".join("?" for _ in partitions)
        with self.dialect.transaction() as conn:
            conn.execute(f"UPDATE articles SET kafka_partition = -1 WHERE kafka_partition IN ({marks})", partitions)
            conn.execute(
                f"DELETE FROM stream_positions WHERE topic = ? AND kafka_partition IN ({marks})", [topic, *partitions]
            )

    async def positions(self, topic: str) -> dict[int, int]:
        """partition -> next offset to read, as far as this store has recorded."""
        return await self._run(self._positions, topic)

    def _positions(self, topic: str) -> dict[int, int]:
        with self.dialect.transaction() as conn:
            rows = conn.execute(
                "SELECT kafka_partition, next_offset FROM stream_positions WHERE topic = ?", (topic,)
            ).fetchall()
        return {int(p): int(o) for p, o in rows}

    # -- reading ---------------------------------------------------------------------------

    async def get(self, article_id: str) -> dict[str, Any] | None:
        return await self._run(self._get, article_id)

    def _get(self, article_id: str) -> dict[str, Any] | None:
        with self.dialect.transaction() as conn:
            row = conn.execute("SELECT body FROM articles WHERE id = ?", (article_id,)).fetchone()
        return orjson.loads(row[0]) if row else None

    def _conditions(self, flt: ArticleFilter, alias: str = "a") -> tuple[list[str], list[Any]]:
        where: list[str] = []
        params: list[Any] = []
        if flt.source is not None:
            where.append(f"{alias}.source = ?")
            params.append(flt.source)
        if flt.topic is not None:
            where.append(
                f"EXISTS (SELECT 1 FROM article_topics t WHERE t.article_id = {alias}.id"
                " AND t.topic_id = ? AND t.score >= ?)"
            )
            params += [flt.topic, flt.topic_min_score]
        if flt.entity is not None:
            where.append(
                f"EXISTS (SELECT 1 FROM article_entities e WHERE e.article_id = {alias}.id AND e.entity_id = ?)"
            )
            params.append(flt.entity)
        if flt.country is not None:
            where.append(
                f"EXISTS (SELECT 1 FROM article_countries c WHERE c.article_id = {alias}.id AND c.country = ?)"
            )
            params.append(flt.country)
        terms = flt.terms
        if terms:
            where.append(self.dialect.search_clause(alias))
            params.append(self.dialect.search_param(terms))
        return where, params

    async def query(
        self,
        flt: ArticleFilter,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 20,
        cursor: str | None = None,
    ) -> Page:
        after = _decode_cursor(cursor) if cursor else None
        return await self._run(self._query, flt, since, until, limit, after)

    def _query(
        self,
        flt: ArticleFilter,
        since: datetime | None,
        until: datetime | None,
        limit: int,
        after: tuple[int, str] | None,
    ) -> Page:
        where, params = self._conditions(flt)
        if since is not None:
            where.append("a.sort_time >= ?")
            params.append(micros(since))
        if until is not None:
            where.append("a.sort_time < ?")
            params.append(micros(until))
        if after is not None:
            # Keyset pagination on (sort_time, id): stable while new articles arrive.
            where.append("(a.sort_time < ? OR (a.sort_time = ? AND a.id < ?))")
            params += [after[0], after[0], after[1]]
        sql = "SELECT a.body, a.sort_time, a.id FROM articles a"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY a.sort_time DESC, a.id DESC LIMIT ?"
        params.append(limit + 1)
        with self.dialect.transaction() as conn:
            rows = conn.execute(sql, params).fetchall()
        more = len(rows) > limit
        rows = rows[:limit]
        next_cursor = _encode_cursor(int(rows[-1][1]), rows[-1][2]) if more and rows else None
        return Page(items=[orjson.loads(r[0]) for r in rows], next_cursor=next_cursor)

    async def topic_counts(
        self, *, since: datetime, bucket_seconds: int | None = None, buckets: int = 0
    ) -> list[TopicCount]:
        return await self._run(self._topic_counts, since, bucket_seconds, buckets)

    def _topic_counts(self, since: datetime, bucket_seconds: int | None, buckets: int) -> list[TopicCount]:
        start = micros(since)
        with self.dialect.transaction() as conn:
            totals = conn.execute(
                "SELECT topic_id, COUNT(*) FROM article_topics WHERE score >= ? AND event_time >= ? GROUP BY topic_id",
                (self.topic_min_score, start),
            ).fetchall()
            per_bucket: list[Any] = []
            if bucket_seconds:
                width = bucket_seconds * 1_000_000
                per_bucket = conn.execute(
                    "SELECT topic_id, (event_time - ?) / ? AS bucket, COUNT(*) FROM article_topics"
                    " WHERE score >= ? AND event_time >= ? GROUP BY topic_id, bucket",
                    (start, width, self.topic_min_score, start),
                ).fetchall()
        series: dict[str, list[int]] = {}
        for topic_id, bucket, count in per_bucket:
            values = series.setdefault(topic_id, [0] * buckets)
            values[min(int(bucket), buckets - 1)] += int(count)
        return [
            TopicCount(topic_id=t, count=int(c), series=series.get(t, [0] * buckets) if bucket_seconds else None)
            for t, c in totals
        ]

    async def trending(self, *, since: datetime, limit: int, entity_type: str | None = None) -> list[EntityCount]:
        return await self._run(self._trending, since, limit, entity_type)

    def _trending(self, since: datetime, limit: int, entity_type: str | None) -> list[EntityCount]:
        sql = (
            "SELECT entity_id, MAX(name), MAX(type), MAX(country), SUM(mentions) AS m, COUNT(*) AS n"
            " FROM article_entities WHERE event_time >= ?"
        )
        params: list[Any] = [micros(since)]
        if entity_type is not None:
            sql += " AND type = ?"
            params.append(entity_type)
        sql += " GROUP BY entity_id ORDER BY m DESC, n DESC, entity_id LIMIT ?"
        params.append(limit)
        with self.dialect.transaction() as conn:
            rows = conn.execute(sql, params).fetchall()
        return [
            EntityCount(id=r[0], name=r[1], type=r[2], country=r[3], mentions=int(r[4]), articles=int(r[5]))
            for r in rows
        ]

    async def replay_index(
        self,
        flt: ArticleFilter,
        *,
        end: dict[int, int],
        start: dict[int, int] | None = None,
        since: datetime | None = None,
        limit: int,
    ) -> list[ReplayEntry]:
        """Stored articles matching `flt` with `start[p] <= offset < end[p]` per partition (and a
        Kafka time from `since` on), in partition and offset order. Partitions missing from `start`
        begin at 0."""
        return await self._run(self._replay_index, flt, end, start, since, limit)

    def _replay_index(
        self,
        flt: ArticleFilter,
        end: dict[int, int],
        start: dict[int, int] | None,
        since: datetime | None,
        limit: int,
    ) -> list[ReplayEntry]:
        ranges: list[str] = []
        range_params: list[Any] = []
        for partition, stop in sorted(end.items()):
            first = (start or {}).get(partition, 0)
            if first < stop:
                ranges.append("(a.kafka_partition = ? AND a.kafka_offset >= ? AND a.kafka_offset < ?)")
                range_params += [partition, first, stop]
        if not ranges:
            return []
        where, params = self._conditions(flt)
        where.append("(" + " OR ".join(ranges) + ")")
        params += range_params
        if since is not None:
            where.append("a.event_time >= ?")
            params.append(micros(since))
        sql = (
            "SELECT a.id, a.kafka_partition, a.kafka_offset, a.event_time FROM articles a WHERE "
            + " AND ".join(where)
            + " ORDER BY a.kafka_partition, a.kafka_offset LIMIT ?"
        )
        params.append(limit + 1)
        with self.dialect.transaction() as conn:
            rows = conn.execute(sql, params).fetchall()
        if len(rows) > limit:
            raise BadRequest(
                f"the replay would send more than {limit} articles; resume from a later point or narrow the filters",
                code="replay_too_large",
            )
        return [ReplayEntry(r[0], int(r[1]), int(r[2]), int(r[3])) for r in rows]

    async def bodies(self, article_ids: Sequence[str]) -> dict[str, tuple[int, bytes]]:
        """article id -> (Kafka offset of the stored version, article JSON)."""
        return await self._run(self._bodies, list(article_ids))

    def _bodies(self, article_ids: list[str]) -> dict[str, tuple[int, bytes]]:
        if not article_ids:
            return {}
        marks = ", ".join("?" for _ in article_ids)
        with self.dialect.transaction() as conn:
            rows = conn.execute(
                f"SELECT id, kafka_offset, body FROM articles WHERE id IN ({marks})",
                article_ids,
            ).fetchall()
        return {r[0]: (int(r[1]), r[2].encode("utf-8")) for r in rows}


def _encode_cursor(sort_time: int, article_id: str) -> str:
    return base64.urlsafe_b64encode(f"{sort_time}:{article_id}".encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[int, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
        sort_time, article_id = raw.split(":", 1)
        if len(article_id) != 32 or not all(c in "0123456789abcdef" for c in article_id):
            raise ValueError(article_id)
        value = int(sort_time)
        if not -(2**63) <= value < 2**63:  # beyond a 64-bit column: no cursor this API returned
            raise ValueError(sort_time)
        return value, article_id
    except (ValueError, UnicodeDecodeError, binascii.Error) as exc:
        raise BadRequest("`cursor` is not a cursor this API returned", code="invalid_cursor") from exc
