"""Helpers of the enricher's Kafka tests: varied raw articles, producing them, reading topics back,
and `newswire enrich` run as a real subprocess (so SIGKILL and SIGTERM mean what they say)."""

import os
import random
import re
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aiokafka import AIOKafkaConsumer

from newswire.kafka import consumer_config, make_producer
from newswire.schemas import RawArticle, TopicNames, article_id, content_hash, encode, headers_for
from newswire.settings import CommonSettings
from tests.kafka_topics import read_to_end

__all__ = ["EnricherWorker", "Record", "make_articles", "produce", "read_all", "read_until"]

_PLACES = [
    ("Pakistan", "Islamabad", "Shehbaz Sharif"),
    ("Kazakhstan", "Astana", "Kassym-Jomart Tokayev"),
    ("Germany", "Berlin", "Olaf Scholz"),
    ("Brazil", "Brasilia", "Luiz Inacio Lula da Silva"),
    ("Kenya", "Nairobi", "William Ruto"),
    ("Japan", "Tokyo", "Fumio Kishida"),
    ("India", "New Delhi", "Narendra Modi"),
    ("France", "Paris", "Emmanuel Macron"),
]

_SENTENCES = {
    "trade": [
        "{country} agreed to cut tariffs on steel and textile imports under a new trade agreement.",
        "Exports from {country} rose 12 percent as the trade deficit with its main partners narrowed.",
        "The commerce ministry in {capital} said customs duties on agricultural goods would fall next year.",
        "Negotiators discussed a free trade agreement, import quotas and the rules of origin for exporters.",
    ],
    "sport": [
        "{country} beat their rivals 3-1 in the football World Cup qualifier played in {capital}.",
        "The national cricket team won the series after the captain scored a century in the final match.",
        "Thousands of fans filled the stadium as the coach praised the players after the championship game.",
        "The striker scored twice and the goalkeeper saved a penalty in the second half of the match.",
    ],
    "energy": [
        "{country} signed a deal to build a gas pipeline and expand its oil refinery near {capital}.",
        "The energy ministry said electricity output from solar and wind power plants doubled this year.",
        "Crude oil prices rose after the producers agreed to cut output, lifting fuel costs for power stations.",
        "A new nuclear power plant will supply electricity to the national grid from next spring.",
    ],
    "health": [
        "Hospitals in {capital} began a vaccination campaign after a measles outbreak spread among children.",
        "The health ministry of {country} reported fewer malaria cases as clinics received new medicines.",
        "Doctors warned that the disease was spreading and urged patients to seek treatment early.",
        "The World Health Organization sent vaccines and medical staff to support the public health response.",
    ],
    "disaster": [
        "A powerful earthquake struck near {capital}, collapsing buildings and killing dozens of people.",
        "Floods after days of heavy rain displaced thousands of families across {country}.",
        "Rescue teams searched the rubble for survivors as aid agencies delivered tents and food.",
        "The disaster management agency declared an emergency after the cyclone destroyed homes and roads.",
    ],
    "diplomacy": [
        "President {leader} held talks with the visiting foreign minister in {capital} on bilateral relations.",
        "The two governments signed a memorandum of understanding during the state visit to {country}.",
        "Diplomats said the summit would strengthen ties and open a new embassy in {capital}.",
        "The foreign ministry of {country} welcomed the treaty as a milestone in relations between the nations.",
    ],
}
_FILLER = [
    "Officials said more details would follow in the coming weeks.",
    "Analysts in the region expect the decision to be debated for some time.",
    "The announcement was made at a press conference on Tuesday morning.",
    "Local newspapers carried the story on their front pages.",
]


def make_articles(n: int, *, seed: int = 4, fetched_at: datetime | None = None) -> list[RawArticle]:
    """`n` distinct articles of about 100 to 500 words over several topics and countries."""
    rng = random.Random(seed)
    topics = sorted(_SENTENCES)
    now = fetched_at or datetime.now(UTC)
    articles = []
    for i in range(n):
        topic = topics[i % len(topics)]
        country, capital, leader = _PLACES[rng.randrange(len(_PLACES))]
        target_words = rng.randint(100, 500)
        sentences: list[str] = []
        words = 0
        while words < target_words:
            bank = _SENTENCES[topic] if rng.random() < 0.75 else _FILLER
            sentence = rng.choice(bank).format(country=country, capital=capital, leader=leader)
            sentences.append(sentence)
            words += len(sentence.split())
        paragraphs = [" ".join(sentences[j : j + 4]) for j in range(0, len(sentences), 4)]
        text = "\n\n".join(paragraphs)
        url = f"https://news.example.org/{topic}/{i:05d}"
        articles.append(
            RawArticle(
                id=article_id(url),
                url=url,
                canonical_url=url,
                source="example",
                title=f"{country}: {topic} news {i}",
                text=text,
                published_at=now - timedelta(minutes=5),
                fetched_at=now,
                language="en",
                content_hash=content_hash(text),
            )
        )
    return articles


async def produce(settings: CommonSettings, messages: Sequence[RawArticle | tuple[bytes | None, bytes | None]]) -> None:
    """Send articles (keyed by id, with contract headers) or raw (key, value) pairs to the raw topic."""
    producer = make_producer(settings, client_id="test")
    await producer.start()
    try:
        raw_topic = TopicNames(settings.topic_prefix).raw
        for message in messages:
            if isinstance(message, RawArticle):
                await producer.send(raw_topic, encode(message), key=message.id.encode(), headers=headers_for(message))
            else:
                key, value = message
                await producer.send(raw_topic, value, key=key)
        await producer.flush()
    finally:
        await producer.stop()


@dataclass(frozen=True)
class Record:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: dict[str, bytes]


async def read_until(
    settings: CommonSettings,
    topics: Sequence[str],
    done: Callable[[list[Record]], bool],
    *,
    timeout: float,
) -> list[Record]:
    """Every record of `topics` from the beginning, polling until `done(records)` or `timeout`."""
    consumer = AIOKafkaConsumer(**consumer_config(settings, client_id="test-reader", group_id=None))
    await consumer.start()
    records: list[Record] = []
    try:
        # No group: the consumer takes every partition of the topics and starts at the earliest offset.
        consumer.subscribe(list(topics))
        deadline = time.monotonic() + timeout
        while not done(records) and time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=500)
            for tp_records in batch.values():
                records += [Record(r.topic, r.partition, r.offset, r.key, r.value, dict(r.headers)) for r in tp_records]
    finally:
        await consumer.stop()
    return records


async def read_all(settings: CommonSettings, topics: Sequence[str]) -> list[Record]:
    """Every record of `topics` now: up to their end offsets, however slow the broker is."""
    return [
        Record(r.topic, r.partition, r.offset, r.key, r.value, dict(r.headers))
        for r in await read_to_end(settings, topics)
    ]


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class EnricherWorker:
    """`newswire enrich` in its own process group, with its own metrics port and log file."""

    def __init__(self, settings: CommonSettings, *, log_path: Path, workers: int = 1, **env: str) -> None:
        self.metrics_port = _free_port()
        self.log_path = log_path
        self.env = {
            **os.environ,
            "NEWSWIRE_KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers,
            "NEWSWIRE_KAFKA_IDEMPOTENCE": str(settings.kafka_idempotence).lower(),
            "NEWSWIRE_TOPIC_PREFIX": settings.topic_prefix,
            "NEWSWIRE_TOPIC_PARTITIONS": str(settings.topic_partitions),
            "NEWSWIRE_DATA_DIR": str(settings.data_dir),
            "NEWSWIRE_WORKERS": str(workers),
            "NEWSWIRE_METRICS_PORT": str(self.metrics_port),
            "NEWSWIRE_LOG_FORMAT": "text",
            **env,
        }
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> "EnricherWorker":
        command = [str(Path(sys.executable).with_name("newswire")), "enrich"]
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                command, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        return self

    def kill(self) -> None:
        """SIGKILL to the worker and its NLP processes at once: a machine that loses power."""
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)

    def stop(self, *, timeout: float = 60) -> int:
        """SIGTERM and wait for the graceful exit; returns the exit code."""
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            raise

    def ensure_stopped(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)

    def samples(self, name: str) -> list[tuple[dict[str, str], float]]:
        """(labels, value) of a metric from the worker's /metrics; empty when not reachable yet."""
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.metrics_port}/metrics", timeout=5) as response:
                text = response.read().decode()
        except OSError:
            return []
        found = []
        for line in text.splitlines():
            if not (line.startswith(name + " ") or line.startswith(name + "{")):
                continue
            series, value = line.rsplit(" ", 1)
            labels = dict(re.findall(r'(\w+)="([^"]*)"', series))
            found.append((labels, float(value)))
        return found

    def metric(self, name: str, **labels: str) -> float:
        """The value of one series (0 when absent)."""
        return sum(v for found, v in self.samples(name) if all(found.get(k) == x for k, x in labels.items()))

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
