"""The seed oracle: enrichment of tests/data/seed-article.txt meets every line of
seed-article.expected.json, checked the way its "about" says (names compare case-insensitively
after Unicode NFKC and quote normalisation)."""

import json
import subprocess
import sys
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from newswire.enricher.annotate import read_article
from newswire.enricher.pipeline import shared_enricher
from newswire.schemas import EnrichedArticle

SAMPLES = Path(__file__).parents[1] / "data"
SEED_TEXT = SAMPLES / "seed-article.txt"
SEED_EXPECTED = SAMPLES / "seed-article.expected.json"

_QUOTES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "“": '"', "”": '"', "„": '"'})
_KNOWN_KEYS = {
    "about",
    "required_entities",
    "nice_to_have_entities",
    "forbidden_entity_names",
    "no_duplicate_people",
    "required_topics_top3_min_score",
    "forbidden_topics_max_score",
    "countries_first_two",
    "text_must_not_contain",
}


def norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).translate(_QUOTES).casefold().split())


def matches(entity: dict[str, Any], want: dict[str, Any]) -> bool:
    """Whether one enriched entity satisfies one required/nice-to-have entry."""
    if entity["type"] != want["type"]:
        return False
    if "id" in want and entity["id"] != want["id"]:
        return False
    if "name" in want and norm(entity["name"]) != norm(want["name"]):
        return False
    if "name_contains" in want and norm(want["name_contains"]) not in norm(entity["name"]):
        return False
    if "country" in want and entity.get("country") != want["country"]:
        return False
    aliases = {norm(a) for a in entity.get("aliases", [])}
    return all(norm(a) in aliases for a in want.get("aliases_include", []))


@pytest.fixture(scope="module")
def expected() -> dict[str, Any]:
    data = json.loads(SEED_EXPECTED.read_text(encoding="utf-8"))
    unknown = set(data) - _KNOWN_KEYS
    assert not unknown, f"the oracle has lines this test does not check yet: {sorted(unknown)}"
    return data


@pytest.fixture(scope="module")
def enriched() -> dict[str, Any]:
    raw = read_article(str(SEED_TEXT), SEED_TEXT.read_text(encoding="utf-8"))
    article = shared_enricher().enrich(raw)
    return article.model_dump(mode="json")


def test_required_entities_are_all_present(enriched: dict[str, Any], expected: dict[str, Any]) -> None:
    assert expected["required_entities"]
    missing = [w for w in expected["required_entities"] if not any(matches(e, w) for e in enriched["entities"])]
    assert not missing, f"missing: {missing}; got {[(e['type'], e['name']) for e in enriched['entities']]}"


def test_nice_to_have_entities_are_present(enriched: dict[str, Any], expected: dict[str, Any]) -> None:
    assert expected["nice_to_have_entities"]
    missing = [w for w in expected["nice_to_have_entities"] if not any(matches(e, w) for e in enriched["entities"])]
    assert not missing


def test_forbidden_names_are_no_entity(enriched: dict[str, Any], expected: dict[str, Any]) -> None:
    forbidden = {norm(n) for n in expected["forbidden_entity_names"]}
    assert forbidden
    bad = [e["name"] for e in enriched["entities"] if norm(e["name"]) in forbidden]
    assert not bad


def test_each_person_appears_once(enriched: dict[str, Any], expected: dict[str, Any]) -> None:
    assert expected["no_duplicate_people"]
    people = [e for e in enriched["entities"] if e["type"] == "PERSON"]
    assert len(people) >= 3
    names = [norm(p["name"]) for p in people]
    assert len(names) == len(set(names))
    # No person is another's surname or titled form either ("Tokayev" next to "Kassym-Jomart Tokayev").
    for person in people:
        for other in people:
            if other is not person:
                assert norm(other["name"]) not in {norm(a) for a in person["aliases"]}
                assert not norm(person["name"]).endswith(" " + norm(other["name"]))


def test_required_topics_are_the_top_three(enriched: dict[str, Any], expected: dict[str, Any]) -> None:
    wanted = expected["required_topics_top3_min_score"]
    top3 = enriched["topics"][:3]
    assert {t["id"] for t in top3} == set(wanted), [(t["id"], t["score"]) for t in enriched["topics"][:5]]
    for topic in top3:
        assert topic["score"] >= wanted[topic["id"]]
        assert topic["evidence"]


def test_forbidden_topics_stay_low(enriched: dict[str, Any], expected: dict[str, Any]) -> None:
    # An article lists only topics with evidence and a score at the floor or more: one it leaves
    # off scores below the floor.
    scores = {t["id"]: t["score"] for t in enriched["topics"]}
    for topic_id, ceiling in expected["forbidden_topics_max_score"].items():
        assert scores.get(topic_id, 0.0) <= ceiling, (topic_id, scores[topic_id])


def test_countries_start_with_the_expected_two(enriched: dict[str, Any], expected: dict[str, Any]) -> None:
    assert enriched["countries"][:2] == expected["countries_first_two"]


def test_text_has_no_boilerplate(enriched: dict[str, Any], expected: dict[str, Any]) -> None:
    for fragment in expected["text_must_not_contain"]:
        assert fragment not in enriched["text"]
        assert fragment not in enriched["summary"]


def test_mentions_point_into_the_text(enriched: dict[str, Any]) -> None:
    text = enriched["text"]
    for entity in enriched["entities"]:
        assert entity["mentions"]
        for mention in entity["mentions"]:
            assert text[mention["start"] : mention["end"]] == mention["text"]


def test_annotate_command_on_the_seed_file(expected: dict[str, Any]) -> None:
    """`newswire annotate tests/data/seed-article.txt` as a user runs it."""
    result = subprocess.run(
        [sys.executable, "-m", "newswire.cli", "annotate", str(SEED_TEXT)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    article = EnrichedArticle.model_validate_json(lines[0]).model_dump(mode="json")
    for want in expected["required_entities"]:
        assert any(matches(e, want) for e in article["entities"]), want
    assert article["countries"][:2] == expected["countries_first_two"]
    assert {t["id"] for t in article["topics"][:3]} == set(expected["required_topics_top3_min_score"])
