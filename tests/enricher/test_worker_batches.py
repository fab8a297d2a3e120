"""What the worker processes make of raw message values: enriched articles or reasons to dead-letter.

These call the worker-side function in this process with the stand-in pipeline (tests/enricher/
standin.py), whose enrichment can be made to fail on demand; the Kafka tests use the real one.
"""

from collections.abc import Iterator
from datetime import UTC, datetime

import orjson
import pytest

from newswire.enricher import workers
from newswire.enricher.workers import Enriched, Failed, enrich_values
from newswire.schemas import EnrichedArticle, decode, encode
from tests.enricher.standin import POISON
from tests.factories import make_raw

MAX_CHARS = 5_000


@pytest.fixture(autouse=True)
def standin_worker() -> Iterator[None]:
    workers._init_worker("tests.enricher.standin:Enricher", "none", 8, MAX_CHARS)
    yield
    workers._enricher = None


def _value(i: int, text: str = "Pakistan and Kazakhstan cut a tariff.") -> bytes:
    return encode(make_raw(url=f"https://example.org/{i}", text=text, fetched_at=datetime.now(UTC)))


def test_valid_values_become_encoded_enriched_articles_in_order() -> None:
    outcomes = enrich_values([_value(1), _value(2)])

    assert all(isinstance(o, Enriched) for o in outcomes)
    articles = [decode(o.value, EnrichedArticle) for o in outcomes if isinstance(o, Enriched)]
    assert [a.canonical_url for a in articles] == ["https://example.org/1", "https://example.org/2"]
    assert {e.id for e in articles[0].entities} == {"country:PK", "country:KZ"}
    first = outcomes[0]
    assert isinstance(first, Enriched)
    assert first.topics == (("trade", 0.9),)
    assert first.article_id == articles[0].id


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (b"{not json", "decode"),
        (b"\xff\xfe\x00garbage", "decode"),
        (None, "decode"),
        (b"[" * 5000 + b"]" * 5000, "decode"),
        (orjson.dumps({"id": "nope", "title": 3}), "schema"),
        (b'{"hello": "world"}', "schema"),
    ],
    ids=["invalid-json", "not-utf8", "tombstone", "deeply-nested", "wrong-types", "missing-fields"],
)
def test_bad_values_fail_with_their_reason_and_spare_their_neighbours(value: bytes | None, reason: str) -> None:
    outcomes = enrich_values([_value(1), value, _value(2)])

    assert isinstance(outcomes[0], Enriched)
    assert isinstance(outcomes[2], Enriched)
    failed = outcomes[1]
    assert isinstance(failed, Failed)
    assert failed.reason == reason
    assert failed.error


def test_an_article_whose_enrichment_raises_fails_alone() -> None:
    outcomes = enrich_values([_value(1), _value(2, text=f"Pakistan {POISON}"), _value(3)])

    assert [type(o).__name__ for o in outcomes] == ["Enriched", "Failed", "Enriched"]
    failed = outcomes[1]
    assert isinstance(failed, Failed)
    assert failed.reason == "enrichment"
    assert "stand-in enrichment failure" in failed.error


def test_a_huge_text_is_cut_before_nlp_and_published_as_cut() -> None:
    text = "Pakistan " + "filler words here. " * 600_000 + "Kazakhstan"  # about 11 MB
    [outcome] = enrich_values([_value(1, text=text)])

    assert isinstance(outcome, Enriched)
    article = decode(outcome.value, EnrichedArticle)
    # Kazakhstan sits past the limit: NLP never saw it, and the published text is the part it saw.
    assert article.text == text[:MAX_CHARS]
    assert [e.id for e in article.entities] == ["country:PK"]
    mention = article.entities[0].mentions[0]
    assert article.text[mention.start : mention.end] == "Pakistan"


def test_an_empty_text_is_enriched_with_nothing_found() -> None:
    [outcome] = enrich_values([_value(1, text="")])

    assert isinstance(outcome, Enriched)
    article = decode(outcome.value, EnrichedArticle)
    assert (article.entities, article.topics) == ([], [])
