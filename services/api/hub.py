"""Fan-out of the one Kafka consumer's events to every connected stream client.

Each client has a bounded queue. The hub never waits for a client: when a queue is full the
client is cut off (it gets a final error event and is disconnected) and everyone else carries on.
An event is serialised once per distinct `fields=` projection, not once per client.
"""

import asyncio
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import orjson
from fastapi.sse import format_sse_event

from newswire.schemas import EnrichedArticle

from .filters import ArticleFilter, Projection, searchable_text
from .metrics import Metrics, Transport
from .positions import Position, encode_token

__all__ = ["HEARTBEAT", "ClientState", "Signal", "StreamClient", "StreamEvent", "StreamHub", "ws_message"]

logger = logging.getLogger(__name__)

ClientState = Literal["open", "slow", "closing", "closed"]


class Signal:
    """A queue item that is not an article: a heartbeat due, or the end of the stream."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"Signal({self.name})"


HEARTBEAT = Signal("heartbeat")
END = Signal("end")


def ws_message(event: str, data: str, *, token: str | None = None) -> str:
    """One WebSocket text frame: `{"event": ..., "id": ..., "data": ...}` with `data` already JSON."""
    head = '{"event":' + orjson.dumps(event).decode()
    if token is not None:
        head += ',"id":' + orjson.dumps(token).decode()
    return head + ',"data":' + data + "}"


@dataclass(slots=True)
class StreamEvent:
    """One article event as read from Kafka, with its serialisations cached per projection."""

    partition: int
    offset: int
    article: EnrichedArticle
    data: dict[str, Any]
    body: str
    token: str
    position: Position
    _searchable: str | None = None
    _json: dict[tuple[str, ...] | None, str] = field(default_factory=dict)
    _sse: dict[tuple[str, ...] | None, bytes] = field(default_factory=dict)
    _ws: dict[tuple[str, ...] | None, str] = field(default_factory=dict)

    @property
    def searchable(self) -> str:
        if self._searchable is None:
            self._searchable = searchable_text(self.article)
        return self._searchable

    def json(self, projection: Projection) -> str:
        key = projection.key
        if key is None:
            return self.body
        text = self._json.get(key)
        if text is None:
            text = self._json[key] = orjson.dumps(projection.apply(self.data)).decode()
        return text

    def sse(self, projection: Projection) -> bytes:
        """The whole SSE frame, encoded once and shared by every client with this projection."""
        key = projection.key
        frame = self._sse.get(key)
        if frame is None:
            frame = self._sse[key] = format_sse_event(event="article", id=self.token, data_str=self.json(projection))
        return frame

    def ws(self, projection: Projection) -> str:
        key = projection.key
        frame = self._ws.get(key)
        if frame is None:
            frame = self._ws[key] = ws_message("article", self.json(projection), token=self.token)
        return frame


class StreamClient:
    """One SSE or WebSocket connection as the hub sees it."""

    def __init__(
        self,
        hub: "StreamHub",
        *,
        transport: Transport,
        owner: str,
        article_filter: ArticleFilter,
        projection: Projection,
        floor: Position,
        queue_size: int,
    ) -> None:
        self.hub = hub
        self.transport = transport
        self.owner = owner
        self.filter = article_filter
        self.projection = projection
        #: Live events below these offsets were already sent (a resume token ahead of this process).
        self.floor = floor
        self.queue: asyncio.Queue[StreamEvent | Signal] = asyncio.Queue(maxsize=queue_size)
        self.state: ClientState = "open"
        self._abort: Callable[[], None] | None = None
        self._abort_socket: Callable[[], bool] | None = None
        self._when_gone: Callable[[Callable[[], None]], bool] | None = None
        self._abort_timer: asyncio.TimerHandle | None = None

    def on_abort(self, abort: Callable[[], None]) -> None:
        """What to call to end the request when the client cannot even take its final error event."""
        self._abort = abort

    def attach_socket(
        self, *, abort: Callable[[], bool], when_gone: Callable[[Callable[[], None]], bool]
    ) -> None:
        """The server-side socket: `abort()` drops it at once (a plain close would wait for a
        write buffer that a client that reads nothing never drains); `when_gone(callback)` runs
        the callback once it is closed, or returns False if it already is."""
        self._abort_socket = abort
        self._when_gone = when_gone

    def when_socket_gone(self, callback: Callable[[], None]) -> bool:
        return self._when_gone is not None and self._when_gone(callback)

    def offer(self, event: StreamEvent) -> None:
        if self.state != "open":
            return
        if event.offset < self.floor.get(event.partition, 0):
            return
        if not self.filter.matches(event.article, searchable=event.searchable):
            return
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:
            self.hub.cut_off(self)

    def schedule_abort(self, delay: float) -> None:
        if self._abort is not None and self._abort_timer is None:
            self._abort_timer = asyncio.get_running_loop().call_later(delay, self._run_abort)

    def _run_abort(self) -> None:
        if self.state != "closed" and self._abort is not None:
            self._abort()
        if self._abort_socket is not None and self._abort_socket():
            logger.warning("stream client %s did not read its final event; connection aborted", self.owner)

    def close(self) -> None:
        """The one disconnect path: idempotent, from any side (client gone, slow, shutdown)."""
        if self.state == "closed":
            return
        cut_off = self.state == "slow"
        self.state = "closed"
        # A cut-off client's timer stays: its socket may outlive the request (uvicorn closes it
        # only once its write buffer drains) and is aborted when the grace period ends.
        if self._abort_timer is not None and not cut_off:
            self._abort_timer.cancel()
        self.hub.unregister(self)


class StreamHub:
    def __init__(self, metrics: Metrics, *, queue_size: int, slow_client_grace: float) -> None:
        self.metrics = metrics
        self.queue_size = queue_size
        self.slow_client_grace = slow_client_grace
        self.position: Position = {}
        #: The log's end per partition as last seen: a resume token beyond it is from an older log.
        self.log_end: Position = {}
        self._clients: set[StreamClient] = set()
        self._per_owner: Counter[str] = Counter()

    @property
    def clients(self) -> int:
        return len(self._clients)

    def streams_of(self, owner: str) -> int:
        return self._per_owner[owner]

    def register(
        self,
        *,
        transport: Transport,
        owner: str,
        article_filter: ArticleFilter,
        projection: Projection,
        floor: Position,
    ) -> tuple[StreamClient, Position]:
        """Add a client; returns it and the hub position at that instant (live events start there)."""
        client = StreamClient(
            self,
            transport=transport,
            owner=owner,
            article_filter=article_filter,
            projection=projection,
            floor=floor,
            queue_size=self.queue_size,
        )
        self._clients.add(client)
        self._per_owner[owner] += 1
        self.metrics.stream_clients.labels(transport).inc()
        self.metrics.stream_connections.labels(transport).inc()
        return client, dict(self.position)

    def unregister(self, client: StreamClient) -> None:
        """Stop feeding the client. Its slot under the per-client cap is given back only when its
        socket is gone: a cut-off client whose socket lingers still holds one (and is counted in
        `newswire_stream_sockets_closing` meanwhile)."""
        if client not in self._clients:
            return
        self._clients.discard(client)
        self.metrics.stream_clients.labels(client.transport).dec()
        closing = self.metrics.stream_sockets_closing.labels(client.transport)

        def gone() -> None:
            closing.dec()
            self._release(client.owner)

        if client.when_socket_gone(gone):
            closing.inc()
        else:
            self._release(client.owner)

    def _release(self, owner: str) -> None:
        self._per_owner[owner] -= 1
        if self._per_owner[owner] <= 0:
            del self._per_owner[owner]

    def reset(self, position: Position) -> None:
        """Where the consumer starts reading (the store's recorded positions)."""
        self.position = dict(position)

    def make_event(self, *, partition: int, offset: int, article: EnrichedArticle, body: bytes) -> StreamEvent:
        """Advance the hub's position past one record and build its event (not yet published)."""
        self.advance(partition, offset)
        text = body.decode("utf-8")
        return StreamEvent(
            partition=partition,
            offset=offset,
            article=article,
            data=orjson.loads(body),
            body=text,
            token=encode_token(self.position),
            position=dict(self.position),
        )

    def advance(self, partition: int, offset: int) -> None:
        if offset + 1 > self.position.get(partition, 0):
            self.position[partition] = offset + 1
        if offset + 1 > self.log_end.get(partition, 0):
            self.log_end[partition] = offset + 1

    def restart_partitions(self, partitions: list[int]) -> None:
        """The log of these partitions started again from offset 0 (topic recreated, broker data
        lost): positions and connected clients' floors from the old log no longer mean anything."""
        for partition in partitions:
            self.position[partition] = 0
            self.log_end[partition] = 0
            for client in self._clients:
                client.floor.pop(partition, None)

    def stale(self, token: Position) -> bool:
        """Whether a resume token is ahead of the log's end: it was issued for an older log."""
        if not self.log_end:
            return False
        return any(o > max(self.log_end.get(p, 0), self.position.get(p, 0)) for p, o in token.items())

    def publish(self, event: StreamEvent) -> None:
        for client in list(self._clients):
            client.offer(event)

    def cut_off(self, client: StreamClient) -> None:
        """A client's queue overflowed: stop feeding it; its stream sends a final error and ends."""
        if client.state != "open":
            return
        client.state = "slow"
        self.unregister(client)
        self.metrics.stream_slow_disconnects.labels(client.transport).inc()
        logger.warning(
            "stream client %s (%s) fell %s events behind; disconnecting it",
            client.owner,
            client.transport,
            self.queue_size,
        )
        client.schedule_abort(self.slow_client_grace)

    def shutdown(self) -> None:
        """Ask every stream to end (process stopping); clients resume elsewhere with their last id."""
        for client in list(self._clients):
            client.state = "closing"
            self.unregister(client)
            try:
                client.queue.put_nowait(END)
            except asyncio.QueueFull:
                client.schedule_abort(0)

    async def run_heartbeats(self, interval: float) -> None:
        """Every `interval`, wake each idle client to send a heartbeat. One timer for all clients is
        much cheaper than a timeout around every client's every wait."""
        while True:
            await asyncio.sleep(interval)
            for client in list(self._clients):
                if client.queue.empty():
                    client.queue.put_nowait(HEARTBEAT)
