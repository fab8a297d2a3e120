"""A news site that publishes new articles at a fixed rate, built from the sample site's templates.

The bundled sample site (`newswire sample-site`) serves a fixed set of pages, all "published" when
it starts; a freshness benchmark and the fault suite need articles that keep appearing while the
pipeline runs. `LiveSite` schedules articles (`schedule(rate=10, count=300)`); an article is
visible (in the RSS feed, and as a page) from its publication time on, and the site remembers that
time and the first fetch of each page, so freshness is measured from what the site itself did.

Each article's text is four paragraphs of the sample site's articles (so the enricher finds real
entities and topics) plus one sentence of its own, so that no two articles share a content hash.
"""

import logging
import random
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self
from urllib.parse import urlsplit

from newswire.scraper.sample_site.content import (
    ArticleFile,
    load_articles,
    render_article,
    render_rss,
)

__all__ = ["LiveArticle", "LiveSite"]

logger = logging.getLogger(__name__)

#: Paragraphs that are plain prose (no heading, quote, caption or link line), long enough to matter.
_MIN_PARAGRAPH_WORDS = 25


@dataclass(frozen=True, slots=True)
class LiveArticle:
    serial: int
    path: str
    published: float
    page: ArticleFile


class LiveSite:
    """A context manager serving `/feeds/rss.xml`, `/robots.txt` and `/live/<serial>.html` on loopback."""

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, feed_size: int = 300, seed: int = 7) -> None:
        self.host = host
        self.feed_size = feed_size
        self._rng = random.Random(seed)
        self._bases = load_articles()
        self._paragraphs = [
            block
            for article in self._bases
            for block in article.paragraphs
            if not block.startswith(("## ", "> ", "[caption:", "Read More", "Also Read"))
            and len(block.split()) >= _MIN_PARAGRAPH_WORDS
        ]
        self._lock = threading.Lock()
        self._scheduled: list[LiveArticle] = []
        self._by_path: dict[str, LiveArticle] = {}
        self._first_fetch: dict[str, float] = {}
        self._server = ThreadingHTTPServer((host, port), _handler_for(self))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self._server.server_address[1]}"

    def start(self) -> "LiveSite":
        self._thread = threading.Thread(target=self._server.serve_forever, name="live-site", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # -- publishing ------------------------------------------------------------------------------

    def schedule(self, *, rate: float, count: int, start: float | None = None) -> list[LiveArticle]:
        """Publish `count` new articles, one every 1/`rate` seconds from `start` (a `time.time()`)."""
        first = time.time() if start is None else start
        with self._lock:
            offset = len(self._scheduled)
            made = [self._make(offset + i, first + i / rate) for i in range(count)]
            self._scheduled += made
            self._by_path.update((a.path, a) for a in made)
        return made

    def _make(self, serial: int, published: float) -> LiveArticle:
        base = self._bases[serial % len(self._bases)]
        paragraphs = self._rng.sample(self._paragraphs, 4)
        own = (
            f"This is live bulletin number {serial} of the benchmark desk, filed at "
            f"{datetime.fromtimestamp(published, UTC):%H:%M:%S.%f} UTC."
        )
        page = ArticleFile(
            path=f"/live/{serial:06d}.html",
            template="newsroom",
            title=f"{base.title} (bulletin {serial})",
            author=base.author,
            published=datetime.fromtimestamp(published, UTC),
            section=base.section,
            description=base.description,
            language="en",
            body="\n\n".join([*paragraphs, own]),
        )
        return LiveArticle(serial=serial, path=page.path, published=published, page=page)

    # -- what the benchmark and the tests look at ------------------------------------------------

    def url(self, path: str) -> str:
        return self.base_url + path

    @property
    def scheduled(self) -> list[LiveArticle]:
        with self._lock:
            return list(self._scheduled)

    def visible(self, now: float | None = None) -> list[LiveArticle]:
        now = time.time() if now is None else now
        with self._lock:
            return [a for a in self._scheduled if a.published <= now]

    def first_fetch(self, path: str) -> float | None:
        with self._lock:
            return self._first_fetch.get(path)

    def source(self, *, poll_interval: float, concurrency: int = 8) -> dict[str, Any]:
        """An entry of a sources file that crawls this site's feed (a loopback site: allow_private)."""
        return {
            "id": "live-desk",
            "name": "The Sample Gazette live desk",
            "homepage": self.base_url + "/",
            "feeds": [self.url("/feeds/rss.xml")],
            "language": "en",
            "poll_interval": poll_interval,
            "concurrency": concurrency,
            "request_delay": 0.0,
            "allow_private": True,
        }

    # -- serving ---------------------------------------------------------------------------------

    def _respond(self, path: str) -> tuple[int, str, bytes]:
        now = time.time()
        if path == "/robots.txt":
            return 200, "text/plain; charset=utf-8", b"User-agent: *\nAllow: /\n"
        if path == "/feeds/rss.xml":
            latest = self.visible(now)[-self.feed_size :][::-1]
            items = [(a.page, a.page.published) for a in latest]
            return 200, "application/rss+xml; charset=utf-8", render_rss(self.base_url, items).encode()
        with self._lock:
            article = self._by_path.get(path)
            if article is not None and article.published <= now:
                self._first_fetch.setdefault(path, now)
        if article is None or article.published > now:
            return 404, "text/html; charset=utf-8", b"<html><body><h1>404 Not Found</h1></body></html>"
        page = render_article(article.page, base_url=self.base_url, published=article.page.published, others=[])
        return 200, "text/html; charset=utf-8", page.encode()


def _handler_for(site: LiveSite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "LiveDesk/1.0"

        def log_message(self, format: str, *args: object) -> None:
            logger.debug("live site: " + format, *args)

        def do_GET(self) -> None:
            status, content_type, body = site._respond(urlsplit(self.path).path)
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-cache")
            self.end_headers()
            self.wfile.write(body)

    return Handler
