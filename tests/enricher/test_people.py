"""People kinds: the occupation of well-known people, read by the topic model and never by the linker."""

import gzip
from pathlib import Path

import pytest
import yaml

from newswire.enricher.gazetteer import load_gazetteer, read_data
from newswire.enricher.kb import KnowledgeBase
from newswire.enricher.people import KIND_PREFIX, PEOPLE_FILE, load_people_kinds, read_people_kinds
from newswire.enricher.people_build import classify
from newswire.enricher.pipeline import entity_kinds
from newswire.schemas import slugify

SPEC = {
    "classes": {"athlete": ["SOCCER PLAYER", "TENNIS PLAYER"], "musician": ["SINGER"], "politician": ["POLITICIAN"]},
    "min_birth_year": {"politician": 1900},
}


def _row(name: str, occupation: str, year: str = "1980", curid: str = "") -> dict[str, str]:
    return {"name": name, "occupation": occupation, "birthyear": year, "en_curid": curid}


def _write(path: Path, text: str) -> Path:
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write(text)
    return path


def test_the_file_is_keyed_by_person_ids_and_skips_its_header(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "p.tsv.gz", "# source: x\n# licence: y\nana-gomez\tathlete\nbo-li\tathlete\ncy\tmusician\n"
    )
    kinds = read_people_kinds(path)
    assert kinds == {
        "person:ana-gomez": ("occupation:athlete",),
        "person:bo-li": ("occupation:athlete",),
        "person:cy": ("occupation:musician",),
    }
    assert kinds["person:ana-gomez"] is kinds["person:bo-li"]  # one tuple per class, not per person


def test_a_malformed_line_is_a_clear_error(tmp_path: Path) -> None:
    path = _write(tmp_path / "p.tsv.gz", "ana-gomez athlete\n")
    with pytest.raises(ValueError, match=r"p\.tsv\.gz:1: expected 'slug<TAB>class'"):
        read_people_kinds(path)


def test_names_become_the_slugs_the_linker_gives() -> None:
    rows = [_row("Zoë Quinn-Adams", "SINGER"), _row("Rafael Ortiz Jr", "TENNIS PLAYER", curid="7")]
    kinds, ambiguous = classify(rows, {"7": ["Rafa Ortiz (tennis player)"]}, SPEC)
    # a name the source mis-encoded or wrote outside ASCII is left out; a title's qualifier is dropped
    assert kinds == {slugify("Rafael Ortiz Jr"): "athlete", "rafa-ortiz": "athlete"}
    assert ambiguous == 0


def test_a_name_of_two_kinds_or_of_an_unmapped_occupation_is_left_out() -> None:
    rows = [
        _row("Sam Lee", "SINGER"),
        _row("Sam Lee", "SOCCER PLAYER"),
        _row("Kim Park", "SINGER"),
        _row("Kim Park", "PHILOSOPHER"),
        _row("Old Statesman", "POLITICIAN", year="1850"),
        _row("New Statesman", "POLITICIAN", year="1950"),
        _row("Same Class", "SOCCER PLAYER"),
        _row("Same Class", "TENNIS PLAYER"),
    ]
    kinds, ambiguous = classify(rows, {}, SPEC)
    assert kinds == {"new-statesman": "politician", "same-class": "athlete"}
    assert ambiguous == 2


def test_the_shipped_file_is_well_formed_and_every_cued_kind_exists() -> None:
    kinds = load_people_kinds()
    assert len(kinds) >= 5_000
    classes = set(read_data("people_sources.yaml")["classes"])
    assert {k for ks in kinds.values() for k in ks} == {KIND_PREFIX + c for c in classes}
    for eid in kinds:
        slug = eid.removeprefix("person:")
        assert eid.startswith("person:") and slug == slugify(slug)
    assert kinds["person:lebron-james"] == ("occupation:athlete",)
    with gzip.open(PEOPLE_FILE, "rt", encoding="utf-8") as handle:
        header = [line for line in handle if line.startswith("#")]
    assert any("licence: CC BY-SA 4.0" in line for line in header)
    lexicon = yaml.safe_load((PEOPLE_FILE.parent / "topic_lexicon.yaml").read_text(encoding="utf-8"))
    cued = {
        k for spec in lexicon["topics"].values() for k in (spec.get("kind_cues") or {}) if k.startswith(KIND_PREFIX)
    }
    assert cued and cued <= {KIND_PREFIX + c for c in classes}


def test_offices_from_the_leaders_list_win_over_an_occupation() -> None:
    gazetteer = load_gazetteer()
    leader, roles = next(iter(gazetteer.roles.items()))
    people = {leader: ("occupation:business",), "person:someone-else": ("occupation:actor",)}
    kinds = entity_kinds(gazetteer, KnowledgeBase(), people=people)
    assert kinds[leader] == tuple(f"role:{r}" for r in roles)
    assert kinds["person:someone-else"] == ("occupation:actor",)


def test_people_are_no_gazetteer_entries() -> None:
    """The linker must link exactly as before: a listed person is not a name the gazetteer knows."""
    gazetteer = load_gazetteer()
    people = [eid for eid in load_people_kinds() if eid not in gazetteer.roles]
    assert people and not set(gazetteer.entries).intersection(people)
    assert gazetteer.lookup("LeBron James") == []
