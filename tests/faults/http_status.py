"""Polling an HTTP endpoint's status (readiness, liveness) while a fault is under way."""

import asyncio
import time

import httpx

__all__ = ["seconds_until_status", "status_of", "wait_until_status"]


async def status_of(url: str) -> int | None:
    """The status `url` answers with, or None when it does not answer."""
    try:
        async with httpx.AsyncClient(timeout=10.0) as client:
            return (await client.get(url)).status_code
    except httpx.HTTPError:
        return None


async def seconds_until_status(url: str, status: int, *, timeout: float) -> float | None:
    """Seconds (to 0.1) until `url` answers `status`, or None at the timeout."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if await status_of(url) == status:
            return round(time.monotonic() - started, 1)
        await asyncio.sleep(0.5)
    return None


async def wait_until_status(url: str, status: int, *, timeout: float) -> bool:
    return await seconds_until_status(url, status, timeout=timeout) is not None
