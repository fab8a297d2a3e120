"""`/healthz` (the process answers), `/readyz` (Kafka reachable and store ready), `/metrics`."""

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from ..deps import StateDep
from ..errors import StoreError
from ..models import ErrorDetail, Health, Readiness

__all__ = ["router"]

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="Liveness")
async def healthz() -> Health:
    return Health(status="ok")


@router.get("/readyz", summary="Readiness", responses={503: {"model": Readiness, "description": "not ready"}})
async def readyz(state: StateDep) -> JSONResponse:
    kafka = await state.consumer.reachable()
    store = state.store.ready
    if store:
        try:
            await state.store.ping()
        except StoreError:
            store = False
    missing = [name for name, ok in (("Kafka is not reachable", kafka), ("the store is not ready", store)) if not ok]
    body = Readiness(
        status="not ready" if missing else "ready",
        error=ErrorDetail(code="not_ready", message="; ".join(missing)) if missing else None,
        kafka=kafka,
        store=store,
        store_backend=state.store.backend,
        stream_clients=state.hub.clients,
    )
    return JSONResponse(body.model_dump(exclude_none=True), status_code=503 if missing else 200)


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
async def metrics(state: StateDep) -> Response:
    return Response(generate_latest(state.metrics.registry), media_type=CONTENT_TYPE_LATEST)
