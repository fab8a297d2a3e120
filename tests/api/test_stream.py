"""/v1/stream and /v1/ws against a real uvicorn on loopback, fed in process (no Kafka)."""

import asyncio
import logging
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
import websockets
from fastapi import FastAPI

from newswire.api import create_app

from .conftest import api_settings, serving
from .feed import FakeFeed, article
from .sse import open_sse


@dataclass
class Live:
    app: FastAPI
    url: str
    feed: FakeFeed
    client: httpx.AsyncClient

    def metric(self, name: str, **labels: str) -> float:
        value = self.app.state.newswire.metrics.registry.get_sample_value(name, labels)
        return 0.0 if value is None else value


async def _live(tmp_path: Path, **overrides: Any) -> AsyncIterator[Live]:
    app = create_app(api_settings(tmp_path, **overrides), consume=False)
    async with serving(app) as url, httpx.AsyncClient(base_url=url, timeout=30) as client:
        yield Live(app=app, url=url, feed=FakeFeed(app), client=client)


@pytest.fixture
async def live(tmp_path: Path) -> AsyncIterator[Live]:
    async for running in _live(tmp_path):
        yield running


@pytest.fixture
async def live_db(tmp_path: Path, database_url: str | None) -> AsyncIterator[Live]:
    """`live` over each store backend: replays are served from the store."""
    async for running in _live(tmp_path, database_url=database_url):
        yield running


async def test_sse_sends_matching_articles_with_resume_ids_and_fields(live: Live) -> None:
    async with open_sse(live.client, "/v1/stream", params={"topic": "trade", "fields": "id,title,topics"}) as stream:
        await live.feed.publish(
            article(1, topics={"energy": 0.9}), article(2, topics={"trade": 0.8}), article(3, topics={"trade": 0.3})
        )
        await live.feed.publish(article(4, topics={"trade": 0.6}))
        events = await stream.articles_count(2)
        assert [e.json()["title"] for e in events] == ["Headline 2", "Headline 4"]
        assert set(events[0].json()) == {"id", "title", "topics"}
        assert all(e.id for e in events)
    assert live.metric("newswire_stream_events_sent_total", transport="sse") == 2


async def test_reconnect_with_last_event_id_continues_with_no_gap_and_no_repeat(live_db: Live) -> None:
    live = live_db
    published = [article(n) for n in range(6)]
    async with open_sse(live.client, "/v1/stream") as stream:
        await live.feed.publish(*published)
        events = await stream.articles_count(6)
    # The client saw three events, then went away; more are published meanwhile.
    resume_from = events[2].id
    assert resume_from is not None
    seen = {e.json()["title"] for e in events[:3]}
    away = [article(n) for n in range(6, 10)]
    await live.feed.publish(*away)
    published += away

    for n, how in enumerate(("header", "query")):
        params = {"last_event_id": resume_from} if how == "query" else {}
        headers = {"Last-Event-ID": resume_from} if how == "header" else {}
        async with open_sse(live.client, "/v1/stream", params=params, headers=headers) as stream:
            missed = len(published) - 3
            await stream.articles_count(missed)
            live_one = article(100 + n)
            await live.feed.publish(live_one)
            published.append(live_one)
            titles = [e.json()["title"] for e in await stream.articles_count(missed + 1)]
        # Replayed events all come before live ones, so a repeat would show up among these.
        assert len(set(titles)) == len(titles), how
        assert seen | set(titles) == {a.title for a in published}, how
        assert titles[-1] == live_one.title

    # An event's id is itself a resume point: from the very last one, only newer events come.
    async with open_sse(live.client, "/v1/stream", headers={"Last-Event-ID": stream.articles[-1].id or ""}) as again:
        await live.feed.publish(article(200))
        assert [e.json()["title"] for e in await again.articles_count(1)] == ["Headline 200"]


async def test_resume_keeps_filters_and_skips_non_matching_events(live_db: Live) -> None:
    live = live_db
    async with open_sse(live.client, "/v1/stream", params={"country": "KZ"}) as stream:
        await live.feed.publish(article(1, countries=["KZ"]), article(2, countries=["PK"]))
        token = (await stream.articles_count(1))[0].id
    await live.feed.publish(
        article(3, countries=["PK"]), article(4, countries=["KZ"]), article(5, countries=["KZ", "PK"])
    )
    async with open_sse(
        live.client, "/v1/stream", params={"country": "KZ"}, headers={"Last-Event-ID": token or ""}
    ) as stream:
        titles = [e.json()["title"] for e in await stream.articles_count(2)]
    assert sorted(titles) == ["Headline 4", "Headline 5"]


async def test_a_token_from_an_older_log_starts_live_instead_of_waiting(live: Live) -> None:
    await live.feed.publish(article(1), article(2), partition=0)
    # A token far beyond the log's end: issued before the topic was recreated (or the broker lost its data).
    async with open_sse(live.client, "/v1/stream", headers={"Last-Event-ID": "0:500,1:400,2:300"}) as stream:
        await live.feed.publish(article(3), partition=0)
        assert [e.json()["title"] for e in await stream.articles_count(1)] == ["Headline 3"]


async def test_since_replays_from_a_time_then_goes_live(live_db: Live) -> None:
    live = live_db
    now = datetime.now(UTC)
    await live.feed.publish(article(1), timestamp=now - timedelta(hours=2))
    await live.feed.publish(article(2), article(3), timestamp=now - timedelta(minutes=30))
    since = (now - timedelta(hours=1)).isoformat()
    async with open_sse(live.client, "/v1/stream", params={"since": since}) as stream:
        replayed = await stream.articles_count(2)
        await live.feed.publish(article(4))
        events = await stream.articles_count(3)
    assert sorted(e.json()["title"] for e in replayed[:2]) == ["Headline 2", "Headline 3"]
    assert events[2].json()["title"] == "Headline 4"
    assert len(events) == 3

    # A browser reconnects to the same URL, `since` included, with Last-Event-ID: the id wins.
    await live.feed.publish(article(5))
    params = {"since": since}
    async with open_sse(
        live.client, "/v1/stream", params=params, headers={"Last-Event-ID": events[2].id or ""}
    ) as again:
        assert [e.json()["title"] for e in await again.articles_count(1)] == ["Headline 5"]


async def test_errors_before_the_stream_starts_are_json(live: Live) -> None:
    cases = [
        ({"headers": {"Last-Event-ID": "yesterday"}}, 400, "invalid_resume_token"),
        ({"params": {"topic": "astrology"}}, 422, "unknown_topic"),
        ({"params": {"since": "not a time"}}, 422, "validation_error"),
        ({"params": {"fields": "id,nope"}}, 422, "unknown_field"),
    ]
    for kwargs, status, code in cases:
        response = await live.client.get("/v1/stream", **kwargs)
        assert response.status_code == status, response.text
        assert response.headers["content-type"].startswith("application/json")
        assert response.json()["error"]["code"] == code


async def test_heartbeat_comments_while_idle(tmp_path: Path) -> None:
    async for live in _live(tmp_path, api_heartbeat_seconds=0.2):
        async with open_sse(live.client, "/v1/stream") as stream:
            await stream.wait_for(lambda s: sum("heartbeat" in e.comments for e in s.events) >= 2)
        assert not stream.articles


async def test_disconnect_is_noticed_and_counted_once(live: Live) -> None:
    gauge = "newswire_stream_clients"
    async with open_sse(live.client, "/v1/stream"), open_sse(live.client, "/v1/stream"):
        assert live.metric(gauge, transport="sse") == 2
    async with asyncio.timeout(10):
        while live.metric(gauge, transport="sse") != 0 or live.app.state.newswire.hub.clients:
            await asyncio.sleep(0.05)
    assert live.metric("newswire_stream_connections_total", transport="sse") == 2


async def test_per_client_stream_cap_answers_429(tmp_path: Path) -> None:
    async for live in _live(tmp_path, api_max_streams_per_client=1):
        async with open_sse(live.client, "/v1/stream"):
            response = await live.client.get("/v1/stream")
            assert response.status_code == 429
            assert response.json()["error"]["code"] == "too_many_streams"
            assert int(response.headers["Retry-After"]) >= 1


async def test_slow_client_is_cut_off_while_a_fast_one_keeps_receiving(tmp_path: Path) -> None:
    async for live in _live(tmp_path, api_client_queue_size=4, api_slow_client_grace_seconds=60):
        host, port = live.url.removeprefix("http://").split(":")
        slow = socket.socket()
        # A tiny receive window: the server's writes to this client back up after a few kilobytes.
        slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        slow.connect((host, int(port)))
        slow.sendall(f"GET /v1/stream HTTP/1.1\r\nHost: {host}\r\nAccept: text/event-stream\r\n\r\n".encode())
        async with open_sse(live.client, "/v1/stream") as fast:
            async with asyncio.timeout(10):
                while live.app.state.newswire.hub.clients < 2:
                    await asyncio.sleep(0.02)
            big = "All work and no play makes Jack a dull boy. " * 2000
            total = 0
            while live.metric("newswire_stream_slow_disconnects_total", transport="sse") == 0:
                await live.feed.publish(article(total, text=big))
                total += 1
                await fast.articles_count(total)
                assert total < 2000, "the slow client was never cut off"
            await live.feed.publish(article(total, text="after the cut"))
            events = await fast.articles_count(total + 1)
            assert [e.json()["title"] for e in events] == [f"Headline {n}" for n in range(total + 1)]

        # The slow client, reading at last, finds the articles it had, a final error event, and the end.
        slow.setblocking(False)
        received = b""
        loop = asyncio.get_running_loop()
        async with asyncio.timeout(30):
            while chunk := await loop.sock_recv(slow, 65536):
                received += chunk
        slow.close()
        text = received.decode()
        assert "event: error" in text
        assert "slow_consumer" in text
        assert text.count("event: article") < total


async def test_websocket_same_filters_and_resume(live: Live) -> None:
    ws_url = live.url.replace("http://", "ws://") + "/v1/ws?entity=country:KZ&fields=id,title"
    async with websockets.connect(ws_url) as ws:
        async with asyncio.timeout(10):
            while not live.app.state.newswire.hub.clients:
                await asyncio.sleep(0.02)
        await live.feed.publish(article(1, entities=[("country:PK", "Pakistan", "COUNTRY")]))
        await live.feed.publish(article(2, entities=[("country:KZ", "Kazakhstan", "COUNTRY")]))
        frame = orjson.loads(await asyncio.wait_for(ws.recv(), 10))
    assert frame["event"] == "article"
    assert frame["data"] == {"id": article(2).id, "title": "Headline 2"}
    await live.feed.publish(article(3, entities=[("country:KZ", "Kazakhstan", "COUNTRY")]))
    async with websockets.connect(ws_url + f"&last_event_id={frame['id']}") as ws:
        again = orjson.loads(await asyncio.wait_for(ws.recv(), 10))
    assert again["data"]["title"] == "Headline 3"


async def test_websocket_errors_before_accept_are_json_denials(live: Live, caplog: pytest.LogCaptureFixture) -> None:
    ws_url = live.url.replace("http://", "ws://") + "/v1/ws?topic=astrology"
    with caplog.at_level(logging.WARNING), pytest.raises(websockets.InvalidStatus) as failure:
        async with websockets.connect(ws_url):
            pass
    assert failure.value.response.status_code == 422
    assert orjson.loads(failure.value.response.body)["error"]["code"] == "unknown_topic"
    # A refusal is an answer, not a server error: operators alert on ERROR lines.
    await asyncio.sleep(0.2)
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


def _ws_frames(data: bytes) -> list[tuple[int, bytes]]:
    """Server-to-client WebSocket frames (unmasked, unfragmented) as (opcode, payload)."""
    frames, at = [], 0
    while at + 2 <= len(data):
        opcode, length = data[at] & 0x0F, data[at + 1] & 0x7F
        at += 2
        if length == 126:
            length, at = int.from_bytes(data[at : at + 2], "big"), at + 2
        elif length == 127:
            length, at = int.from_bytes(data[at : at + 8], "big"), at + 8
        frames.append((opcode, data[at : at + length]))
        at += length
    return frames


async def test_slow_websocket_client_gets_a_final_error_frame(tmp_path: Path) -> None:
    async for live in _live(tmp_path, api_client_queue_size=4, api_slow_client_grace_seconds=60):
        host, port = live.url.removeprefix("http://").split(":")
        slow = socket.socket()
        slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        slow.connect((host, int(port)))
        slow.sendall(
            f"GET /v1/ws HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n".encode()
        )
        async with asyncio.timeout(10):
            while not live.app.state.newswire.hub.clients:
                await asyncio.sleep(0.02)
        big = "All work and no play makes Jack a dull boy. " * 6000
        total = 0
        while live.metric("newswire_stream_slow_disconnects_total", transport="ws") == 0:
            await live.feed.publish(article(total, text=big))
            total += 1
            await asyncio.sleep(0.01)
            assert total < 2000, "the slow client was never cut off"
        slow.setblocking(False)
        received = b""
        loop = asyncio.get_running_loop()
        async with asyncio.timeout(30):
            while chunk := await loop.sock_recv(slow, 65536):
                received += chunk
        slow.close()
    response, _, body = received.partition(b"\r\n\r\n")
    assert response.startswith(b"HTTP/1.1 101")
    frames = _ws_frames(body)
    texts = [orjson.loads(payload) for opcode, payload in frames if opcode == 1]
    assert texts[-1]["event"] == "error"
    assert texts[-1]["data"]["error"]["code"] == "slow_consumer"
    assert all(t["event"] == "article" for t in texts[:-1])
    assert len(texts) - 1 < total
    close = next(payload for opcode, payload in frames if opcode == 8)
    assert int.from_bytes(close[:2], "big") == 1013


async def test_a_failure_after_the_stream_started_is_an_error_event(
    live: Live, monkeypatch: pytest.MonkeyPatch
) -> None:
    await live.feed.publish(article(1), article(2))
    store = live.app.state.newswire.store

    def broken(*args: object) -> None:
        raise OSError("disk on fire")

    monkeypatch.setattr(store, "_bodies", broken)
    request = live.client.build_request("GET", "/v1/stream", params={"since": "2020-01-01T00:00:00Z"})
    response = await live.client.send(request, stream=True)
    assert response.status_code == 200
    text = (await response.aread()).decode()
    assert "event: error" in text
    assert "store_unavailable" in text
    assert "disk on fire" not in text
    assert "Traceback" not in text


async def test_resume_right_after_a_restart_replays_from_the_store(tmp_path: Path) -> None:
    settings = api_settings(tmp_path)
    async for live in _live(tmp_path):
        async with open_sse(live.client, "/v1/stream") as stream:
            await live.feed.publish(article(1), article(2), article(3), partition=0)
            token = (await stream.articles_count(3))[0].id
    # A new process on the same store, whose consumer has not reached Kafka yet.
    app = create_app(settings, consume=False)
    async with (
        serving(app) as url,
        httpx.AsyncClient(base_url=url, timeout=30) as client,
        open_sse(client, "/v1/stream", headers={"Last-Event-ID": token or ""}) as resumed,
    ):
        titles = [e.json()["title"] for e in await resumed.articles_count(2)]
    assert titles == ["Headline 2", "Headline 3"]
