"""The evaluation scorer (`make eval`) on a few dev articles written for these tests."""

from pathlib import Path

import orjson
import pytest

from newswire.enricher import evaluation
from newswire.enricher.evaluation import Counts, GoldEntity, Predicted, load_articles, score_entities, score_topics

SOURCE = "written for newswire (CC BY 4.0)"
DEV = [
    {
        "id": "901-dev-quake",
        "title": "Quake hits Nepal",
        "text": "A strong earthquake struck Nepal on Friday, killing 12 people in Pokhara, the army said. "
        "Prime Minister KP Sharma Oli ordered rescue teams to the area. The Red Cross sent tents.",
        "source": SOURCE,
        "gold": {
            "entities": [
                {"name": "Nepal", "type": "COUNTRY", "id": "country:NP"},
                {"name": "Pokhara", "type": "CITY", "country": "NP"},
                {"name": "KP Sharma Oli", "type": "PERSON", "id": "person:kp-sharma-oli"},
                {"name": "Red Cross", "type": "ORG"},
            ],
            "topics": ["disaster"],
        },
    },
    {
        "id": "902-dev-match",
        "title": "City win the derby",
        "text": "Manchester City beat Manchester United 3-1 at the Etihad Stadium on Sunday. Phil Foden scored "
        "twice and the champions moved top of the Premier League table with five games of the season left.",
        "source": SOURCE,
        "gold": {
            "entities": [
                {"name": "Manchester City", "type": "ORG"},
                {"name": "Manchester United", "type": "ORG"},
                {"name": "Phil Foden", "type": "PERSON", "id": "person:phil-foden"},
            ],
            "topics": ["sport"],
        },
    },
]


def gold(type_: str, name: str, id_: str | None = None, *forms: str) -> GoldEntity:
    return GoldEntity(type_, name, id_, frozenset(f.lower() for f in (name, *forms)))


def pred(type_: str, id_: str | None, *forms: str) -> Predicted:
    return Predicted(type_, id_, frozenset(f.lower() for f in forms))


def test_counts() -> None:
    counts = Counts(tp=3, fp=1, fn=2)
    assert counts.precision == 0.75 and counts.recall == 0.6
    assert counts.f1 == pytest.approx(2 * 0.75 * 0.6 / 1.35)
    assert Counts().f1 == 0.0


def test_entity_matching_by_id_else_by_name_or_alias() -> None:
    golds = [
        gold("COUNTRY", "Pakistan", "country:PK"),
        gold("PERSON", "Sander de Vries", "person:sander-de-vries", "De Vries"),
        gold("ORG", "Federal Bureau of Investigation", None, "FBI"),
        gold("CITY", "Rotterdam"),
    ]
    preds = [
        pred("COUNTRY", "country:PK", "pakistani"),  # id match, whatever the surface
        pred("PERSON", "person:de-vries", "de vries"),  # wrong id: no match though a form agrees
        pred("ORG", "org:fbi", "fbi"),  # alias match
        pred("ORG", "org:rotterdam", "rotterdam"),  # right name, wrong type
    ]
    report = score_entities([(golds, preds)], granularity="fine")
    assert report.per_class["COUNTRY"].tp == 1
    assert (report.per_class["PERSON"].tp, report.per_class["PERSON"].fn, report.per_class["PERSON"].fp) == (0, 1, 1)
    assert (report.per_class["ORG"].tp, report.per_class["ORG"].fp) == (1, 1)
    assert report.per_class["CITY"].fn == 1
    assert report.micro.tp == 2 and report.micro.fp == 2 and report.micro.fn == 2


def test_one_prediction_matches_one_gold_entity() -> None:
    golds = [gold("ORG", "UN"), gold("ORG", "United Nations", None, "UN")]
    report = score_entities([(golds, [pred("ORG", "org:un", "un")])], granularity="fine")
    assert report.per_class["ORG"].tp == 1 and report.per_class["ORG"].fn == 1


def test_coarse_classes() -> None:
    golds = [gold("CITY", "Lima"), gold("COUNTRY", "Peru", "country:PE")]
    preds = [pred("LOC", None, "lima"), pred("LOC", None, "peru")]
    coarse_golds = [GoldEntity("CITY", g.name, g.id, g.forms) for g in golds]
    report = score_entities([(coarse_golds, preds)], granularity="coarse")
    assert report.per_class["LOC"].tp == 2 and report.per_class["LOC"].fp == 0


def test_topics_scoring() -> None:
    report = score_topics(
        [(frozenset({"sport"}), {"sport", "health"}), (frozenset({"trade"}), set())], ["sport", "health", "trade"]
    )
    assert report.per_class["sport"].tp == 1
    assert report.per_class["health"].fp == 1
    assert report.per_class["trade"].fn == 1
    assert report.macro_f1 == pytest.approx(1 / 3)


def test_end_to_end_on_dev_articles(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    for article in DEV:
        (folder / f"{article['id']}.json").write_bytes(orjson.dumps(article))
    assert [a.id for a in load_articles(folder)] == ["901-dev-quake", "902-dev-match"]
    output = tmp_path / "results" / "eval.json"
    code = evaluation.main(["--articles", str(folder), "--output", str(output)])
    assert code == 0
    printed = capsys.readouterr().out
    for heading in ("Entities by type", "PER/ORG/LOC (enricher)", "baseline", "Topics"):
        assert heading in printed
    result = orjson.loads(output.read_bytes())
    assert result["articles"] == 2 and result["gold_entities"] == 7
    assert result["topics"]["per_class"]["disaster"]["tp"] == 1
    assert result["topics"]["per_class"]["sport"]["tp"] == 1
    assert result["entities"]["per_class"]["COUNTRY"]["tp"] == 1
    assert result["entities"]["micro"]["recall"] >= 0.7
    assert "entities_coarse" in result["baseline"]


def test_no_articles_is_an_error(tmp_path: Path) -> None:
    assert evaluation.main(["--articles", str(tmp_path), "--output", str(tmp_path / "x.json")]) == 1
