"""The audit lists what a topic's stream would carry: scores at the threshold, or the top topic."""

from pathlib import Path

import orjson

from newswire.enricher.topic_audit import claimed, load_texts
from newswire.enricher.topic_evaluation import Labelled, TopicRun


def _run(ident: str, **scores: float) -> TopicRun:
    return TopicRun(Labelled(ident, "", "text", (), ""), {}, {"trade": 0.0, "economy": 0.0, **scores})


def test_claimed_lists_articles_at_the_threshold_highest_first() -> None:
    runs = [_run("a", trade=0.51), _run("b", trade=0.49, economy=0.9), _run("c", trade=0.97)]
    assert [r.article.id for r in claimed(runs, topic="trade", threshold=0.5, top=False)] == ["c", "a"]


def test_claimed_with_top_adds_articles_whose_first_topic_it_is() -> None:
    runs = [_run("low-top", trade=0.3, economy=0.1), _run("other", trade=0.3, economy=0.8)]
    assert [r.article.id for r in claimed(runs, topic="trade", threshold=0.5, top=True)] == ["low-top"]


def test_load_texts_skips_a_frozen_split_and_names_rows_without_id(tmp_path: Path) -> None:
    path = tmp_path / "news.jsonl"
    rows = [
        {"id": "w1", "title": "T", "text": "x", "topics": ["trade"], "split": "dev"},
        {"id": "w2", "title": "T", "text": "y", "topics": [], "split": "test"},
        {"doc_id": "g1", "title": "G", "text": "z"},
        {"title": "N", "text": "w"},
    ]
    path.write_bytes(b"\n".join(orjson.dumps(r) for r in rows) + b"\n")
    loaded = load_texts([path], skip_splits=["test"])
    assert [a.id for a in loaded] == ["w1", "g1", "news:3"]
    assert loaded[0].topics == ("trade",)
