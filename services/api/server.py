"""The uvicorn configuration of `newswire api`, shared by the command and the tests.

Two things uvicorn does not do by itself are added by subclassing its protocol classes:
- every connection is recorded in the app's `Connections` (abort a socket, know when it is gone);
- request headers are capped (`NEWSWIRE_API_MAX_HEADER_BYTES`): a request whose line and headers
  grow past the cap gets 431 and the connection is closed, instead of uvicorn collecting them
  without limit (a 32 MB header was answered 200, ten at once cost 375 MB of memory).
"""

import asyncio
import logging
from typing import Any

import orjson
import uvicorn
from fastapi import FastAPI
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

from .connections import Connections
from .errors import error_body
from .state import ApiState

try:  # httptools is uvicorn's fast parser (in the lock file); h11 is the pure-Python fallback
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
except ImportError:  # pragma: no cover - depends on the installed extras
    HttpToolsProtocol = None  # type: ignore[assignment,misc]

__all__ = ["header_limit_response", "server_config"]

logger = logging.getLogger(__name__)

#: Seconds a refused connection stays half-open so that the client can read its 431.
LINGER_SECONDS = 5.0


def header_limit_response(limit: int) -> bytes:
    body = orjson.dumps(
        error_body("headers_too_large", f"the request line and headers exceed {limit} bytes; nothing was read")
    )
    head = (
        "HTTP/1.1 431 Request Header Fields Too Large\r\n"
        "content-type: application/json\r\n"
        f"content-length: {len(body)}\r\n"
        "connection: close\r\n\r\n"
    )
    return head.encode("latin-1") + body


def _http_protocol(connections: Connections, *, max_header_bytes: int) -> type[asyncio.Protocol]:
    if HttpToolsProtocol is None:  # pragma: no cover
        # h11 enforces the cap itself (h11_max_incomplete_event_size), answering 400.
        class TrackedH11(H11Protocol):
            def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
                super().connection_made(transport)
                connections.opened(self.client, transport)

            def connection_lost(self, exc: Exception | None) -> None:
                connections.closed(self.client, self.transport)
                super().connection_lost(exc)

        return TrackedH11

    class TrackedHttpTools(HttpToolsProtocol):
        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            connections.opened(self.client, transport)
            self._header_bytes = 0
            self._awaiting_headers = True
            self._refused = False

        def connection_lost(self, exc: Exception | None) -> None:
            connections.closed(self.client, self.transport)
            super().connection_lost(exc)

        def data_received(self, data: bytes) -> None:
            if self._refused:
                return
            if self._awaiting_headers:
                self._header_bytes += len(data)
            super().data_received(data)
            # Checked after parsing: the parser keeps no more than one read's worth beyond the cap.
            if self._awaiting_headers and self._header_bytes > max_header_bytes and not self.transport.is_closing():
                self._refuse()

        def on_headers_complete(self) -> None:
            self._awaiting_headers = False
            super().on_headers_complete()

        def on_message_complete(self) -> None:
            super().on_message_complete()
            self._awaiting_headers = True
            self._header_bytes = 0

        def _refuse(self) -> None:
            self._refused = True
            logger.warning(
                "%s sent more than %s bytes of request headers; answered 431",
                f"{self.client[0]}:{self.client[1]}" if self.client else "a client",
                max_header_bytes,
            )
            # A "lingering close": answer, half-close, stop reading, and drop the socket a little
            # later. Closing at once while the client is still sending would make the kernel reset
            # the connection, and a reset can destroy the 431 before the client reads it.
            transport = self.transport
            transport.write(header_limit_response(max_header_bytes))
            if transport.can_write_eof():
                transport.write_eof()
            transport.pause_reading()
            asyncio.get_running_loop().call_later(LINGER_SECONDS, transport.abort)

    return TrackedHttpTools


def _ws_protocol(connections: Connections) -> type[asyncio.Protocol]:
    class TrackedWebSocket(WebSocketsSansIOProtocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            super().connection_made(transport)
            # uvicorn keeps the transport as an asyncio.Transport (a stream socket's, which can abort).
            connections.opened(self.client, self.transport)

        def connection_lost(self, exc: Exception | None) -> None:
            connections.closed(self.client, self.transport)
            super().connection_lost(exc)

        async def send(self, message: Any) -> None:
            await super().send(message)
            # A refusal before the handshake (a 4xx denial response, errors.py) is a finished answer,
            # but uvicorn 0.54 only counts an accepted handshake as one and would log "ASGI callable
            # returned without completing handshake" at ERROR for every refused client. Marking the
            # exchange complete once the denial's last byte is sent keeps ERROR for real failures.
            if message["type"] == "websocket.http.response.body" and not message.get("more_body", False):
                self.handshake_complete = True

    return TrackedWebSocket


def server_config(app: FastAPI, *, host: str, port: int, asgi: Any = None, **overrides: Any) -> uvicorn.Config:
    """uvicorn's Config for `app` (its settings and connection registry); `asgi` wraps the app."""
    state: ApiState = app.state.newswire
    limit = state.settings.api_max_header_bytes
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "log_config": None,
        "access_log": False,
        "lifespan": "on",
        "timeout_graceful_shutdown": 5,
        "http": _http_protocol(state.connections, max_header_bytes=limit),
        "ws": _ws_protocol(state.connections),
        "ws_ping_interval": 20,
        "h11_max_incomplete_event_size": limit,
    }
    options.update(overrides)
    return uvicorn.Config(asgi or app, **options)
