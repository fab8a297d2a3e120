"""The whole pipeline as separate processes, for fault tests and the end-to-end benchmark.

`Pipeline` runs the bundled sample site, the scraper, the enricher and the API as subprocesses
(`newswire sample-site|scrape|enrich|api`, as `newswire demo` does), on a given broker with a topic
prefix and data directories of its own, plus optionally a `LiveSite` in this process that keeps
publishing new articles. Any service can be SIGKILLed and started again. What reached each stage
is read back from the outside: the enriched topic (`enriched_records`), the API's store through
REST with pagination (`stored_ids`), and SSE streams that resume with Last-Event-ID (`stream`).
"""

import asyncio
import logging
import os
import sys
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal, Self

import httpx
import yaml
from aiokafka import ConsumerRecord

from bench.live_site import LiveSite
from newswire.children import ChildProcess
from newswire.kafka import ensure_topics
from newswire.ports import free_port
from newswire.schemas import TopicNames
from newswire.scraper.errors import ScraperError
from newswire.scraper.extraction import extract_article
from newswire.scraper.sample_site import sources_for
from newswire.scraper.sample_site.content import load_articles
from newswire.settings import CommonSettings
from tests.kafka_topics import read_to_end

from .streams import ResumingStream

__all__ = ["EnrichedRecord", "Pipeline", "PipelineError", "ServiceName"]

logger = logging.getLogger(__name__)

ServiceName = Literal["sample-site", "scraper", "enricher", "api"]
SERVICES: tuple[ServiceName, ...] = ("sample-site", "scraper", "enricher", "api")


class PipelineError(Exception):
    """A service did not come up, or died."""


@dataclass(frozen=True, slots=True)
class EnrichedRecord:
    partition: int
    offset: int
    article_id: str


class Pipeline:
    def __init__(
        self,
        *,
        bootstrap_servers: str,
        topic_prefix: str,
        workdir: Path,
        kafka_idempotence: bool = True,
        database_url: str | None = None,
        live_site: LiveSite | None = None,
        sample_site: bool = True,
        poll_interval: float = 1.0,
        enricher_workers: int = 1,
        partitions: int = 3,
        env: Mapping[str, str] | None = None,
        newsroom_pace: float = 0.0,
    ) -> None:
        self.settings = CommonSettings(
            kafka_bootstrap_servers=bootstrap_servers,
            kafka_idempotence=kafka_idempotence,
            topic_prefix=topic_prefix,
            topic_partitions=partitions,
            data_dir=workdir,
        )
        self.workdir = workdir
        self.topics = TopicNames(topic_prefix)
        self.database_url = database_url
        self.live_site = live_site
        self.with_sample_site = sample_site
        self.poll_interval = poll_interval
        self.enricher_workers = enricher_workers
        self.extra_env = dict(env or {})
        self.newsroom_pace = newsroom_pace
        self.sample_site_port = free_port()
        self.api_port = free_port()
        self.metrics_ports = {"scraper": free_port(), "enricher": free_port()}
        self.children: dict[str, ChildProcess] = {}
        self.streams: list[ResumingStream] = []
        self.sources_file = workdir / "sources.yaml"

    # -- lifecycle -------------------------------------------------------------------------------

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    @property
    def sample_site_url(self) -> str:
        return f"http://127.0.0.1:{self.sample_site_port}"

    def logs(self, name: str) -> Path:
        return self.workdir / "logs" / f"{name}.log"

    async def start(self, services: Iterable[ServiceName] = SERVICES) -> None:
        """Start `services` (in pipeline order) and wait for the sample site and the API to answer."""
        wanted = list(services)
        self.workdir.mkdir(parents=True, exist_ok=True)
        await ensure_topics(self.settings)
        if "sample-site" in wanted and self.with_sample_site:
            self.spawn("sample-site")
            await self.wait_http(self.sample_site_url + "/robots.txt", what="the sample site")
        self._write_sources()
        for name in ("api", "enricher", "scraper"):
            if name in wanted:
                self.spawn(name)  # type: ignore[arg-type]
        if "api" in wanted:
            await self.wait_http(self.api_url + "/healthz", what="the API")

    def _write_sources(self) -> None:
        sources = []
        if self.with_sample_site:
            sample = sources_for(self.sample_site_url, poll_interval=self.poll_interval).sources[0]
            sources.append(sample.model_dump(mode="json", exclude_defaults=True))
        if self.live_site is not None:
            sources.append(self.live_site.source(poll_interval=self.poll_interval))
        self.sources_file.write_text(yaml.safe_dump({"sources": sources}, sort_keys=False), encoding="utf-8")

    def _env(self, name: ServiceName) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSWIRE_")}
        env.update(
            {
                "NEWSWIRE_KAFKA_BOOTSTRAP_SERVERS": self.settings.kafka_bootstrap_servers,
                "NEWSWIRE_KAFKA_IDEMPOTENCE": str(self.settings.kafka_idempotence).lower(),
                "NEWSWIRE_TOPIC_PREFIX": self.settings.topic_prefix,
                "NEWSWIRE_TOPIC_PARTITIONS": str(self.settings.topic_partitions),
                "NEWSWIRE_DATA_DIR": str(self.workdir / name),
                "NEWSWIRE_LOG_FORMAT": "text",
                "PYTHONUNBUFFERED": "1",
            }
        )
        if name in self.metrics_ports:
            env["NEWSWIRE_METRICS_PORT"] = str(self.metrics_ports[name])
        if name == "scraper":
            env["NEWSWIRE_PER_HOST_CONCURRENCY"] = "8"
            env["NEWSWIRE_PER_HOST_DELAY"] = "0"
        if name == "enricher":
            env["NEWSWIRE_WORKERS"] = str(self.enricher_workers)
        if name == "api":
            env["NEWSWIRE_API_PORT"] = str(self.api_port)
            env["NEWSWIRE_API_RATE_LIMIT"] = "0"
            env["NEWSWIRE_API_MAX_STREAMS_PER_CLIENT"] = "0"
            if self.database_url:
                env["NEWSWIRE_DATABASE_URL"] = self.database_url
        env.update(self.extra_env)
        return env

    def _argv(self, name: ServiceName) -> list[str]:
        if name == "sample-site":
            # No live newsroom unless asked: the fault tests expect the fixed articles (new ones come from `live_site`).
            pace = str(self.newsroom_pace)
            return ["sample-site", "--port", str(self.sample_site_port), "--slow-seconds", "1", "--pace", pace]
        if name == "scraper":
            return ["scrape", "--sources", str(self.sources_file)]
        if name == "enricher":
            return ["enrich"]
        return ["api"]

    def spawn(self, name: ServiceName) -> None:
        """Start (or start again) one service; its log is appended to `logs(name)`."""
        child = ChildProcess(name=name, log_path=self.logs(name))
        child.spawn([sys.executable, "-m", "newswire.cli", *self._argv(name)], env=self._env(name))
        self.children[name] = child
        logger.info("started %s (pid %s)", name, child.pid)

    def kill(self, name: ServiceName) -> None:
        """SIGKILL the service and every process it forked, as a power cut would."""
        self.children[name].kill()
        logger.info("killed %s", name)

    def stop(self, name: ServiceName, *, timeout: float = 30.0) -> None:
        self.children[name].stop(timeout=timeout)

    def running(self, name: ServiceName) -> bool:
        child = self.children.get(name)
        return child is not None and child.running()

    def check_alive(self) -> None:
        for name, child in self.children.items():
            if not child.running():
                raise PipelineError(f"{name} exited with code {child.returncode}:\n{self.log_tail(name)}")

    def log_tail(self, name: str, lines: int = 30) -> str:
        path = self.logs(name)
        if not path.exists():
            return "(no log)"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    async def close(self) -> None:
        for stream in self.streams:
            await stream.close()
        for name in ("scraper", "sample-site", "enricher", "api"):
            if name in self.children:
                self.children[name].stop(timeout=15)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def wait_http(self, url: str, *, what: str, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient(timeout=2.0) as client:
            while True:
                try:
                    if (await client.get(url)).status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                self.check_alive()
                if time.monotonic() > deadline:
                    raise PipelineError(f"{what} did not answer {url} within {timeout:.0f} s")
                await asyncio.sleep(0.25)

    # -- what should arrive ----------------------------------------------------------------------

    async def expected_ids(self) -> dict[str, str]:
        """article id -> URL of every article the sites publish (so far), as the scraper extracts them.

        The sample site's pages are fetched and extracted here with the scraper's own function,
        so pages that are not articles (hostile, index) are not expected; the live site's are.
        """
        expected: dict[str, str] = {}
        if self.with_sample_site:
            # The running site's pages, listed from the package it serves them from.
            paths = [a.path for a in load_articles() if not a.path.startswith("/private/")]
            async with httpx.AsyncClient(timeout=10.0) as client:
                for path in paths:
                    response = await client.get(self.sample_site_url + path)
                    url = self.sample_site_url + path
                    try:
                        article = extract_article(
                            response.content, url=url, source="sample-gazette", default_language="en"
                        )
                    except ScraperError:
                        continue
                    expected[article.id] = article.canonical_url
        if self.live_site is not None:
            for item in self.live_site.visible():
                response_body = await asyncio.to_thread(_get, self.live_site.url(item.path))
                article = extract_article(response_body, url=self.live_site.url(item.path), source="live-desk")
                expected[article.id] = article.canonical_url
        return expected

    # -- what did arrive -------------------------------------------------------------------------

    async def enriched_records(self) -> list[EnrichedRecord]:
        """Every record of news.articles.enriched, from the beginning to the current end."""
        return [
            EnrichedRecord(r.partition, r.offset, r.key.decode() if r.key else "")
            for r in await self.read_topic(self.topics.enriched)
        ]

    async def read_topic(self, topic: str) -> list[ConsumerRecord[bytes, bytes]]:
        """Every record of `topic`, from the beginning to its end as of now."""
        return await read_to_end(self.settings, [topic], client_id="faults-reader")

    async def stored_ids(self) -> list[str]:
        """The id of every article the API lists, following `next_cursor` to the last page."""
        ids: list[str] = []
        cursor: str | None = None
        async with httpx.AsyncClient(base_url=self.api_url, timeout=30.0) as client:
            while True:
                params = {"limit": "200", "fields": "id"} | ({"cursor": cursor} if cursor else {})
                response = await client.get("/v1/articles", params=params)
                response.raise_for_status()
                body = response.json()
                ids += [item["id"] for item in body["items"]]
                cursor = body["next_cursor"]
                if not cursor:
                    return ids

    async def wait_stored(self, ids: set[str], *, timeout: float) -> bool:
        """Wait until the API lists every id (False at the timeout). A failing API counts as 'not yet'."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if ids <= set(await self.stored_ids()):
                    return True
            except httpx.HTTPError:
                pass
            await asyncio.sleep(1.0)
        return False

    def stream(self, *, since: datetime | None = None, fields: str = "id") -> ResumingStream:
        """An SSE client on the API that resumes with Last-Event-ID whenever its connection drops."""
        stream = ResumingStream(self.api_url, since=since, fields=fields).start()
        self.streams.append(stream)
        return stream

    async def metric(self, service: Literal["scraper", "enricher", "api"], name: str, **labels: str) -> float:
        """Sum of the series of `name` with `labels` on a service's /metrics (0 when absent)."""
        port = self.api_port if service == "api" else self.metrics_ports[service]
        async with httpx.AsyncClient(timeout=5.0) as client:
            text = (await client.get(f"http://127.0.0.1:{port}/metrics")).text
        total = 0.0
        for line in text.splitlines():
            if not line.startswith(name + "{") and not line.startswith(name + " "):
                continue
            series, value = line.rsplit(" ", 1)
            if all(f'{k}="{v}"' in series for k, v in labels.items()):
                total += float(value)
        return total


def _get(url: str) -> bytes:
    return httpx.get(url, timeout=10.0).content
