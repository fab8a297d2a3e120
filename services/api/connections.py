"""The server's open sockets by peer address, so that the app can abort one and learn when it is gone.

An ASGI app never sees its transport. For a stream client that stopped reading, closing the
response is not enough: uvicorn's `transport.close()` waits for a write buffer that never drains,
so the socket (and its kernel buffers) would stay. The server's protocol classes (see `server`)
record each connection here; the app can then `abort()` the socket by the `client` address of its
scope, and run code when the socket is really gone (the per-client stream cap and the
`newswire_stream_sockets_closing` gauge count a cut-off client until then).
"""

import asyncio
import logging
from collections.abc import Callable

__all__ = ["Connections", "Peer"]

logger = logging.getLogger(__name__)

Peer = tuple[str, int]


class Connections:
    def __init__(self) -> None:
        self._open: dict[Peer, asyncio.Transport] = {}
        self._when_gone: dict[Peer, list[Callable[[], None]]] = {}

    def __len__(self) -> int:
        return len(self._open)

    def opened(self, peer: Peer | None, transport: asyncio.Transport) -> None:
        if peer is not None:
            self._open[peer] = transport

    def closed(self, peer: Peer | None, transport: asyncio.Transport) -> None:
        if peer is None or self._open.get(peer) is not transport:
            return
        del self._open[peer]
        for callback in self._when_gone.pop(peer, []):
            try:
                callback()
            except Exception:
                logger.exception("a callback for the closed connection %s failed", peer)

    def is_open(self, peer: Peer | None) -> bool:
        return peer is not None and peer in self._open

    def when_gone(self, peer: Peer | None, callback: Callable[[], None]) -> bool:
        """Run `callback` once the socket of `peer` is closed; False (and nothing scheduled) when
        the server does not know the peer, which the caller takes as "already gone"."""
        if not self.is_open(peer):
            return False
        assert peer is not None
        self._when_gone.setdefault(peer, []).append(callback)
        return True

    def transport(self, peer: Peer | None) -> asyncio.Transport | None:
        return self._open.get(peer) if peer is not None else None

    def abort(self, peer: Peer | None, transport: asyncio.Transport | None = None) -> bool:
        """Close the socket now, dropping whatever is still buffered for it (only if it is still
        `transport`, when given: a later connection from the same address and port is left alone)."""
        current = self.transport(peer)
        if current is None or (transport is not None and current is not transport):
            return False
        current.abort()
        return True
