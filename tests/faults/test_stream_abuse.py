"""The stream under abuse, on a real uvicorn over loopback (no broker: a fake feed stands in):
a flood of connections beyond the per-client cap, garbage resume tokens and parameters, and an
article that Kafka delivered twice (the enricher is at-least-once)."""

import asyncio
import contextlib
from collections import Counter
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newswire.api import create_app
from tests.api.conftest import api_settings, serving
from tests.api.feed import FakeFeed, article
from tests.api.sse import open_sse

from .outcomes import Outcome, full_mode, record

pytestmark = pytest.mark.faults

CAP = 10
FLOOD = 200 if full_mode() else 60


async def test_flood_of_sse_connections_beyond_the_cap_gets_429(tmp_path: Path) -> None:
    app = create_app(api_settings(tmp_path, api_max_streams_per_client=CAP), consume=False)
    feed = FakeFeed(app)
    statuses: Counter[int] = Counter()
    codes: Counter[str] = Counter()
    # No keep-alive: each knock is a new connection, as a flood is; a pooled connection that the
    # server closes as idle while a slow machine reuses it would fail the knock, not the API.
    limits = httpx.Limits(max_connections=FLOOD + CAP + 10, max_keepalive_connections=0)
    async with serving(app) as url, httpx.AsyncClient(base_url=url, timeout=30, limits=limits) as client:
        held = contextlib.AsyncExitStack()
        admitted = [await held.enter_async_context(open_sse(client, "/v1/stream")) for _ in range(CAP)]

        async def knock() -> None:
            # Streamed: a request that got in by mistake would otherwise never end.
            async with client.stream("GET", "/v1/stream") as response:
                statuses[response.status_code] += 1
                if response.status_code == 429:
                    await response.aread()
                    codes[response.json()["error"]["code"]] += 1
                    assert int(response.headers["Retry-After"]) >= 1

        await asyncio.gather(*(knock() for _ in range(FLOOD)))
        # The admitted clients are still served while the flood is turned away.
        await feed.publish(article(1), article(2))
        delivered = [len(await s.articles_count(2, timeout=30)) for s in admitted]
        await held.aclose()
        # A closed stream frees its slot.
        async with asyncio.timeout(10):
            while app.state.newswire.hub.clients:
                await asyncio.sleep(0.05)
        async with open_sse(client, "/v1/stream") as again:
            reopened = again is not None
    record(
        Outcome(
            case="input.sse-flood",
            kind="bad input",
            tried=f"{CAP} SSE streams open from one client (the cap), then {FLOOD} more at once",
            behaviour=f"answers: {dict(statuses)} (error codes {dict(codes)}); the {CAP} admitted streams "
            f"each got {min(delivered)}/2 new events; a slot freed reopens",
            expected=2 * CAP,
            delivered=sum(delivered),
            lost=2 * CAP - sum(delivered),
            passed=statuses == Counter({429: FLOOD}) and min(delivered) == 2 and reopened,
            details={"statuses": dict(statuses), "codes": dict(codes)},
        )
    )
    assert statuses == Counter({429: FLOOD})
    assert codes == Counter({"too_many_streams": FLOOD})
    assert delivered == [2] * CAP
    assert reopened


async def test_garbage_stream_parameters_get_json_errors_never_a_crash(tmp_path: Path) -> None:
    app = create_app(api_settings(tmp_path), consume=False)
    statuses: Counter[int] = Counter()
    tokens = st.one_of(
        st.text(max_size=60),
        st.builds(lambda p, o: f"{p}:{o}", st.integers(-5, 10**25), st.integers(-5, 10**25)),
        st.just("0:" + "9" * 19),
        st.just(",".join(f"{n}:1" for n in range(2000))),
    )
    params = st.fixed_dictionaries(
        {},
        optional={
            "since": st.text(max_size=30) | st.sampled_from(["2025-13-45", "9999-12-31T23:59:59Z", "-1", "now"]),
            "fields": st.text(max_size=40) | st.just(",".join(["id"] * 500)),
            "limit": st.text(max_size=5),
            "topic": st.text(max_size=40),
            "last_event_id": tokens,
        },
    )
    async with serving(app) as url, httpx.AsyncClient(base_url=url, timeout=10) as client:
        loop_results: list[tuple[int, str]] = []

        async def probe(query: dict[str, str], header: str | None) -> None:
            headers = {"Last-Event-ID": header} if header is not None else {}
            try:
                async with client.stream("GET", "/v1/stream", params=query, headers=headers) as response:
                    kind = response.headers.get("content-type", "")
                    if response.status_code != 200:
                        await response.aread()
                        if response.status_code == 400 and response.text == "Invalid HTTP request received.":
                            # uvicorn's HTTP parser turned the request away (a header value it cannot
                            # parse) before the application saw it: no JSON, but no crash either.
                            loop_results.append((400, "rejected by the HTTP server"))
                            return
                        body = response.json()
                        assert set(body) == {"error"} and {"code", "message"} <= set(body["error"])
                    loop_results.append((response.status_code, kind))
            except (httpx.LocalProtocolError, UnicodeEncodeError):
                # httpx itself refuses to send some header values (e.g. newlines): nothing reached the API.
                loop_results.append((0, "refused by the client"))

        examples = 300 if full_mode() else 60
        cases: list[tuple[dict[str, str], str | None]] = []

        @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        @given(params, st.none() | tokens)
        def collect(query: dict[str, str], header: str | None) -> None:
            cases.append((query, header))

        collect()
        for query, header in cases:
            await probe(query, header)
        statuses.update(status for status, _ in loop_results)
        server_rejects = sum(1 for _, kind in loop_results if kind == "rejected by the HTTP server")
    shown = {("not sendable by httpx" if s == 0 else s): n for s, n in sorted(statuses.items())}
    server_errors = sum(n for s, n in statuses.items() if s >= 500)
    record(
        Outcome(
            case="input.sse-garbage-parameters",
            kind="bad input",
            tried=f"{len(cases)} generated /v1/stream requests with garbage since, fields, filters and resume "
            "tokens (query and Last-Event-ID header: negative, huge, 2000 partitions, arbitrary text)",
            behaviour=f"answers: {shown}; every error a JSON body except "
            f"{server_rejects} header(s) uvicorn itself refused (plain-text 400); no 5xx",
            passed=server_errors == 0,
            details={"statuses": dict(statuses), "rejected_by_uvicorn": server_rejects},
        )
    )
    assert server_errors == 0, dict(statuses)
    assert statuses[200] + statuses[400] + statuses[422] > 0


async def test_a_redelivered_article_reaches_a_resumed_stream_once(tmp_path: Path) -> None:
    """At-least-once upstream: the enricher may publish one article twice after a crash (same id,
    same text, a later enriched_at). The store keeps one copy; a stream client sees it once: the
    store's first-seen position is the stream's position, so the copy is neither replayed nor sent
    live (see test_api_replicas.py for the same across replicas sharing a store).
    """
    app = create_app(api_settings(tmp_path), consume=False)
    feed = FakeFeed(app)
    first = article(7)
    copy = first.model_copy(update={"enriched_at": first.enriched_at.replace(microsecond=1)})
    async with serving(app) as url, httpx.AsyncClient(base_url=url, timeout=30) as client:
        async with open_sse(client, "/v1/stream", params={"fields": "id"}) as stream:
            await feed.publish(first, partition=0)
            await stream.articles_count(1)
            token = stream.articles[-1].id
        # The client was away while the redelivered copy and a new article arrived; it resumes.
        await feed.publish(copy, partition=0)
        await feed.publish(article(8), partition=0)
        async with open_sse(
            client, "/v1/stream", params={"fields": "id"}, headers={"Last-Event-ID": token or ""}
        ) as resumed:
            await resumed.articles_count(1)
            await asyncio.sleep(0.5)
            after_resume = [e.json()["id"] for e in resumed.articles]
        stored = (await client.get("/v1/articles", params={"fields": "id"})).json()["items"]
    seen = [first.id] + after_resume
    copies = seen.count(first.id)
    record(
        Outcome(
            case="input.redelivered-article-on-stream",
            kind="bad input",
            tried="the same enriched article twice on news.articles.enriched (an at-least-once redelivery), "
            "a client resuming with Last-Event-ID across it",
            behaviour=f"store lists it {[i['id'] for i in stored].count(first.id)} time(s); "
            f"the resumed client received it {copies} time(s)",
            expected=2,
            delivered=len(set(seen)),
            duplicated=copies - 1,
            passed=copies == 1,
        )
    )
    assert [i["id"] for i in stored].count(first.id) == 1
    assert copies == 1, f"the resumed stream carried the article {copies} times: {seen}"
