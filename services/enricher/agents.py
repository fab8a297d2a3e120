"""The enrich agent: batches from `news.articles.raw` through the process pool to the output topics.

At-least-once, and why it is done by hand. Faust acks an event when the stream moves on to the
next one (and `take()` acks a whole batch when the loop asks for the next batch); the consumer then
commits the acked offsets every `broker_commit_interval`. That would commit a batch that is still
in the process pool. So the agent iterates `stream.noack_take(...)`, which never acks, and
`BatchRunner` acks each event itself, only after every record it caused (the enriched article,
its `news.topics.<id>` copies, or its dead letter) was acknowledged by the broker (acks=all).

Batches are pipelined: while one batch is in the process pool the loop already takes the next
one, up to `inflight_batches`. Each batch waits for its predecessor twice, so order is kept where
it matters: it publishes only after the previous batch has handed all its records to the
producer (one article's versions stay in order in the output partitions), and it acks only after
the previous batch acked. Acks therefore arrive in offset order per partition; Faust's consumer
commits the first contiguous run of acked offsets, and with in-order acks that run never skips an
offset still in flight.

A publish that fails after the producer's own retries crashes the app: nothing of that batch is
acked, so a restarted worker (or the partition's next owner) processes it again. An enriched
article the producer refuses outright (larger than a request may be) would fail the same way on
every restart; it becomes a dead letter instead. Whatever one message holds, the pool turns it into
an enriched article or a dead letter (`workers.py`), so no message can make a batch fail for ever.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from datetime import UTC, datetime
from typing import Any

import faust
from aiokafka import AIOKafkaProducer
from aiokafka.errors import MessageSizeTooLargeError
from faust.types import TP, EventT, StreamT, TopicT

from newswire.schemas import DeadLetter, EnrichedArticle, encode, headers_for

from .dlq import SourceRecord, dead_letter
from .faust_api import noack_batches
from .metrics import (
    ARTICLES_ENRICHED,
    ARTICLES_UNREAD,
    BATCH_SIZE,
    DEAD_LETTERS,
    ENRICH_FAILURES,
    ENRICHMENT_SECONDS,
    FRESHNESS_SECONDS,
    TOPIC_ARTICLES,
)
from .settings import Settings
from .tables import WindowStats
from .topics import EnricherTopics
from .workers import Enriched, EnricherPool, Failed, Outcome

__all__ = ["BatchRunner", "register_agents"]

logger = logging.getLogger(__name__)

_ENRICHED_HEADERS = headers_for(EnrichedArticle)
_DEAD_HEADERS = headers_for(DeadLetter)


class BatchRunner:
    """Runs batches through the pool, publishes their outputs, and acks them in order."""

    def __init__(
        self,
        *,
        settings: Settings,
        topics: EnricherTopics,
        pool: EnricherPool,
        producer: AIOKafkaProducer,
        stats: WindowStats,
        ack: Callable[[EventT], Awaitable[bool]],
        is_assigned: Callable[[TP], bool],
        on_error: Callable[[BaseException], Coroutine[Any, Any, None]],
    ) -> None:
        self.settings = settings
        self.topics = topics
        self.pool = pool
        self.producer = producer
        self.stats = stats
        self._ack = ack
        self._is_assigned = is_assigned
        self._on_error = on_error
        self._slots = asyncio.Semaphore(settings.inflight_batches)
        self._last: asyncio.Task[None] | None = None
        self._last_handed: asyncio.Future[None] | None = None
        self.closing = False
        self._failed = False
        self._error_report: asyncio.Task[None] | None = None

    async def submit(self, events: Sequence[EventT]) -> None:
        """Start a batch; returns as soon as it is on its way (waits only for a free slot)."""
        if self.closing or not events:
            # Not acked: whoever owns the partition next reads these messages again.
            return
        await self._slots.acquire()
        if self.closing:
            # `drain()` began while this batch waited for a slot.
            self._slots.release()
            return
        BATCH_SIZE.observe(len(events))
        handed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        task = asyncio.create_task(self._run(list(events), self._last, self._last_handed, handed))
        task.add_done_callback(self._done)
        self._last, self._last_handed = task, handed

    async def drain(self) -> None:
        """Stop taking batches and wait until the ones in flight are published and acked."""
        self.closing = True
        while self._last is not None and not self._last.done():
            await asyncio.wait([self._last])

    def _done(self, task: asyncio.Task[None]) -> None:
        self._slots.release()
        if task.cancelled() or task.exception() is None or self._failed:
            return
        # The first failure is the cause; the batches after it fail in cascade and stay quiet.
        exc = task.exception()
        assert exc is not None
        self._failed = self.closing = True
        logger.error("batch failed, stopping the enricher: %r", exc, exc_info=exc)
        # Kept: the loop holds tasks only weakly.
        self._error_report = asyncio.get_running_loop().create_task(self._on_error(exc))

    async def _run(
        self,
        events: list[EventT],
        previous: asyncio.Task[None] | None,
        previous_handed: asyncio.Future[None] | None,
        handed: asyncio.Future[None],
    ) -> None:
        try:
            records = [_record(e) for e in events]
            outcomes = await self.pool.enrich([r.value for r in records])
            if previous_handed is not None:
                await previous_handed
            published = [await self._publish(r, o) for r, o in zip(records, outcomes, strict=True)]
            pending = [futures for futures, _ in published]
            outcomes = [outcome for _, outcome in published]
            handed.set_result(None)
        except BaseException as exc:
            if not handed.done():
                handed.set_exception(exc)
                handed.exception()  # retrieved here so an unobserved failure does not log twice
            raise
        for futures in pending:
            await asyncio.gather(*futures)
        if previous is not None:
            await previous
        # A partition revoked while this batch was in the pool belongs to another worker now: it
        # reads these messages again from the last commit, so here they are neither counted nor acked.
        owned = [self._is_assigned(event.message.tp) for event in events]
        await self.stats.add_batch(
            [
                (r.partition, r.offset, o)
                for r, o, mine in zip(records, outcomes, owned, strict=True)
                if mine and isinstance(o, Enriched)
            ]
        )
        for event, mine in zip(events, owned, strict=True):
            if mine:
                await self._ack(event)
        for outcome in outcomes:
            _count(outcome, threshold=self.settings.topic_threshold)

    async def _publish(self, record: SourceRecord, outcome: Outcome) -> tuple[list[asyncio.Future], Outcome]:
        """Hand one message's output records to the producer: their delivery futures, and the
        outcome as published (an article the producer refuses becomes a dead letter)."""
        if isinstance(outcome, Failed):
            letter = dead_letter(record, error=f"{outcome.reason}: {outcome.error}", now=datetime.now(UTC))
            logger.warning(
                "dead letter for %s[%s]@%s: %s",
                record.topic,
                record.partition,
                record.offset,
                letter.error,
                extra={"reason": outcome.reason},
            )
            future = await self.producer.send(self.topics.dlq, encode(letter), key=record.key, headers=_DEAD_HEADERS)
            return [future], outcome
        key = outcome.article_id.encode()
        targets = [self.topics.enriched] + [
            self.topics.topic(topic_id) for topic_id, score in outcome.topics if score >= self.settings.topic_threshold
        ]
        try:
            futures = [await self.producer.send(t, outcome.value, key=key, headers=_ENRICHED_HEADERS) for t in targets]
        except MessageSizeTooLargeError as exc:
            # Refused before it left (larger than a request may be): the same on every retry, so
            # crashing would read this batch again and crash again. The first target refuses it,
            # so none of its copies went out.
            return await self._publish(record, Failed("publish", f"{type(exc).__name__}: {exc}"))
        return futures, outcome


def _record(event: EventT) -> SourceRecord:
    message = event.message
    return SourceRecord(
        topic=message.topic,
        partition=message.partition,
        offset=message.offset,
        key=message.key,
        value=message.value,
    )


def _count(outcome: Outcome, *, threshold: float) -> None:
    if isinstance(outcome, Failed):
        ENRICH_FAILURES.labels(outcome.reason).inc()
        DEAD_LETTERS.labels(outcome.reason).inc()
        return
    ARTICLES_ENRICHED.inc()
    if outcome.unread_language is not None:
        ARTICLES_UNREAD.labels(outcome.unread_language).inc()
    ENRICHMENT_SECONDS.observe(outcome.nlp_seconds)
    FRESHNESS_SECONDS.observe(max(0.0, outcome.enriched_at - outcome.reference_at))
    for topic_id, score in outcome.topics:
        if score >= threshold:
            TOPIC_ARTICLES.labels(topic_id).inc()


RunnerFactory = Callable[[Callable[[EventT], Awaitable[bool]]], Awaitable[BatchRunner]]


def register_agents(app: faust.App, *, settings: Settings, source: TopicT, runner: RunnerFactory) -> None:
    """The `enrich` agent; `runner(ack)` starts (once) the pool and producer it hands batches to."""

    @app.agent(source, name="enrich")
    async def enrich(stream: StreamT) -> None:
        try:
            batches = await runner(stream.ack)
            async for events in noack_batches(stream, max_=settings.batch_max, within=settings.batch_within):
                await batches.submit(events)
        except Exception as exc:
            # Faust would log a crashed agent and keep the worker in the group, holding its
            # partitions with nobody consuming them; stop the whole worker instead, so that the
            # partitions move to the other workers and a supervisor sees the failure.
            logger.exception("the enrich agent failed; stopping the worker")
            # Not re-raised: Faust's supervisor would restart the agent while the app stops.
            await app.crash(exc)
