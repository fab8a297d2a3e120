"""Test builders for the API: articles with entities and topics, the seed article, and a fake feed
that hands records to the app exactly as its Kafka consumer does."""

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from aiokafka import ConsumerRecord
from fastapi import FastAPI

from newswire.api.state import ApiState
from newswire.schemas import EnrichedArticle, Entity, Mention, Topic, encode
from tests.factories import make_enriched, make_raw

__all__ = ["FakeFeed", "article", "seed_article", "seed_entities"]

#: Entities of the seed article as an enricher would link them (fixed here: the enricher is not under test).
_SEED_ENTITIES: list[tuple[str, str, str, str | None, list[str]]] = [
    ("person:shehbaz-sharif", "Shehbaz Sharif", "PERSON", "PK", ["Shehbaz Sharif"]),
    ("person:kassym-jomart-tokayev", "Kassym-Jomart Tokayev", "PERSON", "KZ", ["Kassym-Jomart Tokayev", "Tokayev"]),
    ("person:asif-ali-zardari", "Asif Ali Zardari", "PERSON", "PK", ["Asif Ali Zardari", "Zardari"]),
    ("country:PK", "Pakistan", "COUNTRY", "PK", ["Pakistan"]),
    ("country:KZ", "Kazakhstan", "COUNTRY", "KZ", ["Kazakhstan"]),
    ("country:UZ", "Uzbekistan", "COUNTRY", "UZ", ["Uzbekistan"]),
    ("city:1176615", "Islamabad", "CITY", "PK", ["Islamabad"]),
    ("city:1526273", "Astana", "CITY", "KZ", ["Astana"]),
    ("region:central-asia", "Central Asia", "REGION", None, ["Central Asia"]),
    ("org:foreign-office", "Foreign Office", "ORG", "PK", ["Foreign Office"]),
    ("org:oic-comstech", "OIC-COMSTECH", "ORG", None, ["OIC-COMSTECH"]),
]


def seed_entities(text: str) -> list[Entity]:
    entities = []
    for entity_id, name, kind, country, forms in _SEED_ENTITIES:
        mentions: list[Mention] = []
        for form in forms:  # longest form first, so "Tokayev" inside "Kassym-Jomart Tokayev" is not counted twice
            for m in re.finditer(re.escape(form), text):
                if not any(x.start <= m.start() < x.end for x in mentions):
                    mentions.append(Mention(start=m.start(), end=m.end(), text=m.group()))
        mentions.sort(key=lambda x: x.start)
        entities.append(
            Entity(
                id=entity_id,
                name=name,
                type=kind,  # type: ignore[arg-type]
                country=country,
                aliases=[f for f in forms if f != name],
                salience=min(1.0, len(mentions) / 10),
                mentions=mentions,
            )
        )
    return entities


def seed_article(text: str, *, enriched_at: datetime | None = None) -> EnrichedArticle:
    """The shared seed article (its text with the "Read More:" lines removed), enriched by hand."""
    body = "\n".join(line for line in text.strip().splitlines() if not line.startswith("Read More:"))
    raw = make_raw(
        url="https://dailyindependent.example/2025/02/kazakh-president-tokayev-islamabad",
        source="tdi",
        title="PM Shehbaz Sharif receives Kazakh President Tokayev in Islamabad",
        text=body,
    )
    return make_enriched(
        raw=raw,
        entities=seed_entities(body),
        topics=[
            Topic(id="diplomacy", label="Diplomacy", score=0.92, evidence=["official visit", "bilateral relations"]),
            Topic(id="trade", label="Trade", score=0.71, evidence=["export destination", "international trade"]),
            Topic(
                id="connectivity", label="Connectivity", score=0.64, evidence=["regional connectivity", "land bridge"]
            ),
        ],
        countries=["PK", "KZ", "UZ"],
        summary="Pakistan's prime minister received Kazakhstan's president in Islamabad for a two-day visit.",
        enriched_at=enriched_at or datetime.now(UTC),
    )


def article(
    n: int,
    *,
    topics: dict[str, float] | None = None,
    entities: list[tuple[str, str, str]] | None = None,
    countries: list[str] | None = None,
    source: str = "example",
    title: str | None = None,
    text: str | None = None,
    published_at: datetime | None = None,
) -> EnrichedArticle:
    """Article number `n`: distinct url/id, published `n` minutes after a fixed time unless given."""
    text = text or f"Article number {n} reports on events of the day."
    raw = make_raw(
        url=f"https://news.example/{source}/{n}",
        source=source,
        title=title or f"Headline {n}",
        text=text,
        published_at=published_at or datetime(2025, 3, 1, tzinfo=UTC) + timedelta(minutes=n),
    )
    entity_models = []
    for entity_id, name, kind in entities or []:
        start = text.find(name)
        mentions = [Mention(start=start, end=start + len(name), text=name)] if start >= 0 else []
        entity_models.append(Entity(id=entity_id, name=name, type=kind, mentions=mentions))  # type: ignore[arg-type]
    return make_enriched(
        raw=raw,
        entities=entity_models,
        topics=[
            Topic(id=t, label=t.title(), score=s) for t, s in sorted((topics or {}).items(), key=lambda kv: -kv[1])
        ],
        countries=countries or [],
        enriched_at=datetime.now(UTC),
    )


@dataclass
class FakeFeed:
    """Publishes articles into an app the way its Kafka consumer would, with made-up offsets."""

    app: FastAPI
    topic: str = "news.articles.enriched"
    partitions: int = 3
    offsets: dict[int, int] = field(default_factory=dict)

    @property
    def state(self) -> ApiState:
        return self.app.state.newswire

    def record(
        self, value: bytes, *, key: str, partition: int, timestamp: datetime | None = None
    ) -> ConsumerRecord[Any, Any]:
        offset = self.offsets.get(partition, 0)
        self.offsets[partition] = offset + 1
        ts = int((timestamp or datetime.now(UTC)).timestamp() * 1000)
        return ConsumerRecord(
            topic=self.topic,
            partition=partition,
            offset=offset,
            timestamp=ts,
            timestamp_type=0,
            key=key.encode(),
            value=value,
            checksum=None,
            serialized_key_size=len(key),
            serialized_value_size=len(value),
            headers=(),
        )

    async def publish(
        self, *articles: EnrichedArticle, partition: int | None = None, timestamp: datetime | None = None
    ) -> None:
        records = [
            self.record(
                encode(a),
                key=a.id,
                partition=partition if partition is not None else int(a.id, 16) % self.partitions,
                timestamp=timestamp,
            )
            for a in articles
        ]
        await self.state.consumer.ingest(records)

    async def publish_raw(self, value: bytes, *, partition: int = 0) -> None:
        await self.state.consumer.ingest([self.record(value, key="junk", partition=partition)])
