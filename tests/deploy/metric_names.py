"""The series names the services really export, and the metric names a PromQL expression uses.

The exported names come from the services' own metrics modules (their registries), never from a
hand-written list, so a renamed metric breaks the dashboard and alert checks at once.
"""

import re

from prometheus_client import REGISTRY, CollectorRegistry
from prometheus_client.metrics import MetricWrapperBase

__all__ = ["PROMETHEUS_SERIES", "TARGET_LABELS", "exported_labels", "exported_series", "label_names", "metric_names"]

#: Series Prometheus itself adds to every scrape target.
PROMETHEUS_SERIES = frozenset({"up", "scrape_duration_seconds", "scrape_samples_scraped"})
#: Labels Prometheus attaches to every scraped series.
TARGET_LABELS = frozenset({"job", "instance"})

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
    import newswire.enricher.metrics
    import newswire.scraper.metrics  # noqa: F401 (imported for its registrations)
    from newswire.api.metrics import Metrics

    names: set[str] = set()
    registry: CollectorRegistry
    for registry in (REGISTRY, Metrics().registry):
        for family in registry.collect():
            names.update(family.name + suffix for suffix in _SUFFIXES[family.type])
    return frozenset(names)


def exported_labels() -> dict[str, frozenset[str]]:
    """Series name -> the label names the service gives it (`le` included on histogram buckets)."""
    import newswire.enricher.metrics as enricher
    import newswire.scraper.metrics as scraper
    from newswire.api.metrics import Metrics

    labels: dict[str, frozenset[str]] = {}
    for namespace in (vars(scraper), vars(enricher), vars(Metrics())):
        for metric in namespace.values():
            if not isinstance(metric, MetricWrapperBase):
                continue
            # prometheus_client keeps a metric's declared label names only in private attributes.
            own = frozenset(metric._labelnames)
            for suffix in _SUFFIXES[metric._type]:
                labels[metric._name + suffix] = own | ({"le"} if suffix == "_bucket" else set())
    return labels


def label_names(expr: str) -> set[str]:
    """Label names an expression groups by or matches on."""
    text = _STRING.sub('""', expr)
    names: set[str] = set()
    for grouping in re.findall(r"\b(?:by|without)\s*\(([^)]*)\)", text):
        names.update(part.strip() for part in grouping.split(",") if part.strip())
    for matchers in re.findall(r"\{([^}]*)\}", text):
        names.update(re.findall(r"([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)", matchers))
    return names


def metric_names(expr: str) -> set[str]:
    """Metric names selected by a PromQL expression (label names, functions and keywords left out)."""
    text = _STRING.sub('""', expr)
    text = re.sub(r"\{[^}]*\}", "", text)  # label matchers
    text = re.sub(r"\[[^\]]*\]", "", text)  # range and subquery durations, Grafana's $__rate_interval
    text = _GROUPING.sub("", text)
    return {name for name in _IDENTIFIER.findall(text) if name.lower() not in _KEYWORDS}
