"""`/v1/stream` (Server-Sent Events) and `/v1/ws` (WebSocket): the live enriched stream.

Both resume from a token (`Last-Event-ID` header or `last_event_id` query) or replay from a
`since` time, then go live, with the same filters and `fields=` projection. Problems found before
the stream starts are JSON errors with their HTTP status; after that, an `error` event ends it.
"""

import logging
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Annotated

import anyio
from fastapi import APIRouter, Depends, Header, Query, Response, WebSocket, WebSocketDisconnect
from fastapi.sse import EventSourceResponse, format_sse_event
from starlette.requests import HTTPConnection

from ..abort import abort_callback
from ..deps import ArticleFilterDep, ClientDep, ProjectionDep, StateDep, utc_parameter
from ..hub import ws_message
from ..metrics import Transport
from ..positions import decode_token
from ..session import Delivery, StreamSession
from .common import ERRORS

__all__ = ["router"]

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/v1", tags=["stream"], responses=ERRORS)

#: Reconnection delay suggested to EventSource clients, in milliseconds.
RETRY_MS = 2000


def _session_dependency(transport: Transport) -> Callable[..., AsyncIterator[StreamSession]]:
    """A dependency that admits a stream client before the response starts and lets it go after."""

    async def open_session(
        conn: HTTPConnection,
        state: StateDep,
        owner: ClientDep,
        article_filter: ArticleFilterDep,
        projection: ProjectionDep,
        last_event_id_header: Annotated[
            str | None, Header(alias="Last-Event-ID", description="resume after this event id", max_length=2000)
        ] = None,
        last_event_id: Annotated[
            str | None,
            Query(description="resume after this event id (for clients that cannot set headers)", max_length=2000),
        ] = None,
        since: Annotated[
            datetime | None, Query(description="replay events from this time (ISO 8601), then go live")
        ] = None,
    ) -> AsyncIterator[StreamSession]:
        # A resume token wins over `since`: a browser's EventSource reconnects to the same URL (with
        # its `since`) and adds Last-Event-ID, and must continue where it was, not replay again.
        token = last_event_id_header or last_event_id
        since = None if token is not None else utc_parameter("since", since)
        settings = state.settings
        session = StreamSession(
            hub=state.hub,
            store=state.store,
            metrics=state.metrics,
            transport=transport,
            owner=owner,
            article_filter=article_filter,
            projection=projection,
            resume=decode_token(token) if token else None,
            since=since,
            max_streams=settings.api_max_streams_per_client,
            replay_limit=settings.api_replay_limit,
        )
        client = await session.open()
        abort = abort_callback(conn.scope)
        if abort is not None:
            client.on_abort(abort)
        connections = state.connections
        peer = _peer(conn)
        socket = connections.transport(peer)
        if socket is not None:
            client.attach_socket(
                abort=lambda: connections.abort(peer, socket),
                when_gone=lambda callback: connections.when_gone(peer, callback),
            )
        try:
            yield session
        finally:
            session.close()

    return open_session


def _peer(conn: HTTPConnection) -> tuple[str, int] | None:
    client = conn.scope.get("client")
    return (str(client[0]), int(client[1])) if client else None


SseSession = Annotated[StreamSession, Depends(_session_dependency("sse"))]
WsSession = Annotated[StreamSession, Depends(_session_dependency("ws"))]


HEARTBEAT_FRAME = format_sse_event(comment="heartbeat")


async def _sse_frames(session: StreamSession) -> AsyncIterator[bytes]:
    """The stream's bytes. A live event's frame is encoded once for all clients (see StreamEvent.sse);
    only replayed events and a client's own resume token need a frame of their own."""
    yield format_sse_event(comment="connected", retry=RETRY_MS)
    async for delivery in session.deliveries():
        if delivery.kind == "article":
            event = delivery.event
            if event is not None and delivery.token == event.token:
                yield event.sse(session.projection)
            else:
                yield format_sse_event(event="article", id=delivery.token, data_str=delivery.data)
        elif delivery.kind == "heartbeat":
            yield HEARTBEAT_FRAME
        else:
            yield format_sse_event(event="error", data_str=delivery.data)


@router.get(
    "/stream",
    # Not `response_class=EventSourceResponse`: that makes FastAPI drive the endpoint as a generator.
    response_class=Response,
    responses={
        200: {"description": "an event stream", "content": {"text/event-stream": {"schema": {"type": "string"}}}}
    },
    summary="Live articles as Server-Sent Events",
    description=(
        "Each event: `event: article`, `id:` a resume token, `data:` one EnrichedArticle (or its `fields`). "
        "A comment heartbeat comes at least every 15 s. A client too slow to keep up gets `event: error` "
        "and is disconnected; it may reconnect with its last event id."
    ),
)
async def stream(session: SseSession) -> EventSourceResponse:
    # An EventSourceResponse over pre-encoded frames rather than a generator of ServerSentEvent:
    # FastAPI would encode every item for every client, through two extra task hops each; with
    # thousands of clients the shared frame is what keeps fan-out cheap.
    return EventSourceResponse(_sse_frames(session), headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


def _ws_frame(delivery: Delivery, session: StreamSession) -> str:
    if delivery.kind == "article":
        event = delivery.event
        if event is not None and delivery.token == event.token:
            return event.ws(session.projection)
        return ws_message("article", delivery.data or "null", token=delivery.token)
    if delivery.kind == "heartbeat":
        return ws_message("heartbeat", "null")
    return ws_message("error", delivery.data or "null")


@router.websocket("/ws")
async def websocket_stream(websocket: WebSocket, session: WsSession) -> None:
    """The same events as `/v1/stream`, one JSON text frame each: `{"event", "id", "data"}`."""
    await websocket.accept()
    async with anyio.create_task_group() as tasks:
        # The client sends nothing, but its going away must end the stream now, not at the next send.
        tasks.start_soon(_until_disconnected, websocket, tasks.cancel_scope)
        try:
            async for delivery in session.deliveries():
                await websocket.send_text(_ws_frame(delivery, session))
                if delivery.kind == "error":
                    await websocket.close(code=1013, reason="slow consumer")
                    break
            else:
                await websocket.close(code=1001, reason="server going away")
        except (WebSocketDisconnect, OSError):
            logger.debug("websocket client %s went away", session.owner)
        finally:
            tasks.cancel_scope.cancel()


async def _until_disconnected(websocket: WebSocket, scope: anyio.CancelScope) -> None:
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            scope.cancel()
            return
