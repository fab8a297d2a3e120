"""The process pool that runs the NLP pipeline off the event loop.

Each worker process builds one `Enricher` when it starts (spaCy load and gazetteers cost seconds)
and then turns whole batches of raw message values into `Outcome`s: decoding, schema validation,
enrichment and JSON encoding all happen in the worker, so the event loop only moves bytes.

A batch whose `enrich_many` raises is retried article by article inside the worker, so one bad
article fails alone. A worker process that dies (segfault, out of memory) breaks the whole pool:
`EnricherPool` then builds a new pool and retries that batch one article per task, and an article
that kills a worker on its own is reported as failed instead of taking the enricher down with it.

What becomes a dead letter: bytes that are not UTF-8 JSON (including JSON nested deeper than the
parser's limit, and tombstones), JSON that is not a valid `RawArticle` (a time with no UTC form
included), and articles whose enrichment raises. Any exception one message causes, expected or
not, makes that message a dead letter with the exception as its reason; no batch fails for it.
An article with an empty text is valid and is enriched (with no entities or topics): it exists,
it just says nothing, and its subscribers still see it. So is an article in a language the models
do not read: it is passed through unread (`language.py`) and counted by its language.
"""

import asyncio
import importlib
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Protocol

from newswire.schemas import ContractError, DecodeError, EnrichedArticle, RawArticle, decode, encode

from .language import unread_language
from .metrics import FailureReason

__all__ = ["ArticleEnricher", "Enriched", "EnricherPool", "EntityRef", "Failed", "Outcome", "enrich_values"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class EntityRef:
    id: str
    name: str
    type: str
    mentions: int


@dataclass(frozen=True, slots=True)
class Enriched:
    """One enriched article, already encoded, plus what the event loop needs to route and count it."""

    article_id: str
    value: bytes
    topics: tuple[tuple[str, float], ...]
    entities: tuple[EntityRef, ...]
    fetched_at: float
    #: published_at when the source gave one, else fetched_at (epoch seconds)
    reference_at: float
    enriched_at: float
    #: this article's share of its batch's NLP time
    nlp_seconds: float
    #: the language of an article passed through unread (`language.py`); None when it was read
    unread_language: str | None = None


@dataclass(frozen=True, slots=True)
class Failed:
    reason: FailureReason
    error: str


Outcome = Enriched | Failed


class ArticleEnricher(Protocol):
    """What `newswire.enricher.pipeline.Enricher` offers: blocking, batched, deterministic."""

    def enrich_many(self, articles: list[RawArticle]) -> list[EnrichedArticle]: ...


# Per worker process: built once by `_init_worker`, used by every batch that process runs.
_enricher: ArticleEnricher | None = None
_max_text_chars = 0


def _init_worker(pipeline: str, model: str, nlp_batch_size: int, max_text_chars: int) -> None:
    global _enricher, _max_text_chars
    # Ctrl-C reaches the whole process group; the parent decides when the pool stops.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with_parent, name="exit-with-parent", daemon=True).start()
    # One BLAS thread per process (set before spaCy brings numpy in): the pool already runs a
    # process per core, and more threads would only fight over the same cores.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    # Imported here, in the worker, so that the event-loop process never loads spaCy.
    module, _, name = pipeline.partition(":")
    enricher_class = getattr(importlib.import_module(module), name)
    _enricher = enricher_class(model=model, n_process=1, batch_size=nlp_batch_size)
    _max_text_chars = max_text_chars


def _exit_with_parent() -> None:
    # A worker holds both ends of its task queue, so it never sees EOF when the parent is killed
    # (SIGKILL, OOM killer): without this it would idle forever holding a spaCy model in memory.
    parent = multiprocessing.parent_process()
    if parent is not None:
        parent.join()
        os._exit(1)


def _ready() -> bool:
    return _enricher is not None


def _decode(value: bytes | None) -> RawArticle | Failed:
    # Whatever one record does to the decoder, it fails alone: an exception that escaped here
    # would fail the batch, and the batch would be read again, fail again, on every restart.
    try:
        return decode(value, RawArticle)
    except DecodeError as exc:
        return Failed("decode", str(exc))
    except ContractError as exc:
        return Failed("schema", str(exc))
    except RecursionError:
        return Failed("decode", "JSON nested too deeply")
    except Exception as exc:
        logger.warning("decoding a message raised %r; dead-lettering it", exc)
        return Failed("decode", f"{type(exc).__name__}: {exc}")


def _nlp_input(raw: RawArticle) -> RawArticle:
    # A runaway page (a 10 MB text) must not hold a worker for minutes, nor be copied into the
    # enriched topic and every topic channel: the article is enriched and published with its first
    # `max_text_chars` (100k characters by default, far beyond any news story), so that the
    # mention offsets index the text that is published.
    if len(raw.text) <= _max_text_chars:
        return raw
    return raw.model_copy(update={"text": raw.text[:_max_text_chars]})


def _outcome(raw: RawArticle, article: EnrichedArticle, nlp_seconds: float) -> Enriched:
    reference = raw.published_at or raw.fetched_at
    return Enriched(
        article_id=article.id,
        value=encode(article),
        topics=tuple((t.id, t.score) for t in article.topics),
        entities=tuple(EntityRef(e.id, e.name, e.type, len(e.mentions)) for e in article.entities),
        fetched_at=raw.fetched_at.timestamp(),
        reference_at=reference.timestamp(),
        enriched_at=article.enriched_at.timestamp(),
        nlp_seconds=nlp_seconds,
        # Decided again on the text the pipeline read (a runaway text is cut first), so the count
        # agrees with what the pipeline did; the check is a regex pass, ~0.2 ms against ~80 ms of NLP.
        unread_language=unread_language(title=raw.title, text=_nlp_input(raw).text, declared=raw.language),
    )


def _enrich_one(raw: RawArticle) -> Outcome:
    assert _enricher is not None, "worker process not initialised"
    started = time.perf_counter()
    try:
        [article] = _enricher.enrich_many([_nlp_input(raw)])
        return _outcome(raw, article, time.perf_counter() - started)
    except (Exception, SystemExit) as exc:
        # SystemExit too: a library that gives up with sys.exit() on one text must not end the
        # worker process with the whole batch in it.
        logger.warning("enrichment failed for article %s: %r", raw.id, exc)
        return Failed("enrichment", f"{type(exc).__name__}: {exc}")


def enrich_values(values: Sequence[bytes | None]) -> list[Outcome]:
    """Raw message values -> one Outcome per value, in order. Runs in a worker process."""
    assert _enricher is not None, "worker process not initialised"
    decoded = [_decode(v) for v in values]
    raws = [d for d in decoded if isinstance(d, RawArticle)]
    enriched: list[Outcome] = []
    if raws:
        started = time.perf_counter()
        try:
            articles = _enricher.enrich_many([_nlp_input(r) for r in raws])
            share = (time.perf_counter() - started) / len(raws)
            enriched = [_outcome(r, a, share) for r, a in zip(raws, articles, strict=True)]
        except (Exception, SystemExit) as exc:
            logger.warning("batch of %s failed (%r); retrying article by article", len(raws), exc)
            enriched = [_enrich_one(r) for r in raws]
    it = iter(enriched)
    return [next(it) if isinstance(d, RawArticle) else d for d in decoded]


def _enrich_alone(value: bytes | None) -> Outcome:
    return enrich_values([value])[0]


class EnricherPool:
    """`ProcessPoolExecutor` of `workers` processes, each with its own `Enricher`."""

    def __init__(
        self,
        *,
        workers: int,
        model: str,
        nlp_batch_size: int,
        max_text_chars: int,
        pipeline: str = "newswire.enricher.pipeline:Enricher",
    ) -> None:
        self.workers = workers
        self._initargs = (pipeline, model, nlp_batch_size, max_text_chars)
        self._executor: ProcessPoolExecutor | None = None
        self._lock = asyncio.Lock()
        self._closed = False

    def _new_executor(self) -> ProcessPoolExecutor:
        # spawn, not fork: the parent runs an event loop and threads (metrics server, Kafka client)
        return ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker,
            initargs=self._initargs,
        )

    async def start(self) -> None:
        """Start the processes and wait until every one has built its pipeline."""
        self._executor = self._new_executor()
        loop = asyncio.get_running_loop()
        started = time.monotonic()
        await asyncio.gather(*(loop.run_in_executor(self._executor, _ready) for _ in range(self.workers * 2)))
        logger.info("%s enricher processes ready in %.1f s", self.workers, time.monotonic() - started)

    async def enrich(self, values: Sequence[bytes | None]) -> list[Outcome]:
        """One Outcome per value, in order; never raises for what the values hold.

        A batch that fails as a whole is retried one message per task, each a bounded number of
        times, and a message that still fails becomes a `Failed` (a dead letter): a batch that
        raised out of here would be read again after the restart and raise again, for ever."""
        executor = self._executor
        assert executor is not None, "EnricherPool.start() first"
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(executor, enrich_values, list(values))
        except BrokenProcessPool:
            logger.error("an enricher process died; restarting the pool and retrying %s messages alone", len(values))
            await self._replace(executor)
        except Exception as exc:
            if self._closed:
                raise  # shutting down: not acked, so read again after the restart; not the records' fault
            # enrich_values handles every record; this is what it cannot: a result that does not
            # travel back from the worker, a bug. The pool itself is fine.
            logger.error("a batch of %s messages failed (%r); retrying them alone", len(values), exc)
        # One at a time: a message that kills its process must not take innocent ones with it.
        return [await self._enrich_alone(v) for v in values]

    async def _enrich_alone(self, value: bytes | None, *, attempts: int = 2) -> Outcome:
        loop = asyncio.get_running_loop()
        error = "the enricher process died while enriching this message"
        for _ in range(attempts):
            executor = self._executor
            assert executor is not None
            try:
                return await loop.run_in_executor(executor, _enrich_alone, value)
            except BrokenProcessPool:
                # Another batch's poison may have broken the pool under us: retry once on a new pool.
                await self._replace(executor)
            except Exception as exc:
                if self._closed:
                    raise
                error = f"{type(exc).__name__}: {exc}"
                logger.warning("enriching one message failed (%s)", error)
        return Failed("enrichment", f"{error} ({attempts} attempts)")

    async def _replace(self, broken: ProcessPoolExecutor) -> None:
        async with self._lock:
            # Several batches see the same broken pool; only the first replaces it.
            if self._executor is broken:
                broken.shutdown(wait=False, cancel_futures=True)
                self._executor = self._new_executor()

    def close(self) -> None:
        self._closed = True
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
