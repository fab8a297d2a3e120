"""The fetcher: politeness, conditional GET, retries, limits, content types, robots.txt."""

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from newswire.scraper import fetcher as fetcher_module
from newswire.scraper.errors import FetchError
from newswire.scraper.fetcher import Fetcher, Validators
from newswire.scraper.sample_site import SampleSite
from newswire.scraper.settings import Settings

from .conftest import scraper_settings
from .fakes import FakeDns, FakeWeb

HTML = {"content-type": "text/html; charset=utf-8"}
DNS = FakeDns({"news.example": "93.184.216.34"})


def _pages(web: FakeWeb) -> list[str]:
    return [u for u in web.urls() if not u.endswith("/robots.txt")]


def _settings(tmp_path: Path, **overrides: object) -> Settings:
    return scraper_settings(tmp_path, **overrides)


async def _fetch(web: FakeWeb, settings: Settings, url: str, **kwargs: object) -> fetcher_module.Response:
    async with Fetcher(settings, resolver=DNS, transport=web.transport()) as fetcher:
        return await fetcher.fetch(url, source="t", **kwargs)  # type: ignore[arg-type]


async def test_user_agent_names_newswire_and_a_contact_url(tmp_path: Path) -> None:
    web = FakeWeb({"https://news.example/a": httpx.Response(200, headers=HTML, text="<p>hi</p>")})
    await _fetch(web, _settings(tmp_path), "https://news.example/a")
    agent = web.requests[-1].headers["user-agent"]
    assert agent.startswith("newswire/") and "+http" in agent


async def test_conditional_get_sends_validators_and_reports_304(tmp_path: Path) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.headers.get("if-none-match") == '"v1"':
            return httpx.Response(304, headers={"etag": '"v1"'})
        return httpx.Response(
            200, headers={**HTML, "etag": '"v1"', "last-modified": "Wed, 05 Feb 2025 06:20:00 GMT"}, text="x"
        )

    web = FakeWeb({"https://news.example/a": handler})
    first = await _fetch(web, _settings(tmp_path), "https://news.example/a")
    assert first.status == 200 and first.validators == Validators('"v1"', "Wed, 05 Feb 2025 06:20:00 GMT")
    second = await _fetch(web, _settings(tmp_path), "https://news.example/a", validators=first.validators)
    assert second.not_modified and second.body == b""
    assert web.requests[-1].headers["if-modified-since"] == "Wed, 05 Feb 2025 06:20:00 GMT"


async def test_retries_5xx_and_429_honouring_retry_after(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    answers = iter(
        [
            httpx.Response(503),
            httpx.Response(429, headers={"retry-after": "7"}),
            httpx.Response(200, headers=HTML, text="ok"),
        ]
    )
    web = FakeWeb({"https://news.example/a": lambda request: next(answers)})
    waits: list[float] = []
    real_sleep = asyncio.sleep

    async def recording_sleep(seconds: float) -> None:
        waits.append(seconds)
        await real_sleep(0)

    monkeypatch.setattr(fetcher_module.asyncio, "sleep", recording_sleep)
    response = await _fetch(
        web, _settings(tmp_path, retries=3, backoff_base=0.5, backoff_max=4), "https://news.example/a"
    )
    assert response.body == b"ok"
    assert len(_pages(web)) == 3
    assert 7.0 in waits, "Retry-After was not honoured"


async def test_gives_up_after_retries(tmp_path: Path) -> None:
    web = FakeWeb({"https://news.example/a": httpx.Response(500)})
    with pytest.raises(FetchError) as caught:
        await _fetch(web, _settings(tmp_path, retries=2), "https://news.example/a")
    assert caught.value.outcome == "server_error"
    assert len(_pages(web)) == 3


async def test_too_long_retry_after_gives_up_at_once(tmp_path: Path) -> None:
    web = FakeWeb({"https://news.example/a": httpx.Response(429, headers={"retry-after": "86400"})})
    with pytest.raises(FetchError) as caught:
        await _fetch(web, _settings(tmp_path, retries=3), "https://news.example/a")
    assert caught.value.outcome == "rate_limited"
    assert len(_pages(web)) == 1


async def test_body_limit_by_content_length_and_while_streaming(tmp_path: Path) -> None:
    async def endless() -> AsyncIterator[bytes]:
        for _ in range(1000):
            yield b"x" * 1024

    web = FakeWeb(
        {
            "https://news.example/declared": httpx.Response(
                200, headers={**HTML, "content-length": "999999999"}, content=b""
            ),
            "https://news.example/streamed": lambda request: httpx.Response(200, headers=HTML, content=endless()),
        }
    )
    for path in ("declared", "streamed"):
        with pytest.raises(FetchError) as caught:
            await _fetch(web, _settings(tmp_path, max_body_bytes=10_000), f"https://news.example/{path}")
        assert caught.value.outcome == "too_large"


async def test_content_type_is_checked(tmp_path: Path) -> None:
    web = FakeWeb(
        {
            "https://news.example/a.pdf": httpx.Response(
                200, headers={"content-type": "application/pdf"}, content=b"%PDF"
            )
        }
    )
    with pytest.raises(FetchError) as caught:
        await _fetch(web, _settings(tmp_path), "https://news.example/a.pdf")
    assert caught.value.outcome == "bad_content_type"


async def test_redirect_limit_and_loop(tmp_path: Path) -> None:
    web = FakeWeb(
        {f"https://news.example/{i}": httpx.Response(302, headers={"location": f"/{i + 1}"}) for i in range(10)}
    )
    with pytest.raises(FetchError) as caught:
        await _fetch(web, _settings(tmp_path, max_redirects=3), "https://news.example/0")
    assert caught.value.outcome == "too_many_redirects"
    assert len(_pages(web)) == 4
    loop = FakeWeb(
        {
            "https://news.example/a": httpx.Response(301, headers={"location": "/b"}),
            "https://news.example/b": httpx.Response(301, headers={"location": "/a"}),
        }
    )
    with pytest.raises(FetchError) as caught:
        await _fetch(loop, _settings(tmp_path), "https://news.example/a")
    assert caught.value.outcome == "redirect_loop"


async def test_robots_txt_disallow_is_obeyed_and_cached(tmp_path: Path) -> None:
    # The group naming newswire applies to it alone; the * group is for other crawlers (RFC 9309).
    robots = httpx.Response(
        200, text="User-agent: *\nDisallow: /\n\nUser-agent: newswire\nDisallow: /private/\nDisallow: /*.pdf$\n"
    )
    web = FakeWeb(
        {
            "https://news.example/robots.txt": robots,
            "https://news.example/ok": httpx.Response(200, headers=HTML, text="ok"),
        }
    )
    async with Fetcher(_settings(tmp_path), resolver=DNS, transport=web.transport()) as fetcher:
        await fetcher.fetch("https://news.example/ok", source="t")
        for path in ("/private/x", "/files/report.pdf"):
            with pytest.raises(FetchError) as caught:
                await fetcher.fetch(f"https://news.example{path}", source="t")
            assert caught.value.outcome == "robots_disallowed"
    assert web.urls().count("https://news.example/robots.txt") == 1
    assert not any("/private/" in u or u.endswith(".pdf") for u in web.urls())


async def test_robots_crawl_delay_spaces_requests(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    web = FakeWeb(
        {
            "https://news.example/robots.txt": httpx.Response(200, text="User-agent: *\nCrawl-delay: 4\n"),
            **{f"https://news.example/{i}": httpx.Response(200, headers=HTML, text="ok") for i in range(3)},
        }
    )
    waits: list[float] = []
    real_sleep = asyncio.sleep

    async def recording_sleep(seconds: float) -> None:
        waits.append(seconds)
        await real_sleep(0)

    monkeypatch.setattr(fetcher_module.asyncio, "sleep", recording_sleep)
    async with Fetcher(_settings(tmp_path, per_host_delay=0), resolver=DNS, transport=web.transport()) as fetcher:
        for i in range(3):
            await fetcher.fetch(f"https://news.example/{i}", source="t")
    assert len(waits) == 2 and all(3.5 < w <= 4.0 for w in waits), waits


async def test_robots_server_error_means_do_not_crawl(tmp_path: Path) -> None:
    web = FakeWeb(
        {
            "https://news.example/robots.txt": httpx.Response(503),
            "https://news.example/a": httpx.Response(200, headers=HTML, text="ok"),
        }
    )
    with pytest.raises(FetchError) as caught:
        await _fetch(web, _settings(tmp_path), "https://news.example/a")
    assert caught.value.outcome == "connect_error"
    assert "https://news.example/a" not in web.urls()


async def test_slow_page_times_out_and_huge_page_is_cut(sample_site: SampleSite, tmp_path: Path) -> None:
    async with Fetcher(_settings(tmp_path, retries=0)) as fetcher:
        for path, outcome in (
            ("/hostile/slow.html", "timeout"),
            ("/hostile/huge.html", "too_large"),
            ("/hostile/loop-a.html", "redirect_loop"),
            ("/private/disallowed.html", "robots_disallowed"),
        ):
            with pytest.raises(FetchError) as caught:
                await fetcher.fetch(sample_site.url(path), source="t", allow_private=True)
            assert caught.value.outcome == outcome, path
    assert sample_site.requests_for("/private/disallowed.html") == []
