"""Polite, bounded HTTP fetching with httpx.

Per fetch: the SSRF guard and robots.txt are checked for every hop of a redirect chain; requests
to one host are limited in number and spaced by a delay (robots.txt Crawl-delay wins when longer);
conditional headers (ETag, Last-Modified) turn unchanged pages into cheap 304s; timeouts, 429 and
5xx are retried with exponential backoff and jitter, honouring Retry-After; bodies are streamed,
decoded under a running cap (`decoding.py`: stacked encodings refused) and abandoned beyond
`max_body_bytes`; content types are checked against what was asked for. Every exchange, robots.txt
included, ends within `total_timeout`, however slowly the server trickles.
"""

import asyncio
import logging
import random
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Literal
from urllib.parse import urljoin, urlsplit

import httpx

from . import metrics
from .decoding import ACCEPT_ENCODING, read_body
from .errors import FetchError, FetchOutcome
from .robots import MAX_ROBOTS_BYTES, RobotsCache
from .settings import Settings
from .ssrf import Resolver, check_url, guarded_transport, system_resolver
from .urls import UrlError, host_of, normalise_url

__all__ = ["Fetcher", "ResourceKind", "Response", "Validators"]

logger = logging.getLogger(__name__)

ResourceKind = Literal["page", "feed", "sitemap"]

_ACCEPT: dict[ResourceKind, str] = {
    "page": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1",
    "feed": "application/rss+xml,application/atom+xml,application/xml;q=0.9,text/xml;q=0.9,*/*;q=0.1",
    "sitemap": "application/xml,text/xml;q=0.9,application/gzip;q=0.8,*/*;q=0.1",
}
_HTML_TYPES = ("text/html", "application/xhtml+xml")
# Feeds and sitemaps arrive with every label imaginable; only clearly wrong ones are refused.
_XML_TYPES = ("xml", "rss", "atom", "text/plain", "text/html", "gzip", "octet-stream")
_REDIRECTS = {301, 302, 303, 307, 308}
_RETRY_STATUSES = {429, 500, 502, 503, 504}


@dataclass(frozen=True, slots=True)
class Validators:
    """What a server said about a response's version; sent back to get a 304 when unchanged."""

    etag: str | None = None
    last_modified: str | None = None

    def headers(self) -> dict[str, str]:
        headers = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers

    def __bool__(self) -> bool:
        return bool(self.etag or self.last_modified)


@dataclass(frozen=True, slots=True)
class Response:
    url: str
    final_url: str
    status: int
    body: bytes
    content_type: str
    charset: str | None
    validators: Validators
    fetched_at: datetime

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@dataclass(slots=True)
class _Host:
    semaphore: asyncio.Semaphore
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    next_at: float = 0.0


class _Retry(Exception):
    """A retryable answer (timeout, 429, 5xx); `after` is the server's Retry-After, if any."""

    def __init__(self, error: FetchError, after: float | None = None) -> None:
        super().__init__(str(error))
        self.error = error
        self.after = after


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, (parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds())
    except (TypeError, ValueError):
        return None


def _content_type_ok(kind: ResourceKind, content_type: str) -> bool:
    if not content_type:
        return True
    if kind == "page":
        return content_type.startswith(_HTML_TYPES)
    return any(marker in content_type for marker in _XML_TYPES)


class Fetcher:
    """One per crawler: shares connections, robots.txt cache and per-host limits across sources."""

    def __init__(
        self,
        settings: Settings,
        *,
        resolver: Resolver | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.settings = settings
        self._resolver = resolver or system_resolver
        #: hosts that a source allowing private addresses fetched from (the sample site)
        self._private_hosts: set[str] = set()
        limits = httpx.Limits(max_connections=64, max_keepalive_connections=32)
        if transport is None:
            transport = guarded_transport(
                resolver=self._resolver, private_ok=self._private_hosts.__contains__, limits=limits
            )
        self._client = httpx.AsyncClient(
            headers={
                "User-Agent": settings.user_agent,
                "Accept-Language": "en;q=1.0, *;q=0.5",
                # Only what BodyDecoder inflates under its cap (httpx would offer br and zstd when installed).
                "Accept-Encoding": ACCEPT_ENCODING,
            },
            timeout=httpx.Timeout(
                connect=settings.connect_timeout,
                read=settings.read_timeout,
                write=settings.read_timeout,
                pool=settings.total_timeout,
            ),
            follow_redirects=False,
            transport=transport,
        )
        self._hosts: dict[str, _Host] = {}
        self._robots = RobotsCache(self._fetch_robots, ttl=settings.robots_ttl)
        # robots.txt matching uses the product token, not the whole User-Agent string.
        self._robots_agent = settings.user_agent.split("/", 1)[0].split()[0]

    async def __aenter__(self) -> "Fetcher":
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    # -- public ----------------------------------------------------------------------------------

    async def fetch(
        self,
        url: str,
        *,
        source: str,
        kind: ResourceKind = "page",
        validators: Validators | None = None,
        allow_private: bool = False,
        delay: float | None = None,
    ) -> Response:
        """Fetch one URL politely; raises `FetchError` whose `outcome` says why it failed."""
        started = time.monotonic()
        try:
            response = await self._fetch_with_retries(
                url, source=source, kind=kind, validators=validators, allow_private=allow_private, delay=delay
            )
        except FetchError as exc:
            metrics.FETCHES.labels(source, exc.outcome).inc()
            if exc.outcome == "robots_disallowed":
                metrics.ROBOTS_REFUSALS.labels(source).inc()
            logger.warning(
                "fetch failed (%s): %s",
                exc.outcome,
                exc.detail,
                extra={"source": source, "url": url, "outcome": exc.outcome},
            )
            raise
        finally:
            metrics.FETCH_SECONDS.labels(source).observe(time.monotonic() - started)
        metrics.FETCHES.labels(source, "not_modified" if response.not_modified else "ok").inc()
        metrics.BYTES.labels(source).inc(len(response.body))
        return response

    # -- internals -------------------------------------------------------------------------------

    async def _fetch_with_retries(
        self,
        url: str,
        *,
        source: str,
        kind: ResourceKind,
        validators: Validators | None,
        allow_private: bool,
        delay: float | None,
    ) -> Response:
        attempt = 0
        while True:
            try:
                return await self._follow(
                    url, kind=kind, validators=validators, allow_private=allow_private, delay=delay
                )
            except _Retry as retry:
                attempt += 1
                if attempt > self.settings.retries:
                    raise retry.error from None
                if retry.after is not None and retry.after > self.settings.max_retry_after:
                    raise FetchError(
                        retry.error.outcome,
                        f"{retry.error.detail}; Retry-After {retry.after:.0f}s is too long",
                        url=url,
                    ) from None
                backoff = min(self.settings.backoff_max, self.settings.backoff_base * 2 ** (attempt - 1))
                # Jitter (half the backoff, plus up to the whole again) spreads the retries of many
                # workers that hit the same failing server at the same moment.
                wait = max(retry.after or 0.0, random.uniform(0, backoff) + backoff / 2)
                logger.info(
                    "retrying %s in %.1fs (attempt %s): %s",
                    url,
                    wait,
                    attempt,
                    retry.error.detail,
                    extra={"source": source},
                )
                await asyncio.sleep(wait)

    async def _follow(
        self, url: str, *, kind: ResourceKind, validators: Validators | None, allow_private: bool, delay: float | None
    ) -> Response:
        try:
            current = normalise_url(url)
        except UrlError as exc:
            raise FetchError("invalid_url", str(exc), url=url) from exc
        seen = [current]
        for _hop in range(self.settings.max_redirects + 1):
            await self._check(current, allow_private=allow_private)
            policy = await self._robots.policy(current, allow_private=allow_private)
            if policy.unavailable:
                raise FetchError("connect_error", "robots.txt unavailable; not crawling this host for now", url=current)
            if not policy.can_fetch(current, self._robots_agent):
                raise FetchError("robots_disallowed", "robots.txt disallows it", url=current)
            wait = max(self.settings.per_host_delay if delay is None else delay, policy.crawl_delay(self._robots_agent))
            # Stored validators come from the end of the chain, so every hop carries them; a
            # redirecting hop ignores them and the final one answers 304 when nothing changed.
            conditional = validators.headers() if validators else {}
            location, response = await self._request(
                current, kind=kind, headers={"Accept": _ACCEPT[kind], **conditional}, delay=wait
            )
            if location is None:
                assert response is not None
                return Response(
                    url=url,
                    final_url=current,
                    status=response[0],
                    body=response[1],
                    content_type=response[2],
                    charset=response[3],
                    validators=response[4],
                    fetched_at=datetime.now(UTC),
                )
            try:
                target = normalise_url(urljoin(current, location))
            except UrlError as exc:
                raise FetchError("invalid_url", f"redirect to {location!r}: {exc}", url=url) from exc
            if target in seen:
                raise FetchError("redirect_loop", " -> ".join([*seen, target]), url=url)
            seen.append(target)
            current = target
        raise FetchError("too_many_redirects", f"more than {self.settings.max_redirects} redirects", url=url)

    async def _check(self, url: str, *, allow_private: bool) -> None:
        if allow_private:
            self._private_hosts.add(urlsplit(url).hostname or "")
        await check_url(url, resolver=self._resolver, allow_private=allow_private)

    def _host(self, url: str) -> _Host:
        key = host_of(url)
        host = self._hosts.get(key)
        if host is None:
            host = self._hosts[key] = _Host(asyncio.Semaphore(self.settings.per_host_concurrency))
        return host

    async def _polite(self, host: _Host, delay: float) -> None:
        async with host.lock:
            loop = asyncio.get_running_loop()
            wait = host.next_at - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            host.next_at = loop.time() + delay

    async def _request(
        self, url: str, *, kind: ResourceKind, headers: dict[str, str], delay: float
    ) -> tuple[str | None, tuple[int, bytes, str, str | None, Validators] | None]:
        """One HTTP exchange: (redirect location, None) or (None, (status, body, type, charset, validators))."""
        host = self._host(url)
        async with host.semaphore:
            await self._polite(host, delay)
            try:
                # The read timeout bounds each wait; this bounds a server that trickles bytes forever.
                async with asyncio.timeout(self.settings.total_timeout):
                    async with self._client.stream("GET", url, headers=headers) as response:
                        return await self._read(url, response, kind=kind)
            except TimeoutError as exc:
                raise _Retry(
                    FetchError("timeout", f"no complete answer within {self.settings.total_timeout:g}s", url=url)
                ) from exc
            except httpx.TimeoutException as exc:
                raise _Retry(
                    FetchError("timeout", f"{type(exc).__name__} after the configured timeout", url=url)
                ) from exc
            except (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError) as exc:
                raise _Retry(FetchError("connect_error", f"{type(exc).__name__}: {exc}", url=url)) from exc
            except httpx.HTTPError as exc:
                raise FetchError("connect_error", f"{type(exc).__name__}: {exc}", url=url) from exc
            except FetchError as exc:
                # The guard under httpx refused the connection: name the URL, not just its host.
                raise FetchError(exc.outcome, exc.detail, url=url) from None

    async def _read(
        self, url: str, response: httpx.Response, *, kind: ResourceKind
    ) -> tuple[str | None, tuple[int, bytes, str, str | None, Validators] | None]:
        status = response.status_code
        validators = Validators(response.headers.get("etag"), response.headers.get("last-modified"))
        content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
        if status in _REDIRECTS:
            location = response.headers.get("location")
            if not location:
                raise FetchError("http_error", f"HTTP {status} without a Location", url=url)
            return location, None
        if status == 304:
            return None, (304, b"", content_type, None, validators)
        if status in _RETRY_STATUSES:
            outcome: FetchOutcome = "rate_limited" if status == 429 else "server_error"
            raise _Retry(
                FetchError(outcome, f"HTTP {status}", url=url), _retry_after(response.headers.get("retry-after"))
            )
        if status >= 400 or status < 200:
            raise FetchError("server_error" if status >= 500 else "http_error", f"HTTP {status}", url=url)
        if not _content_type_ok(kind, content_type):
            raise FetchError("bad_content_type", f"{content_type} is not what a {kind} is served as", url=url)
        limit = self.settings.max_body_bytes
        declared = response.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > limit:
            raise FetchError("too_large", f"Content-Length {declared} exceeds {limit} bytes", url=url)
        body = await read_body(url, response, limit=limit)
        return None, (status, body, content_type, response.charset_encoding, validators)

    async def _fetch_robots(self, robots_url: str, allow_private: bool) -> tuple[int, bytes]:
        """(status, body) of an origin's robots.txt; status 0 when it cannot be had (RFC 9309: then
        crawl nothing there for now). The whole lookup, redirects included, gets `total_timeout`:
        a robots.txt that trickles a byte at a time must not hold the source's poll for ever."""
        try:
            async with asyncio.timeout(self.settings.total_timeout):
                return await self._robots_exchange(robots_url, allow_private)
        except TimeoutError:
            logger.info("robots.txt %s: no complete answer within %gs", robots_url, self.settings.total_timeout)
            return 0, b""
        except (httpx.HTTPError, FetchError) as exc:
            logger.info("robots.txt %s: %s", robots_url, exc)
            return 0, b""

    async def _robots_exchange(self, robots_url: str, allow_private: bool) -> tuple[int, bytes]:
        current = robots_url
        for _hop in range(5):
            await self._check(current, allow_private=allow_private)
            host = self._host(current)
            async with (
                host.semaphore,
                self._client.stream("GET", current, headers={"Accept": "text/plain"}) as response,
            ):
                if response.status_code in _REDIRECTS and response.headers.get("location"):
                    current = urljoin(current, response.headers["location"])
                    continue
                body = b""
                if 200 <= response.status_code < 300:
                    # Past the size a parser reads, the rest is ignored (RFC 9309 allows 500 KiB).
                    body = await read_body(current, response, limit=MAX_ROBOTS_BYTES, truncate=True)
                return response.status_code, body
        return 0, b""

