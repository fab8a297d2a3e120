"""One fault case from start to verdict: articles flowing, the fault in the middle, then the check.

The pipeline starts with an SSE client already connected (replaying from the start of the case,
then live, resuming with Last-Event-ID whenever it drops); the live site publishes articles at a
steady rate; once articles reach the stream, `fault` runs (kill, wait, restart...) while they keep
coming. Then the case waits, up to `settle_timeout`, for every article of both sites to be in the
store and on every stream, and checks the delivery invariant, adding a fresh replay stream that
must carry every article exactly once.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from .outcomes import Delivery, check_delivery, full_mode
from .pipeline import Pipeline
from .streams import ResumingStream

__all__ = ["Scale", "ScenarioResult", "assert_delivered", "describe", "run_scenario", "scale"]


@dataclass(frozen=True)
class Scale:
    live_articles: int
    rate: float
    repetitions: int
    settle_timeout: float


def scale() -> Scale:
    """Short enough for CI by default, longer with NEWSWIRE_FAULTS_FULL=1."""
    if full_mode():
        return Scale(live_articles=120, rate=2.0, repetitions=3, settle_timeout=420.0)
    return Scale(live_articles=16, rate=1.0, repetitions=1, settle_timeout=240.0)


@dataclass
class ScenarioResult:
    delivery: Delivery
    streams: dict[str, ResumingStream]
    fault_notes: list[str]
    seconds: float
    #: seconds from the start of the case to each phase's end
    phases: dict[str, float]


async def wait_until(condition: Callable[[], bool], *, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.25)
    return True


async def run_scenario(
    pipeline: Pipeline,
    fault: Callable[[Pipeline], Awaitable[list[str]]],
    *,
    streams: int = 1,
    size: Scale | None = None,
) -> ScenarioResult:
    size = size or scale()
    started = time.monotonic()
    since = datetime.now(UTC) - timedelta(minutes=5)
    phases: dict[str, float] = {}

    def mark(name: str) -> None:
        phases[name] = round(time.monotonic() - started, 1)

    await pipeline.start()
    mark("started")
    clients = {f"client-{n}": pipeline.stream(since=since) for n in range(streams)}
    assert pipeline.live_site is not None
    scheduled = pipeline.live_site.schedule(rate=size.rate, count=size.live_articles)
    first = clients["client-0"]
    # The fault comes once articles flow end to end (the first ones reached the stream).
    if not await wait_until(lambda: len(first.ids) >= 3, timeout=240):
        pipeline.check_alive()
        raise AssertionError("no article reached the stream before the fault:\n" + pipeline.log_tail("enricher"))
    mark("flowing")
    notes = await fault(pipeline)
    mark("fault done")
    # Everything of the live site is published before the expected set is taken.
    await asyncio.sleep(max(0.0, scheduled[-1].published - time.time()) + 0.5)
    expected = await pipeline.expected_ids()
    wanted = set(expected)
    deadline = time.monotonic() + size.settle_timeout
    await pipeline.wait_stored(wanted, timeout=size.settle_timeout)
    for client in clients.values():
        await client.wait_for(wanted, timeout=max(5.0, deadline - time.monotonic()))
    mark("stored and streamed")
    replay = pipeline.stream(since=since)
    await replay.wait_for(wanted, timeout=60)
    # Anything still in flight (a second copy from at-least-once) has a moment to show up.
    await asyncio.sleep(2.0)
    all_streams = {**clients, "replay": replay}
    delivery = check_delivery(
        wanted,
        enriched=await pipeline.enriched_records(),
        stored=await pipeline.stored_ids(),
        streams=all_streams,
    )
    mark("checked")
    return ScenarioResult(delivery, all_streams, notes, time.monotonic() - started, phases)


def describe(result: ScenarioResult) -> str:
    """What the system did, in words, from what was measured."""
    d = result.delivery
    parts = []
    reconnects = {n: s.connections - 1 for n, s in result.streams.items() if n != "replay"}
    if any(reconnects.values()):
        parts.append(f"SSE clients reconnected with Last-Event-ID ({sum(reconnects.values())} reconnects)")
    if d.enriched_duplicates:
        parts.append(f"{d.enriched_duplicates} article(s) enriched twice in Kafka (at-least-once redelivery)")
    live_dups = sum(v for n, v in d.stream_duplicates.items() if n != "replay")
    if live_dups:
        parts.append(f"the live stream carried those copies ({live_dups} extra events, distinct ids)")
    parts.append("store kept one copy of each" if not d.stored_duplicates else "STORE HELD DUPLICATES")
    parts.append("nothing lost" if not d.lost else f"{len(d.lost)} ARTICLES LOST")
    return "; ".join(parts)


def assert_delivered(result: ScenarioResult, pipeline: Pipeline) -> None:
    assert not result.delivery.violations, (
        "\n".join(result.delivery.violations) + "\n--- enricher log ---\n" + pipeline.log_tail("enricher")
    )
