"""The article store materialised from `news.articles.enriched`: SQLite (default) or PostgreSQL."""

from .migrate import current_revision, head_revision, upgrade
from .records import EntityCount, Page, ReplayEntry, StoredRecord, TopicCount, from_micros, micros
from .store import Store

__all__ = [
    "EntityCount",
    "Page",
    "ReplayEntry",
    "Store",
    "StoredRecord",
    "TopicCount",
    "current_revision",
    "from_micros",
    "head_revision",
    "micros",
    "upgrade",
]
