"""End to end: freshness from page publication to SSE delivery, at fixed publication rates.

On a real Apache Kafka broker (started here), a live site (bench/live_site.py, the sample site's
templates) publishes new articles at a fixed rate; the scraper (polling its RSS feed every
`POLL` seconds), the enricher and the API run as processes, as in `newswire demo`; an SSE client
in this process receives the events. Freshness is the time from an article's publication on the
site to its event arriving on the client. Each rate runs for `STAGE_SECONDS`; the sustained
throughput is the highest offered rate whose articles all arrived with p99 under 2 s.

Writes bench/results/e2e.json, e2e.md and two PNG plots.
"""

import asyncio
import json
import logging
import os
import statistics
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bench.live_site import LiveArticle, LiveSite
from newswire.broker import make_broker
from newswire.ports import free_port
from tests.faults.pipeline import Pipeline
from tests.faults.streams import ResumingStream

from .machine import machine_info
from .plots import plot_latency, plot_throughput

__all__ = ["main"]

RESULTS = Path(__file__).parent / "results"
RATES = [float(r) for r in os.environ.get("NEWSWIRE_BENCH_E2E_RATES", "5,10,15,20,30,45").split(",")]
STAGE_SECONDS = float(os.environ.get("NEWSWIRE_BENCH_E2E_SECONDS", "30"))
POLL = 0.25
TARGET_P99 = 2.0
#: How long after a stage's last publication its stragglers may still arrive.
DRAIN_SECONDS = 60.0
ENV = {"NEWSWIRE_BATCH_WITHIN": "0.1"}


@dataclass
class Stage:
    rate: float
    published: int
    delivered: int
    latencies: list[float]
    fetch_delays: list[float]
    enrich_delays: list[float]
    serve_delays: list[float]
    #: delivered articles per second, from the stage's first publication to its last delivery
    achieved: float

    def percentile(self, q: float) -> float | None:
        if not self.latencies:
            return None
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    def summary(self) -> dict[str, object]:
        def p(q: float) -> float | None:
            value = self.percentile(q)
            return round(value, 3) if value is not None else None

        def median(values: list[float]) -> float | None:
            return round(statistics.median(values), 3) if values else None

        return {
            "offered_per_second": self.rate,
            "published": self.published,
            "delivered": self.delivered,
            "achieved_per_second": round(self.achieved, 1),
            "p50_s": p(0.50),
            "p95_s": p(0.95),
            "p99_s": p(0.99),
            "max_s": round(max(self.latencies), 3) if self.latencies else None,
            "median_publish_to_fetch_s": median(self.fetch_delays),
            "median_fetch_to_enriched_s": median(self.enrich_delays),
            "median_enriched_to_client_s": median(self.serve_delays),
        }


def _timestamp(value: str) -> float:
    return datetime.fromisoformat(value).timestamp()


async def _stage(site: LiveSite, stream: ResumingStream, rate: float) -> Stage:
    count = int(rate * STAGE_SECONDS)
    articles = site.schedule(rate=rate, count=count, start=time.time() + 1.0)
    by_url = {site.url(a.path): a for a in articles}
    last = articles[-1].published
    while time.time() < last + DRAIN_SECONDS:
        if len({e.data["canonical_url"] for e in stream.events} & by_url.keys()) == count:
            break
        await asyncio.sleep(0.5)
    seen: dict[str, tuple[LiveArticle, float, dict[str, str]]] = {}
    for event in stream.events:
        article = by_url.get(event.data["canonical_url"])
        if article is not None and article.path not in seen:
            seen[article.path] = (article, event.received, event.data)
    span = max((received for _, received, _ in seen.values()), default=last) - articles[0].published
    stage = Stage(rate, count, len(seen), [], [], [], [], len(seen) / span if span > 0 else 0.0)
    for article, received, data in seen.values():
        fetched = _timestamp(data["fetched_at"])
        enriched = _timestamp(data["enriched_at"])
        stage.latencies.append(received - article.published)
        stage.fetch_delays.append(fetched - article.published)
        stage.enrich_delays.append(enriched - fetched)
        stage.serve_delays.append(received - enriched)
    return stage


async def _run(workdir: Path) -> tuple[dict[str, object], list[Stage], dict[str, list[float]]]:
    broker = make_broker(engine="kafka", port=free_port(), data_dir=workdir / "broker")
    await asyncio.to_thread(broker.start, timeout=180)
    try:
        with LiveSite(feed_size=400) as site:
            pipeline = Pipeline(
                bootstrap_servers=broker.bootstrap_servers,
                topic_prefix="bench.news.",
                workdir=workdir / "pipeline",
                live_site=site,
                sample_site=False,
                poll_interval=POLL,
                enricher_workers=os.cpu_count() or 1,
                env=ENV,
            )
            async with pipeline:
                await pipeline.start()
                stream = pipeline.stream(fields="id,canonical_url,fetched_at,enriched_at")
                # Warm-up: spaCy loaded, consumer group joined, connections open.
                warm = site.schedule(rate=2, count=6)
                warm_urls = {site.url(a.path) for a in warm}
                deadline = time.monotonic() + 300
                while not warm_urls <= {e.data["canonical_url"] for e in stream.events}:
                    pipeline.check_alive()
                    if time.monotonic() > deadline:
                        raise RuntimeError("warm-up articles never reached the stream")
                    await asyncio.sleep(0.5)
                stages = []
                for rate in RATES:
                    stages.append(await _stage(site, stream, rate))
                    pipeline.check_alive()
                measured = {site.url(a.path) for a in site.scheduled[len(warm) :]}
                events = [e for e in stream.events if e.data["canonical_url"] in measured]
                timeline = {
                    "published": [a.published for a in site.scheduled[len(warm) :]],
                    "fetched by the scraper": [_timestamp(e.data["fetched_at"]) for e in events],
                    "enriched": [_timestamp(e.data["enriched_at"]) for e in events],
                    "delivered on SSE": [e.received for e in events],
                }
                setup = {
                    "broker": f"kafka {broker.version}",
                    "poll_interval_s": POLL,
                    "enricher_workers": os.cpu_count() or 1,
                    "enricher_batch_within_s": float(ENV["NEWSWIRE_BATCH_WITHIN"]),
                    "stage_seconds": STAGE_SECONDS,
                    "mean_words": round(
                        statistics.mean(len(" ".join(a.page.paragraphs).split()) for a in site.scheduled[len(warm) :])
                    ),
                }
                return setup, stages, timeline
    finally:
        await asyncio.to_thread(broker.stop)


def _markdown(result: dict[str, object], stages: list[Stage]) -> str:
    machine = result["machine"]
    assert isinstance(machine, dict)
    setup = result["setup"]
    assert isinstance(setup, dict)
    lines = [
        "# End-to-end freshness: page published -> SSE event",
        "",
        (
            f"{machine['cores']} cores, {machine['memory_gib']} GiB, {setup['broker']}; scraper polls the feed every "
            f"{setup['poll_interval_s']} s; enricher with {setup['enricher_workers']} NLP processes; articles of "
            f"~{setup['mean_words']} words; {setup['stage_seconds']:g} s per rate. Measured {machine['time']}."
        ),
        "",
        (
            "| offered articles/s | published | delivered | achieved articles/s | p50 s | p95 s | p99 s | max s "
            "| publish->fetch s | fetch->enriched s | enriched->client s |"
        ),
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for stage in stages:
        s = stage.summary()
        lines.append(
            "| "
            + " | ".join(
                str(s[k]) if s[k] is not None else "-"
                for k in (
                    "offered_per_second",
                    "published",
                    "delivered",
                    "achieved_per_second",
                    "p50_s",
                    "p95_s",
                    "p99_s",
                    "max_s",
                    "median_publish_to_fetch_s",
                    "median_fetch_to_enriched_s",
                    "median_enriched_to_client_s",
                )
            )
            + " |"
        )
    sustained = result["sustained_articles_per_second"]
    lines += [
        "",
        f"Sustained throughput with p99 under {TARGET_P99:g} s and nothing missing: "
        + (f"**{sustained:g} articles/s**" if sustained else f"**none of the rates tried** ({RATES})"),
        "(stage columns are medians).",
        "",
        "![freshness](e2e-latency.png)",
        "![throughput per stage](e2e-throughput.png)",
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    logging.getLogger("newswire").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="newswire-bench-e2e-") as tmp:
        setup, stages, timeline = asyncio.run(_run(Path(tmp)))
    ok = [s.rate for s in stages if s.delivered == s.published and (s.percentile(0.99) or 1e9) < TARGET_P99]
    result: dict[str, object] = {
        "benchmark": "e2e",
        "machine": machine_info(),
        "setup": setup,
        "target_p99_s": TARGET_P99,
        "stages": [s.summary() for s in stages],
        "sustained_articles_per_second": max(ok) if ok else None,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "e2e.json").write_text(json.dumps(result, indent=2) + "\n")
    markdown = _markdown(result, stages)
    (RESULTS / "e2e.md").write_text(markdown)
    plot_latency({f"{s.rate:g}/s": s.latencies for s in stages}, RESULTS / "e2e-latency.png", target=TARGET_P99)
    start = min(timeline["published"]) if timeline["published"] else time.time()
    plot_throughput(timeline, RESULTS / "e2e-throughput.png", start=start)
    print(markdown)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
