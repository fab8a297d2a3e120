"""The crawl loop without Kafka: failures stay local, old entries are skipped, sources are independent."""

import asyncio
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import httpx
import pytest

from newswire.scraper import service
from newswire.scraper.fetcher import Fetcher
from newswire.scraper.sample_site import SampleSite
from newswire.scraper.service import Scraper
from newswire.scraper.sources import SourcesFile

from .conftest import scraper_settings
from .fakes import FakeDns, FakeWeb, RecordingPublisher

DNS = FakeDns({"news.example": "93.184.216.34"})
WORDS = "regional officials said the plan would take effect next month after a long debate about costs".split()  # noqa: SIM905


def _story(title: str) -> str:
    # Distinct paragraphs: extractors drop repeated ones as boilerplate.
    return "".join(f"<p>{title} update {i}: {' '.join(WORDS[i % 5 :] + WORDS[: i % 5])}.</p>" for i in range(12))


def _page(title: str) -> httpx.Response:
    html = f"<html><head><title>{title}</title></head><body><article>{_story(title)}</article></body></html>"
    return httpx.Response(200, headers={"content-type": "text/html"}, text=html)


def _scraper(tmp_path: Path, web: FakeWeb, sources: dict, publisher: RecordingPublisher) -> Scraper:  # type: ignore[type-arg]
    settings = scraper_settings(tmp_path)
    fetcher = Fetcher(settings, resolver=DNS, transport=web.transport())
    return Scraper(settings, SourcesFile.model_validate(sources), fetcher=fetcher, publisher=publisher)  # type: ignore[arg-type]


async def test_old_feed_entries_are_skipped_with_max_age(tmp_path: Path) -> None:
    now = datetime.now(UTC)
    items = "".join(
        f"<item><title>{name}</title><link>http://news.example/{name}</link><pubDate>{format_datetime(when)}</pubDate></item>"
        for name, when in (("fresh", now - timedelta(hours=1)), ("stale", now - timedelta(days=10)))
    )
    feed = f'<?xml version="1.0"?><rss version="2.0"><channel><title>F</title>{items}</channel></rss>'
    web = FakeWeb(
        {
            "http://news.example/feed": httpx.Response(200, headers={"content-type": "application/rss+xml"}, text=feed),
            "http://news.example/fresh": _page("fresh"),
            "http://news.example/stale": _page("stale"),
        }
    )
    publisher = RecordingPublisher()
    sources = {"sources": [{"id": "s", "name": "S", "feeds": ["http://news.example/feed"], "max_age": "2d"}]}
    await _scraper(tmp_path, web, sources, publisher).run(once=True)
    assert [a.title for a in publisher.articles] == ["fresh"]
    assert "http://news.example/stale" not in web.urls()


async def test_an_unreachable_source_does_not_stop_the_others(tmp_path: Path) -> None:
    web = FakeWeb({"http://news.example/a": _page("a")})
    publisher = RecordingPublisher()
    sources = {
        "sources": [
            {"id": "offline", "name": "Offline", "feeds": ["http://unknown-host.example/feed"]},
            {"id": "online", "name": "Online", "pages": ["http://news.example/a"]},
        ]
    }
    reports = await _scraper(tmp_path, web, sources, publisher).run(once=True)
    by_source = {r.source: r for r in reports}
    assert by_source["offline"].outcomes["feed_connect_error"] == 1
    assert [a.title for a in publisher.articles] == ["a"]


async def test_a_page_that_crashes_extraction_costs_only_that_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    web = FakeWeb({f"http://news.example/{name}": _page(name) for name in ("good", "bad")})
    real = service.extract_article

    def flaky(body: bytes, **kwargs: object):  # type: ignore[no-untyped-def]
        if kwargs["url"].endswith("/bad"):  # type: ignore[union-attr]
            raise RuntimeError("parser exploded")
        return real(body, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(service, "extract_article", flaky)
    sources = SourcesFile.model_validate(
        {"sources": [{"id": "crashy", "name": "C", "pages": ["http://news.example/good", "http://news.example/bad"]}]}
    )
    publisher = RecordingPublisher()
    reports = await _scraper(tmp_path, web, sources.model_dump(), publisher).run(once=True)
    assert [a.title for a in publisher.articles] == ["good"]
    assert reports[0].outcomes["internal_error"] == 1


async def test_stop_interrupts_a_stalled_fetch(tmp_path: Path) -> None:
    with SampleSite(port=0, slow_seconds=60) as site:
        sources = SourcesFile.model_validate(
            {"sources": [{"id": "s", "name": "S", "pages": [site.url("/hostile/slow.html")], "allow_private": True}]}
        )
        settings = scraper_settings(tmp_path, read_timeout=60.0, total_timeout=120.0)
        scraper = Scraper(settings, sources, publisher=RecordingPublisher())  # type: ignore[arg-type]
        crawl = asyncio.create_task(scraper.run(once=True))
        while not site.requests_for("/hostile/slow.html"):
            assert not crawl.done()
            await asyncio.sleep(0.05)
        scraper.request_stop()
        reports = await asyncio.wait_for(crawl, timeout=30)
    assert reports[0].outcomes["stopped"] == 1


async def test_a_bad_sitemap_date_costs_that_entry_its_date_not_the_poll(tmp_path: Path) -> None:
    sitemap = (
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        "<url><loc>http://news.example/a</loc><lastmod>0001-01-01T00:00:00+01:00</lastmod></url>"
        f"<url><loc>http://news.example/b</loc><lastmod>{datetime.now(UTC).date().isoformat()}</lastmod></url>"
        "</urlset>"
    )
    web = FakeWeb(
        {
            "http://news.example/sitemap.xml": httpx.Response(
                200, headers={"content-type": "application/xml"}, text=sitemap
            ),
            "http://news.example/a": _page("a"),
            "http://news.example/b": _page("b"),
        }
    )
    publisher = RecordingPublisher()
    sources = {"sources": [{"id": "s", "name": "S", "sitemaps": ["http://news.example/sitemap.xml"], "max_age": "2d"}]}
    scraper = _scraper(tmp_path, web, sources, publisher)
    reports = await scraper.run(once=True)
    assert sorted(a.title for a in publisher.articles) == ["a", "b"]
    assert reports[0].outcomes["sitemap_bad_date"] == 1
