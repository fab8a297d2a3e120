"""The contract models, ids and wire format, without Kafka."""

import base64
from datetime import UTC, datetime, timedelta

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from newswire.schemas import (
    DeadLetter,
    DecodeError,
    EnrichedArticle,
    Entity,
    Mention,
    RawArticle,
    SchemaError,
    TopicNames,
    article_id,
    content_hash,
    decode,
    encode,
    headers_for,
    printable_value,
    slugify,
)
from tests.factories import make_raw


def test_article_id_is_first_16_bytes_of_sha256_of_canonical_url() -> None:
    # sha256("https://example.org/a") computed independently with coreutils' sha256sum.
    assert article_id("https://example.org/a") == "b5b10dd0429e69ac7cfaf0a20b6901c1"
    assert len(article_id("x")) == 32


def test_content_hash_ignores_whitespace_and_unicode_form_only() -> None:
    assert content_hash("Astana  and\nIslamabad ") == content_hash("Astana and Islamabad")
    assert content_hash("ﬁnance") == content_hash("finance")  # NFKC folds the ligature
    assert content_hash("Astana") != content_hash("Almaty")


def test_slugify_gives_ascii_ids() -> None:
    assert slugify("Kassym-Jomart Tokayev") == "kassym-jomart-tokayev"
    assert slugify("Recep Tayyip Erdoğan") == "recep-tayyip-erdogan"
    assert slugify("Kemal Kılıçdaroğlu") == "kemal-kilicdaroglu"  # dotless i spelled out, not dropped
    assert slugify("Łódź") == "lodz"


def test_times_are_normalised_to_utc() -> None:
    article = make_raw()
    assert article.published_at == datetime(2025, 2, 5, 4, 30, tzinfo=UTC)
    assert article.published_at.utcoffset() == timedelta(0)
    naive = make_raw(published_at=datetime(2025, 2, 5, 4, 30))
    assert naive.published_at.tzinfo is not None


def test_round_trip_through_the_wire_format() -> None:
    article = make_raw()
    raw = encode(article)
    assert orjson.loads(raw)["published_at"] == "2025-02-05T04:30:00Z"
    assert decode(raw, RawArticle) == article


def test_headers_name_the_model_and_version() -> None:
    assert headers_for(RawArticle) == [("content-type", b"application/json"), ("schema", b"RawArticle/2")]
    assert dict(headers_for(EnrichedArticle))["schema"] == b"EnrichedArticle/2"


@pytest.mark.parametrize(
    ("value", "error"),
    [
        (b"{not json", DecodeError),
        (b"\xff\xfe\x00", DecodeError),
        (None, DecodeError),
        (b'{"id": "short"}', SchemaError),
        (b"[1, 2, 3]", SchemaError),
    ],
)
def test_bad_bytes_raise_contract_errors(value: bytes | None, error: type[Exception]) -> None:
    with pytest.raises(error):
        decode(value, RawArticle)


def test_schema_error_names_the_field() -> None:
    bad = orjson.loads(encode(make_raw()))
    bad["id"] = "not-hex"
    with pytest.raises(SchemaError, match="id"):
        decode(orjson.dumps(bad), RawArticle)


def test_enriched_article_carries_every_raw_field() -> None:
    raw = make_raw()
    enriched = EnrichedArticle(
        **raw.model_dump(),
        entities=[
            Entity(
                id="person:kassym-jomart-tokayev",
                name="Kassym-Jomart Tokayev",
                type="PERSON",
                aliases=["Tokayev"],
                country="KZ",
                salience=0.9,
                mentions=[Mention(start=(at := raw.text.index("Kassym")), end=at + 21, text="Kassym-Jomart Tokayev")],
            )
        ],
        countries=["PK", "KZ"],
        enriched_at=datetime(2025, 2, 5, 5, 1, tzinfo=UTC),
        enricher_version="test",
    )
    assert set(RawArticle.model_fields) <= set(EnrichedArticle.model_fields)
    assert decode(encode(enriched), EnrichedArticle) == enriched
    mention = enriched.entities[0].mentions[0]
    assert enriched.text[mention.start : mention.end] == mention.text


def test_unknown_fields_from_newer_producers_are_ignored() -> None:
    data = orjson.loads(encode(make_raw()))
    data["added_in_v2"] = True
    assert decode(orjson.dumps(data), RawArticle).id == make_raw().id


def test_entity_ids_and_scores_are_validated() -> None:
    with pytest.raises(ValueError):
        Entity(id="Tokayev", name="Tokayev", type="PERSON")
    with pytest.raises(ValueError):
        Entity(id="person:x", name="x", type="PERSON", salience=1.5)
    with pytest.raises(ValueError):
        Entity(id="person:x", name="x", type="PLACE")


@given(st.binary(max_size=64))
def test_dead_letters_keep_any_bytes(value: bytes) -> None:
    text, encoding = printable_value(value)
    letter = DeadLetter(
        topic="news.articles.raw", partition=0, offset=7, value=text, value_encoding=encoding,
        error="x", service="test", time=datetime.now(UTC),
    )  # fmt: skip
    restored = base64.b64decode(letter.value) if encoding == "base64" else letter.value.encode()
    assert restored == value


def test_topic_names_follow_the_prefix() -> None:
    assert TopicNames().raw == "news.articles.raw"
    assert TopicNames().topic("trade") == "news.topics.trade"
    assert TopicNames("staging.news.").dlq == "staging.news.articles.dlq"
