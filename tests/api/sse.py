"""A small Server-Sent Events reader for the tests (the wire format, parsed as a browser does)."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson

__all__ = ["SseEvent", "SseStream", "open_sse"]


@dataclass
class SseEvent:
    event: str = "message"
    id: str | None = None
    data: str = ""
    comments: list[str] = field(default_factory=list)

    def json(self) -> Any:
        return orjson.loads(self.data)


async def _parse(lines: AsyncIterator[str]) -> AsyncIterator[SseEvent]:
    current = SseEvent()
    data: list[str] = []
    async for line in lines:
        if line == "":
            if data or current.comments or current.id is not None or current.event != "message":
                current.data = "\n".join(data)
                yield current
            current, data = SseEvent(), []
        elif line.startswith(":"):
            current.comments.append(line[1:].strip())
        else:
            name, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if name == "data":
                data.append(value)
            elif name == "event":
                current.event = value
            elif name == "id":
                current.id = value


class SseStream:
    """Collects a stream's events in the background; `articles` are the `event: article` ones."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self.events: list[SseEvent] = []
        self.ended = asyncio.Event()
        self._changed = asyncio.Condition()
        self._task = asyncio.create_task(self._collect())

    async def _collect(self) -> None:
        try:
            async for event in _parse(self.response.aiter_lines()):
                async with self._changed:
                    self.events.append(event)
                    self._changed.notify_all()
        except (httpx.ReadError, httpx.RemoteProtocolError, httpx.StreamClosed):
            pass
        finally:
            self.ended.set()
            async with self._changed:
                self._changed.notify_all()

    @property
    def articles(self) -> list[SseEvent]:
        return [e for e in self.events if e.event == "article"]

    async def wait_for(self, predicate: Any, *, timeout: float = 30) -> None:
        """Wait until predicate(self) holds (the timeout only stops a broken test from hanging)."""
        async with asyncio.timeout(timeout):
            async with self._changed:
                while not predicate(self):
                    if self.ended.is_set():
                        raise AssertionError(f"stream ended first; got {len(self.events)} events")
                    await self._changed.wait()

    async def articles_count(self, n: int, *, timeout: float = 30) -> list[SseEvent]:
        await self.wait_for(lambda s: len(s.articles) >= n, timeout=timeout)
        return self.articles

    async def close(self) -> None:
        self._task.cancel()
        await self.response.aclose()


@asynccontextmanager
async def open_sse(
    client: httpx.AsyncClient, url: str, *, params: dict[str, Any] | None = None, headers: dict[str, str] | None = None
) -> AsyncIterator[SseStream]:
    """Open a stream, check it started (200, text/event-stream, the `connected` comment), collect it."""
    request = client.build_request("GET", url, params=params, headers=headers)
    response = await client.send(request, stream=True)
    try:
        assert response.status_code == 200, (await response.aread()).decode()
        assert response.headers["content-type"].startswith("text/event-stream")
        stream = SseStream(response)
        await stream.wait_for(lambda s: any("connected" in e.comments for e in s.events))
        yield stream
        await stream.close()
    finally:
        await response.aclose()
