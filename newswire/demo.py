"""`newswire demo`: the whole pipeline on one machine with no Docker.

A local broker (unless NEWSWIRE_KAFKA_BOOTSTRAP_SERVERS names a cluster), the bundled sample
news site, and the scraper, enricher and API as separate processes, each logging to
`<NEWSWIRE_DATA_DIR>/logs/<name>.log`. Ctrl-C or SIGTERM stops every child; a child that dies
is reported and the demo exits non-zero.
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

from .broker import BrokerError, BrokerProcess, make_broker, resolve_engine
from .children import ChildProcess
from .kafka import ensure_topics
from .logs import configure_logging
from .ports import free_port
from .settings import CommonSettings

__all__ = ["DemoSettings", "add_arguments", "run"]

logger = logging.getLogger(__name__)

SERVICES = ("sample-site", "scraper", "enricher", "api")


class DemoSettings(CommonSettings):
    broker_engine: Literal["auto", "kafka", "tansu"] = "auto"
    broker_port: int = Field(default=9092, ge=1, le=65535)
    api_port: int = Field(default=8000, ge=1, le=65535)
    sample_site_port: int = Field(default=8800, ge=1, le=65535)
    demo_ready_timeout: float = Field(default=180.0, description="seconds to wait for the API to answer")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--engine", choices=["auto", "kafka", "tansu"], help="broker engine (NEWSWIRE_BROKER_ENGINE)")
    parser.add_argument("--keep-data", action="store_true", help="keep the previous run's data instead of starting fresh")


def run(args: argparse.Namespace) -> int:
    settings = DemoSettings()
    configure_logging(service="demo", level=settings.log_level, fmt="text")
    demo = Demo(settings, engine=args.engine or settings.broker_engine, fresh=not args.keep_data)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    try:
        demo.start(stop)
        if stop.is_set():
            return 0
        demo.print_urls()
        return demo.watch(stop)
    except (BrokerError, DemoError) as exc:
        print(f"newswire demo: {exc}", file=sys.stderr)
        return 1
    finally:
        demo.stop()


class DemoError(Exception):
    """A part of the demo failed to start or died."""


class Demo:
    def __init__(self, settings: DemoSettings, *, engine: Literal["auto", "kafka", "tansu"], fresh: bool) -> None:
        self.settings = settings
        self.data_dir = settings.data_dir.resolve()
        self.external = "NEWSWIRE_KAFKA_BOOTSTRAP_SERVERS" in os.environ
        self.engine = "external" if self.external else resolve_engine(engine)
        self.fresh = fresh
        self.broker: BrokerProcess | None = None
        self.children: dict[str, ChildProcess] = {}
        self.metrics_ports: dict[str, int] = {}

    @property
    def logs(self) -> Path:
        return self.data_dir / "logs"

    def start(self, stop: threading.Event) -> None:
        if self.fresh:
            # A demo shows articles flowing from scratch: the broker's topics, the scraper's seen
            # URLs and the API's store start empty together, or they would disagree (Tansu
            # forgets everything on restart while the others would remember).
            for part in ("broker", *SERVICES, "logs"):
                shutil.rmtree(self.data_dir / part, ignore_errors=True)
        self.logs.mkdir(parents=True, exist_ok=True)
        bootstrap = self._start_broker()
        asyncio.run(ensure_topics(self.settings.model_copy(update={"kafka_bootstrap_servers": bootstrap})))
        env = self._child_env(bootstrap)
        sources = self.data_dir / "sample-site" / "sources.yaml"
        sources.parent.mkdir(parents=True, exist_ok=True)
        self._spawn(
            "sample-site",
            ["sample-site", "--port", str(self.settings.sample_site_port), "--write-sources", str(sources)],
            env,
        )
        self._wait_for(lambda: sources.exists(), what="the sample site's sources file", stop=stop, timeout=60)
        self._spawn("scraper", ["scrape", "--sources", str(sources)], env)
        self._spawn("enricher", ["enrich"], env)
        self._spawn("api", ["api"], env)
        healthz = f"http://127.0.0.1:{self.settings.api_port}/healthz"
        self._wait_for(lambda: _http_ok(healthz), what="the API", stop=stop, timeout=self.settings.demo_ready_timeout)

    def print_urls(self) -> None:
        api = f"http://127.0.0.1:{self.settings.api_port}"
        broker = self.settings.kafka_bootstrap_servers if self.external else self.broker.bootstrap_servers
        engine = "external cluster" if self.external else f"{self.broker.engine} {self.broker.version}"
        lines = [
            "",
            "newswire demo is running. Enriched sample articles appear within a minute.",
            f"  dashboard        {api}/",
            f"  live stream      {api}/v1/stream",
            f"  articles (REST)  {api}/v1/articles",
            f"  API docs         {api}/docs",
            f"  API metrics      {api}/metrics",
            *(f"  {name + ' metrics':<16} http://127.0.0.1:{port}/metrics" for name, port in self.metrics_ports.items()),
            f"  sample site      http://127.0.0.1:{self.settings.sample_site_port}/",
            f"  Kafka broker     {broker} ({engine})",
            f"  logs             {self.logs}/",
            "Press Ctrl-C to stop everything.",
            "",
        ]
        print("\n".join(lines), flush=True)

    def watch(self, stop: threading.Event) -> int:
        while not stop.wait(0.5):
            dead = self._dead_child()
            if dead:
                print(f"newswire demo: {dead}; stopping the demo", file=sys.stderr)
                return 1
        print("newswire demo: stopping", flush=True)
        return 0

    def stop(self) -> None:
        # Producers first, broker last, so every service can flush on its way out.
        for name in ("scraper", "sample-site", "enricher", "api"):
            if name in self.children:
                self.children[name].stop(timeout=20)
        if self.broker is not None:
            self.broker.stop()

    def _start_broker(self) -> str:
        if self.external:
            logger.info("using the Kafka cluster at %s", self.settings.kafka_bootstrap_servers)
            return self.settings.kafka_bootstrap_servers
        self.broker = make_broker(
            engine=self.engine, port=self.settings.broker_port, data_dir=self.data_dir / "broker"
        )
        print(f"newswire demo: starting the {self.engine} broker on 127.0.0.1:{self.settings.broker_port}", flush=True)
        self.broker.start(timeout=180)
        return self.broker.bootstrap_servers

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

    def _spawn(self, name: str, argv: list[str], env: dict[str, str]) -> None:
        child_env = {**env, "NEWSWIRE_DATA_DIR": str(self.data_dir / name)}
        if name in ("scraper", "enricher"):
            # Free ports, so two demos (different API/broker ports) run side by side.
            self.metrics_ports[name] = free_port()
            child_env["NEWSWIRE_METRICS_PORT"] = str(self.metrics_ports[name])
        child = ChildProcess(name=name, log_path=self.logs / f"{name}.log")
        child.spawn([sys.executable, "-m", "newswire.cli", *argv], env=child_env)
        self.children[name] = child

    def _dead_child(self) -> str | None:
        for name, child in self.children.items():
            if not child.running():
                return f"{name} exited with code {child.returncode} (log: {child.log_path})"
        if self.broker is not None and not self.broker.running():
            return f"the broker exited (log: {self.broker.log_path})"
        return None

    def _wait_for(self, ready: Callable[[], bool], *, what: str, stop: threading.Event, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not ready():
            dead = self._dead_child()
            if dead:
                raise DemoError(f"{dead} while waiting for {what}")
            if time.monotonic() > deadline:
                raise DemoError(f"{what} did not come up within {timeout:.0f} s (logs: {self.logs})")
            if stop.wait(0.25):
                return


def _http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False
