"""Clients that hold the API's sockets and memory: stream readers that never read, and requests
with enormous headers. On a real uvicorn configured as `newswire api` is, over loopback."""

import asyncio
import contextlib
import socket
from collections import Counter
from pathlib import Path

import httpx
import pytest

from newswire.api import create_app
from tests.api.conftest import api_settings, serving
from tests.api.feed import FakeFeed, article

from .outcomes import Outcome, record
from .pipeline import Pipeline

pytestmark = pytest.mark.faults

CAP = 10
GRACE = 10.0


WS_HANDSHAKE = (
    "GET /v1/ws?fields=id,text HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
)


async def _raw_stream(port: int, transport: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter, int]:
    """An SSE or WebSocket request on a socket with a tiny receive buffer that the test then never reads."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.setblocking(False)
    await asyncio.get_running_loop().sock_connect(sock, ("127.0.0.1", port))
    reader, writer = await asyncio.open_connection(sock=sock, limit=2**16)
    if transport == "ws":
        writer.write(WS_HANDSHAKE.encode())
    else:
        writer.write(b"GET /v1/stream?fields=id,text HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    await writer.drain()
    status = int((await reader.readline()).split()[1])
    return reader, writer, status


def _both(text: str, name: str) -> float:
    return sum(_metric(text, f'{name}{{transport="{t}"}}') for t in ("sse", "ws"))


def _metric(text: str, series: str) -> float:
    for line in text.splitlines():
        if line.startswith(series + " "):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


async def test_slow_stream_clients_are_aborted_and_counted_until_their_sockets_are_gone(tmp_path: Path) -> None:
    settings = api_settings(
        tmp_path,
        api_max_streams_per_client=CAP,
        api_client_queue_size=4,
        api_slow_client_grace_seconds=GRACE,
    )
    app = create_app(settings, consume=False)
    state = app.state.newswire
    feed = FakeFeed(app)
    attempts = 3 * CAP
    async with serving(app) as url, httpx.AsyncClient(base_url=url, timeout=30) as client:
        port = int(url.rsplit(":", 1)[1])
        held = [await _raw_stream(port, "ws" if n % 2 else "sse") for n in range(attempts)]
        statuses = Counter(status for _, _, status in held)
        admitted = [(r, w) for r, w, status in held if status in (101, 200)]
        for _, writer, status in held:
            if status not in (101, 200):
                writer.close()
        async with asyncio.timeout(10):
            while state.hub.clients < len(admitted):
                await asyncio.sleep(0.05)
        # Server-side send buffers as small as the clients' receive buffers: a few articles fill them.
        for transport in list(state.connections._open.values()):
            sock = transport.get_extra_info("socket")
            if sock is not None:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
        open_before = len(state.connections)
        text = "slow reader " * 2000
        for n in range(40):
            await feed.publish(article(n, text=text), partition=n % 3)
            await asyncio.sleep(0)
        slow = 0.0
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(30):
                while slow < len(admitted):
                    await asyncio.sleep(0.1)
                    slow = _both((await client.get("/metrics")).text, "newswire_stream_slow_disconnects_total")
        assert slow == len(admitted), (statuses, slow)
        # Cut off but within their grace period: the hub has forgotten them, their sockets are still
        # there, and they still count against the cap.
        metrics = (await client.get("/metrics")).text
        closing_during = _both(metrics, "newswire_stream_sockets_closing")
        refused_during = (await client.get("/v1/stream")).status_code
        closing_after = closing_during
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(GRACE * 6):
                while closing_after > 0:
                    await asyncio.sleep(0.2)
                    metrics = (await client.get("/metrics")).text
                    closing_after = _both(metrics, "newswire_stream_sockets_closing")
        open_after = len(state.connections)
        async with client.stream("GET", "/v1/stream") as again:
            reopened = again.status_code
        gone_client_side = 0
        for reader, writer in admitted:
            try:
                while await asyncio.wait_for(reader.read(2**16), timeout=5):
                    pass
                gone_client_side += 1  # EOF
            except (ConnectionResetError, BrokenPipeError):
                gone_client_side += 1
            except TimeoutError:
                pass
            writer.close()
    passed = (
        statuses[101] + statuses[200] == CAP
        and statuses[429] == attempts - CAP
        and closing_during == CAP
        and refused_during == 429
        and closing_after == 0
        and reopened == 200
        and gone_client_side == CAP
    )
    record(
        Outcome(
            case="input.api-slow-stream-sockets",
            kind="bad input",
            tried=f"{attempts} SSE and WebSocket connections (half each) from one address (cap {CAP}) with 4 KB "
            "socket buffers that never read, then 40 articles of 24 KB",
            behaviour=f"answers {dict(statuses)}; the {CAP} admitted cut off as slow; while in their "
            f"{GRACE:.0f} s grace {closing_during:.0f} counted in newswire_stream_sockets_closing and a new "
            f"stream got {refused_during}; then aborted: {gone_client_side}/{CAP} sockets seen closed by the "
            f"client, gauge {closing_after:.0f}, server connections {open_before} -> {open_after}; a new stream "
            f"then got {reopened}",
            expected=CAP,
            delivered=gone_client_side,
            passed=passed,
            details={"statuses": dict(statuses)},
        )
    )
    assert passed, (statuses, closing_during, refused_during, closing_after, reopened, gone_client_side)


def _rss_kib(pid: int, field: str = "VmRSS") -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


async def _huge_header(port: int, size: int) -> str:
    """Send a request whose one header is `size` bytes; what came back: a status, or how it ended."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    answer = asyncio.create_task(reader.readline())
    outcome = "no answer"
    try:
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ")
        chunk = b"a" * 65536
        sent = 0
        while sent < size and not answer.done():
            writer.write(chunk)
            await writer.drain()
            sent += len(chunk)
        if sent >= size:
            writer.write(b"\r\n\r\n")
            await writer.drain()
        line = await asyncio.wait_for(answer, timeout=30)
        outcome = line.split()[1].decode() if line else "closed"
    except (ConnectionResetError, BrokenPipeError):
        if answer.done() and not answer.exception():
            line = answer.result()
            outcome = line.split()[1].decode() if line else "closed"
        else:
            outcome = "closed"
    finally:
        answer.cancel()
        with contextlib.suppress(Exception):
            writer.close()
    return outcome


async def test_huge_request_headers_are_refused_with_431(tmp_path: Path) -> None:
    size = 32 * 1024 * 1024
    count = 10
    pipeline = Pipeline(bootstrap_servers="127.0.0.1:9", topic_prefix="headers.", workdir=tmp_path, sample_site=False)
    try:
        pipeline.spawn("api")
        await pipeline.wait_http(pipeline.api_url + "/healthz", what="the API")
        pid = pipeline.children["api"].pid
        assert pid is not None
        before = _rss_kib(pid)
        outcomes = Counter(await asyncio.gather(*(_huge_header(pipeline.api_port, size) for _ in range(count))))
        peak = _rss_kib(pid, "VmHWM")
        after = _rss_kib(pid)
        async with httpx.AsyncClient(timeout=10) as client:
            normal = (await client.get(pipeline.api_url + "/healthz")).status_code
            big_ok = (await client.get(pipeline.api_url + "/healthz", headers={"X-Fine": "b" * 8000})).status_code
    finally:
        await pipeline.close()
    growth_mb = (peak - before) / 1024
    passed = outcomes == Counter({"431": count}) and growth_mb < 64 and normal == 200 and big_ok == 200
    record(
        Outcome(
            case="input.api-huge-headers",
            kind="bad input",
            tried=f"{count} requests at once, each with one {size // (1024 * 1024)} MB header",
            behaviour=f"answers {dict(outcomes)} (cap 64 KB, NEWSWIRE_API_MAX_HEADER_BYTES); API RSS "
            f"{before // 1024} MB before, peak {peak // 1024} MB, {after // 1024} MB after; normal requests "
            f"(and an 8 KB header) still 200",
            passed=passed,
            details={"rss_kib": {"before": before, "peak": peak, "after": after}, "outcomes": dict(outcomes)},
        )
    )
    assert passed, (outcomes, before, peak, after, normal, big_ok)



