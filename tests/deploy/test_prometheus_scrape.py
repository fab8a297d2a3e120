"""A real Prometheus (Debian's package) scraping a running `newswire demo`: every newswire job is up,
the pipeline metrics have values, and the alert rules evaluate on the real series without error.

The scrape config is deploy/prometheus/prometheus.yml with its service discovery swapped for the
demo's loopback ports and a 1 s interval, so the job names are the ones the alerts select on.
"""

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from newswire.ports import free_port

from .dashboard import load_dashboard, queries, resolve_variables

pytestmark = [pytest.mark.integration, pytest.mark.timeout(900)]

REPO = Path(__file__).resolve().parents[2]
PROMETHEUS_DIR = REPO / "deploy" / "prometheus"
JOBS = ("newswire-scraper", "newswire-enricher", "newswire-api")
#: Dashboard panels that must show data once articles flow through a demo.
PANELS_WITH_DATA = (
    "Articles per second by stage",
    "Fetches by outcome",
    "Pipeline freshness",
    "Enrichment latency per article",
    "HTTP requests by status",
    "Stream clients",
)

StartPrometheus = Callable[[dict[str, str]], str]


class DemoOutput:
    """Collects the demo's output on a thread, so that reading it never blocks the test."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self.lines: list[str] = []
        self.ready = threading.Event()
        self._thread = threading.Thread(target=self._pump, args=(process,), daemon=True)
        self._thread.start()

    def _pump(self, process: subprocess.Popen[bytes]) -> None:
        assert process.stdout is not None
        for raw in process.stdout:
            self.lines.append(raw.decode(errors="replace"))
            if "Press Ctrl-C" in self.lines[-1]:
                self.ready.set()
        self.ready.set()  # the demo ended: stop waiting

    @property
    def text(self) -> str:
        return "".join(self.lines)


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], DemoOutput, int]]:
    """A running demo on free ports: (process, its output, API port); stopped with Ctrl-C after."""
    api_port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("NEWSWIRE_")},
        "NEWSWIRE_DATA_DIR": str(tmp_path / "demo"),
        "NEWSWIRE_API_PORT": str(api_port),
        "NEWSWIRE_BROKER_PORT": str(free_port()),
        "NEWSWIRE_SAMPLE_SITE_PORT": str(free_port()),
        "NEWSWIRE_SCRAPER_METRICS_PORT": str(free_port()),
        "NEWSWIRE_ENRICHER_METRICS_PORT": str(free_port()),
        "NEWSWIRE_BROKER_ENGINE": os.environ.get("NEWSWIRE_TEST_BROKER", "kafka"),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "newswire.cli", "demo"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    output = DemoOutput(process)
    try:
        yield process, output, api_port
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=90)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def scrape_config(targets: dict[str, str], *, self_target: str) -> dict[str, Any]:
    """deploy/prometheus/prometheus.yml pointed at these host:port targets, scraping every second."""
    config = yaml.safe_load((PROMETHEUS_DIR / "prometheus.yml").read_text())
    config["global"].update(scrape_interval="1s", evaluation_interval="1s")
    config["rule_files"] = [str(PROMETHEUS_DIR / name) for name in config["rule_files"]]
    for job in config["scrape_configs"]:
        for key in [k for k in job if k.endswith("_sd_configs") or k == "static_configs"]:
            del job[key]
        target = self_target if job["job_name"] == "prometheus" else targets[job["job_name"]]
        job["static_configs"] = [{"targets": [target]}]
    return config


@pytest.fixture
def prometheus(tmp_path: Path, prometheus_binary: str) -> Iterator[StartPrometheus]:
    """Starts Prometheus scraping the given jobs' targets; returns its base URL."""
    started: list[subprocess.Popen[bytes]] = []

    def start(targets: dict[str, str]) -> str:
        port = free_port()
        config_path = tmp_path / "prometheus.yml"
        config_path.write_text(yaml.safe_dump(scrape_config(targets, self_target=f"127.0.0.1:{port}")))
        log = (tmp_path / "prometheus.log").open("wb")
        started.append(
            subprocess.Popen(
                [
                    prometheus_binary,
                    f"--config.file={config_path}",
                    f"--storage.tsdb.path={tmp_path / 'tsdb'}",
                    f"--web.listen-address=127.0.0.1:{port}",
                    "--log.level=warn",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
        url = f"http://127.0.0.1:{port}"
        wait_for(lambda: _get(f"{url}/-/ready") is not None, what="Prometheus to be ready", timeout=60)
        return url

    yield start
    for process in started:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_prometheus_scrapes_every_service_of_the_demo(
    demo: tuple[subprocess.Popen[bytes], DemoOutput, int], prometheus: StartPrometheus
) -> None:
    process, output, api_port = demo
    assert output.ready.wait(timeout=300), f"the demo did not print its URLs within 300 s:\n{output.text}"
    assert process.poll() is None, f"the demo exited:\n{output.text}"
    ports = dict(
        re.findall(r"^\s+(scraper|enricher) metrics\s+http://127\.0\.0\.1:(\d+)/metrics$", output.text, re.MULTILINE)
    )
    assert set(ports) == {"scraper", "enricher"}, output.text
    targets = {
        "newswire-scraper": f"127.0.0.1:{ports['scraper']}",
        "newswire-enricher": f"127.0.0.1:{ports['enricher']}",
        "newswire-api": f"127.0.0.1:{api_port}",
    }
    url = prometheus(targets)

    up = wait_for(
        lambda: _all_up(url), what="every newswire job to be up in Prometheus", timeout=120, demo=(process, output)
    )
    assert up == {job: "1" for job in JOBS}

    # Faust joins its group and spaCy loads before the first article is enriched.
    enriched = wait_for(
        lambda: _scalar(url, "sum(newswire_articles_enriched_total)"),
        what="enriched articles in Prometheus", timeout=400, demo=(process, output),
    )  # fmt: skip
    assert enriched > 0
    observed = wait_for(
        lambda: _scalar(url, "sum(newswire_pipeline_freshness_seconds_count)"),
        what="freshness observations in Prometheus", timeout=60, demo=(process, output),
    )  # fmt: skip
    assert observed > 0
    print(f"prometheus: {enriched:.0f} articles enriched, {observed:.0f} freshness observations scraped")
    # The histogram is whole: its +Inf bucket counts every observation (one scrape, one instant).
    difference = (
        'sum(newswire_pipeline_freshness_seconds_bucket{le="+Inf"}) - sum(newswire_pipeline_freshness_seconds_count)'
    )
    assert _scalar(url, difference) == 0.0 and _query(url, difference)
    assert _scalar(url, "sum(newswire_articles_published_total)") > 0
    assert _scalar(url, 'sum(newswire_http_requests_total{route="/healthz"})') > 0

    # Every dashboard query runs on the real series; the pipeline's panels show data.
    for where, expr in queries(load_dashboard()).items():
        answer = httpx.get(f"{url}/api/v1/query", params={"query": resolve_variables(expr)}, timeout=10).json()
        assert answer["status"] == "success", (where, answer)
        if where.rsplit("/", 1)[0] in PANELS_WITH_DATA:
            assert answer["data"]["result"], f"the dashboard panel {where} shows no data: {expr}"

    # Every alert rule evaluated against the real series (a bad join or type error shows here).
    groups = wait_for(lambda: _evaluated_rule_groups(url), what="the alert rules to be evaluated", timeout=60)
    for group in groups:
        for rule in group["rules"]:
            assert rule["health"] == "ok", (rule["name"], rule.get("lastError"))
    # Pending alerts are not firing: one scrape slowed past its 1 s timeout on a busy machine
    # makes `up` 0 for a moment, which the rules' `for:` is there to ride out.
    alerts = _get(f"{url}/api/v1/alerts")["data"]["alerts"]
    firing = {a["labels"]["alertname"] for a in alerts if a["state"] == "firing"}
    assert not {"NewswireTargetDown", "NewswireEnricherMissing"} & firing


def wait_for(
    probe: Callable[[], Any],
    *,
    what: str,
    timeout: float,
    demo: tuple[subprocess.Popen[bytes], DemoOutput] | None = None,
) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        if demo is not None and demo[0].poll() is not None:
            raise AssertionError(f"the demo exited while waiting for {what}:\n{demo[1].text}")
        time.sleep(1)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def _get(url: str, **params: str) -> Any:
    try:
        response = httpx.get(url, params=params, timeout=10)
    except httpx.HTTPError:
        return None
    if response.status_code != 200:
        return None
    return response.json() if "json" in response.headers.get("content-type", "") else response.text


def _query(url: str, promql: str) -> list[dict[str, Any]]:
    answer = _get(f"{url}/api/v1/query", query=promql)
    return answer["data"]["result"] if answer else []


def _scalar(url: str, promql: str) -> float:
    result = _query(url, promql)
    return float(result[0]["value"][1]) if result else 0.0


def _all_up(url: str) -> dict[str, str] | None:
    up = {r["metric"]["job"]: r["value"][1] for r in _query(url, 'up{job=~"newswire-.+"}')}
    return up if up == {job: "1" for job in JOBS} else None


def _evaluated_rule_groups(url: str) -> list[dict[str, Any]] | None:
    answer = _get(f"{url}/api/v1/rules")
    groups = answer["data"]["groups"] if answer else []
    rules = [rule for group in groups for rule in group["rules"]]
    return groups if rules and all(rule["health"] != "unknown" for rule in rules) else None
