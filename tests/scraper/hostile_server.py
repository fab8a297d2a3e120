"""A hostile web server on 127.0.0.1 for the fetcher's tests: compression bombs, stacked encodings,
a robots.txt that trickles. Real sockets, so the fetcher reads them as it reads the web (httpx's
in-process MockTransport reads and decodes a body before the fetcher sees it).

Routes (`HostileServer.routes`, path -> `Route`) answer with fixed headers and body; a route with
`trickle` sends its body one byte at a time, `trickle` seconds apart, then keeps sending spaces until
the client goes away, the server closes or `trickle_for` seconds have passed (then the answer ends:
a fetcher without a total deadline takes that long, and then gets the whole body).
"""

import sys
import threading
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Self

__all__ = ["HostileServer", "Route", "gzip_bomb", "gzip_stream"]


def gzip_stream(chunks: Iterator[bytes]) -> bytes:
    """One gzip member of the concatenated chunks, compressed as they come (no whole copy in memory)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    out = [packer.compress(chunk) for chunk in chunks]
    out.append(packer.flush())
    return b"".join(out)


@cache
def gzip_bomb(decoded_mb: int, *, layers: int = 1) -> bytes:
    """`decoded_mb` MB of zeros, gzipped `layers` times: a few hundred KB for one layer, under 1 KB for two."""
    body = gzip_stream(b"\0" * (1024 * 1024) for _ in range(decoded_mb))
    for _ in range(layers - 1):
        body = gzip_stream(iter([body]))
    return body


@dataclass(frozen=True)
class Route:
    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    trickle: float | None = None
    #: seconds of trickling before the body ends (None: until the client goes away)
    trickle_for: float | None = None


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        # A client hanging up on a bomb is what is supposed to happen; no traceback for it.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


class HostileServer:
    def __init__(self, routes: dict[str, Route]) -> None:
        self.routes = routes
        self.hits: list[str] = []
        self._closing = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                server.hits.append(self.path)
                route = server.routes.get(self.path, Route(b"not found", status=404))
                self.send_response(route.status)
                for name, value in route.headers.items():
                    self.send_header(name, value)
                if route.trickle is None:
                    self.send_header("Content-Length", str(len(route.body)))
                    self.end_headers()
                    self.wfile.write(route.body)
                    return
                self.send_header("Connection", "close")
                self.end_headers()
                self._trickle(route.body, route.trickle, route.trickle_for)

            def _trickle(self, body: bytes, pause: float, duration: float | None) -> None:
                sent = 0
                until = time.monotonic() + duration if duration is not None else float("inf")
                try:
                    while not server._closing.is_set() and time.monotonic() < until:
                        self.wfile.write(body[sent : sent + 1] if sent < len(body) else b" ")
                        self.wfile.flush()
                        sent += 1
                        time.sleep(pause)
                except OSError:
                    return  # the client went away: what the fetcher should do

            def log_message(self, format: str, *args: object) -> None:
                return None

        self.server = _QuietServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = int(self.server.server_address[1])
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._closing.set()
        self.server.shutdown()
        self.server.server_close()
