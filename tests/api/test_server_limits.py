"""The server as `newswire api` configures it: oversized request headers get 431, normal ones pass."""

import asyncio
from pathlib import Path

import orjson

from newswire.api import create_app

from .conftest import api_settings, serving


async def _raw_request(port: int, header_bytes: int) -> tuple[int, bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * header_bytes + b"\r\n\r\n")
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    length = next(int(line.split(b":")[1]) for line in lines if line.lower().startswith(b"content-length"))
    body = await reader.readexactly(length)
    writer.close()
    return int(head.split()[1]), body


async def test_headers_beyond_the_cap_get_431_and_below_it_pass(tmp_path: Path) -> None:
    app = create_app(api_settings(tmp_path, api_max_header_bytes=16 * 1024), consume=False)
    async with serving(app) as url:
        port = int(url.rsplit(":", 1)[1])
        status, body = await _raw_request(port, 200 * 1024)
        assert status == 431
        assert orjson.loads(body)["error"]["code"] == "headers_too_large"
        status, _ = await _raw_request(port, 8 * 1024)
        assert status == 200
