"""The provisioned Grafana dashboard: every query parses and names only series the services export,
and the dashboard shows what an operator needs (throughput per stage, freshness, latency, lag,
dead letters, stream clients, HTTP errors)."""

import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from .dashboard import load_dashboard, panels, resolve_variables
from .dashboard import queries as dashboard_queries
from .metric_names import PROMETHEUS_SERIES, TARGET_LABELS, exported_labels, exported_series, label_names, metric_names

REPO = Path(__file__).resolve().parents[2]
GRAFANA = REPO / "deploy" / "grafana"


@pytest.fixture(scope="module")
def dashboard() -> dict[str, Any]:
    return load_dashboard()


@pytest.fixture(scope="module")
def queries(dashboard: dict[str, Any]) -> dict[str, str]:
    return dashboard_queries(dashboard)


def test_every_panel_has_a_query(dashboard: dict[str, Any]) -> None:
    assert len(panels(dashboard)) >= 10
    for panel in panels(dashboard):
        assert panel["targets"], panel["title"]
        assert all(target["expr"].strip() for target in panel["targets"]), panel["title"]


def test_every_query_names_only_series_the_services_export(queries: dict[str, str]) -> None:
    exported = exported_series()
    assert "newswire_articles_enriched_total" in exported  # the collection itself works
    for where, expr in queries.items():
        names = metric_names(expr)
        assert names, f"{where}: no metric in {expr!r}"
        unknown = names - exported - PROMETHEUS_SERIES
        assert not unknown, f"{where}: {sorted(unknown)} are not exported by any service ({expr!r})"


def test_every_query_groups_and_filters_by_labels_the_series_have(queries: dict[str, str]) -> None:
    # A typo in `by (...)` silently collapses a panel to one line; in a matcher it empties it.
    labels = exported_labels()
    for where, expr in queries.items():
        available = set(TARGET_LABELS).union(*(labels.get(name, frozenset()) for name in metric_names(expr)))
        unknown = label_names(expr) - available
        assert not unknown, f"{where}: no series in {expr!r} has the labels {sorted(unknown)}"


def test_histograms_are_queried_through_their_buckets(queries: dict[str, str]) -> None:
    for where, expr in queries.items():
        if "histogram_quantile" in expr:
            assert all(name.endswith("_bucket") for name in metric_names(expr)), where


def test_every_query_is_valid_promql(queries: dict[str, str], tmp_path: Path, promtool: str) -> None:
    # promtool parses recording-rule expressions: Grafana's interval variable becomes a duration.
    rules = {
        "groups": [
            {
                "name": "dashboard",
                "rules": [
                    {"record": f"dashboard:query{i}", "expr": resolve_variables(expr)}
                    for i, expr in enumerate(queries.values())
                ],
            }
        ]
    }
    path = tmp_path / "dashboard-queries.yml"
    path.write_text(yaml.safe_dump(rules))
    result = subprocess.run(
        [promtool, "check", "rules", str(path)], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("need", "series"),
    [
        ("articles scraped", "newswire_articles_published_total"),
        ("articles enriched", "newswire_articles_enriched_total"),
        ("articles stored by the API", "newswire_api_articles_consumed_total"),
        ("events sent to stream clients", "newswire_stream_events_sent_total"),
        ("pipeline freshness", "newswire_pipeline_freshness_seconds_bucket"),
        ("enrichment latency", "newswire_enrichment_seconds_bucket"),
        ("consumer lag", "newswire_consumer_lag"),
        ("dead letters", "newswire_dead_letters_total"),
        ("stream clients", "newswire_stream_clients"),
        ("HTTP requests by status", "newswire_http_requests_total"),
        ("fetch outcomes", "newswire_scraper_fetches_total"),
    ],
)
def test_the_dashboard_shows(need: str, series: str, queries: dict[str, str]) -> None:
    assert any(series in metric_names(expr) for expr in queries.values()), f"no panel shows {need}"


def test_http_errors_are_shown_as_5xx(queries: dict[str, str]) -> None:
    assert any('status=~"5.."' in expr for expr in queries.values())


def test_panels_use_the_provisioned_datasource(dashboard: dict[str, Any]) -> None:
    provisioned = yaml.safe_load((GRAFANA / "provisioning" / "datasources" / "prometheus.yml").read_text())
    [source] = provisioned["datasources"]
    assert source["type"] == "prometheus" and source["url"] == "http://prometheus:9090"
    for panel in panels(dashboard):
        for ref in (panel["datasource"], *(t["datasource"] for t in panel["targets"])):
            assert ref == {"type": "prometheus", "uid": source["uid"]}, panel["title"]


def test_panels_do_not_overlap(dashboard: dict[str, Any]) -> None:
    cells: dict[tuple[int, int], str] = {}
    for panel in dashboard["panels"]:
        pos = panel["gridPos"]
        assert pos["x"] + pos["w"] <= 24, panel["title"]
        for x in range(pos["x"], pos["x"] + pos["w"]):
            for y in range(pos["y"], pos["y"] + pos["h"]):
                assert (x, y) not in cells, f"{panel['title']} overlaps {cells[(x, y)]}"
                cells[(x, y)] = panel["title"]


def test_ids_are_unique(dashboard: dict[str, Any]) -> None:
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids))
