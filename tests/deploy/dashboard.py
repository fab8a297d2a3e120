"""The provisioned Grafana dashboard, read as Grafana would: its panels and their PromQL queries."""

import json
import re
from pathlib import Path
from typing import Any

__all__ = ["DASHBOARD", "load_dashboard", "panels", "queries", "resolve_variables"]

DASHBOARD = Path(__file__).resolve().parents[2] / "deploy" / "grafana" / "dashboards" / "newswire.json"


def load_dashboard() -> dict[str, Any]:
    return json.loads(DASHBOARD.read_text())


def panels(dashboard: dict[str, Any]) -> list[dict[str, Any]]:
    """Every panel that queries, rows' nested panels included."""
    found = []
    for panel in dashboard["panels"]:
        found.append(panel)
        found.extend(panel.get("panels", []))  # panels inside collapsed rows
    return [p for p in found if p["type"] != "row"]


def queries(dashboard: dict[str, Any]) -> dict[str, str]:
    """`<panel title>/<refId>` -> PromQL expression."""
    return {
        f"{panel['title']}/{target['refId']}": target["expr"]
        for panel in panels(dashboard)
        for target in panel["targets"]
    }


def resolve_variables(expr: str, *, interval: str = "1m") -> str:
    """The query as Grafana sends it, with its interval variables ($__rate_interval, ...) filled in."""
    return re.sub(r"\$__\w+", interval, expr)
