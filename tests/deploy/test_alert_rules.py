"""deploy/prometheus: the config and rules load in promtool, every alert's unit tests pass, every
alert has a case that fires and one that stays quiet, and the rules select real series and jobs."""

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from .metric_names import PROMETHEUS_SERIES, TARGET_LABELS, exported_labels, exported_series, label_names, metric_names

REPO = Path(__file__).resolve().parents[2]
PROMETHEUS = REPO / "deploy" / "prometheus"
ALERTS = PROMETHEUS / "alerts.yml"
RULE_TESTS = sorted((PROMETHEUS / "tests").glob("*.yml"))

#: What issue 6 asks the rules to catch -> the alert that does.
REQUIRED_ALERTS = {
    "scraper failing for a source": "NewswireScraperSourceFailing",
    "no articles published for 15 min": "NewswireNoArticlesPublished",
    "enricher consumer lag growing": "NewswireEnricherLagGrowing",
    "dead letters rising": "NewswireDeadLettersRising",
    "pipeline freshness p95 above 5 min": "NewswireFreshnessSlow",
    "API 5xx ratio": "NewswireApiErrors",
    "a target down": "NewswireTargetDown",
}


def alert_rules() -> list[dict[str, Any]]:
    groups = yaml.safe_load(ALERTS.read_text())["groups"]
    return [rule for group in groups for rule in group["rules"] if "alert" in rule]


def run(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, timeout=120, cwd=PROMETHEUS, check=False)


def test_promtool_checks_the_rules(promtool: str) -> None:
    result = run(promtool, "check", "rules", str(ALERTS))
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"SUCCESS: {len(alert_rules())} rules found" in result.stdout


def test_promtool_checks_the_scrape_config(promtool: str) -> None:
    result = run(promtool, "check", "config", str(PROMETHEUS / "prometheus.yml"))
    assert result.returncode == 0, result.stdout + result.stderr


def test_promtool_unit_tests_pass(promtool: str) -> None:
    assert RULE_TESTS, "no rule tests in deploy/prometheus/tests"
    result = run(promtool, "test", "rules", *map(str, RULE_TESTS))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


def test_the_unit_tests_fail_when_an_alert_misbehaves(promtool: str, tmp_path: Path) -> None:
    # The same tests against rules with the thresholds raised tenfold must fail: they are not vacuous.
    broken = ALERTS.read_text().replace("> 0.05", "> 0.5").replace(") > 300", ") > 3000")
    assert broken != ALERTS.read_text()
    (tmp_path / "tests").mkdir()
    (tmp_path / "alerts.yml").write_text(broken)
    for test in RULE_TESTS:
        (tmp_path / "tests" / test.name).write_text(test.read_text())
    result = run(promtool, "test", "rules", *(str(tmp_path / "tests" / t.name) for t in RULE_TESTS))
    assert result.returncode != 0
    assert "NewswireApiErrors" in result.stdout + result.stderr
    assert "NewswireFreshnessSlow" in result.stdout + result.stderr


@pytest.mark.parametrize(("need", "alert"), sorted(REQUIRED_ALERTS.items()))
def test_required_alert_exists(need: str, alert: str) -> None:
    assert alert in {rule["alert"] for rule in alert_rules()}, need


def test_every_alert_has_a_firing_and_a_quiet_case() -> None:
    fires: set[str] = set()
    quiet: set[str] = set()
    for path in RULE_TESTS:
        for case in yaml.safe_load(path.read_text())["tests"]:
            for check in case.get("alert_rule_test", []):
                (fires if check.get("exp_alerts") else quiet).add(check["alertname"])
    names = {rule["alert"] for rule in alert_rules()}
    assert names - fires == set(), "alerts never shown firing"
    assert names - quiet == set(), "alerts never shown staying quiet"


def test_every_alert_has_severity_summary_and_description() -> None:
    for rule in alert_rules():
        assert rule["labels"]["severity"] in {"warning", "critical"}, rule["alert"]
        assert rule["annotations"]["summary"] and rule["annotations"]["description"], rule["alert"]


def test_alerts_select_only_exported_series() -> None:
    exported = exported_series()
    for rule in alert_rules():
        names = metric_names(rule["expr"])
        assert names, rule["alert"]
        assert names <= exported | PROMETHEUS_SERIES, f"{rule['alert']}: {names - exported - PROMETHEUS_SERIES}"


def test_alerts_group_and_filter_by_labels_the_series_have() -> None:
    labels = exported_labels()
    for rule in alert_rules():
        available = set(TARGET_LABELS).union(*(labels.get(name, frozenset()) for name in metric_names(rule["expr"])))
        unknown = label_names(rule["expr"]) - available
        assert not unknown, f"{rule['alert']}: no series it selects has the labels {sorted(unknown)}"
        templated = set(re.findall(r"\$labels\.(\w+)", str(rule["annotations"])))
        assert templated <= available, f"{rule['alert']}: annotations use missing labels {templated - available}"


def test_alerts_name_the_jobs_of_the_scrape_config() -> None:
    config = yaml.safe_load((PROMETHEUS / "prometheus.yml").read_text())
    jobs = {job["job_name"] for job in config["scrape_configs"]}
    assert {"newswire-scraper", "newswire-enricher", "newswire-api"} <= jobs
    assert config["rule_files"] == [ALERTS.name]
    for rule in alert_rules():
        for job in _job_equalities(rule["expr"]):
            assert job in jobs, f"{rule['alert']} selects job {job!r}, which prometheus.yml does not scrape"


def test_every_alert_is_explained_in_the_operations_guide() -> None:
    guide = (REPO / "deploy" / "README.md").read_text()
    for rule in alert_rules():
        assert f"`{rule['alert']}`" in guide, f"deploy/README.md does not explain {rule['alert']}"


def _job_equalities(expr: str) -> list[str]:
    return re.findall(r'job="([^"]+)"', expr)


def test_the_operations_guide_names_only_exported_metrics() -> None:
    guide = (REPO / "deploy" / "README.md").read_text()
    named = set(re.findall(r"\b(newswire_[a-z_]+[a-z])\b", guide))
    exported = exported_series()
    assert len(named) > 15
    # The guide names histograms by their family name; counters by their `_total` series.
    families = exported | {name.removesuffix("_bucket") for name in exported}
    assert named <= families, sorted(named - families)
