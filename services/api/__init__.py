"""The newswire HTTP API: REST over the article store, SSE and WebSocket streams, the dashboard."""

from .main import create_app
from .settings import Settings

__all__ = ["Settings", "create_app"]
