"""The Enricher: batches, determinism, cleaned text, summary and countries."""

import pytest
import spacy

from newswire.enricher.pipeline import (
    ENRICHER_VERSION,
    Enricher,
    clean_text,
    rank_countries,
    raw_from_text,
    shared_enricher,
    summarise,
)
from newswire.schemas import EnrichedArticle, Entity, Mention, RawArticle, article_id, content_hash

TEXT = (
    "Kazakhstan and Uzbekistan agreed on Monday to build a new railway to the Afghan border. "
    "The line will carry freight from Tashkent to Mazar-i-Sharif and on to ports in Pakistan.\n"
    "Read More: Uzbekistan Opens New Border Crossing\n"
    "Follow us on Twitter for more news\n"
    "Officials said construction would begin next year."
)


@pytest.fixture(scope="module")
def enricher() -> Enricher:
    return shared_enricher()


def test_only_the_components_used_are_loaded(enricher: Enricher) -> None:
    # en_core_web_sm's ner has its own embedding: the shared tok2vec would be wasted work. The
    # linker's stages follow the sentences they read, in this order.
    assert enricher.nlp.pipe_names == [
        "ner",
        "sentencizer",
        "newswire_candidates",
        "newswire_resolve",
        "newswire_context",
        "newswire_link",
    ]


def test_the_trimmed_pipeline_finds_what_the_whole_model_finds(enricher: Enricher, seed_text: str) -> None:
    whole = spacy.load(enricher.model)
    expected = [(e.start_char, e.end_char, e.label_) for e in whole(seed_text).ents]
    assert expected
    with enricher.nlp.select_pipes(enable=["ner"]):
        assert [(e.start_char, e.end_char, e.label_) for e in enricher.nlp(seed_text).ents] == expected


def test_the_linker_components_leave_entities_and_spans_on_the_doc(enricher: Enricher, seed_text: str) -> None:
    doc = enricher.nlp(seed_text)
    entities = doc._.newswire_entities
    assert entities
    assert entities == enricher.linker.link(enricher.nlp(seed_text))
    mentions = {(s.start_char, s.end_char, s.label_, s.kb_id_) for s in doc.spans["newswire_entities"]}
    assert mentions == {(m.start, m.end, e.type, e.id) for e in entities for m in e.mentions}
    assert doc.spans["newswire_ner"] and doc.spans["newswire_gazetteer"]
    assert doc._.newswire_link is None  # the work in progress is not kept


def test_clean_text_removes_furniture_and_labels() -> None:
    clean = clean_text(TEXT)
    assert "Read More:" not in clean.text
    assert "Follow us" not in clean.text
    assert "Uzbekistan Opens New Border Crossing" in clean.text
    ((start, end),) = clean.related
    assert clean.text[start:end] == "Uzbekistan Opens New Border Crossing"
    assert clean_text("Plain text.\nSecond line.").text == "Plain text.\nSecond line."


def test_enrich_many_keeps_order_and_raw_fields(enricher: Enricher) -> None:
    raws = [
        raw_from_text(f"Floods hit {city} on Monday.", url=f"https://example.org/{i}")
        for i, city in enumerate(["Karachi", "Lagos", "Jakarta"])
    ]
    out = enricher.enrich_many(raws)
    assert [a.id for a in out] == [r.id for r in raws]
    assert [a.entities[0].name for a in out] == ["Karachi", "Lagos", "Jakarta"]
    for raw, article in zip(raws, out, strict=True):
        assert isinstance(article, EnrichedArticle)
        assert article.url == raw.url and article.fetched_at == raw.fetched_at
        assert article.enricher_version == ENRICHER_VERSION
    assert enricher.enrich_many([]) == []


def test_enrichment_is_deterministic(enricher: Enricher) -> None:
    raw = raw_from_text(TEXT, url="https://example.org/rail")
    first = enricher.enrich(raw).model_dump(exclude={"enriched_at"})
    again = enricher.enrich_many([raw_from_text("Unrelated text about nothing."), raw])[1]
    assert again.model_dump(exclude={"enriched_at"}) == first


def test_text_is_cleaned_and_hash_follows(enricher: Enricher) -> None:
    article = enricher.enrich(raw_from_text(TEXT))
    assert "Read More:" not in article.text
    assert article.content_hash == content_hash(article.text)
    for entity in article.entities:
        for mention in entity.mentions:
            assert article.text[mention.start : mention.end] == mention.text


def test_summary_is_the_lead(enricher: Enricher) -> None:
    article = enricher.enrich(raw_from_text(TEXT))
    assert article.summary.startswith("Kazakhstan and Uzbekistan agreed on Monday")
    assert len(article.summary) <= 300
    assert summarise(["One.", "Two."]) == "One. Two."
    long_first = "word " * 100
    cut = summarise([long_first, "Second."])
    assert len(cut) <= 300 and cut.endswith("…")
    assert summarise([]) == ""


def test_countries_most_salient_first(enricher: Enricher) -> None:
    article = enricher.enrich(raw_from_text(TEXT))
    assert article.countries[:2] == ["UZ", "KZ"]  # Uzbekistan and Tashkent outweigh one Kazakhstan
    assert {"AF", "PK"} <= set(article.countries)


def test_rank_countries_counts_cities_and_regions() -> None:
    def entity(id_: str, type_: str, country: str, salience: float, start: int) -> Entity:
        return Entity(
            id=id_,
            name=id_,
            type=type_,
            country=country,
            salience=salience,
            mentions=[Mention(start=start, end=start + 1, text="x")],
        )

    ranked = rank_countries(
        [
            entity("country:FR", "COUNTRY", "FR", 0.3, 50),
            entity("city:1", "CITY", "DE", 0.9, 0),
            entity("city:2", "CITY", "DE", 0.8, 10),
            entity("person:x", "PERSON", "IT", 0.9, 5),
        ]
    )
    assert ranked == ["DE", "FR"]  # a person's country alone does not list it


def test_raw_from_text() -> None:
    raw = raw_from_text("Some text.", title="T", url="https://example.org/a")
    assert isinstance(raw, RawArticle)
    assert raw.id == article_id("https://example.org/a") and raw.title == "T" and raw.language == "en"
    anonymous = raw_from_text("Some text.")
    assert anonymous.id == raw_from_text("Some text.").id != raw_from_text("Other text.").id


def test_empty_and_odd_texts(enricher: Enricher) -> None:
    for text in ["", "   ", "12345", "🙂🙂🙂", "the the the"]:
        article = enricher.enrich(raw_from_text(text or " "))
        assert article.entities == []
        assert article.topics == []  # no evidence for any topic: none is listed
