"""Schema migrations of the article store, recorded in `schema_migrations`.

A migration is applied once, in order, inside a transaction that holds the dialect's migration
lock, so several API replicas starting against one PostgreSQL do not race.
"""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from .dialects import Connection, Dialect

__all__ = ["MIGRATIONS", "Migration", "migrate"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    statements: Callable[[Dialect], list[str]]


def _initial(dialect: Dialect) -> list[str]:
    # Times are UTC microseconds since the epoch (BIGINT): exact, sortable, the same in both databases.
    # `sort_time` is published_at (else fetched_at), the order of /v1/articles; `event_time` is the
    # Kafka record time, the clock of stream replays and of the topic/trending windows.
    return [
        """CREATE TABLE articles (
            id TEXT PRIMARY KEY,
            kafka_partition INTEGER NOT NULL,
            kafka_offset BIGINT NOT NULL,
            event_time BIGINT NOT NULL,
            sort_time BIGINT NOT NULL,
            source TEXT NOT NULL,
            title TEXT NOT NULL,
            body TEXT NOT NULL,
            stored_at BIGINT NOT NULL
        )""",
        "CREATE INDEX articles_sort ON articles (sort_time DESC, id DESC)",
        "CREATE INDEX articles_position ON articles (kafka_partition, kafka_offset)",
        "CREATE INDEX articles_event_time ON articles (event_time)",
        "CREATE INDEX articles_source ON articles (source, sort_time)",
        """CREATE TABLE article_topics (
            article_id TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
            topic_id TEXT NOT NULL,
            score DOUBLE PRECISION NOT NULL,
            event_time BIGINT NOT NULL,
            PRIMARY KEY (article_id, topic_id)
        )""",
        "CREATE INDEX article_topics_topic ON article_topics (topic_id, event_time)",
        """CREATE TABLE article_entities (
            article_id TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
            entity_id TEXT NOT NULL,
            name TEXT NOT NULL,
            type TEXT NOT NULL,
            country TEXT,
            mentions INTEGER NOT NULL,
            event_time BIGINT NOT NULL,
            PRIMARY KEY (article_id, entity_id)
        )""",
        "CREATE INDEX article_entities_entity ON article_entities (entity_id)",
        "CREATE INDEX article_entities_time ON article_entities (event_time)",
        """CREATE TABLE article_countries (
            article_id TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
            country TEXT NOT NULL,
            PRIMARY KEY (article_id, country)
        )""",
        "CREATE INDEX article_countries_country ON article_countries (country)",
        """CREATE TABLE stream_positions (
            topic TEXT NOT NULL,
            kafka_partition INTEGER NOT NULL,
            next_offset BIGINT NOT NULL,
            PRIMARY KEY (topic, kafka_partition)
        )""",
        *dialect.search_tables(),
    ]


MIGRATIONS: tuple[Migration, ...] = (Migration(1, "articles, facets, positions, full-text index", _initial),)


def migrate(dialect: Dialect) -> list[int]:
    """Apply the pending migrations; returns the versions applied."""
    applied: list[int] = []
    with dialect.transaction() as conn:
        # The lock comes first: even CREATE TABLE IF NOT EXISTS races between PostgreSQL sessions.
        dialect.migration_lock(conn)
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)"
        )
        done = {row[0] for row in conn.execute("SELECT version FROM schema_migrations").fetchall()}
        for migration in MIGRATIONS:
            if migration.version in done:
                continue
            _apply(conn, dialect, migration)
            applied.append(migration.version)
    if applied:
        logger.info("store schema migrated to version %s", applied[-1])
    return applied


def _apply(conn: Connection, dialect: Dialect, migration: Migration) -> None:
    logger.info("applying store migration %s: %s", migration.version, migration.name)
    for statement in migration.statements(dialect):
        conn.execute(statement)
    conn.execute(
        "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
        (migration.version, migration.name, int(time.time() * 1_000_000)),
    )
