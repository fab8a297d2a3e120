"""`confidence` on entities: set on every entity, higher for names the gazetteers know than for
names only NER found, and higher for a name the article repeats."""

import pytest

from newswire.enricher.pipeline import Enricher, raw_from_text, shared_enricher
from newswire.schemas import EnrichedArticle

TEXT = (
    "Kenya and Uganda signed a trade deal in Nairobi on Monday. Wanjiru Kamau, a trader from "
    "Kisumu, said the deal would help. Kenya will host the next round."
)


@pytest.fixture(scope="module")
def enricher() -> Enricher:
    return shared_enricher()


@pytest.fixture(scope="module")
def article(enricher: Enricher) -> EnrichedArticle:
    return enricher.enrich(raw_from_text(TEXT))


def test_every_entity_has_a_confidence_in_range(article: EnrichedArticle) -> None:
    assert article.entities
    for entity in article.entities:
        assert entity.confidence is not None
        assert 0.0 <= entity.confidence <= 1.0


def test_a_known_name_is_surer_than_one_only_ner_found(article: EnrichedArticle) -> None:
    by_id = {e.id: e for e in article.entities}
    person = next(e for e in article.entities if e.type == "PERSON")
    assert by_id["country:UG"].confidence is not None and person.confidence is not None
    assert by_id["country:UG"].confidence > person.confidence


def test_a_repeated_name_is_surer(article: EnrichedArticle) -> None:
    by_id = {e.id: e for e in article.entities}
    assert len(by_id["country:KE"].mentions) > len(by_id["country:UG"].mentions)
    assert (by_id["country:KE"].confidence or 0) > (by_id["country:UG"].confidence or 0)
