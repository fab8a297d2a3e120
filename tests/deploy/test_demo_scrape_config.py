"""deploy/prometheus/demo.yml scrapes `newswire demo` as it runs by default: promtool accepts it, its
jobs are the ones the alerts and the dashboard select on, its targets are the demo's default ports."""

import subprocess
from pathlib import Path

import yaml

from newswire.demo import DemoSettings

PROMETHEUS = Path(__file__).resolve().parents[2] / "deploy" / "prometheus"


def load(name: str) -> dict:
    return yaml.safe_load((PROMETHEUS / name).read_text())


def test_promtool_checks_the_demo_config(promtool: str) -> None:
    result = subprocess.run(
        [promtool, "check", "config", "demo.yml"], capture_output=True, text=True, timeout=120, cwd=PROMETHEUS
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_demo_config_has_the_production_jobs_and_the_demo_ports(monkeypatch) -> None:
    for name in ("NEWSWIRE_API_PORT", "NEWSWIRE_SCRAPER_METRICS_PORT", "NEWSWIRE_ENRICHER_METRICS_PORT"):
        monkeypatch.delenv(name, raising=False)
    demo = load("demo.yml")
    assert [job["job_name"] for job in demo["scrape_configs"]] == [
        job["job_name"] for job in load("prometheus.yml")["scrape_configs"]
    ]
    assert demo["rule_files"] == load("prometheus.yml")["rule_files"]
    settings = DemoSettings()
    targets = {job["job_name"]: job["static_configs"][0]["targets"] for job in demo["scrape_configs"]}
    assert targets["newswire-scraper"] == [f"127.0.0.1:{settings.scraper_metrics_port}"]
    assert targets["newswire-enricher"] == [f"127.0.0.1:{settings.enricher_metrics_port}"]
    assert targets["newswire-api"] == [f"127.0.0.1:{settings.api_port}"]
