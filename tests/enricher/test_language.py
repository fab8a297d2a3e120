"""Articles in a language the enricher does not read pass through unread: no entities, topics or
countries that English models would make up, their summary kept, counted by language."""

from pathlib import Path
from typing import Any

import pytest
import spacy
import yaml
from prometheus_client import REGISTRY

from newswire.enricher import pipeline, workers
from newswire.enricher.agents import _count
from newswire.enricher.language import unread_language
from newswire.enricher.pipeline import Enricher, raw_from_text, shared_enricher
from newswire.enricher.workers import Enriched, enrich_values
from newswire.schemas import encode

CASES: list[dict[str, Any]] = yaml.safe_load((Path(__file__).parent / "data" / "language_cases.yaml").read_text())
GERMAN = next(c for c in CASES if c["expect"] == "de" and len(c["text"]) > 200)
GERMAN_AS_ENGLISH = next(c for c in CASES if c["expect"] == "und" and c["declared"] == "en")
ENGLISH = next(c for c in CASES if c["expect"] == "read" and c["declared"] == "en")


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_which_articles_are_read(case: dict[str, Any]) -> None:
    found = unread_language(title=case["title"], text=case["text"], declared=case["declared"])
    assert (found or "read") == case["expect"]


@pytest.fixture(scope="module")
def enricher() -> Enricher:
    return shared_enricher()


def _raw(case: dict[str, Any], n: int) -> Any:
    raw = raw_from_text(case["text"], title=case["title"], url=f"https://example.org/{n}")
    return raw.model_copy(update={"language": case["declared"]})


def test_an_unread_article_keeps_its_place_and_summary_and_gets_nothing_made_up(enricher: Enricher) -> None:
    articles = enricher.enrich_many([_raw(GERMAN, 1), _raw(ENGLISH, 2), _raw(GERMAN, 3)])

    assert [a.canonical_url for a in articles] == [f"https://example.org/{n}" for n in (1, 2, 3)]
    german, english = articles[0], articles[1]
    assert (german.entities, german.topics, german.countries) == ([], [], [])
    assert german.summary.startswith("Die Bundesregierung hat am Dienstag") and german.summary.endswith(".")
    assert german.text == " ".join(GERMAN["text"].split()) and german.language == "de"
    assert english.topics and english.summary.startswith("Heavy rain")


def test_a_page_that_declares_english_but_is_not_loses_the_wrong_language(enricher: Enricher) -> None:
    [german, english] = enricher.enrich_many([_raw(GERMAN_AS_ENGLISH, 1), _raw(ENGLISH, 2)])
    assert german.language is None and german.topics == []
    assert english.language == "en"


def _unread(language: str) -> float:
    return REGISTRY.get_sample_value("newswire_articles_unread_total", {"language": language}) or 0.0


def test_the_worker_counts_an_unread_article_by_its_language() -> None:
    workers._init_worker("tests.enricher.standin:Enricher", "none", 8, 5_000)
    try:
        outcomes = enrich_values([encode(_raw(GERMAN, 1)), encode(_raw(ENGLISH, 2))])
    finally:
        workers._enricher = None
    assert [o.unread_language for o in outcomes if isinstance(o, Enriched)] == ["de", None]
    before = _unread("de")
    for outcome in outcomes:
        _count(outcome, threshold=0.5)
    assert _unread("de") == before + 1


def test_an_enricher_on_a_whole_spacy_pipeline_passes_an_unread_article_through(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The benchmark's naive worker loads the model whole (no "sentencizer" component of ours).
    monkeypatch.setattr(pipeline, "_load_nlp", spacy.load)
    whole = Enricher()
    [german] = whole.enrich_many([_raw(GERMAN, 1)])
    assert (german.entities, german.topics) == ([], []) and german.summary.startswith("Die Bundesregierung")
