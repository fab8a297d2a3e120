"""SSRF guard: feeds pointing at metadata, private and loopback addresses are refused, also via redirects.

Nothing leaves the process: a fake DNS and an in-process transport stand in for the network.
"""

import ipaddress
from pathlib import Path

import httpx
import pytest
from prometheus_client import REGISTRY

from newswire.scraper.errors import FetchError
from newswire.scraper.fetcher import Fetcher
from newswire.scraper.service import Scraper
from newswire.scraper.sources import SourcesFile
from newswire.scraper.ssrf import blocked_reason, check_url

from .conftest import scraper_settings
from .fakes import FakeDns, FakeWeb, RecordingPublisher

FEED = """<?xml version="1.0"?><rss version="2.0"><channel><title>Hostile</title>
<item><title>Metadata</title><link>http://169.254.169.254/latest/meta-data/iam/security-credentials/</link></item>
<item><title>Intranet</title><link>http://10.0.0.1/admin</link></item>
<item><title>Bounce</title><link>http://news.example/bounce</link></item>
<item><title>Sneaky name</title><link>http://metadata.news.example/</link></item>
</channel></rss>"""


@pytest.mark.parametrize(
    ("address", "blocked"),
    [
        ("169.254.169.254", True),
        ("10.0.0.1", True),
        ("127.0.0.1", True),
        ("192.168.1.1", True),
        ("172.16.0.9", True),
        ("100.64.0.1", True),
        ("::1", True),
        ("fe80::1", True),
        ("fd00:ec2::254", True),
        ("::ffff:127.0.0.1", True),
        ("0.0.0.0", True),
        ("93.184.216.34", False),
        ("2606:4700::1111", False),
    ],
)
def test_blocked_addresses(address: str, blocked: bool) -> None:
    assert (blocked_reason(ipaddress.ip_address(address)) is not None) is blocked


async def test_allow_private_lets_the_sample_site_through() -> None:
    dns = FakeDns({})
    await check_url("http://127.0.0.1:8800/", resolver=dns, allow_private=True)
    with pytest.raises(FetchError) as caught:
        await check_url("http://localhost:8800/", resolver=dns, allow_private=False)
    assert caught.value.outcome == "blocked_address"


async def test_feed_entries_to_metadata_private_and_redirect_to_loopback_are_refused(tmp_path: Path) -> None:
    dns = FakeDns({"news.example": "93.184.216.34", "metadata.news.example": "169.254.169.254"})
    web = FakeWeb(
        {
            "http://news.example/feed.xml": httpx.Response(
                200, headers={"content-type": "application/rss+xml"}, text=FEED
            ),
            "http://news.example/bounce": httpx.Response(302, headers={"location": "http://127.0.0.1:9/internal"}),
        }
    )
    sources = SourcesFile.model_validate(
        {"sources": [{"id": "hostile", "name": "Hostile", "feeds": ["http://news.example/feed.xml"]}]}
    )
    settings = scraper_settings(tmp_path)
    before = (
        REGISTRY.get_sample_value("newswire_scraper_fetches_total", {"source": "hostile", "outcome": "blocked_address"})
        or 0
    )
    publisher = RecordingPublisher()
    scraper = Scraper(
        settings, sources, fetcher=Fetcher(settings, resolver=dns, transport=web.transport()), publisher=publisher
    )  # type: ignore[arg-type]
    reports = await scraper.run(once=True)

    reached = web.urls()
    assert "http://news.example/bounce" in reached, "the redirecting entry was not even tried"
    assert not any(
        host in url for url in reached for host in ("169.254.169.254", "10.0.0.1", "127.0.0.1", "metadata.news")
    )
    assert reports[0].outcomes["blocked_address"] == 4
    after = REGISTRY.get_sample_value(
        "newswire_scraper_fetches_total", {"source": "hostile", "outcome": "blocked_address"}
    )
    assert after == before + 4
    assert publisher.articles == []
