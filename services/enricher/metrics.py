"""Prometheus metrics of the enricher, served on `metrics_port` (default 9102)."""

import logging
from typing import Literal

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram, start_http_server

__all__ = [
    "ARTICLES_ENRICHED",
    "ARTICLES_UNREAD",
    "BATCH_SIZE",
    "CONSUMER_LAG",
    "DEAD_LETTERS",
    "ENRICHMENT_SECONDS",
    "ENRICH_FAILURES",
    "FRESHNESS_SECONDS",
    "TOPIC_ARTICLES",
    "FailureReason",
    "serve_metrics",
]

logger = logging.getLogger(__name__)

#: Why a message did not become an enriched article; also the `reason` label of the dead-letter counter.
#: decode: not UTF-8 JSON; schema: not a valid RawArticle; enrichment: the NLP raised (or killed
#: its process); publish: the producer refused the enriched article (too large for a record).
FailureReason = Literal["decode", "schema", "enrichment", "publish"]

ARTICLES_ENRICHED = Counter("newswire_articles_enriched_total", "Articles enriched and published")
ENRICH_FAILURES = Counter(
    "newswire_enrich_failures_total", "Messages that could not be enriched, by reason", ["reason"]
)
DEAD_LETTERS = Counter("newswire_dead_letters_total", "Messages sent to the dead-letter topic, by reason", ["reason"])
ENRICHMENT_SECONDS = Histogram(
    "newswire_enrichment_seconds",
    "NLP time per article (batch time divided by batch size)",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
FRESHNESS_SECONDS = Histogram(
    "newswire_pipeline_freshness_seconds",
    "Time from published_at (or fetched_at when unknown) to enriched_at",
    buckets=(1, 5, 15, 30, 60, 300, 900, 3600, 6 * 3600, 24 * 3600, 7 * 24 * 3600),
)
BATCH_SIZE = Histogram(
    "newswire_enrich_batch_size", "Messages per batch taken from the stream", buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256)
)
CONSUMER_LAG = Gauge(
    "newswire_consumer_lag", "Messages not yet consumed (highwater - position), per partition", ["topic", "partition"]
)
ARTICLES_UNREAD = Counter(
    "newswire_articles_unread_total",
    "Articles passed through without entities or topics: not in a language the enricher reads, by language "
    "(ISO 639-1 as declared, 'und' when the text is not English and declares no other language)",
    ["language"],
)
TOPIC_ARTICLES = Counter("newswire_topic_articles_total", "Articles published to news.topics.<id>", ["topic"])


def serve_metrics(port: int, *, registry: CollectorRegistry = REGISTRY) -> None:
    """Serve /metrics on 0.0.0.0:`port` in a daemon thread; port 0 means no endpoint."""
    if port == 0:
        return
    start_http_server(port, registry=registry)
    logger.info("metrics on http://0.0.0.0:%s/metrics", port)
