"""Issue 11's error classes, each on fresh examples read from `data/entity_error_classes.yaml`."""

from pathlib import Path
from typing import Any

import pytest
import yaml

from newswire.enricher.pipeline import raw_from_text, shared_enricher
from newswire.schemas import EnrichedArticle

CASES = yaml.safe_load((Path(__file__).parent / "data" / "entity_error_classes.yaml").read_text())["cases"]


@pytest.fixture(scope="module")
def enriched() -> list[EnrichedArticle]:
    enricher = shared_enricher()
    return enricher.enrich_many(
        [raw_from_text(c["text"], url=f"urn:newswire:test:class-{i}", source="test") for i, c in enumerate(CASES)]
    )


def _hits(article: EnrichedArticle, rule: dict[str, Any]) -> list[Any]:
    out = []
    for entity in article.entities:
        if "type" in rule and entity.type != rule["type"]:
            continue
        if "id" in rule and entity.id != rule["id"]:
            continue
        if "name" in rule and rule["name"] not in {entity.name, *entity.aliases}:
            continue
        if "name_contains" in rule and not any(rule["name_contains"] in n for n in [entity.name, *entity.aliases]):
            continue
        out.append(entity)
    return out


@pytest.mark.parametrize("index", range(len(CASES)), ids=[c["class"][:50] for c in CASES])
def test_error_class(index: int, enriched: list[EnrichedArticle]) -> None:
    case, article = CASES[index], enriched[index]
    found = [f"{e.type}:{e.id}:{e.name}" for e in article.entities]
    for rule in case.get("expect", []):
        hits = _hits(article, rule)
        assert hits, f"{case['class']}: expected {rule} in {found}"
        if rule.get("no_mentions"):
            assert not hits[0].mentions, f"{case['class']}: a demonym became a mention: {hits[0].mentions}"
    for rule in case.get("forbid", []):
        assert not _hits(article, rule), f"{case['class']}: forbidden {rule} in {found}"
