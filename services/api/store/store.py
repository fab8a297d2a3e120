"""The article store: a queryable copy of `news.articles.enriched`, written by the API's consumer.

One code path for SQLite and PostgreSQL on SQLAlchemy Core (only the full-text index differs, in
`fulltext`). Blocking database calls run in worker threads so the event loop keeps serving
streams. Writes are idempotent by article id: a re-delivered event updates the row in place, an
older version never overwrites a newer one, and every row remembers the Kafka position it came
from so that stream replays can be served from here.
"""

import asyncio
import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import orjson
from sqlalchemy import ColumnElement, Connection, Engine, Table, and_, delete, exists, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from ..errors import BadRequest, StoreError
from ..filters import ArticleFilter
from . import counts, fulltext
from .engine import database_url_for, make_engine
from .migrate import upgrade
from .records import EntityCount, Page, ReplayEntry, StoredRecord, TopicCount, decode_cursor, encode_cursor, micros
from .tables import article_countries, article_entities, article_topics, articles, stream_positions

__all__ = ["Store"]

logger = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")

# INSERT ... ON CONFLICT has the same interface in both dialects; only the constructor differs.
_INSERT: dict[str, Callable[[Table], sqlite.Insert | postgresql.Insert]] = {
    "sqlite": sqlite.insert,
    "postgresql": postgresql.insert,
}


class Store:
    def __init__(self, engine: Engine, *, topic_min_score: float = 0.5) -> None:
        self.engine = engine
        self.topic_min_score = topic_min_score
        self.ready = False
        self._insert = _INSERT[engine.dialect.name]

    @classmethod
    def open(cls, *, database_url: str | None, data_dir: Path, topic_min_score: float = 0.5) -> "Store":
        url = database_url_for(database_url=database_url, data_dir=data_dir)
        return cls(make_engine(url), topic_min_score=topic_min_score)

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    async def _run(self, func: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return await asyncio.to_thread(func, *args, **kwargs)
        except (BadRequest, StoreError):
            raise
        except Exception as exc:
            # Database errors become 503s: the client can retry; the detail stays in the log.
            logger.warning("store operation %s failed: %r", getattr(func, "__name__", func), exc)
            raise StoreError("the article store is unavailable") from exc

    async def start(self) -> None:
        await self._run(upgrade, self.engine)
        self.ready = True

    def close(self) -> None:
        self.ready = False
        self.engine.dispose()

    async def ping(self) -> None:
        await self._run(self._ping)

    def _ping(self) -> None:
        with self.engine.begin() as conn:
            conn.execute(select(1)).all()

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
        with self.engine.begin() as conn:
            for record in records:
                positions[record.partition] = max(positions.get(record.partition, 0), record.offset + 1)
                if self._is_redelivery(conn, record):
                    redelivered.add((record.partition, record.offset))
                else:
                    self._upsert(conn, record, now)
            for partition, next_offset in positions.items():
                stmt = self._insert(stream_positions).values(
                    topic=topic, kafka_partition=partition, next_offset=next_offset
                )
                conn.execute(
                    stmt.on_conflict_do_update(
                        index_elements=["topic", "kafka_partition"],
                        set_={"next_offset": stmt.excluded.next_offset},
                        where=stmt.excluded.next_offset > stream_positions.c.next_offset,
                    )
                )
        return redelivered

    def _is_redelivery(self, conn: Connection, record: StoredRecord) -> bool:
        body = conn.execute(select(articles.c.body).where(articles.c.id == record.article.id)).scalar()
        if body is None:
            return False
        # Re-enrichment is deterministic except for the time it ran (see the enricher).
        stored, incoming = orjson.loads(body), orjson.loads(record.body)
        stored.pop("enriched_at", None)
        incoming.pop("enriched_at", None)
        return bool(stored == incoming)

    def _upsert(self, conn: Connection, record: StoredRecord, now: int) -> bool:
        article = record.article
        event_time = micros(record.event_time)
        stmt = self._insert(articles).values(
            id=article.id,
            kafka_partition=record.partition,
            kafka_offset=record.offset,
            event_time=event_time,
            sort_time=micros(article.published_at or article.fetched_at),
            source=article.source,
            title=article.title,
            body=record.body.decode("utf-8"),
            stored_at=now,
        )
        new = stmt.excluded
        # An older version (lower offset in the article's partition) never overwrites a newer one,
        # which matters when replicas sharing one PostgreSQL are at different positions.
        stmt = stmt.on_conflict_do_update(
            index_elements=["id"],
            set_={c.name: new[c.name] for c in articles.columns if c.name != "id"},
            where=or_(
                new.kafka_offset >= articles.c.kafka_offset, new.kafka_partition != articles.c.kafka_partition
            ),
        )
        if conn.execute(stmt.returning(articles.c.id)).first() is None:
            return False
        for table in (article_topics, article_entities, article_countries):
            conn.execute(delete(table).where(table.c.article_id == article.id))
        if article.topics:
            conn.execute(
                self._insert(article_topics).on_conflict_do_nothing(),
                [
                    {"article_id": article.id, "topic_id": t.id, "score": t.score, "event_time": event_time}
                    for t in article.topics
                ],
            )
        if article.entities:
            conn.execute(
                self._insert(article_entities).on_conflict_do_nothing(),
                [
                    {
                        "article_id": article.id,
                        "entity_id": e.id,
                        "name": e.name,
                        "type": e.type,
                        "country": e.country,
                        "mentions": max(1, len(e.mentions)),
                        "event_time": event_time,
                    }
                    for e in article.entities
                ],
            )
        if article.countries:
            conn.execute(
                article_countries.insert(),
                [{"article_id": article.id, "country": c} for c in dict.fromkeys(article.countries)],
            )
        fulltext.index_text(
            conn, article_id=article.id, title=article.title, summary=article.summary, body=article.text
        )
        return True

    async def forget_positions(self, topic: str, partitions: list[int]) -> None:
        """The log of these partitions restarted: detach stored rows from their old offsets (partition
        -1 matches no replay range) so that replays only ever see positions of the current log."""
        await self._run(self._forget_positions, topic, partitions)

    def _forget_positions(self, topic: str, partitions: list[int]) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(articles).where(articles.c.kafka_partition.in_(partitions)).values(kafka_partition=-1))
            conn.execute(
                delete(stream_positions).where(
                    stream_positions.c.topic == topic, stream_positions.c.kafka_partition.in_(partitions)
                )
            )

    async def positions(self, topic: str) -> dict[int, int]:
        """partition -> next offset to read, as far as this store has recorded."""
        return await self._run(self._positions, topic)

    def _positions(self, topic: str) -> dict[int, int]:
        query = select(stream_positions.c.kafka_partition, stream_positions.c.next_offset).where(
            stream_positions.c.topic == topic
        )
        with self.engine.begin() as conn:
            rows = conn.execute(query).all()
        return {int(p): int(o) for p, o in rows}

    # -- reading ---------------------------------------------------------------------------

    async def get(self, article_id: str) -> dict[str, Any] | None:
        return await self._run(self._get, article_id)

    def _get(self, article_id: str) -> dict[str, Any] | None:
        with self.engine.begin() as conn:
            body = conn.execute(select(articles.c.body).where(articles.c.id == article_id)).scalar()
        return orjson.loads(body) if body is not None else None

    def _conditions(self, flt: ArticleFilter) -> list[ColumnElement[bool]]:
        where: list[ColumnElement[bool]] = []
        if flt.source is not None:
            where.append(articles.c.source == flt.source)
        if flt.topic is not None:
            t = article_topics
            where.append(
                exists().where(
                    t.c.article_id == articles.c.id, t.c.topic_id == flt.topic, t.c.score >= flt.topic_min_score
                )
            )
        if flt.entity is not None:
            e = article_entities
            where.append(exists().where(e.c.article_id == articles.c.id, e.c.entity_id == flt.entity))
        if flt.country is not None:
            c = article_countries
            where.append(exists().where(c.c.article_id == articles.c.id, c.c.country == flt.country))
        query = flt.query
        if query is not None:
            where.append(fulltext.matches(self.backend, query))
        return where

    async def query(
        self,
        flt: ArticleFilter,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 20,
        cursor: str | None = None,
    ) -> Page:
        after = decode_cursor(cursor) if cursor else None
        return await self._run(self._query, flt, since, until, limit, after)

    def _query(
        self,
        flt: ArticleFilter,
        since: datetime | None,
        until: datetime | None,
        limit: int,
        after: tuple[int, str] | None,
    ) -> Page:
        where = self._conditions(flt)
        if since is not None:
            where.append(articles.c.sort_time >= micros(since))
        if until is not None:
            where.append(articles.c.sort_time < micros(until))
        if after is not None:
            # Keyset pagination on (sort_time, id): stable while new articles arrive.
            where.append(
                or_(
                    articles.c.sort_time < after[0],
                    and_(articles.c.sort_time == after[0], articles.c.id < after[1]),
                )
            )
        query = (
            select(articles.c.body, articles.c.sort_time, articles.c.id)
            .where(*where)
            .order_by(articles.c.sort_time.desc(), articles.c.id.desc())
            .limit(limit + 1)
        )
        with self.engine.begin() as conn:
            rows = conn.execute(query).all()
        more = len(rows) > limit
        rows = rows[:limit]
        next_cursor = encode_cursor(int(rows[-1][1]), rows[-1][2]) if more and rows else None
        return Page(items=[orjson.loads(r[0]) for r in rows], next_cursor=next_cursor)

    async def topic_counts(
        self, *, since: datetime, bucket_seconds: int | None = None, buckets: int = 0
    ) -> list[TopicCount]:
        return await self._run(self._topic_counts, since, bucket_seconds, buckets)

    def _topic_counts(self, since: datetime, bucket_seconds: int | None, buckets: int) -> list[TopicCount]:
        with self.engine.begin() as conn:
            return counts.topic_counts(
                conn, since=since, min_score=self.topic_min_score, bucket_seconds=bucket_seconds, buckets=buckets
            )

    async def trending(
        self,
        *,
        since: datetime,
        limit: int,
        entity_type: str | None = None,
        baseline_since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[EntityCount]:
        """Entities whose mentions rise most against a baseline (see `counts.trending`)."""
        return await self._run(self._trending, since, limit, entity_type, baseline_since, until)

    def _trending(
        self,
        since: datetime,
        limit: int,
        entity_type: str | None,
        baseline_since: datetime | None,
        until: datetime | None,
    ) -> list[EntityCount]:
        with self.engine.begin() as conn:
            return counts.trending(
                conn, since=since, limit=limit, entity_type=entity_type, baseline_since=baseline_since, until=until
            )

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
        ranges = [
            and_(
                articles.c.kafka_partition == partition,
                articles.c.kafka_offset >= (start or {}).get(partition, 0),
                articles.c.kafka_offset < stop,
            )
            for partition, stop in sorted(end.items())
            if (start or {}).get(partition, 0) < stop
        ]
        if not ranges:
            return []
        where = [*self._conditions(flt), or_(*ranges)]
        if since is not None:
            where.append(articles.c.event_time >= micros(since))
        a = articles.c
        query = (
            select(a.id, a.kafka_partition, a.kafka_offset, a.event_time)
            .where(*where)
            .order_by(a.kafka_partition, a.kafka_offset)
            .limit(limit + 1)
        )
        with self.engine.begin() as conn:
            rows = conn.execute(query).all()
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
        query = select(articles.c.id, articles.c.kafka_offset, articles.c.body).where(articles.c.id.in_(article_ids))
        with self.engine.begin() as conn:
            rows = conn.execute(query).all()
        return {r[0]: (int(r[1]), r[2].encode("utf-8")) for r in rows}
