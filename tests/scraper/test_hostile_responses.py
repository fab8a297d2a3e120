"""Hostile answers to the fetcher (issue 14, findings 5 and 10): compression bombs are decoded under
a running cap, stacked encodings are refused, a robots.txt that trickles ends at the total timeout,
and a source allowed to fetch private addresses still never reaches cloud metadata."""

import ipaddress
import json
import tracemalloc
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpcore
import pytest
from prometheus_client import REGISTRY

from newswire.scraper.decoding import BodyDecoder
from newswire.scraper.errors import FetchError
from newswire.scraper.fetcher import Fetcher
from newswire.scraper.settings import Settings
from newswire.scraper.ssrf import GuardedBackend, IPAddress, always_blocked_reason, system_resolver

from .conftest import scraper_settings
from .hostile_server import HostileServer, Route, gzip_bomb, gzip_stream

MB = 1024 * 1024
HTML = "<html><body>" + "<p>The council approved the budget on Tuesday.</p>" * 200 + "</body></html>"
METADATA = json.loads((Path(__file__).parents[1] / "data" / "metadata_spellings.json").read_text(encoding="utf-8"))


def _fetched(route: str, settings: Settings, server: HostileServer) -> Any:
    async def run() -> Any:
        async with Fetcher(settings) as fetcher:
            return await fetcher.fetch(server.url(route), source="hostile", allow_private=True)

    return run()


def _fetches(outcome: str) -> float:
    return REGISTRY.get_sample_value("newswire_scraper_fetches_total", {"source": "hostile", "outcome": outcome}) or 0.0


# -- the decoder on its own --------------------------------------------------------------------


def _deflate(data: bytes, *, raw: bool) -> bytes:
    packer = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS if raw else zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


@pytest.mark.parametrize(
    ("header", "encode"),
    [
        (None, lambda b: b),
        ("identity", lambda b: b),
        ("gzip", lambda b: gzip_stream(iter([b]))),
        ("x-gzip", lambda b: gzip_stream(iter([b]))),
        ("deflate", lambda b: _deflate(b, raw=False)),
        ("deflate", lambda b: _deflate(b, raw=True)),
        ("GZIP, identity", lambda b: gzip_stream(iter([b]))),
    ],
    ids=["none", "identity", "gzip", "x-gzip", "deflate-zlib", "deflate-raw", "gzip-and-identity"],
)
@pytest.mark.parametrize("chunk", [1, 7, 4096])
def test_decoder_gives_back_the_body_in_any_chunking(header: str | None, encode: Any, chunk: int) -> None:
    wire = encode(HTML.encode())
    decoder = BodyDecoder(header, limit=MB, url="http://x/")
    out = b"".join(decoder.feed(wire[i : i + chunk]) for i in range(0, len(wire), chunk)) + decoder.finish()
    assert out == HTML.encode()


@pytest.mark.parametrize("header", ["gzip, gzip", "deflate, gzip", "gzip,deflate", "br", "zstd", "compress"])
def test_stacked_and_unasked_encodings_are_refused_before_reading(header: str) -> None:
    with pytest.raises(FetchError) as caught:
        BodyDecoder(header, limit=MB, url="http://x/")
    assert caught.value.outcome == "bad_encoding"


def test_a_corrupt_gzip_body_is_a_bad_encoding() -> None:
    decoder = BodyDecoder("gzip", limit=MB, url="http://x/")
    with pytest.raises(FetchError) as caught:
        decoder.feed(b"\x1f\x8b\x08\x00 this is not deflate data at all")
    assert caught.value.outcome == "bad_encoding"


def test_a_bomb_in_one_chunk_is_stopped_at_the_cap_without_inflating_it() -> None:
    bomb = gzip_bomb(64)  # 64 MB of zeros in about 64 KB
    decoder = BodyDecoder("gzip", limit=MB, url="http://x/")
    tracemalloc.start()
    try:
        with pytest.raises(FetchError) as caught:
            decoder.feed(bomb)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert caught.value.outcome == "too_large"
    assert peak < 4 * MB, f"decoding took {peak / MB:.0f} MB for a 1 MB cap"
    assert decoder.kept == b"\0" * MB  # what fitted, for readers of a prefix


# -- the fetcher over real sockets -------------------------------------------------------------


@pytest.fixture
def hostile() -> Iterator[HostileServer]:
    html = {"Content-Type": "text/html; charset=utf-8"}
    routes = {
        "/robots.txt": Route(b"User-agent: *\nAllow: /\n", headers={"Content-Type": "text/plain"}),
        "/gzip-gzip": Route(gzip_bomb(100, layers=2), headers=html | {"Content-Encoding": "gzip, gzip"}),
        "/gzip-bomb": Route(gzip_bomb(100), headers=html | {"Content-Encoding": "gzip"}),
        "/gzip-page": Route(gzip_stream(iter([HTML.encode()])), headers=html | {"Content-Encoding": "gzip"}),
    }
    with HostileServer(routes) as server:
        yield server


async def test_stacked_gzip_is_refused_with_a_reason_and_counted(tmp_path: Path, hostile: HostileServer) -> None:
    before = _fetches("bad_encoding")
    with pytest.raises(FetchError) as caught:
        await _fetched("/gzip-gzip", scraper_settings(tmp_path, retries=0), hostile)
    assert caught.value.outcome == "bad_encoding"
    assert "stacked content encodings refused: gzip, gzip" in caught.value.detail
    assert _fetches("bad_encoding") == before + 1


async def test_a_gzip_bomb_is_refused_at_the_cap_with_bounded_memory(tmp_path: Path, hostile: HostileServer) -> None:
    settings = scraper_settings(tmp_path, retries=0, max_body_bytes=5 * MB)
    tracemalloc.start()
    try:
        with pytest.raises(FetchError) as caught:
            await _fetched("/gzip-bomb", settings, hostile)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert caught.value.outcome == "too_large"
    assert "decoded body exceeds" in caught.value.detail
    # 100 MB decoded; the fetcher held about the cap (the parts kept, plus one call's output).
    assert peak < 16 * MB, f"fetching the bomb took {peak / MB:.0f} MB"


async def test_an_ordinary_gzip_page_is_decoded_and_only_gzip_and_deflate_are_offered(
    tmp_path: Path, hostile: HostileServer
) -> None:
    response = await _fetched("/gzip-page", scraper_settings(tmp_path), hostile)
    assert response.body == HTML.encode()
    seen: list[str] = []

    async def run() -> None:
        async with Fetcher(scraper_settings(tmp_path)) as fetcher:
            fetcher._client.event_hooks["request"].append(_remember(seen))
            await fetcher.fetch(hostile.url("/gzip-page"), source="hostile", allow_private=True)

    await run()
    assert seen == ["gzip, deflate"]


def _remember(seen: list[str]) -> Any:
    async def hook(request: Any) -> None:
        if not request.url.path.endswith("robots.txt"):
            seen.append(request.headers["accept-encoding"])

    return hook


@pytest.mark.timeout(60)
async def test_a_robots_txt_that_trickles_ends_at_the_total_timeout(tmp_path: Path) -> None:
    # One byte every 0.2 s never trips the 5 s read timeout: without a total deadline the fetcher
    # waits the whole 30 s and then crawls the page.
    routes = {
        "/robots.txt": Route(b"User-agent: *\nAllow: /\n", trickle=0.2, trickle_for=30),
        "/page": Route(HTML.encode()),
    }
    with HostileServer(routes) as server:
        settings = scraper_settings(tmp_path, retries=0, read_timeout=5.0, total_timeout=1.0)
        with pytest.raises(FetchError) as caught:
            await _fetched("/page", settings, server)
    assert caught.value.outcome == "connect_error"
    assert "robots.txt unavailable" in caught.value.detail
    assert server.hits == ["/robots.txt"]  # the page itself was not fetched


# -- metadata, even for private sources ---------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "169.254.169.254", "169.254.170.2", "169.254.169.123", "100.100.100.200", "fd00:ec2::254", "fe80::1",
        "::ffff:169.254.169.254", "::a9fe:a9fe", "64:ff9b::a9fe:a9fe", "2002:a9fe:a9fe::1",
        "2001:0:4136:e378:8000:63bf:5601:5601",
    ],
)  # fmt: skip
def test_metadata_and_link_local_are_refused_in_every_spelling(address: str) -> None:
    assert always_blocked_reason(ipaddress.ip_address(address)) is not None


@pytest.mark.parametrize("address", ["127.0.0.1", "10.0.0.1", "192.168.1.20", "::1", "fd12:3456::1", "93.184.216.34"])
def test_private_addresses_are_not_always_blocked(address: str) -> None:
    assert always_blocked_reason(ipaddress.ip_address(address)) is None


async def _resolver(host: str) -> list[IPAddress]:
    names = METADATA["names"]
    if host in names:
        return [ipaddress.ip_address(names[host])]
    return await system_resolver(host)  # numeric spellings only: decoded without any network


@pytest.mark.parametrize("case", METADATA["urls"], ids=[c["why"] for c in METADATA["urls"]])
async def test_a_private_source_never_reaches_metadata(tmp_path: Path, case: dict[str, str]) -> None:
    async with Fetcher(scraper_settings(tmp_path, retries=0), resolver=_resolver) as fetcher:
        with pytest.raises(FetchError) as caught:
            await fetcher.fetch(case["url"], source="hostile", allow_private=True)
    assert caught.value.outcome == "blocked_address", caught.value


async def test_the_connection_layer_refuses_metadata_for_a_private_host() -> None:
    # The second check, where a rebinding DNS would strike: the host was vetted as private-ok.
    backend = GuardedBackend(resolver=_resolver, private_ok=lambda host: True)
    with pytest.raises(FetchError) as caught:
        await backend.connect_tcp("metadata.cloud.test", 80)
    assert caught.value.outcome == "blocked_address"
    with pytest.raises(httpcore.ConnectError):
        # A private address is still allowed to such a host (nothing listens on port 9 here).
        await backend.connect_tcp("127.0.0.1", 9, timeout=2.0)
