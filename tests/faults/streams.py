"""An SSE client that behaves like a browser's EventSource: when the stream drops it reconnects and
resumes with `Last-Event-ID`, and it remembers every article event it received and when."""

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
import orjson

__all__ = ["ResumingStream", "StreamEvent"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class StreamEvent:
    token: str
    article_id: str
    received: float
    #: which connection (0, 1, ...) carried the event
    connection: int
    data: dict[str, Any]


class ResumingStream:
    """`/v1/stream` read in a background task; `since` applies to the first connection only."""

    def __init__(
        self,
        base_url: str,
        *,
        since: datetime | None = None,
        fields: str = "id",
        retry_delay: float = 0.5,
    ) -> None:
        self.base_url = base_url
        self.since = since
        self.fields = fields
        self.retry_delay = retry_delay
        self.events: list[StreamEvent] = []
        self.connections = 0
        self.refused: list[int] = []
        self.last_event_id: str | None = None
        self._changed = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._client = httpx.AsyncClient(base_url=base_url, timeout=httpx.Timeout(10.0, read=60.0))

    def start(self) -> "ResumingStream":
        self._task = asyncio.create_task(self._run(), name="resuming-sse")
        return self

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._client.aclose()

    @property
    def ids(self) -> list[str]:
        return [e.article_id for e in self.events]

    async def wait_for(self, ids: set[str], *, timeout: float) -> bool:
        """Wait until every id in `ids` was received (False at the timeout)."""
        deadline = time.monotonic() + timeout
        while not ids <= set(self.ids):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), timeout=min(remaining, 1.0))
        return True

    async def _run(self) -> None:
        while True:
            try:
                await self._connect()
            except (httpx.HTTPError, OSError) as exc:
                logger.debug("stream dropped: %r", exc)
            await asyncio.sleep(self.retry_delay)

    async def _connect(self) -> None:
        params: dict[str, str] = {"fields": self.fields}
        headers: dict[str, str] = {}
        if self.last_event_id is not None:
            headers["Last-Event-ID"] = self.last_event_id
        elif self.since is not None:
            params["since"] = self.since.isoformat()
        async with self._client.stream("GET", "/v1/stream", params=params, headers=headers) as response:
            if response.status_code != 200:
                self.refused.append(response.status_code)
                await response.aread()
                return
            connection = self.connections
            self.connections += 1
            event, token, data = "message", None, []
            async for line in response.aiter_lines():
                if line == "":
                    if event == "article" and token is not None and data:
                        self._received(token, "\n".join(data), connection)
                    event, token, data = "message", None, []
                elif line.startswith(":"):
                    continue
                else:
                    name, _, value = line.partition(":")
                    value = value.removeprefix(" ")
                    if name == "event":
                        event = value
                    elif name == "id":
                        token = value
                    elif name == "data":
                        data.append(value)

    def _received(self, token: str, data: str, connection: int) -> None:
        body = orjson.loads(data)
        self.events.append(
            StreamEvent(token=token, article_id=body["id"], received=time.time(), connection=connection, data=body)
        )
        self.last_event_id = token
        self._changed.set()
