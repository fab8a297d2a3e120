"""The API's routers, one per resource."""

from . import articles, dashboard, entities, health, stream, topics

__all__ = ["articles", "dashboard", "entities", "health", "stream", "topics"]
