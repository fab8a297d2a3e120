"""Lets the app tear down one HTTP exchange from outside, for a stream client that stopped reading.

A client that reads nothing blocks the server's writes to it, so it could not even be sent its
final error event; after a grace period its request is cancelled here and the server closes the
connection.
"""

from collections.abc import Callable

import anyio
from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["ABORT_KEY", "AbortMiddleware", "abort_callback"]

ABORT_KEY = "newswire.abort"


class AbortMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        with anyio.CancelScope() as cancel_scope:
            scope[ABORT_KEY] = cancel_scope.cancel
            await self.app(scope, receive, send)


def abort_callback(scope: Scope) -> Callable[[], None] | None:
    callback = scope.get(ABORT_KEY)
    return callback if callable(callback) else None
