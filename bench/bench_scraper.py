"""Scraper throughput: pages per second extracted from the bundled sample site, and trafilatura's share.

Three measurements in one run, on the sample site's article pages (~30 pages of 300-600 words in
four publisher layouts):

- trafilatura alone: `trafilatura.extract` on each page (the baseline);
- newswire extraction: `extract_article` (decoding, JSON-LD/Open Graph metadata, trafilatura,
  boilerplate removal, RawArticle) on each page, with the time spent inside trafilatura (both in
  CPU time, interleaved, so other work on a shared machine does not skew the ratio);
- crawl: the scraper polling the site (served by `newswire sample-site` in its own process) over
  HTTP (robots.txt, conditional GET, extraction in a worker thread, deduplication state in
  SQLite), with a publisher that only counts, so Kafka's speed is not part of the figure. Each
  round starts from an empty state, so every page is fetched and extracted; wall time.
"""

import asyncio
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import trafilatura

from newswire.ports import free_port
from newswire.schemas import RawArticle
from newswire.scraper import candidates
from newswire.scraper.extraction import extract_article
from newswire.scraper.sample_site import SampleSite, sources_for
from newswire.scraper.service import Scraper
from newswire.scraper.settings import Settings
from newswire.scraper.sources import SourcesFile

from .machine import machine_info

__all__ = ["main"]

RESULTS = Path(__file__).parent / "results" / "scraper.json"
REPEAT = int(os.environ.get("NEWSWIRE_BENCH_SCRAPER_REPEAT", "10"))
CRAWL_ROUNDS = int(os.environ.get("NEWSWIRE_BENCH_SCRAPER_ROUNDS", "3"))


class _CountingPublisher:
    def __init__(self) -> None:
        self.count = 0

    async def publish(self, article: RawArticle) -> None:
        self.count += 1

    def request_stop(self) -> None:
        return None

    async def stop(self) -> None:
        return None


class _Timed:
    """Wraps trafilatura.bare_extraction as the extraction module calls it, adding up its time."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._inner = trafilatura.bare_extraction

    def __call__(self, *args: object, **kwargs: object) -> object:
        started = time.process_time()
        try:
            return self._inner(*args, **kwargs)  # type: ignore[arg-type]
        finally:
            self.seconds += time.process_time() - started


def _pages(site: SampleSite) -> list[tuple[str, bytes]]:
    pages = []
    for path in site.article_paths:
        resource = site.resource(path)
        assert resource is not None
        pages.append((site.url(path), resource.body))
    return pages


def _extraction(pages: list[tuple[str, bytes]]) -> dict[str, float]:
    """CPU time of this process, baseline and newswire interleaved round by round: on a machine
    shared with other work, wall time would measure the neighbours."""
    timed = _Timed()
    baseline = ours = 0.0
    candidates.trafilatura.bare_extraction = timed  # type: ignore[attr-defined]
    try:
        for _ in range(REPEAT):
            started = time.process_time()
            for url, body in pages:
                trafilatura.extract(
                    body.decode("utf-8", "replace"), url=url, include_comments=False, include_tables=False
                )
            baseline += time.process_time() - started
            started = time.process_time()
            for url, body in pages:
                extract_article(body, url=url, source="bench")
            ours += time.process_time() - started
    finally:
        candidates.trafilatura.bare_extraction = timed._inner  # type: ignore[attr-defined]
    n = REPEAT * len(pages)
    return {
        "pages": n,
        "trafilatura_alone_pages_per_second": round(n / baseline, 1),
        "newswire_pages_per_second": round(n / ours, 1),
        "trafilatura_share": round(timed.seconds / ours, 3),
        "overhead_ratio": round(ours / baseline, 2),
    }


@contextmanager
def _site_process() -> Iterator[str]:
    """The sample site in its own process (as in the demo), so its threads do not share our GIL.

    Without its live newsroom: the benchmark measures the fixed set of pages."""
    port = free_port()
    command = [sys.executable, "-m", "newswire.cli", "sample-site", "--port", str(port), "--fixed-dates", "--pace", "0"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert process.stdout is not None
        process.stdout.readline()  # printed once it serves
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


async def _crawl(base_url: str) -> dict[str, float]:
    base = sources_for(base_url).sources[0]
    # Articles only (the RSS feed): the hostile pages' deliberate timeouts would measure the timeout.
    source = base.model_copy(update={"feeds": [f"{base_url}/feeds/rss.xml"], "sitemaps": [], "request_delay": 0.0})
    sources = SourcesFile(sources=[source])
    published = 0
    seconds = 0.0
    for _ in range(CRAWL_ROUNDS):
        with tempfile.TemporaryDirectory() as data_dir:
            settings = Settings(data_dir=Path(data_dir), metrics_port=0, per_host_delay=0.0, per_host_concurrency=4)
            publisher = _CountingPublisher()
            scraper = Scraper(settings, sources, publisher=publisher)  # type: ignore[arg-type]
            started = time.perf_counter()
            await scraper.run(once=True)
            seconds += time.perf_counter() - started
            published += publisher.count
    return {"pages": published, "seconds": round(seconds, 2), "pages_per_second": round(published / seconds, 1)}


def main() -> int:
    # The sample site's Latin-1 page warns on every extraction; the table is what matters here.
    logging.getLogger("newswire").setLevel(logging.ERROR)
    with SampleSite(port=0) as site:
        pages = _pages(site)
        words = sum(len(extract_article(body, url=url, source="bench").text.split()) for url, body in pages) // len(
            pages
        )
        extracted = _extraction(pages)
    with _site_process() as base_url:
        crawl = asyncio.run(_crawl(base_url))
    result = {
        "machine": machine_info(),
        "site_pages": len(pages),
        "mean_words": words,
        "extraction": extracted,
        "crawl": crawl,
    }
    machine = result["machine"]
    assert isinstance(machine, dict)
    print(
        f"{len(pages)} sample-site article pages of ~{words} words, "
        f"{machine['cores']} cores, {machine['memory_gib']} GiB\n"
    )
    share, overhead = extracted["trafilatura_share"], extracted["overhead_ratio"]
    rows = [
        (
            "trafilatura.extract alone (baseline)",
            extracted["trafilatura_alone_pages_per_second"],
            f"{extracted['pages']} pages",
        ),
        (
            "newswire extract_article",
            extracted["newswire_pages_per_second"],
            f"trafilatura {share:.0%} of the time, {overhead}x the baseline's time",
        ),
        (
            "crawl over HTTP (fetch, robots, conditional GET, extract, dedup; no Kafka)",
            crawl["pages_per_second"],
            f"{crawl['pages']} pages in {crawl['seconds']} s",
        ),
    ]
    print("| measurement | pages/s | note |")
    print("|---|---:|---|")
    for name, rate, note in rows:
        print(f"| {name} | {rate} | {note} |")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
