"""Poison on news.articles.raw: every bad message is handled (dead-lettered or enriched), counted
in the enricher's metrics, and the partition moves on to the good article behind it."""

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import orjson
import pytest

from newswire.kafka import make_producer
from newswire.schemas import (
    DeadLetter,
    EnrichedArticle,
    RawArticle,
    decode,
    encode,
    headers_for,
)
from tests.factories import make_raw

from .outcomes import Outcome, record
from .pipeline import Pipeline

pytestmark = [pytest.mark.integration, pytest.mark.faults, pytest.mark.timeout(600)]

Handling = Literal["dead letter", "enriched"]

_SENTENCE = "Officials in Islamabad and Astana said the new rail corridor would carry wheat and cotton. "
_FRENCH = (
    "Le président du Kazakhstan, Kassym-Jomart Tokaïev, est arrivé à Islamabad pour une visite de deux jours. "
    "Les deux pays ont signé des accords sur le commerce, les chemins de fer et l'énergie. "
) * 6
_RUSSIAN = (
    "Президент Казахстана Касым-Жомарт Токаев прибыл в Исламабад с двухдневным визитом. "
    "Стороны подписали соглашения о торговле и железных дорогах. "
) * 6
_CHINESE = "哈萨克斯坦总统托卡耶夫抵达伊斯兰堡进行为期两天的访问。双方签署了贸易和铁路协议。" * 8


@dataclass(frozen=True)
class Poison:
    case: str
    tried: str
    value: bytes | None
    allowed: frozenset[Handling]
    article_id: str | None = None


def _article(case: str, text: str, **fields: object) -> tuple[bytes, str]:
    raw = make_raw(url=f"https://poison.example/{case}", text=text, **fields)
    return encode(raw), raw.id


def poisons() -> list[Poison]:
    huge, huge_id = _article("ten-mb", _SENTENCE * (10 * 1024 * 1024 // len(_SENTENCE)))
    empty, empty_id = _article("empty-text", "")
    french, french_id = _article("french", _FRENCH, language="fr")
    russian, russian_id = _article("russian", _RUSSIAN, language=None)
    chinese, chinese_id = _article("chinese", _CHINESE, language="zh")
    depth = 100_000
    dead = frozenset({"dead letter"})
    either = frozenset({"dead letter", "enriched"})
    return [
        Poison("input.raw-invalid-json", "truncated JSON on news.articles.raw", b'{"id": "unterminated', dead),
        Poison(
            "input.raw-wrong-schema",
            "valid JSON of the wrong shape (id a number, title a list, fields missing)",
            orjson.dumps({"id": 1, "title": ["x"], "extra": True}),
            dead,
        ),
        Poison("input.raw-not-an-object", "a JSON array instead of an object", b"[1, 2, 3]", dead),
        Poison("input.raw-not-utf8", "bytes that are not UTF-8 (\\xff\\xfe...)", b"\xff\xfe\x00\x81 not text", dead),
        Poison(
            "input.raw-deeply-nested",
            f"JSON nested {depth} levels deep",
            b'{"a":' * depth + b"1" + b"}" * depth,
            dead,
        ),
        Poison("input.raw-tombstone", "a record with a key and no value (tombstone)", None, dead),
        Poison(
            "input.raw-10mb-text",
            f"a valid RawArticle with {len(huge) // (1024 * 1024)} MB of text",
            huge,
            either,
            huge_id,
        ),
        Poison("input.raw-empty-text", "a valid RawArticle with empty text", empty, either, empty_id),
        Poison("input.raw-french", "a French article (language fr)", french, frozenset({"enriched"}), french_id),
        Poison(
            "input.raw-russian",
            "a Russian article with no language given",
            russian,
            frozenset({"enriched"}),
            russian_id,
        ),
        Poison("input.raw-chinese", "a Chinese article (language zh)", chinese, frozenset({"enriched"}), chinese_id),
    ]


async def test_poison_messages_are_handled_counted_and_passed(
    make_pipeline: Callable[..., Pipeline], kafka_broker
) -> None:
    pipeline = make_pipeline(bootstrap_servers=kafka_broker.bootstrap_servers, sample_site=False)
    await pipeline.start(["enricher"])
    cases = poisons()
    good, good_id = _article("good-after-poison", _SENTENCE * 20)
    producer = make_producer(pipeline.settings, client_id="poison")
    await producer.start()
    offsets: dict[int, Poison] = {}
    try:
        # One partition, in order: the good article behind the poison proves the partition moved on.
        for poison in cases:
            sent = await producer.send_and_wait(
                pipeline.topics.raw,
                poison.value,
                key=poison.case.encode(),
                partition=0,
                headers=headers_for(RawArticle) if poison.article_id else [],
            )
            offsets[sent.offset] = poison
        await producer.send_and_wait(pipeline.topics.raw, good, key=good_id.encode(), partition=0)
    finally:
        await producer.stop()

    deadline = time.monotonic() + 300
    letters: dict[int, DeadLetter] = {}
    enriched: dict[str, EnrichedArticle] = {}
    while time.monotonic() < deadline:
        letters = {
            d.offset: d for d in (decode(r.value, DeadLetter) for r in await pipeline.read_topic(pipeline.topics.dlq))
        }
        enriched = {
            a.id: a
            for a in (decode(r.value, EnrichedArticle) for r in await pipeline.read_topic(pipeline.topics.enriched))
        }
        handled = [o for o, p in offsets.items() if o in letters or p.article_id in enriched]
        if len(handled) == len(offsets) and good_id in enriched:
            break
        pipeline.check_alive()
        await asyncio.sleep(2)

    # The worker counts a batch after its records are delivered and its offsets acked, so the
    # counters may trail what is already readable on the topics by a moment.
    enriched_expected = 1 + sum(1 for p in cases if p.article_id in enriched)
    deadline = time.monotonic() + 30
    while True:
        dead_counted = await pipeline.metric("enricher", "newswire_dead_letters_total")
        enriched_counted = await pipeline.metric("enricher", "newswire_articles_enriched_total")
        if (dead_counted >= len(letters) and enriched_counted >= enriched_expected) or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.5)
    failures: list[str] = []
    for offset, poison in offsets.items():
        handling: Handling | None = None
        behaviour = "NOT HANDLED: neither dead-lettered nor enriched"
        if offset in letters:
            handling = "dead letter"
            letter = letters[offset]
            behaviour = f"dead-lettered ({letter.error.split(':')[0]}; value kept as {letter.value_encoding})"
        elif poison.article_id in enriched:
            handling = "enriched"
            article = enriched[poison.article_id]
            behaviour = (
                f"enriched: {len(article.text)} chars of text published, {len(article.entities)} entities, "
                f"{len(article.topics)} topics, language {article.language}"
            )
        ok = handling in poison.allowed
        if not ok:
            failures.append(f"{poison.case}: {behaviour} (allowed: {sorted(poison.allowed)})")
        record(
            Outcome(
                case=poison.case,
                kind="bad input",
                tried=poison.tried,
                behaviour=behaviour + "; counted in newswire_dead_letters_total / newswire_articles_enriched_total",
                expected=1,
                delivered=1 if handling else 0,
                lost=0 if handling else 1,
                passed=ok,
                details={"offset": offset, "handling": handling},
            )
        )
    assert not failures, "\n".join(failures) + "\n" + pipeline.log_tail("enricher")
    assert good_id in enriched, "the good article behind the poison was never enriched"
    # Counted: every dead letter in the metric, and every enriched article (the good one included).
    assert dead_counted == len(letters)
    assert enriched_counted >= enriched_expected
