"""The JSON Schema and AsyncAPI files are generated from the models and must not drift."""

import json
from pathlib import Path

import jsonschema
import orjson
import pytest
import yaml

from newswire.schemas import EnrichedArticle, RawArticle, encode, load_taxonomy
from newswire.schemas.export import HERE, generated_files
from tests.factories import make_raw

DATA = Path(__file__).parents[1] / "data"


@pytest.mark.parametrize("path", sorted(generated_files()), ids=lambda p: p.name)
def test_generated_file_is_up_to_date(path: Path) -> None:
    assert path.exists(), f"{path} missing: run `make schemas`"
    assert path.read_text() == generated_files()[path], f"{path.name} is stale: run `make schemas`"


def test_a_model_edit_without_regenerating_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    # Simulate someone adding a field to the model: the generated text must change.
    original = RawArticle.model_json_schema
    monkeypatch.setattr(
        RawArticle,
        "model_json_schema",
        classmethod(lambda cls, **kw: {**original(**kw), "properties": {**original(**kw)["properties"], "x": {}}}),
    )
    changed = [p for p, text in generated_files().items() if p.read_text() != text]
    assert HERE / "jsonschema" / "RawArticle.json" in changed


def test_json_schema_accepts_what_the_producer_writes() -> None:
    schema = json.loads((HERE / "jsonschema" / "RawArticle.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(orjson.loads(encode(make_raw())), schema)
    bad = orjson.loads(encode(make_raw()))
    del bad["text"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)


def test_enriched_schema_requires_the_enrichment() -> None:
    schema = json.loads((HERE / "jsonschema" / "EnrichedArticle.json").read_text())
    assert {"entities", "topics", "countries", "enriched_at", "enricher_version"} <= set(schema["properties"])
    assert set(schema["required"]) >= {"id", "text", "enriched_at", "enricher_version"}
    assert set(EnrichedArticle.model_fields) == set(schema["properties"])


def test_asyncapi_document_is_valid_asyncapi_3() -> None:
    document = yaml.safe_load((HERE / "asyncapi.yaml").read_text())
    meta_schema = json.loads((DATA / "asyncapi-3.0.0.schema.json").read_text())
    jsonschema.Draft7Validator(meta_schema).validate(document)
    addresses = {c["address"] for c in document["channels"].values()}
    assert {"news.articles.raw", "news.articles.enriched", "news.articles.dlq", "news.topics.{topicId}"} == addresses
    topic_ids = document["channels"]["topicArticles"]["parameters"]["topicId"]["enum"]
    assert topic_ids == load_taxonomy().ids
    for message in document["components"]["messages"].values():
        assert message["headers"]["required"] == ["content-type", "schema"]
        assert (HERE / message["payload"]["$ref"]).exists()
        assert "key" in message["bindings"]["kafka"]


def test_asyncapi_validation_rejects_a_broken_document() -> None:
    document = yaml.safe_load((HERE / "asyncapi.yaml").read_text())
    document["channels"]["articlesRaw"]["messages"] = "not a map"
    meta_schema = json.loads((DATA / "asyncapi-3.0.0.schema.json").read_text())
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft7Validator(meta_schema).validate(document)
