"""The API's routers, one per resource."""

from . import articles, dashboard, docs, entities, health, stream, topics

__all__ = ["articles", "dashboard", "docs", "entities", "health", "stream", "topics"]
