"""`newswire demo`: the whole pipeline on one machine with no Docker.

A local broker (unless NEWSWIRE_KAFKA_BOOTSTRAP_SERVERS names a cluster), the bundled sample
news site (or, with `--sources FILE`, real feeds), and the scraper, enricher and API as separate
processes, each logging to `<NEWSWIRE_DATA_DIR>/logs/<name>.log`.

- One demo per data dir and set of ports: both are checked before anything is touched, and a
  second demo refuses with a one-line reason (newswire.claim).
- Data is kept across runs (broker topics, the scraper's seen URLs, the API's store); `--fresh`
  starts from nothing.
- A child that dies is restarted with backoff (newswire.supervisor); the demo itself ends only on
  Ctrl-C or SIGTERM, which stop every child.
"""

import argparse
import asyncio
import logging
import os
import shutil
import signal
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from pydantic import Field

from .broker import DEFAULT_KAFKA_VERSION, BrokerError, BrokerProcess, kafka_answers, make_broker, resolve_engine
from .children import ChildProcess
from .claim import Busy, DataDirLock, check_ports
from .logs import configure_logging
from .settings import CommonSettings
from .supervisor import Backoff, Supervisor

__all__ = ["DemoSettings", "add_arguments", "run"]

logger = logging.getLogger(__name__)

SERVICES = ("sample-site", "scraper", "enricher", "api")
#: Stop order: producers first, broker last, so every service can flush on its way out.
STOP_ORDER = ("scraper", "sample-site", "enricher", "api")


class DemoSettings(CommonSettings):
    broker_engine: Literal["auto", "kafka", "tansu"] = "auto"
    broker_port: int = Field(default=9092, ge=1, le=65535)
    api_port: int = Field(default=8000, ge=1, le=65535)
    sample_site_port: int = Field(default=8800, ge=1, le=65535)
    # The ports of docker-compose.yml, so deploy/prometheus/demo.yml scrapes a demo as it is.
    scraper_metrics_port: int = Field(default=9101, ge=1, le=65535, description="the demo scraper's /metrics")
    enricher_metrics_port: int = Field(default=9102, ge=1, le=65535, description="the demo enricher's /metrics")
    kafka_version: str = Field(default=DEFAULT_KAFKA_VERSION, description="Apache Kafka version fetched from Maven")
    kafka_cache_dir: Path | None = Field(default=None, description="jar cache; default ~/.cache/newswire/kafka")
    demo_ready_timeout: float = Field(default=180.0, description="seconds to wait for the API to answer")
    demo_restart_delay: float = Field(default=1.0, gt=0, description="first pause before restarting a crashed child")
    demo_restart_max_delay: float = Field(default=60.0, gt=0, description="longest pause between restarts")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--engine", choices=["auto", "kafka", "tansu"], help="broker engine (NEWSWIRE_BROKER_ENGINE)")
    parser.add_argument(
        "--fresh", action="store_true", help="start from nothing: delete the previous run's topics, store and logs"
    )
    parser.add_argument(
        "--sources",
        type=Path,
        metavar="FILE",
        help="crawl the real sources of FILE (the scraper's format) instead of the bundled sample site",
    )
    # Kept so that old scripts still work: keeping the data is now what the demo does anyway.
    parser.add_argument("--keep-data", action="store_true", help=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    settings = DemoSettings()
    configure_logging(service="demo", level=settings.log_level, fmt="text")
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    try:
        demo = Demo(settings, engine=args.engine or settings.broker_engine, fresh=args.fresh, sources=args.sources)
        demo.claim()
    except (Busy, DemoError) as exc:
        print(f"newswire demo: {exc}", file=sys.stderr, flush=True)
        return 1
    try:
        demo.start(stop)
        if stop.is_set():
            return 0
        demo.print_urls()
        return demo.watch(stop)
    except (BrokerError, DemoError) as exc:
        print(f"newswire demo: {exc}", file=sys.stderr, flush=True)
        return 1
    finally:
        demo.stop()


class DemoError(Exception):
    """A part of the demo failed to start."""


class Demo:
    def __init__(
        self,
        settings: DemoSettings,
        *,
        engine: Literal["auto", "kafka", "tansu"],
        fresh: bool,
        sources: Path | None = None,
    ) -> None:
        self.settings = settings
        self.data_dir = settings.data_dir.resolve()
        self.external = "NEWSWIRE_KAFKA_BOOTSTRAP_SERVERS" in os.environ
        self.engine = "external" if self.external else resolve_engine(engine)
        self.fresh = fresh
        self.sources = sources.resolve() if sources is not None else None
        self.source_count = _count_sources(self.sources) if self.sources is not None else 0
        self.broker: BrokerProcess | None = None
        self.children: dict[str, ChildProcess] = {}
        self.supervisor = Supervisor(
            backoff=Backoff(initial=settings.demo_restart_delay, maximum=settings.demo_restart_max_delay),
            report=self._report,
        )
        self._lock = DataDirLock(self.data_dir)
        self._env: dict[str, str] = {}

    @property
    def logs(self) -> Path:
        return self.data_dir / "logs"

    @property
    def mode(self) -> str:
        if self.sources is not None:
            return f"real feeds: {self.source_count} source(s) from {self.sources} (needs the internet)"
        return "sample newsroom: the bundled sample site on this machine (no internet needed)"

    def claim(self) -> None:
        """Refuse, before touching anything, when the ports or the data dir are another demo's."""
        ports = {
            "API": (self.settings.api_port, "NEWSWIRE_API_PORT"),
            "scraper metrics": (self.settings.scraper_metrics_port, "NEWSWIRE_SCRAPER_METRICS_PORT"),
            "enricher metrics": (self.settings.enricher_metrics_port, "NEWSWIRE_ENRICHER_METRICS_PORT"),
        }
        if not self.external:
            ports["Kafka broker"] = (self.settings.broker_port, "NEWSWIRE_BROKER_PORT")
        if self.sources is None:
            ports["sample site"] = (self.settings.sample_site_port, "NEWSWIRE_SAMPLE_SITE_PORT")
        check_ports(ports)
        self._lock.acquire()

    def start(self, stop: threading.Event) -> None:
        print(f"newswire demo: mode: {self.mode}", flush=True)
        if self.fresh:
            # The broker's topics, the scraper's seen URLs and the API's store start empty
            # together, or they would disagree.
            for part in ("broker", *SERVICES, "logs"):
                shutil.rmtree(self.data_dir / part, ignore_errors=True)
        else:
            print(f"newswire demo: keeping the data of earlier runs in {self.data_dir} (--fresh starts anew)")
        self.logs.mkdir(parents=True, exist_ok=True)
        bootstrap = self._start_broker(stop)
        if bootstrap is None:
            return
        self._ensure_topics(bootstrap)
        self._env = self._child_env(bootstrap)
        if self.sources is None:
            sources = self.data_dir / "sample-site" / "sources.yaml"
            sources.parent.mkdir(parents=True, exist_ok=True)
            sources.unlink(missing_ok=True)  # written anew by this run's site, on its port
            argv = ["sample-site", "--port", str(self.settings.sample_site_port), "--write-sources", str(sources)]
            self._supervise("sample-site", argv)
            self._wait_for(sources.exists, what="the sample site's sources file", stop=stop, timeout=60)
        else:
            sources = self.sources
        self._supervise("scraper", ["scrape", "--sources", str(sources)])
        self._supervise("enricher", ["enrich"])
        self._supervise("api", ["api"])
        healthz = f"http://127.0.0.1:{self.settings.api_port}/healthz"
        self._wait_for(lambda: _http_ok(healthz), what="the API", stop=stop, timeout=self.settings.demo_ready_timeout)

    def print_urls(self) -> None:
        api = f"http://127.0.0.1:{self.settings.api_port}"
        if self.broker is None:
            broker, engine = self.settings.kafka_bootstrap_servers, "external cluster"
        else:
            broker, engine = self.broker.bootstrap_servers, f"{self.broker.engine} {self.broker.version}"
            if self.broker.engine == "tansu":
                engine += ", topics in memory: they start empty on every run"
        site = (
            f"  sample site      http://127.0.0.1:{self.settings.sample_site_port}/"
            if self.sources is None
            else f"  sources          {self.sources}"
        )
        lines = [
            "",
            "newswire demo is running. Enriched articles appear within a minute.",
            f"  mode             {self.mode}",
            f"  dashboard        {api}/",
            f"  live stream      {api}/v1/stream",
            f"  articles (REST)  {api}/v1/articles",
            f"  API docs         {api}/docs",
            f"  API metrics      {api}/metrics",
            f"  scraper metrics  http://127.0.0.1:{self.settings.scraper_metrics_port}/metrics",
            f"  enricher metrics http://127.0.0.1:{self.settings.enricher_metrics_port}/metrics",
            site,
            f"  Kafka broker     {broker} ({engine})",
            f"  data             {self.data_dir}/ (kept across runs; --fresh starts anew)",
            f"  logs             {self.logs}/",
            "A service that crashes is restarted. Press Ctrl-C to stop everything.",
            "",
        ]
        print("\n".join(lines), flush=True)

    def watch(self, stop: threading.Event) -> int:
        """Keep every child running until Ctrl-C or SIGTERM."""
        while not stop.wait(0.5):
            self.supervisor.check()
        restarts = {name: n for name, n in self.supervisor.restarts().items() if n}
        summary = ", ".join(f"{name} {n}" for name, n in restarts.items()) or "none"
        print(f"newswire demo: stopping (restarts during this run: {summary})", flush=True)
        return 0

    def stop(self) -> None:
        for name in STOP_ORDER:
            if name in self.children:
                self.children[name].stop(timeout=20)
        if self.broker is not None:
            self.broker.stop()
        self._lock.release()

    def _report(self, message: str) -> None:
        logger.warning("%s", message)
        print(f"newswire demo: {message}", flush=True)

    def _start_broker(self, stop: threading.Event) -> str | None:
        if self.engine == "external":
            logger.info("using the Kafka cluster at %s", self.settings.kafka_bootstrap_servers)
            return self.settings.kafka_bootstrap_servers
        broker = make_broker(
            engine=self.engine,
            port=self.settings.broker_port,
            data_dir=self.data_dir / "broker",
            kafka_version=self.settings.kafka_version,
            cache_dir=self.settings.kafka_cache_dir,
        )
        broker.die_with_parent = True
        self.broker = broker
        print(f"newswire demo: starting the {self.engine} broker on 127.0.0.1:{self.settings.broker_port}", flush=True)
        try:
            self.supervisor.add(
                broker,
                lambda: broker.start(timeout=180, cancel=stop),
                after_restart=lambda: self._ensure_topics(broker.bootstrap_servers, wait=True),
            )
        except BrokerError:
            if stop.is_set():
                return None
            raise
        return broker.bootstrap_servers

    def _ensure_topics(self, bootstrap: str, *, wait: bool = False) -> None:
        # Imported here: aiokafka and the schemas take a second to import, and a demo that
        # refuses to start (ports or data dir in use) must say so at once.
        from .kafka import ensure_topics

        settings = self.settings.model_copy(update={"kafka_bootstrap_servers": bootstrap})
        if wait:
            # After a restart: a memory broker (Tansu) lost its topics; Kafka keeps them.
            host, _, port = bootstrap.rpartition(":")
            if not kafka_answers(host, int(port)):
                return
            try:
                asyncio.run(asyncio.wait_for(ensure_topics(settings), timeout=30))
            except Exception as exc:  # the services reconnect on their own; topics come next time
                logger.warning("could not re-create the topics after the broker restart: %r", exc)
            return
        asyncio.run(ensure_topics(settings))

    def _child_env(self, bootstrap: str) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            {
                "NEWSWIRE_KAFKA_BOOTSTRAP_SERVERS": bootstrap,
                "NEWSWIRE_API_PORT": str(self.settings.api_port),
                "NEWSWIRE_SAMPLE_SITE_PORT": str(self.settings.sample_site_port),
                "NEWSWIRE_LOG_FORMAT": "json",
                "PYTHONUNBUFFERED": "1",
            }
        )
        if self.engine == "tansu":
            env["NEWSWIRE_KAFKA_IDEMPOTENCE"] = "false"  # Tansu has no InitProducerId
        return env

    def _supervise(self, name: str, argv: list[str]) -> None:
        env = {**self._env, "NEWSWIRE_DATA_DIR": str(self.data_dir / name)}
        if name == "scraper":
            env["NEWSWIRE_METRICS_PORT"] = str(self.settings.scraper_metrics_port)
        elif name == "enricher":
            env["NEWSWIRE_METRICS_PORT"] = str(self.settings.enricher_metrics_port)
        child = ChildProcess(name=name, log_path=self.logs / f"{name}.log", die_with_parent=True)
        self.children[name] = child
        self.supervisor.add(child, lambda: child.spawn([sys.executable, "-m", "newswire.cli", *argv], env=env))

    def _wait_for(self, ready: Callable[[], bool], *, what: str, stop: threading.Event, timeout: float) -> None:
        """Wait for `ready()`, restarting children that crash meanwhile, up to `timeout`."""
        deadline = time.monotonic() + timeout
        while not ready():
            self.supervisor.check()
            if time.monotonic() > deadline:
                down = ", ".join(self.supervisor.waiting())
                hint = f" ({down} keeps crashing)" if down else ""
                raise DemoError(f"{what} did not come up within {timeout:.0f} s{hint}; see the logs in {self.logs}")
            if stop.wait(0.25):
                return


def _count_sources(path: Path) -> int:
    """The number of enabled sources of a sources file; DemoError with the reason when it is unusable."""
    from newswire.scraper.errors import ScraperError
    from newswire.scraper.sources import load_sources

    try:
        return sum(1 for source in load_sources(path).sources if source.enabled)
    except (ScraperError, OSError, ValueError) as exc:
        raise DemoError(f"cannot use the sources file {path}: {exc}") from None


def _http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False
