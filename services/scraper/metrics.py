"""The scraper's Prometheus metrics: prefix `newswire_scraper_`, and `newswire_articles_published_total`.

Served on the scraper's own port (`metrics_port`, default 9101) at `/metrics`.
"""

import logging

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram, start_http_server

__all__ = [
    "ARTICLES_PUBLISHED",
    "BAD_DATES",
    "BYTES",
    "DUPLICATES",
    "EXTRACTION_FAILURES",
    "FETCHES",
    "FETCH_SECONDS",
    "PAGES_SKIPPED",
    "PENDING_URLS",
    "POLLS",
    "PUBLISH_ERRORS",
    "ROBOTS_REFUSALS",
    "serve_metrics",
]

logger = logging.getLogger(__name__)

FETCHES = Counter(
    "newswire_scraper_fetches_total",
    "HTTP fetches by source and outcome (ok, not_modified, timeout, too_large, ...)",
    ["source", "outcome"],
)
FETCH_SECONDS = Histogram(
    "newswire_scraper_fetch_seconds",
    "Time to fetch a URL, from asking to the last byte: politeness waits, redirects and retries included",
    ["source"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120),
)
BYTES = Counter("newswire_scraper_bytes_total", "Response body bytes received", ["source"])
ARTICLES_PUBLISHED = Counter(
    "newswire_articles_published_total", "Articles acknowledged by the broker on the raw topic", ["source"]
)
DUPLICATES = Counter(
    "newswire_scraper_duplicates_total",
    "Articles not published again: same canonical URL and text, or same text elsewhere",
    ["source", "reason"],
)
ROBOTS_REFUSALS = Counter(
    "newswire_scraper_robots_refusals_total", "URLs not fetched because robots.txt disallows them", ["source"]
)
EXTRACTION_FAILURES = Counter(
    "newswire_scraper_extraction_failures_total", "Pages that could not be turned into an article", ["source", "reason"]
)
PAGES_SKIPPED = Counter(
    "newswire_scraper_pages_skipped_total",
    "Pages skipped because they are not articles (index pages, too little text)",
    ["source", "reason"],
)
PUBLISH_ERRORS = Counter(
    "newswire_scraper_publish_errors_total", "Failed attempts to publish to Kafka (retried)", ["source"]
)
BAD_DATES = Counter(
    "newswire_scraper_bad_dates_total",
    "Sitemap entries whose date was unreadable or out of range: kept without a date",
    ["source"],
)
POLLS = Counter("newswire_scraper_polls_total", "Completed polls of a source", ["source"])
PENDING_URLS = Gauge("newswire_scraper_pending_urls", "URLs discovered and not yet finished", ["source"])


def serve_metrics(port: int, *, host: str = "127.0.0.1", registry: CollectorRegistry = REGISTRY) -> None:
    """Start the /metrics endpoint in a daemon thread; port 0 disables it."""
    if port == 0:
        logger.info("metrics endpoint disabled (metrics_port=0)")
        return
    start_http_server(port, addr=host, registry=registry)
    logger.info("metrics on http://%s:%s/metrics", host, port)
