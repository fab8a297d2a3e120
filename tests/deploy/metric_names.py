"""The series names the services really export, and the metric names a PromQL expression uses.

The exported names come from the services' own metrics modules (their registries), never from a
hand-written list, so a renamed metric breaks the dashboard and alert checks at once.
"""

import re

from prometheus_client import REGISTRY, CollectorRegistry

__all__ = ["PROMETHEUS_SERIES", "exported_series", "metric_names"]

#: Series Prometheus itself adds to every scrape target.
PROMETHEUS_SERIES = frozenset({"up", "scrape_duration_seconds", "scrape_samples_scraped"})

# What a metric family of each type exposes in the text format.
_SUFFIXES: dict[str, tuple[str, ...]] = {
    "counter": ("_total", "_created"),
    "gauge": ("",),
    "histogram": ("_bucket", "_sum", "_count", "_created"),
    "summary": ("", "_sum", "_count", "_created"),
    "info": ("_info",),
    "stateset": ("",),
    "enum": ("",),
    "unknown": ("",),
}

_KEYWORDS = frozenset(
    {"and", "or", "unless", "bool", "offset", "by", "without", "on", "ignoring", "group_left", "group_right",
     "inf", "nan", "atan2"}
)  # fmt: skip
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`')
_GROUPING = re.compile(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")
_IDENTIFIER = re.compile(r"(?<![\w.:$])([a-zA-Z_:][a-zA-Z0-9_:]*)(?![\w:])(?!\s*\()")


def exported_series() -> frozenset[str]:
    """Every series name the scraper, enricher and API expose on /metrics."""
    # Imported here: importing registers the scraper's and enricher's metrics on the default
    # registry, which is what their /metrics endpoints serve; the API keeps a registry per app.
    import newswire.enricher.metrics  # noqa: F401
    import newswire.scraper.metrics  # noqa: F401
    from newswire.api.metrics import Metrics

    names: set[str] = set()
    registry: CollectorRegistry
    for registry in (REGISTRY, Metrics().registry):
        for family in registry.collect():
            names.update(family.name + suffix for suffix in _SUFFIXES[family.type])
    return frozenset(names)


def metric_names(expr: str) -> set[str]:
    """Metric names selected by a PromQL expression (label names, functions and keywords left out)."""
    text = _STRING.sub('""', expr)
    text = re.sub(r"\{[^}]*\}", "", text)  # label matchers
    text = re.sub(r"\[[^\]]*\]", "", text)  # range and subquery durations, Grafana's $__rate_interval
    text = _GROUPING.sub("", text)
    return {name for name in _IDENTIFIER.findall(text) if name.lower() not in _KEYWORDS}
