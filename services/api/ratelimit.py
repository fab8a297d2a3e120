"""Per-client request rate limits (token buckets) for `/v1/*`."""

import time
from dataclasses import dataclass

from .errors import RateLimited

__all__ = ["RateLimiter"]


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """`rate` requests per second per client on average, `burst` at once; `rate == 0` disables it."""

    #: Buckets kept before idle ones are dropped, so that many one-off clients cannot grow memory.
    MAX_CLIENTS = 10_000

    def __init__(self, *, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = burst
        self._buckets: dict[str, _Bucket] = {}

    def _refilled(self, client: str) -> _Bucket:
        now = time.monotonic()
        bucket = self._buckets.get(client)
        if bucket is None:
            if len(self._buckets) >= self.MAX_CLIENTS:
                self._prune(now)
            bucket = self._buckets[client] = _Bucket(tokens=float(self.burst), updated=now)
        bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.updated) * self.rate)
        bucket.updated = now
        return bucket

    def blocked(self, client: str) -> float | None:
        """Seconds until `client` has a token again, or None if it has one now (nothing taken)."""
        if self.rate <= 0:
            return None
        bucket = self._refilled(client)
        return None if bucket.tokens >= 1.0 else (1.0 - bucket.tokens) / self.rate

    def charge(self, client: str) -> None:
        """Take one token for `client` if it has one (an event to count, e.g. a failed login)."""
        if self.rate <= 0:
            return
        bucket = self._refilled(client)
        bucket.tokens = max(0.0, bucket.tokens - 1.0)

    def check(self, client: str) -> None:
        """Take one token for `client` or raise RateLimited with the wait until the next one."""
        if self.rate <= 0:
            return
        bucket = self._refilled(client)
        if bucket.tokens < 1.0:
            raise RateLimited(
                f"rate limit of {self.rate:g} requests/s exceeded", retry_after=(1.0 - bucket.tokens) / self.rate
            )
        bucket.tokens -= 1.0

    def _prune(self, now: float) -> None:
        full = [k for k, b in self._buckets.items() if b.tokens + (now - b.updated) * self.rate >= self.burst]
        for key in full:
            del self._buckets[key]
