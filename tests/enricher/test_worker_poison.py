"""Whatever one message does to the enricher, it becomes a dead letter or an enriched article alone
(issue 14, findings 1 and 2): a time with no UTC form, NUL characters, a decoder or a library that
raises what nobody expected, a batch whose result is lost. Nothing escapes to fail the batch, which
would be read again after every restart."""

import asyncio
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import orjson
import pytest

from newswire.enricher import workers
from newswire.enricher.dlq import MAX_ERROR_CHARS, SourceRecord, dead_letter
from newswire.enricher.settings import Settings
from newswire.enricher.tables import WindowStats
from newswire.enricher.topics import EnricherTopics
from newswire.enricher.workers import Enriched, EnricherPool, Failed, enrich_values
from newswire.schemas import EnrichedArticle, TopicNames, decode, encode
from tests.enricher.standin import EXIT
from tests.enricher.test_worker_stats import FakeProducer
from tests.factories import make_raw


@pytest.fixture(autouse=True)
def standin_worker() -> Iterator[None]:
    workers._init_worker("tests.enricher.standin:Enricher", "none", 8, 5_000)
    yield
    workers._enricher = None


def _value(i: int, **fields: object) -> bytes:
    fields.setdefault("text", "Pakistan and Kazakhstan cut a tariff.")
    fields.setdefault("fetched_at", datetime.now(UTC))
    return encode(make_raw(url=f"https://example.org/{i}", **fields))


def _with(value: bytes, **fields: object) -> bytes:
    # Fields set on the JSON itself, as a producer that never went through the model would send them.
    return orjson.dumps(orjson.loads(value) | fields)


def test_a_published_at_with_no_utc_form_is_a_schema_dead_letter() -> None:
    poison = _with(_value(2), published_at="0001-01-01T00:00:00+01:00")
    outcomes = enrich_values([_value(1), poison, _value(3)])

    assert [type(o).__name__ for o in outcomes] == ["Enriched", "Failed", "Enriched"]
    failed = outcomes[1]
    assert isinstance(failed, Failed)
    assert failed.reason == "schema"
    assert "published_at" in failed.error and "out of range once converted to UTC" in failed.error


def test_nul_and_control_characters_never_reach_the_enriched_article() -> None:
    poison = _with(
        _value(1, text="Pakistan\u0000 and Kazakhstan\r\ncut a tariff."),
        title="nul\u0000title",
        authors=["A\u0000nne\u0007"],
    )
    [outcome] = enrich_values([poison])

    assert isinstance(outcome, Enriched)
    assert b"\\u0000" not in outcome.value and b"\\u0007" not in outcome.value
    article = decode(outcome.value, EnrichedArticle)
    assert (article.title, article.authors) == ("nultitle", ["Anne"])
    assert article.text == "Pakistan  and Kazakhstan \ncut a tariff."  # cleaned in place
    # Offsets index the published (cleaned) text.
    for entity in article.entities:
        for mention in entity.mentions:
            assert article.text[mention.start : mention.end] == mention.text


def test_an_unexpected_exception_while_decoding_fails_that_record_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    real = workers.decode

    def decode_or_overflow(value: bytes | None, model: Any) -> Any:
        if value is not None and b"overflow" in value:
            raise OverflowError("date value out of range")
        return real(value, model)

    monkeypatch.setattr(workers, "decode", decode_or_overflow)
    outcomes = enrich_values([_value(1), _value(2, title="overflow"), _value(3)])

    assert [type(o).__name__ for o in outcomes] == ["Enriched", "Failed", "Enriched"]
    assert outcomes[1] == Failed("decode", "OverflowError: date value out of range")


def test_a_library_that_calls_sys_exit_fails_its_article_alone() -> None:
    outcomes = enrich_values([_value(1), _value(2, text=f"Pakistan {EXIT}"), _value(3)])

    assert [type(o).__name__ for o in outcomes] == ["Enriched", "Failed", "Enriched"]
    failed = outcomes[1]
    assert isinstance(failed, Failed)
    assert failed.reason == "enrichment"
    assert "SystemExit" in failed.error


class _InProcessExecutor(ThreadPoolExecutor):
    """Runs the worker functions in this process; `fail(fn, args)` says which submissions raise."""

    def __init__(self, fail: Callable[[Any, tuple[Any, ...]], Exception | None]) -> None:
        super().__init__(max_workers=1)
        self.fail = fail
        self.submitted: list[tuple[str, int]] = []

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future:
        values = args[0] if fn is workers.enrich_values else [args[0]]
        self.submitted.append((fn.__name__, len(values)))
        error = self.fail(fn, args)
        if error is not None:
            future: Future = Future()
            future.set_exception(error)
            return future
        return super().submit(fn, *args, **kwargs)


def _pool(executor: _InProcessExecutor) -> EnricherPool:
    pool = EnricherPool(workers=1, model="none", nlp_batch_size=8, max_text_chars=5_000)
    pool._executor = executor  # type: ignore[assignment]
    return pool


async def test_a_batch_that_fails_as_a_whole_is_retried_alone_then_dead_lettered_with_bounded_attempts() -> None:
    lost = _value(2, title="result lost")

    def fail(fn: Any, args: tuple[Any, ...]) -> Exception | None:
        if fn is workers.enrich_values:
            return RuntimeError("the result did not come back")
        return RuntimeError("the result did not come back") if args[0] == lost else None

    executor = _InProcessExecutor(fail)
    outcomes = await _pool(executor).enrich([_value(1), lost, _value(3)])

    assert [type(o).__name__ for o in outcomes] == ["Enriched", "Failed", "Enriched"]
    failed = outcomes[1]
    assert isinstance(failed, Failed)
    assert failed.reason == "enrichment"
    assert failed.error == "RuntimeError: the result did not come back (2 attempts)"
    # One batch, then each message alone; the failing one exactly twice, not for ever.
    assert executor.submitted == [("enrich_values", 3)] + [("_enrich_alone", 1)] * 4
    executor.shutdown()


async def test_a_closing_pool_does_not_dead_letter_what_it_could_not_run() -> None:
    # Shutting down is not the records' fault: they stay unacked and are read again after a restart.
    executor = _InProcessExecutor(lambda fn, args: RuntimeError("cannot schedule new futures after shutdown"))
    pool = _pool(executor)
    pool._closed = True
    with pytest.raises(RuntimeError, match="after shutdown"):
        await pool.enrich([_value(1)])
    executor.shutdown()
    await asyncio.sleep(0)


async def test_a_fetched_at_in_the_far_future_is_not_counted_and_fails_nothing() -> None:
    # 9999-12-31T23:30:00Z has a UTC form, but the end of its hour window does not.
    producer = FakeProducer()
    stats = WindowStats(settings=Settings(), topics=EnricherTopics(TopicNames("news.")), producer=producer)  # type: ignore[arg-type]
    stats._loaded = {0}
    [future, now] = enrich_values([_value(1, fetched_at=datetime(9999, 12, 31, 23, 30, tzinfo=UTC)), _value(2)])
    assert isinstance(future, Enriched) and isinstance(now, Enriched)

    await stats.add_batch([(0, 1, future), (0, 2, now)])

    [snapshot] = [orjson.loads(value) for _, value, _ in producer.sent if value is not None]
    assert (snapshot["articles"], snapshot["through_offset"]) == (1, 3)


def test_a_dead_letter_of_an_exception_quoting_a_whole_article_stays_small() -> None:
    record = SourceRecord(topic="news.articles.raw", partition=0, offset=9, key=b"k", value=b"{}")
    letter = dead_letter(record, error="enrichment: ValueError: " + "x" * 5_000_000, now=datetime.now(UTC))
    assert len(letter.error) < MAX_ERROR_CHARS + 100
    assert letter.error.endswith("(error cut from 5000024 characters)")
