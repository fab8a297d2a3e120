"""SSRF through the scraper, against a real listener: a feed on a public-looking host lists (and
redirects to) internal addresses in every spelling; the crawl must never reach the internal service.

The internal service is a real HTTP server on 127.0.0.1 that counts its hits, and every request the
scraper makes goes out through a real httpx transport, so a guard that let one spelling through
would show up as a hit. Only the hostile feed's own host is answered in-process (a fake DNS says it
is public), so nothing leaves loopback.
"""

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from newswire.scraper.fetcher import Fetcher
from newswire.scraper.service import Scraper
from newswire.scraper.settings import Settings
from newswire.scraper.sources import SourcesFile
from newswire.scraper.ssrf import IPAddress, system_resolver
from newswire.scraper.urls import UrlError, normalise_url
from tests.scraper.fakes import FakeDns, RecordingPublisher

from .outcomes import Outcome, record

pytestmark = pytest.mark.faults

FEED_HOST = "feeds.news.example"


class InternalService:
    """A loopback HTTP server standing in for an intranet admin page; counts every request."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                service.hits.append(self.path)
                body = b"<html><body><h1>internal admin</h1>" + b"<p>secret token</p>" * 50 + b"</body></html>"
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = int(self.server.server_address[1])
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def internal() -> Iterator[InternalService]:
    service = InternalService()
    yield service
    service.close()


def hostile_links(port: int) -> list[str]:
    """The internal service in every spelling a feed could use, plus the classic targets."""
    return [
        f"http://127.0.0.1:{port}/admin",
        f"http://localhost:{port}/admin",
        f"http://LOCALHOST.:{port}/admin",
        f"http://[::1]:{port}/admin",
        f"http://[::ffff:127.0.0.1]:{port}/admin",
        f"http://2130706433:{port}/admin",
        f"http://0x7f000001:{port}/admin",
        f"http://0177.0.0.1:{port}/admin",
        f"http://127.1:{port}/admin",
        f"http://0.0.0.0:{port}/admin",
        f"http://internal.news.example:{port}/admin",
        f"http://{FEED_HOST}/redirect-to-internal",
        f"http://{FEED_HOST}/redirect-to-metadata",
        "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
        "http://metadata.google.internal/computeMetadata/v1/",
        "http://10.0.0.1/admin",
        "file:///etc/passwd",
        "gopher://127.0.0.1:6379/_INFO",
    ]


class _HostileWeb(httpx.AsyncBaseTransport):
    """Answers the hostile feed's host in-process; every other request goes out for real."""

    def __init__(self, feed: str, port: int) -> None:
        self.feed = feed
        self.port = port
        self.real = httpx.AsyncHTTPTransport()
        self.forwarded: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.host == FEED_HOST:
            path = request.url.path
            if path == "/feed.xml":
                return httpx.Response(200, headers={"content-type": "application/rss+xml"}, text=self.feed)
            if path == "/redirect-to-internal":
                return httpx.Response(302, headers={"location": f"http://127.0.0.1:{self.port}/admin"})
            if path == "/redirect-to-metadata":
                return httpx.Response(301, headers={"location": "http://169.254.169.254/latest/meta-data/"})
            return httpx.Response(404, text="not found")
        self.forwarded.append(str(request.url))
        return await self.real.handle_async_request(request)

    async def aclose(self) -> None:
        await self.real.aclose()


async def test_feed_links_to_internal_addresses_never_reach_them(tmp_path: Path, internal: InternalService) -> None:
    links = hostile_links(internal.port)
    items = "".join(f"<item><title>Item {n}</title><link>{link}</link></item>" for n, link in enumerate(links))
    feed = f'<?xml version="1.0"?><rss version="2.0"><channel><title>Hostile</title>{items}</channel></rss>'
    web = _HostileWeb(feed, internal.port)
    names = FakeDns({FEED_HOST: "93.184.216.34", "internal.news.example": "127.0.0.1"})

    async def dns(host: str) -> list[IPAddress]:
        # Named hosts from the table; numeric spellings (2130706433, 0x7f000001, 127.1) through the
        # system resolver, which decodes them without any network, exactly as the crawler would.
        if host in names.table:
            return await names(host)
        return await system_resolver(host)

    settings = Settings(data_dir=tmp_path, metrics_port=0, per_host_delay=0.0, retries=0)
    sources = SourcesFile.model_validate(
        {"sources": [{"id": "hostile", "name": "Hostile", "feeds": [f"http://{FEED_HOST}/feed.xml"]}]}
    )
    publisher = RecordingPublisher()
    scraper = Scraper(settings, sources, fetcher=Fetcher(settings, resolver=dns, transport=web), publisher=publisher)  # type: ignore[arg-type]
    reports = await scraper.run(once=True)
    outcomes = dict(reports[0].outcomes)
    record(
        Outcome(
            case="input.ssrf-feed-links",
            kind="bad input",
            tried=f"a feed listing {len(links)} links to loopback/metadata/private addresses in every spelling "
            "(decimal, hex, octal, short IPv4, IPv6, mapped IPv6, local names, redirects, file:, gopher:)",
            behaviour=f"internal service hit {len(internal.hits)} times; outcomes: "
            + ", ".join(f"{k}={v}" for k, v in sorted(outcomes.items()) if not k.startswith("feed_")),
            expected=0,
            delivered=len(publisher.articles),
            passed=not internal.hits and not publisher.articles,
            details={"outcomes": outcomes, "forwarded": web.forwarded},
        )
    )
    assert internal.hits == [], f"the scraper reached the internal service: {internal.hits}"
    assert publisher.articles == []
    # The feed itself was read and its links considered (the test is not vacuous).
    assert outcomes.get("feed_ok") == 1
    distinct_http = set()
    for link in links:
        try:
            distinct_http.add(normalise_url(link))
        except UrlError:
            continue
    assert outcomes.get("blocked_address") == len(distinct_http), outcomes
