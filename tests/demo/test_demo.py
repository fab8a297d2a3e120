"""`newswire demo` as a newcomer runs it: enriched sample articles (the seed among them) reach
the dashboard's stream, and Ctrl-C leaves no process behind."""

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import orjson
import pytest

from newswire.ports import free_port
from newswire.schemas import EnrichedArticle

pytestmark = [pytest.mark.integration, pytest.mark.smoke, pytest.mark.timeout(420)]

ENGINE = os.environ.get("NEWSWIRE_TEST_BROKER", "kafka")


def processes_of(data_dir: Path) -> list[str]:
    """Live processes that belong to this demo: its data dir is in their environment or command line."""
    marker = str(data_dir).encode()
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            named = marker in (proc / "environ").read_bytes() or marker in (proc / "cmdline").read_bytes()
            if named and (proc / "stat").read_text().split()[2] != "Z":
                found.append((proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"))
        except OSError:
            continue
    return found


def test_demo_streams_the_seed_article_and_stops_cleanly(tmp_path: Path, seed_text: str) -> None:
    api_port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("NEWSWIRE_")},
        "NEWSWIRE_DATA_DIR": str(tmp_path / "demo"),
        "NEWSWIRE_API_PORT": str(api_port),
        "NEWSWIRE_BROKER_PORT": str(free_port()),
        "NEWSWIRE_SAMPLE_SITE_PORT": str(free_port()),
        "NEWSWIRE_SCRAPER_METRICS_PORT": str(free_port()),
        "NEWSWIRE_ENRICHER_METRICS_PORT": str(free_port()),
        "NEWSWIRE_BROKER_ENGINE": ENGINE,
    }
    started = time.monotonic()
    demo = subprocess.Popen(
        [sys.executable, "-m", "newswire.cli", "demo"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    output: list[str] = []
    try:
        assert demo.stdout is not None
        for raw in demo.stdout:
            output.append(raw.decode(errors="replace"))
            if "Press Ctrl-C" in output[-1]:
                break
        text = "".join(output)
        assert demo.poll() is None, f"the demo exited:\n{text}"
        dashboard = re.search(r"dashboard\s+(http://\S+)", text)
        assert dashboard and dashboard.group(1) == f"http://127.0.0.1:{api_port}/", text

        seed = _wait_for_seed_on_stream(f"http://127.0.0.1:{api_port}/v1/stream", seed_text, timeout=240)
        seconds_to_seed = time.monotonic() - started
        print(f"demo ({ENGINE}): seed article on /v1/stream {seconds_to_seed:.0f} s after start")
        names = {e.name for e in seed.entities}
        assert {"Kassym-Jomart Tokayev", "Shehbaz Sharif"} <= names
        assert set(seed.countries[:2]) == {"PK", "KZ"}  # the page title puts Kazakhstan first
        page = httpx.get(f"http://127.0.0.1:{api_port}/", timeout=10)
        assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    finally:
        demo.send_signal(signal.SIGINT)
        try:
            rest, _ = demo.communicate(timeout=90)
        except subprocess.TimeoutExpired:
            demo.kill()
            rest, _ = demo.communicate()
        output.append(rest.decode(errors="replace"))
    assert demo.returncode == 0, "".join(output)
    assert processes_of(tmp_path / "demo") == []


def _wait_for_seed_on_stream(url: str, seed_text: str, *, timeout: float) -> EnrichedArticle:
    lead = seed_text.split(":", 1)[1].strip()[:60]  # the seed's first words after its dateline
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with httpx.stream("GET", url, timeout=httpx.Timeout(10, read=30)) as response:
                response.raise_for_status()
                for line in response.iter_lines():
                    if time.monotonic() > deadline:
                        break
                    if line.startswith("data:"):
                        article = EnrichedArticle.model_validate(orjson.loads(line[5:]))
                        if lead in article.text:
                            return article
        except httpx.HTTPError:
            time.sleep(1)
    raise AssertionError(f"the seed article did not reach {url} within {timeout:.0f} s")
