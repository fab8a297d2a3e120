"""The API app factory: `create_app(settings)` wires settings, store, consumer, hub and routers."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles

from .abort import AbortMiddleware
from .connections import Connections
from .consumer import EnrichedConsumer
from .deps import authorize
from .errors import install_error_handlers
from .hub import StreamHub
from .metrics import Metrics, MetricsMiddleware
from .ratelimit import RateLimiter
from .routes import articles, auth, dashboard, docs, entities, health, stream, topics
from .settings import Settings
from .state import ApiState
from .store import Store
from .supervisor import Supervisor

__all__ = ["create_app"]

logger = logging.getLogger(__name__)

DESCRIPTION = """The world's news as a live, enriched stream: articles with entities, topics and countries.

REST queries over the stored articles, a resumable Server-Sent Events stream (`/v1/stream`) and a
WebSocket (`/v1/ws`) with the same filters, and a live dashboard at `/`.
"""


def create_app(settings: Settings | None = None, *, consume: bool = True) -> FastAPI:
    """The API for `settings`; `consume=False` leaves Kafka alone (tests feed events in directly)."""
    settings = settings or Settings()
    metrics = Metrics()
    store = Store.open(
        database_url=settings.database_url, data_dir=settings.data_dir, topic_min_score=settings.api_topic_min_score
    )
    hub = StreamHub(
        metrics, queue_size=settings.api_client_queue_size, slow_client_grace=settings.api_slow_client_grace_seconds
    )
    state = ApiState(
        settings=settings,
        metrics=metrics,
        store=store,
        hub=hub,
        consumer=EnrichedConsumer(settings, store=store, hub=hub, metrics=metrics),
        limiter=RateLimiter(rate=settings.api_rate_limit, burst=settings.api_rate_burst),
        auth_limiter=RateLimiter(rate=settings.api_auth_failure_rate, burst=settings.api_auth_failure_burst),
        connections=Connections(),
        supervisor=Supervisor(on_restart=lambda name: metrics.consumer_restarts.labels(name).inc()),
        consume=consume,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await store.start()
        # Streams may be opened (and resumed) before the consumer reaches Kafka: they start from
        # what the store holds, so a resume right after a restart replays from the store, no gap.
        hub.reset(await store.positions(state.consumer.topic))
        # Supervised: restarted after any failure (a broker outage of any length), and /healthz
        # fails if one ever ends for good.
        if consume:
            state.supervisor.start("consumer", state.consumer.run)
        state.supervisor.start("heartbeats", lambda: hub.run_heartbeats(settings.api_heartbeat_seconds))
        try:
            yield
        finally:
            hub.shutdown()
            await state.supervisor.stop()
            await state.consumer.stop()
            store.close()

    app = FastAPI(
        title="newswire",
        version="1",
        description=DESCRIPTION,
        lifespan=lifespan,
        # Swagger UI and ReDoc come from routes/docs.py, with their files installed locally (no CDN).
        docs_url=None,
        redoc_url=None,
    )
    app.state.newswire = state
    install_error_handlers(app)
    protected = [Depends(authorize)]
    for router in (articles.router, topics.router, entities.router, stream.router):
        app.include_router(router, dependencies=protected)
    app.include_router(health.router)
    app.include_router(auth.router)
    app.include_router(dashboard.router)
    app.include_router(docs.router)
    app.mount(docs.ASSETS_PATH, docs.assets(), name="docs-static")
    app.mount("/static", StaticFiles(directory=dashboard.STATIC_DIR), name="static")
    if settings.api_cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.api_cors_origins,
            allow_methods=["GET"],
            allow_headers=["Authorization", "X-API-Key", "Last-Event-ID"],
            max_age=600,
        )
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    app.add_middleware(AbortMiddleware)
    return app
