"""The batch runner's at-least-once rules, with a fake pool and producer instead of Kafka:
events are acked only after every record they caused was delivered, and always in offset order."""

import asyncio
from collections.abc import Callable, Sequence
from types import SimpleNamespace
from typing import Any

from aiokafka.errors import MessageSizeTooLargeError

from newswire.enricher.agents import BatchRunner
from newswire.enricher.metrics import DEAD_LETTERS
from newswire.enricher.settings import Settings
from newswire.enricher.topics import EnricherTopics
from newswire.enricher.workers import Enriched, EntityRef, Failed, Outcome
from newswire.schemas import DeadLetter, TopicNames, decode

TP = ("news.articles.raw", 0)


def _event(offset: int, value: bytes) -> Any:
    message = SimpleNamespace(
        topic=TP[0], partition=TP[1], offset=offset, key=f"key{offset}".encode(), value=value, tp=TP
    )
    return SimpleNamespace(message=message)


def _enriched(value: bytes, topics: tuple[tuple[str, float], ...] = ()) -> Enriched:
    return Enriched(
        article_id=value.decode(),
        value=b"enriched:" + value,
        topics=topics,
        entities=(EntityRef("country:PK", "Pakistan", "COUNTRY", 2),),
        fetched_at=0.0,
        reference_at=0.0,
        enriched_at=1.0,
        nlp_seconds=0.01,
    )


class FakePool:
    """Outcomes by value: b"bad..." fails to decode; a value's delay says how long it 'takes'."""

    def __init__(self, delays: dict[bytes, float] | None = None) -> None:
        self.delays = delays or {}

    async def enrich(self, values: Sequence[bytes | None]) -> list[Outcome]:
        await asyncio.sleep(max(self.delays.get(v or b"", 0.0) for v in values))
        return [
            Failed("decode", "not JSON")
            if (v or b"").startswith(b"bad")
            else _enriched(v or b"", (("trade", 0.7), ("sport", 0.2)))
            for v in values
        ]


class FakeProducer:
    def __init__(self, *, fail_on: bytes | None = None) -> None:
        self.sent: list[tuple[str, bytes | None, bytes | None]] = []
        self.fail_on = fail_on

    async def send(self, topic: str, value: bytes | None, *, key: bytes | None, headers: Any) -> asyncio.Future:
        self.sent.append((topic, key, value))
        future: asyncio.Future = asyncio.get_running_loop().create_future()
        if self.fail_on is not None and value is not None and self.fail_on in value:
            future.set_exception(RuntimeError("broker said no"))
        else:
            asyncio.get_running_loop().call_later(0.01, future.set_result, None)
        return future


class FakeStats:
    def __init__(self) -> None:
        self.counted: list[int] = []

    async def add_batch(self, items: Sequence[tuple[int, int, Enriched]]) -> None:
        self.counted += [offset for _, offset, _ in items]


def _runner(
    pool: FakePool,
    producer: FakeProducer,
    acked: list[int],
    errors: list[BaseException],
    *,
    is_assigned: Callable[[Any], bool] = lambda tp: True,
    inflight: int = 4,
) -> BatchRunner:
    async def ack(event: Any) -> bool:
        acked.append(event.message.offset)
        return True

    async def on_error(exc: BaseException) -> None:
        errors.append(exc)

    return BatchRunner(
        settings=Settings(max_inflight_batches=inflight),
        topics=EnricherTopics(TopicNames("news.")),
        pool=pool,  # type: ignore[arg-type]
        producer=producer,  # type: ignore[arg-type]
        stats=FakeStats(),  # type: ignore[arg-type]
        ack=ack,
        is_assigned=is_assigned,
        on_error=on_error,
    )


async def test_a_slow_batch_holds_back_the_acks_of_faster_later_batches() -> None:
    producer = FakeProducer()
    acked: list[int] = []
    runner = _runner(FakePool({b"slow": 0.3}), producer, acked, [])

    await runner.submit([_event(0, b"slow"), _event(1, b"a1")])
    await runner.submit([_event(2, b"b2"), _event(3, b"b3")])
    await asyncio.sleep(0.15)
    assert acked == []  # the second batch is done, but offsets 0-1 are still in the pool
    await runner.drain()

    assert acked == [0, 1, 2, 3]
    # Published in batch order too, so one article's versions stay in order downstream.
    assert [v for t, _, v in producer.sent if t == "news.articles.enriched"] == [
        b"enriched:slow",
        b"enriched:a1",
        b"enriched:b2",
        b"enriched:b3",
    ]


async def test_outputs_go_to_enriched_topic_channels_and_dead_letters() -> None:
    producer = FakeProducer()
    acked: list[int] = []
    runner = _runner(FakePool(), producer, acked, [])

    await runner.submit([_event(0, b"a0"), _event(1, b"bad json"), _event(2, b"a2")])
    await runner.drain()

    assert acked == [0, 1, 2]
    by_topic: dict[str, list[bytes | None]] = {}
    for topic, key, _ in producer.sent:
        by_topic.setdefault(topic, []).append(key)
    assert by_topic == {
        "news.articles.enriched": [b"a0", b"a2"],
        "news.topics.trade": [b"a0", b"a2"],  # 0.7 passes the 0.5 threshold, sport's 0.2 does not
        "news.articles.dlq": [b"key1"],  # the dead letter keeps the original key
    }
    [(_, _, letter_bytes)] = [s for s in producer.sent if s[0] == "news.articles.dlq"]
    letter = decode(letter_bytes, DeadLetter)
    assert (letter.offset, letter.value, letter.error) == (1, "bad json", "decode: not JSON")


async def test_a_failed_publish_acks_nothing_of_its_batch_or_later_ones_and_stops_the_app() -> None:
    acked: list[int] = []
    errors: list[BaseException] = []
    runner = _runner(FakePool({b"x1": 0.05}), FakeProducer(fail_on=b"x1"), acked, errors)

    await runner.submit([_event(0, b"ok0")])
    await runner.submit([_event(1, b"x1"), _event(2, b"ok2")])
    await runner.submit([_event(3, b"ok3")])
    await runner.drain()
    await asyncio.sleep(0)

    assert acked == [0]
    assert len(errors) == 1
    assert "broker said no" in str(errors[0])


async def test_a_closing_runner_takes_no_new_batches() -> None:
    acked: list[int] = []
    runner = _runner(FakePool(), FakeProducer(), acked, [])
    await runner.drain()

    await runner.submit([_event(0, b"late")])
    await asyncio.sleep(0.05)
    assert acked == []


async def test_events_of_a_partition_revoked_mid_batch_are_left_to_its_next_owner() -> None:
    producer = FakeProducer()
    acked: list[int] = []
    owned = {"yes": True}
    runner = _runner(FakePool({b"slow": 0.2}), producer, acked, [], is_assigned=lambda tp: owned["yes"])

    await runner.submit([_event(0, b"slow"), _event(1, b"a1")])
    owned["yes"] = False  # a rebalance takes the partition away while the batch is in the pool
    await runner.drain()

    assert acked == []
    assert [t for t, _, _ in producer.sent].count("news.articles.enriched") == 2  # published: at-least-once


async def test_a_batch_waiting_for_a_slot_when_the_worker_stops_is_left_unprocessed() -> None:
    producer = FakeProducer()
    acked: list[int] = []
    errors: list[BaseException] = []
    runner = _runner(FakePool({b"slow": 0.2}), producer, acked, errors, inflight=1)

    await runner.submit([_event(0, b"slow")])
    waiting = asyncio.create_task(runner.submit([_event(1, b"next")]))  # no free slot yet
    await asyncio.sleep(0.05)
    await runner.drain()
    await waiting
    await asyncio.sleep(0.1)  # time enough for a stray batch to be published and acked

    assert acked == [0]
    assert [v for t, _, v in producer.sent if t == "news.articles.enriched"] == [b"enriched:slow"]
    assert errors == []


class RefusingProducer(FakeProducer):
    """Refuses enriched values holding `too_large` on the spot, as aiokafka does beyond
    max_request_size (the dead letter of the original, cut to a quarter of that, passes)."""

    def __init__(self, too_large: bytes) -> None:
        super().__init__()
        self.too_large = too_large

    async def send(self, topic: str, value: bytes | None, *, key: bytes | None, headers: Any) -> asyncio.Future:
        if topic != "news.articles.dlq" and value is not None and self.too_large in value:
            raise MessageSizeTooLargeError("The message is 20000000 bytes when serialized")
        return await super().send(topic, value, key=key, headers=headers)


async def test_an_article_the_producer_refuses_becomes_a_dead_letter_and_the_batch_is_acked() -> None:
    producer = RefusingProducer(b"huge")
    acked: list[int] = []
    errors: list[BaseException] = []
    runner = _runner(FakePool(), producer, acked, errors)
    dead_before = DEAD_LETTERS.labels("publish")._value.get()

    await runner.submit([_event(0, b"a0"), _event(1, b"huge1"), _event(2, b"a2")])
    await runner.drain()

    assert errors == []
    assert acked == [0, 1, 2]
    assert [k for t, k, _ in producer.sent if t == "news.articles.enriched"] == [b"a0", b"a2"]
    [(_, key, value)] = [s for s in producer.sent if s[0] == "news.articles.dlq"]
    letter = decode(value, DeadLetter)
    assert key == b"key1"
    assert (letter.offset, letter.value) == (1, "huge1")
    assert letter.error.startswith("publish: MessageSizeTooLargeError")
    assert DEAD_LETTERS.labels("publish")._value.get() == dead_before + 1
