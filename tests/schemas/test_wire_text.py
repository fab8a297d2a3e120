"""Text and times the wire contract accepts: control characters cleaned in every text field, times
without a UTC form refused as validation errors (issue 14, findings 1 and 2)."""

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from newswire.schemas import (
    DeadLetter,
    EnrichedArticle,
    Entity,
    Mention,
    RawArticle,
    SchemaError,
    Topic,
    clean_text,
    clean_text_in_place,
    content_hash,
    decode,
    encode,
    has_controls,
    printable_value,
)
from tests.factories import make_enriched, make_raw

CASES = json.loads((Path(__file__).parents[1] / "data" / "wire_text_cases.json").read_text(encoding="utf-8"))
_C0 = "".join(chr(c) for c in range(0x20) if chr(c) not in "\t\n")


def _ids(cases: list[dict[str, Any]]) -> list[str]:
    return [c["why"] for c in cases]


@pytest.mark.parametrize("case", CASES["cleaned"], ids=_ids(CASES["cleaned"]))
def test_clean_text_cases(case: dict[str, str]) -> None:
    assert clean_text(case["input"]) == case["cleaned"]
    assert has_controls(case["input"]) == (case["input"] != case["cleaned"])


@given(st.text(alphabet=st.characters(codec=None, categories=None), max_size=200))
def test_cleaned_text_has_no_c0_control_but_tab_and_newline(text: str) -> None:
    cleaned = clean_text(text)
    assert not set(cleaned) & set(_C0)
    assert not any(0xD800 <= ord(c) <= 0xDFFF for c in cleaned)
    assert clean_text(cleaned) == cleaned
    cleaned.encode("utf-8")  # always encodable
    # The content hash of an article's text does not move when its model cleans it (in place).
    assert content_hash(clean_text_in_place(text)) == content_hash(text)


@given(st.text(alphabet=st.characters(codec=None, categories=None), max_size=200))
def test_text_cleaned_in_place_keeps_every_offset(text: str) -> None:
    cleaned = clean_text_in_place(text)
    assert len(cleaned) == len(text)
    assert not set(cleaned) & set(_C0)
    assert not any(0xD800 <= ord(c) <= 0xDFFF for c in cleaned)
    cleaned.encode("utf-8")
    assert clean_text_in_place(cleaned) == cleaned


def test_every_text_field_of_a_decoded_raw_article_is_cleaned() -> None:
    article = make_raw()
    data = orjson.loads(encode(article))
    data |= {
        "title": "nul\u0000title",
        "text": "first\u0000 line\r\nsecond\u0007 line",
        "authors": ["A\u0000nne", "\u001bBob"],
        "source": "exa\u0000mple",
        "url": data["url"] + "\u0000",
    }
    raw = decode(orjson.dumps(data), RawArticle)

    assert (raw.title, raw.text, raw.authors, raw.source) == (
        "nultitle",
        "first  line \nsecond  line",  # in place: mention offsets into the text hold
        ["Anne", "Bob"],
        "example",
    )
    assert "\x00" not in raw.url
    # What is encoded again carries no NUL either, escaped or not.
    assert b"\\u0000" not in encode(raw)


def test_a_producer_cannot_build_an_article_with_nul() -> None:
    # The scraper builds RawArticles from page metadata: the model cleans them as they are built.
    raw = make_raw(title="head\u0000line", authors=["x\u0000y"], text="body\u0000text")
    assert (raw.title, raw.authors, raw.text) == ("headline", ["xy"], "body text")  # the text in place
    # The hash computed over the text with the NUL still matches the text as published.
    assert raw.content_hash == content_hash(raw.text)


def test_enriched_fields_are_cleaned() -> None:
    mention = Mention(start=0, end=4, text="As\u0000tana")
    entity = Entity(id="city:1526273", name="Ast\u0000ana", type="CITY", aliases=["\u0000Akmola"], mentions=[mention])
    topic = Topic(id="trade", label="Tr\u0000ade", score=0.9, evidence=["tar\u0000iff"])
    article = make_enriched(
        entities=[entity], topics=[topic], summary="sum\u0000mary", enricher_version="v\u00001"
    )
    again = decode(encode(article), EnrichedArticle)
    assert again.entities[0].name == "Astana"
    assert again.entities[0].aliases == ["Akmola"]
    assert again.entities[0].mentions[0].text == "As tana"  # in place, as the article text it quotes
    assert (again.topics[0].label, again.topics[0].evidence) == ("Trade", ["tariff"])
    assert (again.summary, again.enricher_version) == ("summary", "v1")


def test_a_required_text_of_nothing_but_controls_is_a_schema_error() -> None:
    data = orjson.loads(encode(make_raw()))
    data["source"] = "\u0000\u0001"
    with pytest.raises(SchemaError, match="source"):
        decode(orjson.dumps(data), RawArticle)


def test_a_dead_letter_keeps_a_value_with_nul_exactly_as_base64() -> None:
    value = b'{"title": "a\x00b"}'
    text, encoding = printable_value(value)
    assert encoding == "base64"
    letter = DeadLetter(
        topic="news.articles.raw", partition=0, offset=1, value=text, value_encoding=encoding,
        error="schema: x\u0000", service="enricher", time=datetime.now(UTC),
    )  # fmt: skip
    assert letter.error == "schema: x"
    assert "\x00" not in encode(letter).decode()


@pytest.mark.parametrize("case", CASES["times_out_of_range"], ids=_ids(CASES["times_out_of_range"]))
@pytest.mark.parametrize("field", ["published_at", "fetched_at"])
def test_a_time_with_no_utc_form_is_a_schema_error(case: dict[str, str], field: str) -> None:
    data = orjson.loads(encode(make_raw()))
    data[field] = case["value"]
    with pytest.raises(SchemaError, match=f"{field}.*out of range once converted to UTC"):
        decode(orjson.dumps(data), RawArticle)


@pytest.mark.parametrize("case", CASES["times_in_range"], ids=_ids(CASES["times_in_range"]))
def test_extreme_times_with_a_utc_form_are_kept(case: dict[str, str]) -> None:
    data = orjson.loads(encode(make_raw()))
    data["published_at"] = case["value"]
    raw = decode(orjson.dumps(data), RawArticle)
    assert raw.published_at is not None
    assert raw.published_at.isoformat() == case["utc"]
    assert decode(encode(raw), RawArticle) == raw


def test_a_lone_surrogate_is_dropped_so_the_article_can_be_encoded() -> None:
    raw = make_raw(title="half \ud83d of an emoji")
    assert raw.title == "half  of an emoji"
    assert decode(encode(raw), RawArticle).title == raw.title
