"""Enricher throughput: articles per second from `news.articles.raw` to `news.articles.enriched`.

Two workers run in turn against one local broker (started by `newswire.broker`), each as its own
process, on the same ~500-word articles:

- newswire: `newswire enrich`, batches from `stream.take` in a process pool (one spaCy per core,
  only the components the enricher uses, `nlp.pipe`), pipelined, acked after delivery;
- naive: a Faust agent that calls the full spaCy pipeline (every component on) once per message,
  on the event loop, then publishes the same outputs and waits for each send.

Both produce the same kind of EnrichedArticle with the same linking and topic code. The rate is
measured from the broker's record timestamps: first raw record to last enriched record. The
broker is warmed up first (its JIT), and each worker enriches a warm-up article first, so model
loading and the group join are not counted. CPU time per article is read from /proc for the
worker, its NLP processes and the broker, which share the machine's cores here.

Articles: the evaluation set's texts (eval/enricher, written for the project, CC BY 4.0), each
extended with the next ones' paragraphs to about 500 words and given its own URL.
"""

import asyncio
import json
import logging
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from aiokafka import AIOKafkaConsumer

from newswire.broker import make_broker
from newswire.kafka import consumer_config, ensure_topics, make_producer
from newswire.schemas import RawArticle, TopicNames, article_id, content_hash, encode, headers_for
from newswire.settings import CommonSettings

from .machine import machine_info

__all__ = ["main", "naive_worker"]

REPO = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).parent / "results" / "enricher.json"
ARTICLES = int(os.environ.get("NEWSWIRE_BENCH_ARTICLES", "300"))
TARGET_WORDS = 500
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
TARGET_RATE = 25.0
TARGET_RATIO = 2.0
RUN_TIMEOUT = 900.0
BROKER_WARMUP_ARTICLES = 1000


def _articles(n: int, *, tag: str) -> list[RawArticle]:
    texts = [
        json.loads(p.read_text())["text"]
        for p in sorted((REPO / "eval" / "enricher").glob("*/*.json"), key=lambda p: p.name)
    ]
    now = datetime.now(UTC)
    out = []
    for i in range(n):
        # Whole sentences from this article and the next ones until about TARGET_WORDS words.
        sentences: list[str] = []
        words = 0
        j = i
        while words < TARGET_WORDS:
            for sentence in _SENTENCE_END.split(texts[j % len(texts)]):
                if words >= TARGET_WORDS:
                    break
                sentences.append(sentence)
                words += len(sentence.split())
            j += 1
        text = "\n\n".join(" ".join(sentences[k : k + 5]) for k in range(0, len(sentences), 5))
        url = f"https://bench.example.org/{tag}/{i:05d}"
        out.append(
            RawArticle(
                id=article_id(url),
                url=url,
                canonical_url=url,
                source="bench",
                title=f"Bench article {i}",
                text=text,
                published_at=now,
                fetched_at=now,
                language="en",
                content_hash=content_hash(text),
            )
        )
    return out


async def _produce(settings: CommonSettings, articles: list[RawArticle]) -> None:
    producer = make_producer(settings, client_id="bench")
    await producer.start()
    try:
        topic = TopicNames(settings.topic_prefix).raw
        for article in articles:
            await producer.send(topic, encode(article), key=article.id.encode(), headers=headers_for(article))
        await producer.flush()
    finally:
        await producer.stop()


async def _wait_enriched(settings: CommonSettings, ids: set[str], *, timeout: float) -> int:
    """Block until every id is on the enriched topic; returns the newest record's timestamp (ms)."""
    consumer = AIOKafkaConsumer(**consumer_config(settings, client_id="bench-reader", group_id=None))
    await consumer.start()
    consumer.subscribe([TopicNames(settings.topic_prefix).enriched])
    seen: set[str] = set()
    last = 0
    deadline = time.monotonic() + timeout
    try:
        while not ids <= seen:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(ids - seen)} of {len(ids)} articles not enriched in {timeout:.0f} s")
            for records in (await consumer.getmany(timeout_ms=500)).values():
                for record in records:
                    if record.key is not None and record.key.decode() in ids:
                        seen.add(record.key.decode())
                        last = max(last, record.timestamp)
    finally:
        await consumer.stop()
    return last


async def _first_raw_timestamp(settings: CommonSettings, ids: set[str]) -> int:
    consumer = AIOKafkaConsumer(**consumer_config(settings, client_id="bench-reader", group_id=None))
    await consumer.start()
    consumer.subscribe([TopicNames(settings.topic_prefix).raw])
    first: int | None = None
    found = 0
    try:
        while found < len(ids):
            for records in (await consumer.getmany(timeout_ms=1000)).values():
                for record in records:
                    if record.key is not None and record.key.decode() in ids:
                        found += 1
                        first = record.timestamp if first is None else min(first, record.timestamp)
    finally:
        await consumer.stop()
    assert first is not None
    return first


async def _warm_broker(settings: CommonSettings) -> None:
    """Send articles through a fresh broker and read them back before anything is measured: the
    broker's JVM compiles its hot paths during its first thousands of records, which would
    otherwise weigh on whichever worker runs first."""
    await ensure_topics(settings)
    articles = _articles(BROKER_WARMUP_ARTICLES, tag="warmup")
    await _produce(settings, articles)
    await _first_raw_timestamp(settings, {a.id for a in articles})


def _worker_env(settings: CommonSettings, data_dir: Path, metrics_port: int) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "NEWSWIRE_KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers,
        "NEWSWIRE_KAFKA_IDEMPOTENCE": str(settings.kafka_idempotence).lower(),
        "NEWSWIRE_TOPIC_PREFIX": settings.topic_prefix,
        "NEWSWIRE_DATA_DIR": str(data_dir),
        "NEWSWIRE_METRICS_PORT": str(metrics_port),
        "NEWSWIRE_LOG_LEVEL": "WARNING",
    }


async def _measure(
    name: str, command: list[str], settings: CommonSettings, data_dir: Path, *, broker_pid: int | None
) -> dict[str, object]:
    await ensure_topics(settings)
    log_path = data_dir / f"{name}.log"
    data_dir.mkdir(parents=True, exist_ok=True)
    metrics_port = _free_port()
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            command, env=_worker_env(settings, data_dir, metrics_port), stdout=log, stderr=subprocess.STDOUT, cwd=REPO
        )
    try:
        warm = _articles(1, tag=f"{name}-warmup")
        started = time.monotonic()
        await _produce(settings, warm)
        await _wait_enriched(settings, {warm[0].id}, timeout=RUN_TIMEOUT)
        ready_seconds = time.monotonic() - started

        articles = _articles(ARTICLES, tag=name)
        ids = {a.id for a in articles}
        cpu_before, machine_before = _cpu_seconds(proc.pid, broker_pid), _machine_ticks()
        await _produce(settings, articles)
        last = await _wait_enriched(settings, ids, timeout=RUN_TIMEOUT)
        cpu_after, machine_after = _cpu_seconds(proc.pid, broker_pid), _machine_ticks()
        first = await _first_raw_timestamp(settings, ids)
        nlp_seconds = _mean_nlp_seconds(metrics_port)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
    seconds = max((last - first) / 1000, 1e-3)
    result = {
        "articles": len(articles),
        "seconds": round(seconds, 2),
        "articles_per_second": round(len(articles) / seconds, 2),
        "startup_seconds": round(ready_seconds, 1),
        # CPU time per article of the process that consumes and publishes, of its children (the
        # NLP processes) and of the broker: where the machine's two cores went.
        "cpu_ms_per_article": {
            part: round((cpu_after[part] - cpu_before[part]) / len(articles) * 1000, 1) for part in cpu_after
        },
        # Share of the machine's CPU time that was busy (any process, the broker included) and
        # that the hypervisor gave to other guests (steal), over the same span.
        "machine_busy": _share(machine_before, machine_after, "busy"),
        "machine_steal": _share(machine_before, machine_after, "steal"),
    }
    if nlp_seconds is not None:
        result["nlp_seconds_per_article"] = round(nlp_seconds, 4)
    return result


def _process_cpu(pid: int | None) -> float:
    """User + system CPU seconds of one process (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


def _cpu_seconds(pid: int, broker_pid: int | None) -> dict[str, float]:
    """CPU seconds of the worker process ("main"), of its live child processes (the NLP
    processes) and of the broker, which shares the machine's cores in this benchmark."""
    children: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return {
        "main": _process_cpu(pid),
        "children": sum(_process_cpu(c) for c in children),
        "broker": _process_cpu(broker_pid),
    }


def _machine_ticks() -> dict[str, int]:
    """Machine-wide CPU ticks from /proc/stat: busy, idle (with iowait) and steal."""
    fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    user, nice, system, idle, iowait, irq, softirq, steal = fields[:8]
    return {"busy": user + nice + system + irq + softirq, "idle": idle + iowait, "steal": steal}


def _share(before: dict[str, int], after: dict[str, int], part: str) -> float:
    total = sum(after[k] - before[k] for k in after)
    return round((after[part] - before[part]) / total, 2) if total else 0.0


def _mean_nlp_seconds(metrics_port: int) -> float | None:
    """Mean NLP time per article in the worker processes, from `newswire enrich`'s own histogram
    (None for the naive worker, which has no metrics endpoint)."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=5) as response:
            text = response.read().decode()
    except OSError:
        return None
    values = dict(line.split(" ", 1) for line in text.splitlines() if line.startswith("newswire_enrichment_seconds_"))
    count = float(values.get("newswire_enrichment_seconds_count", 0))
    return float(values["newswire_enrichment_seconds_sum"]) / count if count else None


async def _run() -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="bench-enricher-") as tmp:
        root = Path(tmp)
        broker = make_broker(engine="auto", port=_free_port(), data_dir=root / "broker")
        broker.start(timeout=180)
        try:
            common = {
                "kafka_bootstrap_servers": broker.bootstrap_servers,
                "kafka_idempotence": broker.engine == "kafka",
            }
            await _warm_broker(CommonSettings(topic_prefix="bench-warmup.", **common))
            ours = await _measure(
                "newswire",
                [str(Path(sys.executable).with_name("newswire")), "enrich"],
                CommonSettings(topic_prefix="bench-newswire.", **common),
                root / "newswire",
                broker_pid=broker.pid,
            )
            naive = await _measure(
                "naive",
                [sys.executable, "-c", "from bench.bench_enricher import naive_worker; naive_worker()"],
                CommonSettings(topic_prefix="bench-naive.", **common),
                root / "naive",
                broker_pid=broker.pid,
            )
        finally:
            broker.stop()
    sample = _articles(20, tag="words")
    return {
        "benchmark": "enricher",
        "machine": machine_info(),
        "broker": f"{broker.engine} {broker.version}",
        "mean_words": round(sum(len(a.text.split()) for a in sample) / len(sample)),
        "newswire": {**ours, "nlp_processes": os.cpu_count()},
        "naive": naive,
        "ratio": round(ours["articles_per_second"] / naive["articles_per_second"], 2),
        "target": {"articles_per_second": TARGET_RATE, "ratio": TARGET_RATIO},
    }


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main() -> int:
    # Topics are created moments before use; the client's retries about leaders are expected.
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    result = asyncio.run(_run())
    ours, naive = result["newswire"], result["naive"]
    assert isinstance(ours, dict) and isinstance(naive, dict)
    machine = result["machine"]
    assert isinstance(machine, dict)
    print(
        f"{ARTICLES} articles of ~{result['mean_words']} words, {machine['cores']} cores, broker {result['broker']}\n"
    )
    print("| worker | articles/s | seconds | startup s | CPU ms/article: worker | NLP processes | broker |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for label, run in (("newswire enrich (process pool, nlp.pipe)", ours), ("naive (nlp() per message)", naive)):
        cpu = run["cpu_ms_per_article"]
        print(
            f"| {label} | {run['articles_per_second']} | {run['seconds']} | {run['startup_seconds']} "
            f"| {cpu['main']} | {cpu['children']} | {cpu['broker']} |"
        )
    print(f"| ratio | {result['ratio']}x | | | | | |")
    print(
        f"\nmachine CPU busy while newswire enriched: {ours['machine_busy']:.0%} "
        f"(steal by other guests {ours['machine_steal']:.0%})"
    )
    if "nlp_seconds_per_article" in ours:
        capacity = float(ours["nlp_processes"]) / float(ours["nlp_seconds_per_article"])
        print(
            f"\nNLP time per article in a worker process: {ours['nlp_seconds_per_article'] * 1000:.0f} ms, so "
            f"{ours['nlp_processes']} processes can enrich at most {capacity:.1f}/s on this machine right now; "
            f"the stream reached {ours['articles_per_second'] / capacity:.0%} of that."
        )
    met = ours["articles_per_second"] >= TARGET_RATE and result["ratio"] >= TARGET_RATIO  # type: ignore[operator]
    print(f"\ntarget >= {TARGET_RATE:.0f}/s and >= {TARGET_RATIO:.0f}x naive: {'met' if met else 'NOT met'}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    return 0


def naive_worker() -> None:
    """The baseline worker, run as its own process by the benchmark (settings from NEWSWIRE_ env)."""
    import faust
    import spacy

    from newswire.enricher import pipeline
    from newswire.schemas import decode

    settings = CommonSettings()
    names = TopicNames(settings.topic_prefix)
    # The naive worker loads the model whole: tagger, parser, lemmatizer and all.
    pipeline._load_nlp = spacy.load  # type: ignore[attr-defined]
    enricher = pipeline.Enricher()
    app = faust.App(
        f"{settings.topic_prefix}naive",
        broker=[f"kafka://{h}" for h in settings.kafka_bootstrap_servers.split(",")],
        key_serializer="raw",
        value_serializer="raw",
        store="memory://",
        web_enabled=False,
        topic_disable_leader=True,
        datadir=str(settings.data_dir / "naive"),
        consumer_auto_offset_reset="earliest",
    )
    source = app.topic(names.raw, key_type=bytes, value_type=bytes, key_serializer="raw", value_serializer="raw")

    @app.agent(source)
    async def enrich(stream: faust.StreamT) -> None:
        producer = make_producer(settings, client_id="naive")
        await producer.start()
        async for value in stream:
            [article] = enricher.enrich_many([decode(value, RawArticle)])
            targets = [names.enriched] + [names.topic(t.id) for t in article.topics if t.score >= 0.5]
            for topic in targets:
                await producer.send_and_wait(
                    topic, encode(article), key=article.id.encode(), headers=headers_for(article)
                )

    faust.Worker(
        app, loglevel="WARNING", quiet=True, override_logging=False, redirect_stdouts=False
    ).execute_from_commandline()


if __name__ == "__main__":
    sys.exit(main())
