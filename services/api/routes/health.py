"""`/healthz` (the process answers), `/readyz` (Kafka reachable and store ready), `/metrics`."""

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from ..deps import StateDep
from ..errors import StoreError
from ..models import ErrorDetail, Health, Readiness

__all__ = ["router"]

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="Liveness", responses={503: {"model": Health, "description": "a task died"}})
async def healthz(state: StateDep) -> JSONResponse:
    """200 while every supervised background task runs (or is being restarted after a failure);
    503 once one has ended for good: the replica can no longer do its job and should be restarted."""
    dead = state.supervisor.dead()
    if not dead:
        return JSONResponse(Health(status="ok").model_dump(exclude_none=True))
    body = Health(
        status="dead",
        error=ErrorDetail(code="task_died", message="background task(s) ended: " + ", ".join(sorted(dead))),
        dead_tasks=dead,
    )
    return JSONResponse(body.model_dump(exclude_none=True), status_code=503)


@router.get("/readyz", summary="Readiness", responses={503: {"model": Readiness, "description": "not ready"}})
async def readyz(state: StateDep) -> JSONResponse:
    consuming = state.consumer.consuming
    kafka = await state.consumer.reachable()
    store = state.store.ready
    if store:
        try:
            await state.store.ping()
        except StoreError:
            store = False
    # `reachable()` is False unless the consumer is assigned and polling: a replica whose consumer
    # is down (broker outage, restarting) is not ready, whatever the broker says now.
    kafka_problem = "Kafka is not reachable" if consuming else "the Kafka consumer is not consuming"
    missing = [name for name, ok in ((kafka_problem, kafka), ("the store is not ready", store)) if not ok]
    body = Readiness(
        status="not ready" if missing else "ready",
        error=ErrorDetail(code="not_ready", message="; ".join(missing)) if missing else None,
        kafka=kafka,
        consuming=consuming,
        store=store,
        store_backend=state.store.backend,
        stream_clients=state.hub.clients,
    )
    return JSONResponse(body.model_dump(exclude_none=True), status_code=503 if missing else 200)


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
async def metrics(state: StateDep) -> Response:
    return Response(generate_latest(state.metrics.registry), media_type=CONTENT_TYPE_LATEST)
