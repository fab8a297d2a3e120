"""Window counts: one snapshot per (window, raw partition), and no double counting when a
partition's messages are processed again after a restart."""

import asyncio
from datetime import UTC, datetime
from typing import Any

import orjson

from newswire.enricher.settings import Settings
from newswire.enricher.tables import WindowCounts, WindowStats
from newswire.enricher.topics import EnricherTopics
from newswire.enricher.workers import Enriched, EntityRef
from newswire.schemas import TopicNames

NOW = datetime.now(UTC).timestamp()


def _article(i: int, *, topics: tuple[tuple[str, float], ...] = (("trade", 0.8), ("sport", 0.3))) -> Enriched:
    return Enriched(
        article_id=f"{i:032x}",
        value=b"{}",
        topics=topics,
        entities=(EntityRef("country:PK", "Pakistan", "COUNTRY", 3),),
        fetched_at=NOW,
        reference_at=NOW,
        enriched_at=NOW,
        nlp_seconds=0.0,
    )


class FakeProducer:
    def __init__(self) -> None:
        self.sent: list[tuple[str, bytes | None, bytes]] = []

    async def send(self, topic: str, value: bytes | None, *, key: bytes, headers: Any) -> asyncio.Future:
        self.sent.append((topic, value, key))
        future: asyncio.Future = asyncio.get_running_loop().create_future()
        future.set_result(None)
        return future


def _stats(producer: FakeProducer) -> WindowStats:
    stats = WindowStats(settings=Settings(), topics=EnricherTopics(TopicNames("news.")), producer=producer)  # type: ignore[arg-type]
    stats._loaded = {0, 1}  # nothing to restore: a fresh topic
    return stats


async def test_a_batch_publishes_one_complete_snapshot_per_window_and_partition() -> None:
    producer = FakeProducer()
    stats = _stats(producer)

    await stats.add_batch([(0, 10, _article(1)), (0, 11, _article(2)), (1, 4, _article(3, topics=()))])

    snapshots = {key: orjson.loads(value) for topic, value, key in producer.sent if value is not None}
    assert all(topic == "news.stats.windows" for topic, _, _ in producer.sent)
    assert len(snapshots) == 2
    by_partition = {s["partition"]: s for s in snapshots.values()}
    assert by_partition[0]["articles"] == 2
    assert by_partition[0]["topics"] == {"trade": 2}  # sport's 0.3 is below the threshold
    assert by_partition[0]["entities"]["country:PK"] == {
        "name": "Pakistan",
        "type": "COUNTRY",
        "articles": 2,
        "mentions": 6,
    }
    assert by_partition[0]["through_offset"] == 12
    assert (by_partition[1]["articles"], by_partition[1]["topics"]) == (1, {})


async def test_after_a_restart_already_counted_offsets_are_not_counted_again() -> None:
    producer = FakeProducer()
    first = _stats(producer)
    await first.add_batch([(0, 0, _article(0)), (0, 1, _article(1)), (0, 2, _article(2))])
    [(_, snapshot, key)] = producer.sent

    # A new worker restores the snapshot, then re-processes offsets 1-3 (1 and 2 were never committed).
    restarted = _stats(FakeProducer())
    restarted._loaded = set()
    assert restarted._restore(key, snapshot, {0}) == 1
    restarted._loaded = {0}
    await restarted.add_batch([(0, 1, _article(1)), (0, 2, _article(2)), (0, 3, _article(3))])

    [counts] = restarted._windows.values()
    assert (counts.articles, counts.through_offset) == (4, 4)


def test_a_snapshot_reads_back_as_it_was_written() -> None:
    counts = WindowCounts(window_start=3600 * 490_000, window_seconds=3600, partition=2)
    counts.add(7, _article(7), threshold=0.5)

    again = WindowCounts.from_json(counts.to_json(), window_seconds=3600)
    assert again == counts
    assert counts.key == b"2025-11-24T16:00:00Z/2"
