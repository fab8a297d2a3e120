"""SSRF guard: feeds pointing at metadata, private and loopback addresses are refused, also via
redirects and when a name is rebound to another address between the check and the connection.

Nothing leaves the machine: a fake DNS, an in-process transport and the sample site on 127.0.0.1
stand in for the network.
"""

import ipaddress
from pathlib import Path

import httpx
import pytest
from prometheus_client import REGISTRY

from newswire.scraper.errors import FetchError
from newswire.scraper.fetcher import Fetcher
from newswire.scraper.sample_site import SampleSite
from newswire.scraper.service import Scraper
from newswire.scraper.sources import SourcesFile
from newswire.scraper.ssrf import blocked_reason, check_url, guarded_transport

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


class RebindingDns(FakeDns):
    """Answers a public address the first time a name is asked, then the sample site's loopback
    address: what a hostile DNS server does to slip past a check made before the connection."""

    async def __call__(self, host: str) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
        first = host not in self.asked
        answer = await super().__call__(host)
        return [ipaddress.ip_address("93.184.216.34")] if first else answer


async def test_a_name_rebound_to_loopback_after_the_check_is_refused_at_connect(sample_site: SampleSite) -> None:
    dns = RebindingDns({"rebind.example": "127.0.0.1"})
    url = f"http://rebind.example:{sample_site.port}/robots.txt"
    await check_url(url, resolver=dns, allow_private=False)  # the check sees a public address
    transport = guarded_transport(resolver=dns, private_ok=lambda host: False, limits=httpx.Limits())
    async with httpx.AsyncClient(transport=transport) as client:
        with pytest.raises(FetchError) as caught:
            await client.get(url)
    assert caught.value.outcome == "blocked_address"
    assert "127.0.0.1" in caught.value.detail
    assert sample_site.requests_for("/robots.txt") == []


async def test_the_guarded_transport_connects_to_the_address_it_vetted(sample_site: SampleSite) -> None:
    # The name exists only in this fake DNS: reaching the site proves the connection went to the
    # vetted address instead of a second lookup, and the Host header still names the site.
    dns = FakeDns({"sample.test": "127.0.0.1"})
    transport = guarded_transport(resolver=dns, private_ok={"sample.test"}.__contains__, limits=httpx.Limits())
    async with httpx.AsyncClient(transport=transport) as client:
        response = await client.get(f"http://sample.test:{sample_site.port}/robots.txt")
    assert response.status_code == 200
    assert response.request.headers["host"] == f"sample.test:{sample_site.port}"
    assert len(sample_site.requests_for("/robots.txt")) == 1
