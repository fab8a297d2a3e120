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
    real_news = tmp_path / "wikinews.jsonl"
    real_news.write_bytes(
        orjson.dumps(
            {"id": "w1", "title": "Quake kills 12", "text": DEV[0]["text"], "topics": ["disaster"], "split": "test"}
        )
        + b"\n"
    )
    by_category = tmp_path / "wikinews2004.jsonl"
    by_category.write_bytes(
        orjson.dumps(
            {
                "id": "c1",
                "title": "Quake kills 12",
                "text": DEV[0]["text"],
                "topics": ["disaster", "climate-environment"],
                "categories": ["Weather"],
                "split": "test",
            }
        )
        + b"\n"
    )
    code = evaluation.main(
        [
            "--articles",
            str(folder),
            "--output",
            str(output),
            "--wikinews",
            str(real_news),
            "--wikinews-2004",
            str(by_category),
        ]
    )
    assert code == 0
    printed = capsys.readouterr().out
    for heading in ("Entities by type", "PER/ORG/LOC (enricher)", "baseline", "Topics", "Wikinews test (frozen)"):
        assert heading in printed
    result = orjson.loads(output.read_bytes())
    assert result["articles"] == 2 and result["gold_entities"] == 7
    assert result["topics"]["per_class"]["disaster"]["tp"] == 1
    assert result["topics"]["per_class"]["sport"]["tp"] == 1
    assert result["entities"]["per_class"]["COUNTRY"]["tp"] == 1
    assert result["entities"]["micro"]["recall"] >= 0.7
    assert "entities_coarse" in result["baseline"]
    frozen = result["topic_comparison"]["sets"]["test"]
    assert frozen["new"]["articles"] == frozen["previous"]["articles"] == 1
    assert frozen["new"]["per_topic"]["disaster"]["tp"] == 1 and frozen["new"]["top_topic_accuracy"] == 1.0
    assert result["topic_comparison"]["sets"]["team"]["new"]["per_topic"]["sport"]["tp"] == 1
    by_source = result["topic_comparison"]["sets"]["wn2004-test"]["new"]
    assert by_source["articles"] == 1 and by_source["top_topic_accuracy"] == 1.0
    assert "Wikinews 2004 test (frozen), labels from Wikinews categories: 1 articles" in printed


def test_no_articles_is_an_error(tmp_path: Path) -> None:
    assert evaluation.main(["--articles", str(tmp_path), "--output", str(tmp_path / "x.json")]) == 1


def _run(topics: tuple[str, ...], scores: dict[str, float], split: str = "test"):
    from newswire.enricher.topic_evaluation import Labelled, TopicRun

    return TopicRun(Labelled("a", "", "", topics, split), {}, scores)


def test_topic_report_counts_top_topic_and_uncovered_articles() -> None:
    from newswire.enricher.topic_evaluation import topic_report

    ids = ["trade", "sport", "economy"]
    runs = [
        _run(("trade",), {"trade": 0.9, "sport": 0.1, "economy": 0.6}),  # right top, one false positive
        _run(("sport",), {"trade": 0.2, "sport": 0.4, "economy": 0.1}),  # right top, below 0.5
        _run(("economy", "trade"), {"trade": 0.3, "sport": 0.7, "economy": 0.2}),  # wrong top
        _run((), {"trade": 0.1, "sport": 0.0, "economy": 0.0}),  # no gold topic: not in the shares
    ]
    report = topic_report(runs, ids)
    assert report["per_topic"]["trade"] == {
        "support": 2, "tp": 1, "fp": 0, "fn": 1, "precision": 1.0, "recall": 0.5, "f1": 0.6667,
    }
    assert report["per_topic"]["economy"]["fp"] == 1 and report["per_topic"]["sport"]["fn"] == 1
    assert report["top_topic_accuracy"] == round(2 / 3, 4)
    assert report["no_topic_at_threshold"] == round(1 / 3, 4)


def test_reliability_bins_pairs_by_score() -> None:
    from newswire.enricher.topic_evaluation import reliability

    runs = [
        _run(("trade",), {"trade": 0.97, "sport": 0.01}),
        _run(("sport",), {"trade": 0.02, "sport": 0.96}),
        _run(("sport",), {"trade": 0.6, "sport": 0.03}),
    ]
    rows = {r["bin"]: r for r in reliability(runs, ["trade", "sport"])}
    assert rows["[0.95, 1.00]"]["pairs"] == 2 and rows["[0.95, 1.00]"]["share_gold"] == 1.0
    assert rows["[0.00, 0.05)"]["pairs"] == 3 and rows["[0.00, 0.05)"]["share_gold"] == round(1 / 3, 4)
    assert rows["[0.50, 0.65)"] == {"bin": "[0.50, 0.65)", "pairs": 1, "mean_score": 0.6, "share_gold": 0.0}


def test_lead_snippet_is_headline_and_first_sentence() -> None:
    from newswire.enricher.topic_evaluation import Labelled, lead_snippet

    article = Labelled("x", "Quake hits", "A quake struck on Friday. Rescuers dug.\nMore text.", ("disaster",), "test")
    snippet = lead_snippet(article)
    assert (snippet.title, snippet.text, snippet.split) == ("Quake hits", "A quake struck on Friday.", "test-snippet")


def test_category_labelled_sets_print_only_the_top_topic_line() -> None:
    from newswire.enricher.topic_evaluation import format_comparison, topic_report

    report = topic_report([_run(("trade", "economy"), {"trade": 0.2, "economy": 0.7})], ["trade", "economy"])
    text = format_comparison("by category", report, report, top_only=True)
    assert text.splitlines() == [
        "by category: 1 articles",
        "  top topic right 1.000 (previous 1.000); no topic at 0.5: 0.000 (previous 0.000)",
    ]
    assert "micro" in format_comparison("by topic", report, report)


def test_a_section_labelled_snippet_is_right_on_its_own_or_an_accepted_topic(tmp_path: Path) -> None:
    from newswire.enricher.topic_evaluation import load_labelled, topic_report

    snippets = tmp_path / "snippets.jsonl"
    snippets.write_text(
        '{"id": "hp-1", "title": "Senate talks", "text": "Envoys met.", "topics": ["politics", "diplomacy"],'
        ' "split": "test"}\n',
        encoding="utf-8",
    )
    missing = tmp_path / "absent.jsonl"
    [article] = load_labelled(team=tmp_path, wikinews=missing, wikinews_2004=missing, huffpost=snippets)
    assert (article.split, article.topics, article.also) == ("hp-test", ("politics",), ("diplomacy",))
    ids = ["politics", "diplomacy", "sport"]
    from newswire.enricher.topic_evaluation import TopicRun

    on_accepted = TopicRun(article, {}, {"politics": 0.2, "diplomacy": 0.8, "sport": 0.0})
    elsewhere = TopicRun(article, {}, {"politics": 0.2, "diplomacy": 0.1, "sport": 0.9})
    assert topic_report([on_accepted, elsewhere], ids)["top_topic_accuracy"] == 0.5
    # an accepted neighbour is not gold: scoring it is no true positive for it
    assert topic_report([on_accepted], ids)["per_topic"]["diplomacy"]["fp"] == 1
