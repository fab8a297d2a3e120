"""`make soak`: the pipeline under steady load for an hour, on loopback, with a broker restart and an
enricher kill in the middle; ends with a report of what was lost and how memory behaved.

What runs: an Apache Kafka broker of its own, the live site (bench/live_site.py) publishing
articles at a steady pace, the scraper, the enricher and the API as processes (tests/faults/
pipeline.py), and 200 SSE clients that resume with Last-Event-ID. At 45 % of the run the broker is
stopped and started again (same data), at 60 % the enricher is SIGKILLed and started again.
A service that dies otherwise is recorded and restarted. After the last article is published the
soak waits (bounded) until every article is in the store and on every client's stream.

The report (test-artifacts/soak/report.json and report.md, beside the services' logs) gives articles expected and lost, the
start and end RSS of every process (process groups: the enricher with its NLP processes) and a
verdict on unbounded growth (memory.judge). Exit status 0 only when nothing was lost and no
process keeps growing.

Settings (environment): NEWSWIRE_SOAK_MINUTES (60), NEWSWIRE_SOAK_CLIENTS (200),
NEWSWIRE_SOAK_RATE (articles per second, 0.5), NEWSWIRE_SOAK_DIR (report folder).
"""

import asyncio
import json
import logging
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.live_site import LiveSite
from newswire.broker import BrokerProcess, make_broker
from newswire.ports import free_port

from .memory import MemorySeries, judge
from .outcomes import check_delivery
from .pipeline import SERVICES, Pipeline

__all__ = ["SoakPlan", "main", "plan_from_env", "soak"]

logger = logging.getLogger("soak")

REPO = Path(__file__).resolve().parents[2]
DRIVER = "soak driver (SSE clients)"


@dataclass(frozen=True)
class SoakPlan:
    minutes: float
    clients: int
    rate: float
    #: seconds between memory samples
    sample_every: float
    #: seconds a process runs before its memory counts as steady
    warmup: float
    #: longest wait after the last publication for everything to arrive
    settle: float
    broker_restart_at: float = 0.45
    enricher_kill_at: float = 0.60
    broker_down: float = 10.0
    enricher_down: float = 3.0


def plan_from_env() -> SoakPlan:
    minutes = float(os.environ.get("NEWSWIRE_SOAK_MINUTES", "60"))
    seconds = minutes * 60
    return SoakPlan(
        minutes=minutes,
        clients=int(os.environ.get("NEWSWIRE_SOAK_CLIENTS", "200")),
        rate=float(os.environ.get("NEWSWIRE_SOAK_RATE", "0.5")),
        sample_every=max(5.0, min(30.0, seconds / 120)),
        warmup=min(300.0, 0.15 * seconds),
        settle=min(600.0, max(180.0, 0.15 * seconds)),
    )


class Soak:
    def __init__(self, plan: SoakPlan, pipeline: Pipeline, broker: BrokerProcess) -> None:
        self.plan = plan
        self.pipeline = pipeline
        self.broker = broker
        self.started = time.monotonic()
        self.events: list[dict[str, Any]] = []
        self.memory = {name: MemorySeries(name) for name in ("broker", "scraper", "enricher", "api", DRIVER)}
        #: what the soak itself is doing to a part right now (a planned fault is no crash)
        self._busy: set[str] = set()

    def at(self) -> float:
        return round(time.monotonic() - self.started, 1)

    def note(self, what: str) -> None:
        self.events.append({"at_s": self.at(), "what": what})
        logger.info("%6.0f s  %s", self.at(), what)

    def sample(self) -> None:
        self.memory["broker"].sample(pgid=self.broker.pid, at=self.at())
        for name in ("scraper", "enricher", "api"):
            child = self.pipeline.children.get(name)
            self.memory[name].sample(pgid=child.pid if child else None, at=self.at())
        self.memory[DRIVER].sample(pgid=os.getpid(), at=self.at(), whole_group=False)

    async def keep_alive(self) -> None:
        """A part that died without being told to is recorded and started again."""
        if "broker" not in self._busy and not self.broker.running():
            self.note(f"UNPLANNED: the broker exited with code {self.broker.returncode}; starting it again")
            await asyncio.to_thread(self.broker.stop)
            await asyncio.to_thread(self.broker.start, timeout=180)
        for name in ("scraper", "enricher", "api"):
            if name not in self._busy and not self.pipeline.running(name):  # type: ignore[arg-type]
                code = self.pipeline.children[name].returncode
                self.note(f"UNPLANNED: {name} exited with code {code}; starting it again")
                self.pipeline.children[name].stop()
                self.pipeline.spawn(name)  # type: ignore[arg-type]

    async def restart_broker(self) -> None:
        self._busy.add("broker")
        try:
            self.note("fault: stopping the broker")
            await asyncio.to_thread(self.broker.stop)
            await asyncio.sleep(self.plan.broker_down)
            waited = await asyncio.to_thread(self.broker.start, timeout=180)
            self.note(f"fault: broker started again after {self.plan.broker_down:.0f} s down (ready in {waited:.1f} s)")
        finally:
            self._busy.discard("broker")

    async def kill_enricher(self) -> None:
        self._busy.add("enricher")
        try:
            self.pipeline.kill("enricher")
            self.note("fault: SIGKILL the enricher and its NLP processes")
            await asyncio.sleep(self.plan.enricher_down)
            self.pipeline.spawn("enricher")
            self.note(f"fault: enricher started again after {self.plan.enricher_down:.0f} s down")
        finally:
            self._busy.discard("enricher")

    async def run_until(self, end: float, faults: list[tuple[float, Callable[[], Awaitable[None]]]]) -> None:
        """Sample memory and keep parts alive until `end` (soak seconds), running each fault at its time."""
        pending = sorted(faults, key=lambda f: f[0])
        while self.at() < end:
            self.sample()
            while pending and pending[0][0] <= self.at():
                await pending.pop(0)[1]()
            await self.keep_alive()
            next_fault = pending[0][0] if pending else end
            await asyncio.sleep(max(0.5, min(self.plan.sample_every, next_fault - self.at(), end - self.at())))


async def soak(plan: SoakPlan, workdir: Path, *, keep_logs: Path | None = None) -> dict[str, Any]:
    broker = make_broker(engine="kafka", port=free_port(), data_dir=workdir / "broker")
    await asyncio.to_thread(broker.start, timeout=180)
    try:
        with LiveSite(feed_size=max(300, int(plan.rate * 900))) as site:
            pipeline = Pipeline(
                bootstrap_servers=broker.bootstrap_servers,
                topic_prefix="soak.news.",
                workdir=workdir / "pipeline",
                live_site=site,
                sample_site=False,
                poll_interval=2.0,
            )
            try:
                async with pipeline:
                    return await _run(plan, pipeline, broker, site)
            finally:
                if keep_logs is not None:  # the work folder goes; its logs explain a failure
                    for log in [*(workdir / "pipeline" / "logs").glob("*.log"), broker.log_path]:
                        if log.exists():
                            shutil.copy(log, keep_logs / f"{log.stem}.log")
    finally:
        await asyncio.to_thread(broker.stop)


async def _run(plan: SoakPlan, pipeline: Pipeline, broker: BrokerProcess, site: LiveSite) -> dict[str, Any]:
    run = Soak(plan, pipeline, broker)
    since = datetime.now(UTC) - timedelta(minutes=5)
    await pipeline.start(services=[s for s in SERVICES if s != "sample-site"])
    run.note(f"pipeline up; connecting {plan.clients} SSE clients")
    clients = {f"client-{n}": pipeline.stream(since=since) for n in range(plan.clients)}
    publish = plan.minutes * 60 - run.at()
    scheduled = site.schedule(rate=plan.rate, count=max(1, int(plan.rate * publish)))
    run.note(f"publishing {len(scheduled)} articles at {plan.rate}/s for {publish:.0f} s")
    end = run.at() + publish
    await run.run_until(
        end,
        [
            (run.at() + plan.broker_restart_at * publish, run.restart_broker),
            (run.at() + plan.enricher_kill_at * publish, run.kill_enricher),
        ],
    )
    await asyncio.sleep(max(0.0, scheduled[-1].published - time.time()) + 0.5)
    run.note("last article published; waiting for every article in the store and on every stream")
    wanted = set(await pipeline.expected_ids())
    deadline = time.monotonic() + plan.settle
    await pipeline.wait_stored(wanted, timeout=plan.settle)
    remaining = max(1.0, deadline - time.monotonic())
    await asyncio.gather(*(client.wait_for(wanted, timeout=remaining) for client in clients.values()))
    run.sample()
    run.note("settled; checking delivery")
    delivery = check_delivery(
        wanted, enriched=await pipeline.enriched_records(), stored=await pipeline.stored_ids(), streams=clients
    )
    memory = {name: judge(series, warmup=plan.warmup) for name, series in run.memory.items()}
    # The driver keeps every event each client received (to check delivery): it grows by design
    # and is reported, not judged.
    memory[DRIVER]["verdict"] = f"not judged (keeps every event; {memory[DRIVER]['verdict']})"
    growing = sorted(name for name, verdict in memory.items() if verdict["verdict"] == "growing")
    complete = sum(1 for stream in clients.values() if wanted <= set(stream.ids))
    return {
        "plan": asdict(plan),
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds": run.at(),
        "articles": {
            "expected": len(wanted),
            "lost": len(delivery.lost),
            "lost_ids": sorted(delivery.lost)[:50],
            "never_enriched": len(delivery.missing_enriched),
            "not_stored": len(delivery.missing_stored),
            "most_missing_on_one_stream": max((len(v) for v in delivery.missing_streamed.values()), default=0),
            "enriched_duplicates": delivery.enriched_duplicates,
            "stored_duplicates": len(delivery.stored_duplicates),
            "clients_with_every_article": f"{complete}/{len(clients)}",
            "violations": delivery.violations[:20],
        },
        "events": run.events,
        "memory": memory,
        "memory_samples": {name: series.incarnations for name, series in run.memory.items()},
        "unbounded_growth": growing,
        "passed": not delivery.lost and not growing,
    }


def markdown(report: dict[str, Any]) -> str:
    a, plan = report["articles"], report["plan"]
    lines = [
        f"# Soak: {plan['minutes']:g} min, {plan['clients']} SSE clients, {plan['rate']:g} articles/s",
        "",
        f"Finished {report['finished']} after {report['seconds']:.0f} s. "
        f"**{'PASSED' if report['passed'] else 'FAILED'}**.",
        "",
        f"- articles expected {a['expected']}, lost **{a['lost']}**; enriched twice {a['enriched_duplicates']}, "
        f"stored twice {a['stored_duplicates']}; clients with every article {a['clients_with_every_article']}",
        f"- unbounded memory growth: {', '.join(report['unbounded_growth']) or 'none'}",
        "",
        "| process | start RSS MB | end RSS MB | steady start MB | steady end MB | rise MB | MB/h | runs | verdict |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, m in report["memory"].items():
        cells = [m.get(k, "") for k in ("start_mb", "end_mb", "steady_start_mb", "steady_end_mb", "rise_mb")]
        cells += [m.get("mb_per_hour", ""), m["incarnations"], m["verdict"]]
        lines.append(f"| {name} | " + " | ".join("" if c is None else str(c) for c in cells) + " |")
    lines += ["", "Events:", ""] + [f"- {e['at_s']:.0f} s: {e['what']}" for e in report["events"]]
    if a["violations"]:
        lines += ["", "Delivery violations:", ""] + [f"- {v}" for v in a["violations"]]
    return "\n".join(lines) + "\n"


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s", stream=sys.stdout)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request of 200 clients
    plan = plan_from_env()
    out = Path(os.environ.get("NEWSWIRE_SOAK_DIR", REPO / "test-artifacts" / "soak"))
    out.mkdir(parents=True, exist_ok=True)
    logger.info("soak plan: %s", plan)
    with tempfile.TemporaryDirectory(prefix="newswire-soak-") as workdir:
        report = asyncio.run(soak(plan, Path(workdir), keep_logs=out))
    (out / "report.json").write_text(json.dumps(report, indent=2))
    (out / "report.md").write_text(markdown(report))
    print(markdown(report))
    print(f"report: {out / 'report.md'}")
    return 0 if report["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
