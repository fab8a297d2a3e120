"""One stream connection's life, shared by SSE and WebSocket: admission, replay, live events.

`open()` runs before the response starts, so its failures are ordinary JSON errors. Then
`deliveries()` replays stored articles from a resume token or a `since` time up to the hub's
position at registration, and continues with the live events queued meanwhile: no gap, no repeat.
"""

import heapq
import logging
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import orjson

from .errors import ApiError, RateLimited, error_body
from .filters import ArticleFilter, Projection
from .hub import HEARTBEAT, StreamClient, StreamEvent, StreamHub
from .metrics import Metrics, Transport
from .positions import Position, encode_token, merge
from .store import ReplayEntry, Store

__all__ = ["Delivery", "StreamSession"]

logger = logging.getLogger(__name__)

#: Stored articles fetched per query while replaying.
REPLAY_CHUNK = 100


@dataclass(frozen=True, slots=True)
class Delivery:
    """Something to send: an article (with its resume token), a heartbeat, or the final error."""

    kind: Literal["article", "heartbeat", "error"]
    token: str | None = None
    data: str | None = None
    #: The live event behind an article delivery, whose cached serialisations apply when the token matches.
    event: StreamEvent | None = None


class StreamSession:
    def __init__(
        self,
        *,
        hub: StreamHub,
        store: Store,
        metrics: Metrics,
        transport: Transport,
        owner: str,
        article_filter: ArticleFilter,
        projection: Projection,
        resume: Position | None,
        since: datetime | None,
        max_streams: int,
        replay_limit: int,
    ) -> None:
        self.hub = hub
        self.store = store
        self.metrics = metrics
        self.transport: Transport = transport
        self.owner = owner
        self.filter = article_filter
        self.projection = projection
        self.resume = resume
        self.since = since
        self.max_streams = max_streams
        self.replay_limit = replay_limit
        self.client: StreamClient | None = None
        self._live_from: Position = {}
        self._replay: list[ReplayEntry] = []

    async def open(self) -> StreamClient:
        if self.max_streams and self.hub.streams_of(self.owner) >= self.max_streams:
            raise RateLimited(
                f"at most {self.max_streams} concurrent streams per client", retry_after=5, code="too_many_streams"
            )
        if self.resume is not None and self.hub.stale(self.resume):
            # Resuming would wait for offsets the new log may not reach for a long time: go live now.
            logger.info("resume token %s is beyond the log's end %s; starting live", self.resume, self.hub.log_end)
            self.resume = None
        client, live_from = self.hub.register(
            transport=self.transport,
            owner=self.owner,
            article_filter=self.filter,
            projection=self.projection,
            floor=self.resume or {},
        )
        self.client = client
        self._live_from = live_from
        try:
            if self.resume is not None or self.since is not None:
                self._replay = await self.store.replay_index(
                    self.filter, end=live_from, start=self.resume, since=self.since, limit=self.replay_limit
                )
        except BaseException:
            client.close()
            raise
        logger.debug("stream opened for %s from %s, %s to replay", self.owner, live_from, len(self._replay))
        return client

    def close(self) -> None:
        if self.client is not None:
            self.client.close()

    async def deliveries(self) -> AsyncIterator[Delivery]:
        client = self.client
        assert client is not None, "open() first"
        events_sent = self.metrics.stream_events_sent.labels(self.transport)
        try:
            try:
                async for delivery in self._replayed(client):
                    events_sent.inc()
                    yield delivery
            except ApiError as exc:
                # The response has started: the failure becomes the stream's last event, not a status.
                yield Delivery("error", data=orjson.dumps(error_body(exc.code, exc.message)).decode())
                return
            # A resume token from a replica further along than this one: its extra offsets stay in the token.
            ahead = any(o > self._live_from.get(p, 0) for p, o in client.floor.items())
            while True:
                if client.state == "slow":
                    yield _slow_error(client)
                    return
                if client.state != "open":
                    return
                event = await client.queue.get()
                if event is HEARTBEAT:
                    yield Delivery("heartbeat")
                    continue
                if not isinstance(event, StreamEvent):
                    return
                token = event.token
                if ahead:
                    position = merge(client.floor, event.position)
                    ahead = position != event.position
                    token = encode_token(position)
                events_sent.inc()
                yield Delivery("article", token=token, data=event.json(self.projection), event=event)
        finally:
            client.close()

    async def _replayed(self, client: StreamClient) -> AsyncIterator[Delivery]:
        if not self._replay:
            return
        pending: dict[int, deque[ReplayEntry]] = {}
        for entry in self._replay:
            pending.setdefault(entry.partition, deque()).append(entry)
        # Interleave partitions by Kafka time; each partition keeps its offset order (heapq.merge only
        # compares the heads), which is what makes a token after any replayed event exact.
        order = list(heapq.merge(*(list(q) for q in pending.values()), key=lambda e: e.event_time))
        base = merge(self._live_from, self.resume or {})
        self._replay = []
        for start in range(0, len(order), REPLAY_CHUNK):
            chunk = order[start : start + REPLAY_CHUNK]
            bodies = await self.store.bodies([e.article_id for e in chunk])
            for entry in chunk:
                if client.state != "open":
                    return
                pending[entry.partition].popleft()
                stored = bodies.get(entry.article_id)
                # A newer version stored since the index was read comes live; skip this one.
                if stored is None or stored[0] != entry.offset:
                    continue
                token = encode_token(
                    {p: (q[0].offset if q else base.get(p, 0)) for p, q in pending.items()}
                    | {p: o for p, o in base.items() if p not in pending}
                )
                yield Delivery("article", token=token, data=self._project(stored[1]))

    def _project(self, body: bytes) -> str:
        if self.projection.fields is None:
            return body.decode("utf-8")
        return orjson.dumps(self.projection.apply(orjson.loads(body))).decode()


def _slow_error(client: StreamClient) -> Delivery:
    message = (
        f"this client fell more than {client.queue.maxsize} events behind and was disconnected; "
        "reconnect with the last event id to resume"
    )
    return Delivery("error", data=orjson.dumps(error_body("slow_consumer", message)).decode())
