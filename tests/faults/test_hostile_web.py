"""A hostile web against the scraper publishing to Apache Kafka (issue 14, findings 5 and 10).

Three sources, all marked `allow_private` (their servers are on 127.0.0.1), polled once together:

- bombs: a feed listing a page sent as `Content-Encoding: gzip, gzip` (under 1 KB on the wire,
  400 MB decoded), a plain gzip bomb (400 MB decoded) and a good article. The bombs must be refused
  (stacked encoding; over the cap) while the process's peak RSS stays far below what they decode
  to, and the good article must reach Kafka.
- trickle: a server whose robots.txt trickles a byte at a time, never tripping the read timeout;
  the poll must end at the total timeout with the origin treated as unavailable.
- metadata: a feed listing cloud metadata addresses in every spelling, and a redirect to one; none
  may be connected to although the source allows private addresses, and its good article on
  127.0.0.1 must still reach Kafka.

Every connection the crawler opens goes through a recording network backend that connects only to
127.0.0.1, so nothing leaves loopback even if a guard failed; what it was asked to reach is the
evidence.
"""

import ipaddress
import json
import re
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpcore
import pytest

from newswire.kafka import ensure_topics
from newswire.scraper import ssrf
from newswire.scraper.fetcher import Fetcher
from newswire.scraper.sample_site.content import load_articles, render_article
from newswire.scraper.service import Scraper
from newswire.scraper.sources import SourcesFile
from newswire.scraper.ssrf import IPAddress, system_resolver
from newswire.scraper.urls import UrlError, normalise_url
from newswire.settings import CommonSettings
from tests.scraper.conftest import scraper_settings
from tests.scraper.hostile_server import HostileServer, Route, gzip_bomb
from tests.scraper.kafka_reading import read_raw

from .outcomes import Outcome, record

pytestmark = [pytest.mark.integration, pytest.mark.faults, pytest.mark.timeout(600)]

MB = 1024 * 1024
BOMB_MB = 400
METADATA = json.loads((Path(__file__).parents[1] / "data" / "metadata_spellings.json").read_text(encoding="utf-8"))


def _memory() -> dict[str, int]:
    """VmRSS and VmHWM (peak RSS) of this process, in bytes."""
    status = Path("/proc/self/status").read_text()
    return {k: int(v) * 1024 for k, v in re.findall(r"(VmHWM|VmRSS):\s+(\d+) kB", status)}


def _reset_peak() -> bool:
    # Linux: writing 5 to clear_refs resets VmHWM to the current RSS, so the peak is this poll's own.
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def _rss(links: Iterable[str]) -> str:
    items = "".join(f"<item><title>Item {n}</title><link>{link}</link></item>" for n, link in enumerate(links))
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Hostile</title>{items}</channel></rss>'


class _LoopbackOnly(httpcore.AnyIOBackend):
    """The real network backend, but only toward 127.0.0.1; records every host it was asked for."""

    asked: list[str] = []

    async def connect_tcp(self, host: str, port: int, *args: Any, **kwargs: Any) -> httpcore.AsyncNetworkStream:
        _LoopbackOnly.asked.append(host)
        if host != "127.0.0.1":
            raise httpcore.ConnectError(f"test network: {host} is not loopback")
        return await super().connect_tcp(host, port, *args, **kwargs)


@pytest.fixture
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    _LoopbackOnly.asked = []
    monkeypatch.setattr(ssrf.httpcore, "AnyIOBackend", _LoopbackOnly)
    yield _LoopbackOnly.asked


async def _resolver(host: str) -> list[IPAddress]:
    names: dict[str, str] = METADATA["names"]
    if host in names:
        return [ipaddress.ip_address(names[host])]
    return await system_resolver(host)  # numeric spellings and 127.0.0.1: no network involved


async def test_bombs_trickles_and_metadata_against_the_scraper_on_kafka(
    kafka_settings: CommonSettings, tmp_path: Path, loopback_only: list[str]
) -> None:
    await ensure_topics(kafka_settings)
    articles = [a for a in load_articles() if not a.hostile and not a.path.startswith("/private/")][:2]
    html = {"Content-Type": "text/html; charset=utf-8"}
    xml = {"Content-Type": "application/rss+xml"}
    robots = Route(b"User-agent: *\nAllow: /\n", headers={"Content-Type": "text/plain"})
    stacked, single = gzip_bomb(BOMB_MB, layers=2), gzip_bomb(BOMB_MB)
    with (
        HostileServer({"/robots.txt": robots}) as site,
        HostileServer({"/robots.txt": Route(b"User-agent: *\nAllow: /\n", trickle=0.2, trickle_for=40)}) as trickler,
    ):
        published = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
        # Served at their own paths: a page names its canonical URL, which is what reaches Kafka.
        good_1, good_2 = (site.url(a.path) for a in articles)
        pages = {
            a.path: render_article(a, base_url=site.url(""), published=published, others=[]).encode() for a in articles
        }
        metadata_links = [c["url"] for c in METADATA["urls"]] + [site.url("/redirect-to-metadata")]
        site.routes |= {path: Route(body, headers=html) for path, body in pages.items()} | {
            "/gzip-gzip": Route(stacked, headers=html | {"Content-Encoding": "gzip, gzip"}),
            "/gzip-bomb": Route(single, headers=html | {"Content-Encoding": "gzip"}),
            "/redirect-to-metadata": Route(
                status=302, headers={"Location": "http://169.254.169.254/latest/meta-data/"}
            ),
            "/feed-bombs.xml": Route(
                _rss([site.url("/gzip-gzip"), site.url("/gzip-bomb"), good_1]).encode(), headers=xml
            ),
            "/feed-metadata.xml": Route(_rss([*metadata_links, good_2]).encode(), headers=xml),
        }
        trickler.routes["/feed.xml"] = Route(_rss([trickler.url("/page")]).encode(), headers=xml)
        sources = SourcesFile.model_validate(
            {
                "sources": [
                    {"id": "bombs", "name": "Bombs", "feeds": [site.url("/feed-bombs.xml")], "allow_private": True},
                    {"id": "trickle", "name": "Trickle", "feeds": [trickler.url("/feed.xml")], "allow_private": True},
                    {
                        "id": "metadata",
                        "name": "Metadata",
                        "feeds": [site.url("/feed-metadata.xml")],
                        "allow_private": True,
                    },
                ]
            }
        )
        # The read timeout is longer than the total: only a total deadline ends a trickle.
        settings = scraper_settings(tmp_path, kafka_settings, retries=0, read_timeout=30.0, total_timeout=5.0)
        scraper = Scraper(settings, sources, fetcher=Fetcher(settings, resolver=_resolver))
        baseline = _memory()["VmRSS"]
        peak_reset = _reset_peak()
        started = time.monotonic()
        reports = {r.source: r for r in await scraper.run(once=True)}
        took = time.monotonic() - started
        peak = _memory()["VmHWM"]
        trickler_hits = list(trickler.hits)

    raw = await read_raw(kafka_settings)
    in_kafka = {article.canonical_url for _, article, _ in raw}
    growth_mb = (peak - baseline) / MB

    # -- finding 5: bombs ------------------------------------------------------------------------
    bombs = reports["bombs"].outcomes
    good_1_in = good_1 in in_kafka
    bombs_ok = bombs.get("bad_encoding") == 1 and bombs.get("too_large") == 1 and good_1_in and growth_mb < 150
    record(
        Outcome(
            case="input.content-encoding-bomb",
            kind="bad input",
            tried=f"a feed listing a page sent as Content-Encoding 'gzip, gzip' ({len(stacked)} bytes on the wire, "
            f"{BOMB_MB} MB decoded), a gzip bomb ({len(single) // 1024} KB, {BOMB_MB} MB decoded) and a good "
            "article; scraper publishing to Apache Kafka",
            behaviour=f"outcomes: {_outcomes(bombs)}; peak RSS of the scraping process "
            f"{'+' if peak_reset else '(not reset) +'}{growth_mb:.0f} MB over {baseline / MB:.0f} MB during the poll; "
            f"good article in Kafka: {'yes' if good_1_in else 'NO'}",
            expected=1,
            delivered=int(good_1_in),
            lost=int(not good_1_in),
            passed=bombs_ok,
            details={"outcomes": dict(bombs), "rss_growth_mb": round(growth_mb, 1), "baseline_mb": baseline / MB},
        )
    )

    # -- finding 10: a trickling robots.txt --------------------------------------------------------
    trickle = reports.get("trickle")
    trickle_ok = trickle is not None and trickle.published == 0 and trickler_hits == ["/robots.txt"]
    record(
        Outcome(
            case="input.robots-trickle",
            kind="bad input",
            tried="a source whose robots.txt trickles one byte every 0.2 s for 40 s (read timeout 30 s, "
            "total timeout 5 s); scraper publishing to Apache Kafka",
            behaviour=f"the poll ended (all three sources in {took:.0f} s) with the origin unavailable; "
            f"requests to that server: {trickler_hits}; outcomes: {_outcomes(trickle.outcomes) if trickle else 'none'}",
            passed=trickle_ok,
            details={"hits": trickler_hits, "outcomes": dict(trickle.outcomes) if trickle else None},
        )
    )

    # -- finding 10: metadata from a private source -----------------------------------------------
    metadata = reports["metadata"].outcomes
    distinct = set()
    for link in metadata_links:
        try:
            distinct.add(normalise_url(link))
        except UrlError:
            continue
    off_loopback = [host for host in loopback_only if host != "127.0.0.1"]
    good_2_in = good_2 in in_kafka
    metadata_ok = not off_loopback and metadata.get("blocked_address") == len(distinct) and good_2_in
    record(
        Outcome(
            case="input.metadata-private-source",
            kind="bad input",
            tried=f"a source marked allow_private whose feed lists {len(metadata_links) - 1} cloud metadata and "
            "link-local addresses in every spelling (decimal, hex, octal, short, mapped, compatible, NAT64, 6to4, "
            "names) and a redirect to 169.254.169.254, plus a good article on 127.0.0.1; Apache Kafka",
            behaviour=f"connections attempted off loopback: {len(off_loopback)}; outcomes: {_outcomes(metadata)}; "
            f"good article in Kafka: {'yes' if good_2_in else 'NO'}",
            expected=1,
            delivered=int(good_2_in),
            lost=int(not good_2_in),
            passed=metadata_ok,
            details={"outcomes": dict(metadata), "off_loopback": off_loopback, "distinct_links": len(distinct)},
        )
    )
    assert bombs_ok, (dict(bombs), growth_mb, good_1_in)
    assert trickle_ok, (trickler_hits, trickle)
    assert metadata_ok, (dict(metadata), off_loopback, len(distinct), good_2_in)


def _outcomes(counts: Any) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(counts.items())) or "none"
