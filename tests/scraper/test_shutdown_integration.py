"""`newswire scrape` as operators run it: SIGTERM mid-crawl exits cleanly, a restart finishes the job."""

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import yaml

from newswire.kafka import ensure_topics
from newswire.ports import free_port
from newswire.schemas import article_id
from newswire.scraper.sample_site import SampleSite, sources_for
from newswire.settings import CommonSettings

from .kafka_reading import key_counts, read_raw

pytestmark = pytest.mark.integration


def _published(metrics_url: str) -> float:
    try:
        body = httpx.get(metrics_url, timeout=2).text
    except httpx.HTTPError:
        return 0.0
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in body.splitlines()
        if line.startswith("newswire_articles_published_total{")
    )


async def test_sigterm_mid_crawl_then_restart_publishes_everything_once(
    sample_site: SampleSite, kafka_settings: CommonSettings, tmp_path: Path
) -> None:
    await ensure_topics(kafka_settings)
    source = sources_for(sample_site.base_url).sources[0].model_copy(update={"request_delay": 0.25, "concurrency": 1})
    sources_file = tmp_path / "sources.yaml"
    sources_file.write_text(yaml.safe_dump({"sources": [source.model_dump(mode="json")]}))
    port = free_port()
    env = {
        **os.environ,
        "NEWSWIRE_KAFKA_BOOTSTRAP_SERVERS": kafka_settings.kafka_bootstrap_servers,
        "NEWSWIRE_KAFKA_IDEMPOTENCE": str(kafka_settings.kafka_idempotence).lower(),
        "NEWSWIRE_TOPIC_PREFIX": kafka_settings.topic_prefix,
        "NEWSWIRE_DATA_DIR": str(tmp_path / "data"),
        "NEWSWIRE_METRICS_PORT": str(port),
        "NEWSWIRE_READ_TIMEOUT": "2.5",
        "NEWSWIRE_TOTAL_TIMEOUT": "5",
        "NEWSWIRE_RETRIES": "0",
        "NEWSWIRE_PER_HOST_DELAY": "0",
    }
    command = [sys.executable, "-m", "newswire.cli", "scrape", "--sources", str(sources_file)]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while _published(f"http://127.0.0.1:{port}/metrics") < 3:
            assert process.poll() is None, process.communicate()[1][-2000:]
            assert time.monotonic() < deadline, "the scraper published nothing"
            await asyncio.sleep(0.2)
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.to_thread(process.communicate, timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, stderr[-2000:]
    assert "stopping" in stderr

    first = key_counts(await read_raw(kafka_settings))
    assert 3 <= len(first) < len(sample_site.article_paths), "SIGTERM came too late to test a restart"

    finish = subprocess.run(
        [*command, "--once"], env={**env, "NEWSWIRE_METRICS_PORT": "0"}, capture_output=True, text=True, timeout=300
    )
    assert finish.returncode == 0, finish.stderr[-2000:]
    counts = key_counts(await read_raw(kafka_settings))
    assert set(counts) == {article_id(url) for url in sample_site.article_urls}
    assert set(counts.values()) == {1}
