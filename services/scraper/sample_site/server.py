"""A small threaded HTTP server for the sample site, with the hostile pages a crawler meets in the wild.

Used by `newswire sample-site`, `newswire demo`, the tests and the benchmark::

    with SampleSite(port=0) as site:
        site.base_url            # http://127.0.0.1:<port>
        site.requests            # every request, with its conditional headers and status

Pages carry ETag and Last-Modified and answer 304 to conditional requests. With `fresh=True`
every publication time is the server's start time (minus a few minutes per article), so a demo
measures pipeline freshness on articles that are "just published". With `drip=N` the newest
`held_back` articles are released one every N seconds after start (absent from feeds, sitemaps and
404 until then), so a running demo keeps receiving news. With `newsroom=N` (the live newsroom of
`newswire sample-site` and the demo) the site also releases the stories of a bundled corpus of real
news, one every N seconds on average, after the articles above (see `newsroom.py`). `clock` returns
the current UTC time; tests pass their own to move time without sleeping.

(Over 400 lines: the site's state, its pages and the request handler that serves them stay together;
page rendering lives in content.py and the newsroom's schedule in newsroom.py.)
"""

import gzip
import hashlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from types import TracebackType
from urllib.parse import urlsplit

from .content import (
    ArticleFile,
    load_articles,
    render_article,
    render_atom,
    render_index,
    render_news_sitemap,
    render_rss,
    render_url_sitemap,
)
from .newsroom import CORPUS_LICENCE_URL, Newsroom, load_corpus

__all__ = ["HOSTILE_PATHS", "SEED_ALIAS", "SEED_PATH", "RequestRecord", "SampleSite"]

logger = logging.getLogger(__name__)

#: Pages that must never become articles, and why.
HOSTILE_PATHS = {
    "/hostile/truncated.html": "HTML cut off in the middle of the page",
    "/hostile/huge.html": "20 MB page, larger than any sane article",
    "/hostile/loop-a.html": "redirect loop (a -> b -> a)",
    "/hostile/slow.html": "stalls after the first bytes, longer than any read timeout",
    "/hostile/report.pdf": "not HTML",
    "/section/world.html": "an index page, not an article",
    "/private/disallowed.html": "disallowed by robots.txt",
}
#: An old address of the seed article, permanently redirected (listed in the Atom feed).
SEED_ALIAS = "/2025/tokayev-visit.html"
SEED_PATH = "/2025/kazakhstan-president-tokayev-visit-pakistan.html"

_TRUNCATED = (
    b'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Breaking: markets react to '
    b'central bank surprise</title></head><body><header><a href="/">The Sample Gazette</a></header>'
    b"<article><h1>Breaking: markets react to central bank surprise</h1><p>Shares fell sharply on Tuesday after"
)


@dataclass(frozen=True, slots=True)
class RequestRecord:
    method: str
    path: str
    status: int
    if_none_match: str | None
    if_modified_since: str | None
    user_agent: str | None

    @property
    def conditional(self) -> bool:
        return bool(self.if_none_match or self.if_modified_since)


@dataclass(slots=True)
class _Resource:
    body: bytes
    content_type: str
    last_modified: datetime

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha1(self.body).hexdigest()[:20] + '"'


class SampleSite:
    """The bundled news site on 127.0.0.1; a context manager that runs it in a background thread."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        fresh: bool = False,
        drip: float = 0.0,
        held_back: int = 8,
        crawl_delay: float = 0.0,
        slow_seconds: float = 30.0,
        huge_bytes: int = 20 * 1024 * 1024,
        newsroom: float = 0.0,
        newsroom_state: Path | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.host = host
        self.fresh = fresh
        self.drip = drip
        self.crawl_delay = crawl_delay
        self.slow_seconds = slow_seconds
        self.huge_bytes = huge_bytes
        self._clock = clock or (lambda: datetime.now(UTC))
        self.articles: list[ArticleFile] = load_articles()
        now = self._clock().replace(microsecond=0)
        self.newsroom: Newsroom | None = None
        if newsroom > 0:
            self.newsroom = Newsroom(articles=load_corpus(), now=now, pace=newsroom, state_file=newsroom_state)
        # A restarted newsroom keeps its first start, so the opening articles keep their times.
        self.started_at = self.newsroom.started_at if self.newsroom else now
        self._lock = threading.Lock()
        self._requests: list[RequestRecord] = []
        self._stop = threading.Event()
        self._server = ThreadingHTTPServer((host, port), _handler_for(self))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None
        self._cache: dict[tuple[str, int], _Resource] = {}
        self._revised: dict[str, datetime] = {}
        newest_first = sorted(
            (a for a in self.articles if not a.path.startswith("/private/")), key=lambda a: a.published, reverse=True
        )
        held = list(reversed(newest_first[:held_back])) if drip > 0 else []
        self._release_at = {a.path: self.started_at + timedelta(seconds=drip * (k + 1)) for k, a in enumerate(held)}
        # "Just published" ranks of the opening articles: their editorial order, a second apart.
        self._rank = {a.path: k for k, a in enumerate(sorted(self.articles, key=lambda a: a.published, reverse=True))}
        if self.newsroom is not None:
            self.articles += self.newsroom.articles
            self._release_at.update(self.newsroom.release_at)

    def now(self) -> datetime:
        return self._clock()

    # -- lifecycle -------------------------------------------------------------------------------

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> "SampleSite":
        self._thread = threading.Thread(target=self._server.serve_forever, name="sample-site", daemon=True)
        self._thread.start()
        logger.info("sample site serving on %s", self.base_url)
        return self

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def stop(self) -> None:
        self._stop.set()
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> "SampleSite":
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # -- what the tests look at ------------------------------------------------------------------

    @property
    def requests(self) -> list[RequestRecord]:
        with self._lock:
            return list(self._requests)

    def requests_for(self, path: str) -> list[RequestRecord]:
        return [r for r in self.requests if r.path == path]

    def url(self, path: str) -> str:
        return self.base_url + path

    @property
    def article_paths(self) -> list[str]:
        """Every page that is a real, reachable article (the Latin-1 one included, private excluded)."""
        return [a.path for a in self.articles if not a.path.startswith("/private/")]

    @property
    def article_urls(self) -> list[str]:
        return [self.url(p) for p in self.article_paths]

    def released(self, article: ArticleFile) -> bool:
        release = self._release_at.get(article.path)
        return release is None or release <= self.now()

    def published(self, article: ArticleFile) -> datetime:
        if self.newsroom is not None and article.path in self.newsroom.release_at:
            return self.newsroom.release_at[article.path]  # a newsroom story is published when released
        if not self.fresh:
            return article.published
        if article.path in self._release_at:
            return self._release_at[article.path]
        # "Just published": the editorial order of the fixed dates, a second apart, so that pipeline
        # freshness (published_at to enriched) measures the pipeline, not the sample's back catalogue.
        return self.started_at - timedelta(seconds=self._rank[article.path])

    def revise(self, path: str, paragraph: str) -> None:
        """Append a paragraph to an article, as an editor's update would (ETag and Last-Modified change)."""
        article = next(a for a in self.articles if a.path == path)
        with self._lock:
            article.extra_paragraphs.append(paragraph)
            self._revised[path] = self.now().replace(microsecond=0) + timedelta(seconds=1)
            self._cache = {key: value for key, value in self._cache.items() if key[0] != path}

    # -- content ---------------------------------------------------------------------------------

    def _listed(self) -> list[tuple[ArticleFile, datetime]]:
        paths = set(self.article_paths)
        items = [(a, self.published(a)) for a in self.articles if a.path in paths and self.released(a)]
        return sorted(items, key=lambda item: item[1], reverse=True)

    def _last_modified(self) -> datetime:
        if not self.fresh:
            return max(a.published for a in self.articles)
        now = self.now()
        return max([self.started_at, *(t for t in self._release_at.values() if t <= now)])

    def resource(self, path: str) -> _Resource | None:
        # Listings change when a dripped article is released: the cache is per release generation.
        now = self.now()
        generation = sum(1 for t in self._release_at.values() if t <= now)
        key = (path, generation)
        if self.newsroom is not None:
            with self._lock:
                if not any(k[1] == generation for k in self._cache):
                    self._cache = {k: v for k, v in self._cache.items() if k[1] >= generation - 1}
                    self.newsroom.remember(now)
        with self._lock:
            cached = self._cache.get(key)
        if cached is not None:
            return cached
        resource = self._build(path)
        if resource is not None:
            with self._lock:
                self._cache[key] = resource
        return resource

    def _build(self, path: str) -> _Resource | None:
        html, xml = "text/html; charset=utf-8", "application/xml; charset=utf-8"
        base, listed, modified = self.base_url, self._listed(), self._last_modified()
        by_path = {a.path: a for a in self.articles}
        if path in by_path and self.released(by_path[path]):
            article = by_path[path]
            page = render_article(
                article, base_url=base, published=self.published(article), others=[a for a, _ in listed]
            )
            body = page.encode("latin-1", errors="replace") if article.hostile == "latin1" else page.encode("utf-8")
            return _Resource(body, html, max(self.published(article), self._revised.get(path, self.published(article))))
        if path in ("/", "/index.html"):
            credit = (
                ' &middot; Newsroom stories adapted from <a href="https://en.wikinews.org/">Wikinews</a>,'
                f' licensed under <a href="{CORPUS_LICENCE_URL}">CC BY 2.5</a> (each story links its original).'
                if self.newsroom is not None
                else ""
            )
            page = render_index("Latest news", [a for a, _ in listed], credit=credit)
            return _Resource(page.encode(), html, modified)
        if path == "/section/world.html":
            return _Resource(render_index("World", [a for a, _ in listed][:15]).encode(), html, modified)
        if path == "/robots.txt":
            lines = ["User-agent: *", "Disallow: /private/", "Disallow: /admin/"]
            if self.crawl_delay:
                lines.append(f"Crawl-delay: {self.crawl_delay:g}")
            lines += ["", f"Sitemap: {base}/sitemap.xml", ""]
            return _Resource("\n".join(lines).encode(), "text/plain; charset=utf-8", modified)
        if path == "/feeds/rss.xml":
            return _Resource(render_rss(base, listed).encode(), "application/rss+xml; charset=utf-8", modified)
        if path == "/feeds/atom.xml":
            # The analysis feed: every third story, the seed under its old (redirected) address.
            return _Resource(
                render_atom(
                    base,
                    [*listed[::3], (by_path[SEED_PATH], self.published(by_path[SEED_PATH]))],
                    links={SEED_PATH: SEED_ALIAS},
                ).encode(),
                "application/atom+xml; charset=utf-8",
                modified,
            )
        if path == "/sitemap.xml":
            index = (
                '<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                f"<sitemap><loc>{base}/sitemaps/news.xml</loc><lastmod>{modified.isoformat()}</lastmod></sitemap>"
                f"<sitemap><loc>{base}/sitemaps/pages.xml.gz</loc><lastmod>{modified.isoformat()}</lastmod></sitemap>"
                "</sitemapindex>\n"
            )
            return _Resource(index.encode(), xml, modified)
        if path == "/sitemaps/news.xml":
            return _Resource(render_news_sitemap(base, listed).encode(), xml, modified)
        if path == "/sitemaps/pages.xml.gz":
            paths = [*HOSTILE_PATHS, "/hostile/latin1.html"]
            body = gzip.compress(render_url_sitemap(base, paths).encode(), mtime=0)
            return _Resource(body, "application/gzip", modified)
        if path == "/hostile/truncated.html":
            return _Resource(_TRUNCATED, html, modified)
        if path == "/hostile/report.pdf":
            return _Resource(b"%PDF-1.4\n% sample\n", "application/pdf", modified)
        if path in ("/static/photo.svg", "/static/site.css"):
            data = resources.files(__package__).joinpath("static", path.rsplit("/", 1)[1]).read_bytes()
            return _Resource(data, "image/svg+xml" if path.endswith(".svg") else "text/css", modified)
        return None

    def record(self, record: RequestRecord) -> None:
        with self._lock:
            self._requests.append(record)

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def stalled(self, seconds: float) -> bool:
        """Sleep up to `seconds`; True when the server is stopping meanwhile."""
        return self._stop.wait(seconds)


def _not_modified(handler: BaseHTTPRequestHandler, resource: "_Resource") -> bool:
    etags = handler.headers.get("If-None-Match")
    if etags is not None:
        return resource.etag in [e.strip() for e in etags.split(",")] or etags.strip() == "*"
    since = handler.headers.get("If-Modified-Since")
    if since:
        try:
            return resource.last_modified.replace(microsecond=0) <= parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
    return False


def _handler_for(site: SampleSite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "SampleGazette/1.0"

        def log_message(self, format: str, *args: object) -> None:
            logger.debug("sample site: " + format, *args)

        def _record(self, status: int) -> None:
            site.record(
                RequestRecord(
                    method=self.command,
                    path=urlsplit(self.path).path,
                    status=status,
                    if_none_match=self.headers.get("If-None-Match"),
                    if_modified_since=self.headers.get("If-Modified-Since"),
                    user_agent=self.headers.get("User-Agent"),
                )
            )

        def _redirect(self, location: str, status: int = 302) -> None:
            self._record(status)
            self.send_response(status)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_HEAD(self) -> None:
            self.do_GET(head=True)

        def do_GET(self, head: bool = False) -> None:
            path = urlsplit(self.path).path
            if path == "/hostile/loop-a.html":
                return self._redirect("/hostile/loop-b.html")
            if path == "/hostile/loop-b.html":
                return self._redirect("/hostile/loop-a.html")
            if path == SEED_ALIAS:
                return self._redirect(SEED_PATH, 301)
            if path == "/hostile/huge.html":
                return self._huge(head)
            if path == "/hostile/slow.html":
                return self._slow()
            resource = site.resource(path)
            if resource is None:
                body = b"<html><body><h1>404 Not Found</h1></body></html>"
                self._record(404)
                self.send_response(404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if not head:
                    self.wfile.write(body)
                return None
            common = {
                "ETag": resource.etag,
                "Last-Modified": format_datetime(resource.last_modified.astimezone(UTC), usegmt=True),
                "Cache-Control": "max-age=60",
            }
            if _not_modified(self, resource):
                self._record(304)
                self.send_response(304)
                for key, value in common.items():
                    self.send_header(key, value)
                self.end_headers()
                return None
            self._record(200)
            self.send_response(200)
            self.send_header("Content-Type", resource.content_type)
            self.send_header("Content-Length", str(len(resource.body)))
            for key, value in common.items():
                self.send_header(key, value)
            self.end_headers()
            if not head:
                self.wfile.write(resource.body)
            return None

        def _huge(self, head: bool) -> None:
            # No Content-Length: the client only learns the size by reading, as with a runaway page.
            self._record(200)
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            if head:
                return
            chunk = b"<p>" + b"All work and no play makes a very large page. " * 1300 + b"</p>\n"
            self.wfile.write(b"<!DOCTYPE html><html><head><title>Huge</title></head><body>")
            sent = 0
            try:
                while sent < site.huge_bytes and not site.stopping:
                    self.wfile.write(chunk)
                    sent += len(chunk)
                self.wfile.write(b"</body></html>")
            except (BrokenPipeError, ConnectionResetError):
                logger.debug("client hung up on the huge page after %s bytes", sent)

        def _slow(self) -> None:
            self._record(200)
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", "100000")
            self.end_headers()
            try:
                self.wfile.write(b"<!DOCTYPE html><html><head><title>Slow</title></head><body><p>Loading")
                self.wfile.flush()
                site.stalled(site.slow_seconds)
            except (BrokenPipeError, ConnectionResetError):
                pass
            self.close_connection = True

    return Handler
