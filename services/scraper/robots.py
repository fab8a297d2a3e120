"""robots.txt: fetched once per origin, cached, and obeyed (Allow/Disallow, wildcards, Crawl-delay).

Follows RFC 9309: a missing robots.txt (4xx) allows everything; a server error means "do not
crawl for now". Parsing is protego's, which handles the modern conventions.
"""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from protego import Protego

from .urls import origin_of

__all__ = ["RobotsCache", "RobotsPolicy"]

logger = logging.getLogger(__name__)

#: A hostile robots.txt must not stall the crawler for hours.
MAX_CRAWL_DELAY = 60.0
MAX_ROBOTS_BYTES = 512 * 1024
#: How long an unreachable or failing robots.txt is remembered before trying again.
ERROR_TTL = 600.0


@dataclass(frozen=True, slots=True)
class RobotsPolicy:
    parser: Protego | None
    allow_all: bool = False
    #: robots.txt could not be read (server error, unreachable): crawl nothing there for now.
    unavailable: bool = False

    def can_fetch(self, url: str, user_agent: str) -> bool:
        if self.parser is None:
            return self.allow_all
        return bool(self.parser.can_fetch(url, user_agent))

    def crawl_delay(self, user_agent: str) -> float:
        if self.parser is None:
            return 0.0
        delay = self.parser.crawl_delay(user_agent)
        return min(float(delay), MAX_CRAWL_DELAY) if delay else 0.0


#: (robots.txt URL, allow_private) -> (status, body); status 0 means the server was unreachable.
RobotsFetch = Callable[[str, bool], Awaitable[tuple[int, bytes]]]


class RobotsCache:
    def __init__(self, fetch: RobotsFetch, *, ttl: float) -> None:
        self._fetch = fetch
        self._ttl = ttl
        self._entries: dict[str, tuple[float, RobotsPolicy]] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def policy(self, url: str, *, allow_private: bool) -> RobotsPolicy:
        """The policy of the URL's origin; `allow_private` is the SSRF exemption of the asking source."""
        origin = origin_of(url)
        lock = self._locks.setdefault(origin, asyncio.Lock())
        async with lock:
            entry = self._entries.get(origin)
            if entry and entry[0] > time.monotonic():
                return entry[1]
            policy, ttl = await self._load(origin, allow_private=allow_private)
            self._entries[origin] = (time.monotonic() + ttl, policy)
            return policy

    async def _load(self, origin: str, *, allow_private: bool) -> tuple[RobotsPolicy, float]:
        status, body = await self._fetch(origin + "/robots.txt", allow_private)
        if 200 <= status < 300:
            text = body[:MAX_ROBOTS_BYTES].decode("utf-8", errors="replace")
            return RobotsPolicy(Protego.parse(text)), self._ttl
        if 400 <= status < 500:
            return RobotsPolicy(None, allow_all=True), self._ttl
        logger.warning(
            "robots.txt of %s unavailable (status %s); not crawling it for now", origin, status or "unreachable"
        )
        return RobotsPolicy(None, allow_all=False, unavailable=True), ERROR_TTL
