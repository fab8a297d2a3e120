"""Test doubles: an in-process HTTP 'internet' (httpx.MockTransport), a fake DNS, a recording publisher."""

import ipaddress
from collections.abc import Callable

import httpx

from newswire.schemas import RawArticle
from newswire.scraper.ssrf import IPAddress

__all__ = ["FakeDns", "FakeWeb", "RecordingPublisher"]


class FakeDns:
    """Resolves names from a table; nothing is looked up for real."""

    def __init__(self, table: dict[str, str]) -> None:
        self.table = table
        self.asked: list[str] = []

    async def __call__(self, host: str) -> list[IPAddress]:
        self.asked.append(host)
        if host not in self.table:
            raise OSError(f"unknown host {host}")
        return [ipaddress.ip_address(self.table[host])]


Handler = Callable[[httpx.Request], httpx.Response]


class FakeWeb:
    """URL -> handler; records every request that reached 'the network'."""

    def __init__(self, routes: dict[str, Handler | httpx.Response]) -> None:
        self.routes = routes
        self.requests: list[httpx.Request] = []

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self._handle)

    def _handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        route = self.routes.get(str(request.url))
        if route is None:
            return httpx.Response(404, text="not found")
        return route(request) if callable(route) else route

    def urls(self) -> list[str]:
        return [str(r.url) for r in self.requests]


class RecordingPublisher:
    """Stands in for the Kafka publisher: keeps what it was asked to publish."""

    def __init__(self) -> None:
        self.articles: list[RawArticle] = []

    async def start(self) -> None:
        return None

    async def publish(self, article: RawArticle) -> None:
        self.articles.append(article)

    def request_stop(self) -> None:
        return None

    async def stop(self) -> None:
        return None
