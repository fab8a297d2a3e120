"""`newswire enrich` against a real broker, run as a subprocess: throughput of a 500-article
backlog with its topic fan-out, dead letters that do not stall a partition, a SIGKILL mid-stream,
and two workers sharing (then handing over) the partitions of one group."""

import asyncio
import os
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import orjson
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition

from newswire.kafka import consumer_config, ensure_topics
from newswire.schemas import DeadLetter, EnrichedArticle, TopicNames, decode, load_taxonomy
from newswire.settings import CommonSettings

from .kafka_harness import EnricherWorker, Record, make_articles, produce, read_all, read_until

pytestmark = pytest.mark.integration

#: Bounds, not speeds: generous for a shared 2-core machine (a worker loads spaCy per process).
BACKLOG_TIMEOUT = 480.0
STEP_TIMEOUT = 240.0


@pytest.fixture
def start_worker(kafka_settings: CommonSettings, tmp_path: Path) -> Iterator[Callable[..., EnricherWorker]]:
    started: list[EnricherWorker] = []

    def start(*, workers: int = 1, name: str = "worker") -> EnricherWorker:
        worker = EnricherWorker(kafka_settings, log_path=tmp_path / f"{name}-{len(started)}.log", workers=workers)
        started.append(worker.start())
        return worker

    yield start
    for worker in started:
        worker.ensure_stopped()


def _ids(records: list[Record]) -> set[str]:
    return {r.key.decode() for r in records if r.key is not None}


async def _wait_for(condition: Callable[[], bool], *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.5)


async def _committed(settings: CommonSettings, group: str, topic: str) -> dict[int, int | None]:
    """The group's committed offset per partition of `topic` (read without joining the group)."""
    consumer = AIOKafkaConsumer(**consumer_config(settings, client_id="test-offsets", group_id=group))
    await consumer.start()
    try:
        partitions = consumer.partitions_for_topic(topic) or set(range(settings.topic_partitions))
        return {p: await consumer.committed(TopicPartition(topic, p)) for p in sorted(partitions)}
    finally:
        await consumer.stop()


async def test_500_articles_in_500_enriched_out_with_topic_fanout(
    kafka_settings: CommonSettings, start_worker: Callable[..., EnricherWorker]
) -> None:
    names = TopicNames(kafka_settings.topic_prefix)
    articles = make_articles(500)
    await ensure_topics(kafka_settings)
    await produce(kafka_settings, articles)
    worker = start_worker(workers=2)

    wanted = {a.id for a in articles}
    records = await read_until(kafka_settings, [names.enriched], lambda rs: _ids(rs) >= wanted, timeout=BACKLOG_TIMEOUT)
    assert _ids(records) == wanted, worker.log_tail()

    by_id = {}
    for record in records:
        assert record.headers["content-type"] == b"application/json"
        assert record.headers["schema"] == b"EnrichedArticle/2"
        article = decode(record.value, EnrichedArticle)
        assert record.key == article.id.encode()
        by_id[article.id] = article
    raw_by_id = {a.id: a for a in articles}
    assert all((by_id[i].url, by_id[i].title) == (raw_by_id[i].url, raw_by_id[i].title) for i in wanted)

    taxonomy = load_taxonomy()
    expected = {
        t: {i for i, a in by_id.items() if any(x.id == t and x.score >= 0.5 for x in a.topics)} for t in taxonomy.ids
    }
    channels_in_use = [t for t, ids in expected.items() if ids]
    assert len(channels_in_use) >= 3, expected  # the templates cover six topics: fan-out must be visible
    total = sum(len(ids) for ids in expected.values())

    def per_topic(records: list[Record]) -> dict[str, set[str]]:
        return {t: _ids([r for r in records if r.topic == names.topic(t)]) for t in taxonomy.ids}

    # Stop on the ids, not the count: a redelivered record must not end the read early.
    topics = [names.topic(t) for t in taxonomy.ids]
    fanned = await read_until(kafka_settings, topics, lambda rs: per_topic(rs) == expected, timeout=STEP_TIMEOUT)
    assert per_topic(fanned) == expected
    assert all(r.headers["schema"] == b"EnrichedArticle/2" for r in fanned)

    # Counters move once a batch is acked, a moment after its records reach the topic.
    def topic_counted() -> float:
        return sum(worker.metric("newswire_topic_articles_total", topic=t) for t in channels_in_use)

    await _wait_for(
        lambda: worker.metric("newswire_articles_enriched_total") == 500 and topic_counted() >= total,
        timeout=30,
        what="the enriched and topic counters",
    )
    assert worker.metric("newswire_enrich_batch_size_count") >= 1
    assert topic_counted() == total


@pytest.mark.smoke
async def test_poison_and_schema_invalid_messages_are_dead_lettered_and_the_next_one_is_enriched(
    kafka_settings: CommonSettings, start_worker: Callable[..., EnricherWorker]
) -> None:
    names = TopicNames(kafka_settings.topic_prefix)
    before, after = make_articles(2, seed=9)
    key = b"one-partition"  # every message in one partition, in this order
    poison = b'{"id": "unterminated'
    invalid = b'{"id": "not-an-id", "url": "https://x.example/1", "title": 7}'
    not_utf8 = b"\xff\xfe\xfa binary"
    await ensure_topics(kafka_settings)
    await produce(
        kafka_settings,
        [
            (key, before.model_dump_json().encode()),
            (key, poison),
            (key, invalid),
            (key, not_utf8),
            (key, after.model_dump_json().encode()),
        ],
    )
    worker = start_worker()

    letters = await read_until(kafka_settings, [names.dlq], lambda rs: len(rs) >= 3, timeout=STEP_TIMEOUT)
    enriched = await read_until(
        kafka_settings, [names.enriched], lambda rs: _ids(rs) >= {before.id, after.id}, timeout=STEP_TIMEOUT
    )
    assert _ids(enriched) == {before.id, after.id}, worker.log_tail()

    dead = [decode(r.value, DeadLetter) for r in letters]
    assert [d.offset for d in dead] == [1, 2, 3]
    assert {d.key for d in dead} == {"one-partition"}
    assert all(r.key == key and r.headers["schema"] == b"DeadLetter/2" for r in letters)
    assert all(d.topic == names.raw and d.service == "enricher" for d in dead)
    assert (dead[0].value, dead[0].value_encoding) == (poison.decode(), "utf-8")
    assert dead[0].error.startswith("decode")
    assert (dead[1].value, dead[1].value_encoding) == (invalid.decode(), "utf-8")
    assert dead[1].error.startswith("schema")
    assert dead[2].value_encoding == "base64"

    await _wait_for(
        lambda: (
            worker.metric("newswire_dead_letters_total", reason="decode") == 2
            and worker.metric("newswire_dead_letters_total", reason="schema") == 1
        ),
        timeout=30,
        what="dead-letter counters",
    )
    # The partition moved past the dead letters: its committed offset is past the last message.
    group = f"{kafka_settings.topic_prefix}enricher"
    partitions = await _committed(kafka_settings, group, names.raw)
    deadline = time.monotonic() + 30
    while 5 not in partitions.values() and time.monotonic() < deadline:
        await asyncio.sleep(1)
        partitions = await _committed(kafka_settings, group, names.raw)
    assert 5 in partitions.values(), partitions


async def test_sigkill_mid_stream_then_restart_enriches_every_article(
    kafka_settings: CommonSettings, start_worker: Callable[..., EnricherWorker]
) -> None:
    names = TopicNames(kafka_settings.topic_prefix)
    articles = make_articles(150, seed=11)
    wanted = {a.id for a in articles}
    await ensure_topics(kafka_settings)
    await produce(kafka_settings, articles)
    first = start_worker(name="killed")

    seen = await read_until(kafka_settings, [names.enriched], lambda rs: len(_ids(rs)) >= 30, timeout=STEP_TIMEOUT)
    first.kill()
    seen_before_kill = _ids(await read_all(kafka_settings, [names.enriched]))
    assert len(_ids(seen)) >= 30 and len(seen_before_kill) < len(wanted), "the kill must land mid-stream"

    second = start_worker(name="restarted")
    records = await read_until(kafka_settings, [names.enriched], lambda rs: _ids(rs) >= wanted, timeout=BACKLOG_TIMEOUT)
    assert _ids(records) == wanted, second.log_tail()
    await _wait_for(
        lambda: second.metric("newswire_articles_enriched_total") > 0, timeout=30, what="the restarted worker's counter"
    )

    # The window counts survived the crash exactly: what the killed worker counted but did not
    # commit was processed again, and not counted again.
    stats_topic = f"{names.prefix}stats.windows"

    async def counted() -> int:
        stats = await read_all(kafka_settings, [stats_topic])
        latest = {r.key: orjson.loads(r.value) for r in stats if r.value is not None}
        return sum(w["articles"] for w in latest.values())

    total = await counted()
    deadline = time.monotonic() + 60
    while total < len(wanted) and time.monotonic() < deadline:  # the last snapshots follow the last records
        total = await counted()
    assert total == len(wanted)
    assert len(records) >= len(wanted)


async def test_sigterm_mid_stream_finishes_and_commits_its_batches_so_a_restart_redoes_nothing(
    kafka_settings: CommonSettings, start_worker: Callable[..., EnricherWorker]
) -> None:
    names = TopicNames(kafka_settings.topic_prefix)
    articles = make_articles(150, seed=13)
    wanted = {a.id for a in articles}
    await ensure_topics(kafka_settings)
    await produce(kafka_settings, articles)
    first = start_worker(name="stopped")

    await read_until(kafka_settings, [names.enriched], lambda rs: len(rs) >= 1, timeout=STEP_TIMEOUT)
    assert first.stop() == 0
    by_first = await read_all(kafka_settings, [names.enriched])
    assert 0 < len(_ids(by_first)) < len(wanted), "the stop must land mid-stream"

    start_worker(name="next")
    records = await read_until(kafka_settings, [names.enriched], lambda rs: _ids(rs) >= wanted, timeout=BACKLOG_TIMEOUT)
    assert _ids(records) == wanted
    # Everything the first worker published was acked and committed before it left the group.
    assert len(records) == len(wanted)


async def test_two_workers_split_the_partitions_and_one_takes_over_when_the_other_stops(
    kafka_settings: CommonSettings, start_worker: Callable[..., EnricherWorker]
) -> None:
    names = TopicNames(kafka_settings.topic_prefix)
    await ensure_topics(kafka_settings)
    a = start_worker(name="a")
    b = start_worker(name="b")

    def assigned(worker: EnricherWorker) -> set[str]:
        return {labels["partition"] for labels, _ in worker.samples("newswire_consumer_lag")}

    await _wait_for(
        lambda: len(assigned(a)) + len(assigned(b)) == kafka_settings.topic_partitions and assigned(a) and assigned(b),
        timeout=STEP_TIMEOUT,
        what=f"the two workers to share the partitions (logs: {a.log_path}, {b.log_path})",
    )
    assert not assigned(a) & assigned(b)

    first_wave = make_articles(90, seed=21)
    await produce(kafka_settings, first_wave)
    await read_until(
        kafka_settings, [names.enriched], lambda rs: _ids(rs) >= {x.id for x in first_wave}, timeout=BACKLOG_TIMEOUT
    )
    # Counters move once a batch is acked, a moment after its records reach the topic.
    await _wait_for(
        lambda: a.metric("newswire_articles_enriched_total") + b.metric("newswire_articles_enriched_total") >= 90,
        timeout=30,
        what="the enriched counters",
    )
    share_a = a.metric("newswire_articles_enriched_total")
    share_b = b.metric("newswire_articles_enriched_total")
    assert share_a > 0 and share_b > 0

    assert a.stop() == 0  # SIGTERM: a finishes its batches, commits and leaves the group

    second_wave = make_articles(60, seed=22)
    await produce(kafka_settings, second_wave)
    raw = await read_until(kafka_settings, [names.raw], lambda rs: len(rs) >= 150, timeout=60)
    wave_partitions = {r.partition for r in raw if r.key is not None and r.key.decode() in {x.id for x in second_wave}}
    assert wave_partitions == set(range(kafka_settings.topic_partitions))  # a's partitions got new messages too

    wanted = {x.id for x in first_wave + second_wave}
    records = await read_until(kafka_settings, [names.enriched], lambda rs: _ids(rs) >= wanted, timeout=BACKLOG_TIMEOUT)
    assert _ids(records) == wanted, b.log_tail()
    await _wait_for(
        lambda: len(assigned(b)) == kafka_settings.topic_partitions, timeout=60, what="b to own every partition"
    )
    await _wait_for(
        lambda: b.metric("newswire_articles_enriched_total") >= share_b + len(second_wave),
        timeout=30,
        what="b to count the second wave",
    )


async def test_a_worker_whose_nlp_pipeline_cannot_load_exits_with_an_error(
    kafka_settings: CommonSettings, tmp_path: Path
) -> None:
    await ensure_topics(kafka_settings)
    worker = EnricherWorker(
        kafka_settings, log_path=tmp_path / "broken.log", NEWSWIRE_PIPELINE="newswire.enricher.missing:Enricher"
    ).start()
    try:
        assert worker.proc is not None
        code = await asyncio.to_thread(worker.proc.wait, STEP_TIMEOUT)
    finally:
        worker.ensure_stopped()
    # Not 0: a supervisor must see it, and the group must not keep an idle member.
    assert code == 1, worker.log_tail()
    assert "No module named 'newswire.enricher.missing'" in worker.log_path.read_text()


def _children(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has exited; only its reaping is left to init


async def test_nlp_processes_exit_when_the_worker_is_killed_alone(
    kafka_settings: CommonSettings, start_worker: Callable[..., EnricherWorker]
) -> None:
    await ensure_topics(kafka_settings)
    worker = start_worker(workers=2)
    assert worker.proc is not None
    pid = worker.proc.pid
    await _wait_for(lambda: len(_children(pid)) >= 2, timeout=STEP_TIMEOUT, what="the NLP processes")
    children = _children(pid)

    os.kill(pid, signal.SIGKILL)  # the main process only, as the OOM killer would
    worker.proc.wait(timeout=30)

    await _wait_for(
        lambda: not any(_alive(child) for child in children),
        timeout=60,
        what=f"orphaned NLP processes {children} to exit",
    )
