"""The article store materialised from `news.articles.enriched`: SQLite (default) or PostgreSQL."""

from .dialects import PostgresDialect, SqliteDialect, make_dialect
from .schema import MIGRATIONS, migrate
from .store import EntityCount, Page, ReplayEntry, Store, StoredRecord, TopicCount, from_micros, micros

__all__ = [
    "MIGRATIONS",
    "EntityCount",
    "Page",
    "PostgresDialect",
    "ReplayEntry",
    "SqliteDialect",
    "Store",
    "StoredRecord",
    "TopicCount",
    "from_micros",
    "make_dialect",
    "micros",
    "migrate",
]
