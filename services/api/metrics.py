"""Prometheus metrics of the API, kept in a registry per app so that apps in one process stay apart."""

import time
from dataclasses import dataclass, field
from typing import Literal

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, PlatformCollector, ProcessCollector
from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["Metrics", "MetricsMiddleware", "Transport"]

Transport = Literal["sse", "ws"]


@dataclass
class Metrics:
    registry: CollectorRegistry = field(default_factory=lambda: CollectorRegistry(auto_describe=True))

    def __post_init__(self) -> None:
        r = self.registry
        ProcessCollector(registry=r)
        PlatformCollector(registry=r)
        self.http_requests = Counter(
            "newswire_http_requests", "HTTP requests answered", ["route", "method", "status"], registry=r
        )
        self.http_seconds = Histogram(
            "newswire_http_request_seconds",
            "time from request to response start",
            ["route", "method"],
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
            registry=r,
        )
        self.stream_clients = Gauge("newswire_stream_clients", "stream clients connected", ["transport"], registry=r)
        self.stream_connections = Counter(
            "newswire_stream_connections", "stream connections accepted", ["transport"], registry=r
        )
        self.stream_events_sent = Counter(
            "newswire_stream_events_sent", "article events handed to stream clients", ["transport"], registry=r
        )
        self.stream_slow_disconnects = Counter(
            "newswire_stream_slow_disconnects",
            "stream clients cut off because their queue overflowed",
            ["transport"],
            registry=r,
        )
        self.store_write_lag = Gauge(
            "newswire_store_write_lag_seconds",
            "seconds from an event's Kafka timestamp to its write in the store (latest batch, oldest event)",
            registry=r,
        )
        self.articles_consumed = Counter(
            "newswire_api_articles_consumed", "enriched articles read from Kafka by the API", registry=r
        )
        self.articles_invalid = Counter(
            "newswire_api_articles_invalid", "records on the enriched topic that failed to decode", registry=r
        )
        self.records_set_aside = Counter(
            "newswire_api_records_set_aside",
            "enriched records the store refused after bounded retries, set aside (logged) so ingestion goes on",
            ["reason"],
            registry=r,
        )
        self.consumer_restarts = Counter(
            "newswire_api_task_restarts",
            "supervised background tasks (Kafka consumer, heartbeats) restarted after a failure",
            ["task"],
            registry=r,
        )
        self.consuming = Gauge(
            "newswire_api_consuming", "1 while the Kafka consumer is assigned and polling, else 0", registry=r
        )
        self.stream_sockets_closing = Gauge(
            "newswire_stream_sockets_closing",
            "stream clients cut off (slow) or shut down whose socket is not yet gone",
            ["transport"],
            registry=r,
        )
        self.auth_failures = Counter(
            "newswire_api_auth_failures", "requests refused for a missing or invalid API key", ["reason"], registry=r
        )
        self.auth_rate_limited = Counter(
            "newswire_api_auth_rate_limited",
            "requests refused (429) because their address failed authentication too often",
            registry=r,
        )
        for reason in ("data_error", "store_refused"):
            self.records_set_aside.labels(reason)
        for reason in ("missing", "invalid"):
            self.auth_failures.labels(reason)
        for transport in ("sse", "ws"):
            self.stream_sockets_closing.labels(transport)
            self.stream_clients.labels(transport)
            self.stream_connections.labels(transport)
            self.stream_events_sent.labels(transport)
            self.stream_slow_disconnects.labels(transport)


class MetricsMiddleware:
    """Counts requests by route template (not raw path, to bound label cardinality) and times them."""

    def __init__(self, app: ASGIApp, *, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_and_observe(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                self.metrics.http_seconds.labels(_route(scope), scope["method"]).observe(time.perf_counter() - started)
            await send(message)

        try:
            await self.app(scope, receive, send_and_observe)
        finally:
            self.metrics.http_requests.labels(_route(scope), scope["method"], str(status)).inc()


def _route(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    if isinstance(path, str):
        return path
    # Plain Starlette routes (`/openapi.json`) and mounts (`/static`) leave only their endpoint in the
    # scope; find which route owns it, so they are counted by name, not as "unmatched".
    endpoint, app = scope.get("endpoint"), scope.get("app")
    if endpoint is not None:
        for candidate in getattr(app, "routes", ()):
            if getattr(candidate, "endpoint", None) is endpoint:
                return str(candidate.path)
            if isinstance(candidate, Mount) and candidate.app is endpoint:
                return f"{candidate.path}/{{path}}"
    return "unmatched"
