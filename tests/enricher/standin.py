"""A tiny deterministic stand-in for `newswire.enricher.pipeline.Enricher`, for worker tests that
exercise the Kafka plumbing's failure paths (an enrichment that raises) without spaCy.

Entities are the known names below; a topic scores 0.9 when one of its words occurs. A text
containing `FAIL-ENRICHMENT` makes `enrich_many` raise, for any batch it is in; one containing
`EXIT-ENRICHMENT` makes it raise SystemExit (what a library that calls `sys.exit()` does).
"""

from datetime import UTC, datetime

from newswire.schemas import EnrichedArticle, Entity, Mention, RawArticle, Topic

__all__ = ["EXIT", "POISON", "Enricher"]

POISON = "FAIL-ENRICHMENT"
EXIT = "EXIT-ENRICHMENT"
_NAMES = {"Pakistan": ("country:PK", "COUNTRY"), "Kazakhstan": ("country:KZ", "COUNTRY")}
_TOPICS = {"trade": "tariff", "sport": "football", "energy": "pipeline", "disaster": "earthquake"}


class Enricher:
    def __init__(self, *, model: str = "", n_process: int = 1, batch_size: int = 32) -> None:
        self.model = model

    def enrich_many(self, articles: list[RawArticle]) -> list[EnrichedArticle]:
        if any(POISON in a.text for a in articles):
            raise ValueError("stand-in enrichment failure")
        if any(EXIT in a.text for a in articles):
            raise SystemExit("stand-in enrichment exit")
        return [self._one(a) for a in articles]

    def _one(self, raw: RawArticle) -> EnrichedArticle:
        entities = []
        for name, (entity_id, kind) in _NAMES.items():
            start = raw.text.find(name)
            if start >= 0:
                mention = Mention(start=start, end=start + len(name), text=name)
                entities.append(Entity(id=entity_id, name=name, type=kind, salience=0.5, mentions=[mention]))
        topics = [Topic(id=t, label=t.title(), score=0.9, evidence=[w]) for t, w in _TOPICS.items() if w in raw.text]
        return EnrichedArticle(
            **raw.model_dump(),
            entities=entities,
            topics=topics,
            enriched_at=datetime.now(UTC),
            enricher_version="stand-in",
        )
