"""Bad dates in sitemaps and pages (issue 14, finding 8): one out-of-range `<lastmod>` or
`datePublished` costs that entry its date, never the source's poll, and `newswire extract` on such
a page prints the article (without a date), not a traceback."""

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import yaml

from newswire.scraper import metrics
from newswire.scraper.fetcher import Fetcher
from newswire.scraper.service import Scraper
from newswire.scraper.sources import SourcesFile
from tests.scraper.conftest import scraper_settings
from tests.scraper.fakes import FakeDns, FakeWeb, RecordingPublisher

from .outcomes import Outcome, record

pytestmark = pytest.mark.faults

BAD_DATES: list[str] = yaml.safe_load((Path(__file__).parent / "data" / "bad_dates.yaml").read_text())
SITE = "http://dates.example"
WORDS = "the council said the new rail line would open next spring after a decade of planning and debate".split()  # noqa: SIM905


def _page(number: int, date: str) -> str:
    paragraphs = "".join(
        f"<p>Story {number}, part {i}: {' '.join(WORDS[i % 7 :] + WORDS[: i % 7])}.</p>" for i in range(10)
    )
    jsonld = f'{{"@type": "NewsArticle", "headline": "Story {number}", "datePublished": "{date}"}}'
    return (
        f'<html><head><title>Story {number}</title><script type="application/ld+json">{jsonld}</script></head>'
        f"<body><article><h1>Story {number}</h1>{paragraphs}</article></body></html>"
    )


def _sitemap(dates: list[str]) -> str:
    entries = "".join(
        f"<url><loc>{SITE}/story-{n}</loc><lastmod>{date}</lastmod></url>" for n, date in enumerate(dates)
    )
    return f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>'


async def test_bad_sitemap_and_page_dates_cost_only_the_date(tmp_path: Path) -> None:
    dates = [(datetime.now(UTC) - timedelta(hours=1)).isoformat(timespec="seconds"), *BAD_DATES]
    html = {f"{SITE}/story-{n}": _page(n, date) for n, date in enumerate(dates)}
    routes: dict[str, httpx.Response] = {
        url: httpx.Response(200, headers={"content-type": "text/html"}, text=body) for url, body in html.items()
    }
    routes[f"{SITE}/sitemap.xml"] = httpx.Response(
        200, headers={"content-type": "application/xml"}, text=_sitemap(dates)
    )
    web = FakeWeb(routes)
    publisher = RecordingPublisher()
    settings = scraper_settings(tmp_path)
    fetcher = Fetcher(settings, resolver=FakeDns({"dates.example": "93.184.216.34"}), transport=web.transport())
    sources = SourcesFile.model_validate(
        {"sources": [{"id": "dates", "name": "Dates", "sitemaps": [f"{SITE}/sitemap.xml"], "max_age": "30d"}]}
    )
    bad_before = metrics.BAD_DATES.labels("dates")._value.get()
    scraper = Scraper(settings, sources, fetcher=fetcher, publisher=publisher)  # type: ignore[arg-type]
    reports = await scraper.run(once=True)
    bad_counted = metrics.BAD_DATES.labels("dates")._value.get() - bad_before

    extracted, tracebacks = 0, []
    for n, date in enumerate(dates):
        page = tmp_path / f"story-{n}.html"
        page.write_text(html[f"{SITE}/story-{n}"])
        result = subprocess.run(
            [sys.executable, "-m", "newswire.cli", "extract", str(page), "--url", f"{SITE}/story-{n}"],
            capture_output=True,
            text=True,
            timeout=120,
        )
        if result.returncode == 0 and '"published_at"' in result.stdout:
            extracted += 1
        if "Traceback" in result.stderr:
            tracebacks.append(date)

    published = {a.url: a for a in publisher.articles}
    # The well-dated entry is inside max_age; the others have no date, so nothing cuts them off.
    delivered = sum(1 for n in range(len(dates)) if f"{SITE}/story-{n}" in published)
    undated = sum(1 for n in range(1, len(dates)) if published.get(f"{SITE}/story-{n}") and not published[f"{SITE}/story-{n}"].published_at)
    passed = (
        len(reports) == 1
        and delivered == len(dates)
        and undated == len(BAD_DATES)
        and reports[0].outcomes["sitemap_bad_date"] == len(BAD_DATES)
        and bad_counted == len(BAD_DATES)
        and extracted == len(dates)
        and not tracebacks
    )
    record(
        Outcome(
            case="input.sitemap-bad-dates",
            kind="bad input",
            tried=f"a sitemap whose <lastmod> and pages' datePublished hold {len(BAD_DATES)} out-of-range or "
            "malformed dates (year 0001 at +01:00, year 9999 at -05:00, zero dates, ...) next to a good one; "
            "one poll, then `newswire extract` on each page",
            behaviour=f"poll completed ({len(reports)} report); {delivered}/{len(dates)} articles published, "
            f"{undated} without a date; {bad_counted:g} bad dates counted in newswire_scraper_bad_dates_total; "
            f"`newswire extract` printed {extracted}/{len(dates)} articles, "
            f"{len(tracebacks)} tracebacks",
            expected=len(dates),
            delivered=delivered,
            lost=len(dates) - delivered,
            passed=passed,
            details={"outcomes": dict(reports[0].outcomes) if reports else {}, "tracebacks": tracebacks},
        )
    )
    assert len(reports) == 1, "the poll failed"
    assert delivered == len(dates), reports[0].summary()
    assert undated == len(BAD_DATES)
    assert reports[0].outcomes["sitemap_bad_date"] == len(BAD_DATES)
    assert bad_counted == len(BAD_DATES)
    assert not tracebacks, tracebacks
    assert extracted == len(dates)
