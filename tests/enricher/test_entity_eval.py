"""Entity evaluation (`make eval`): the span scorer, and floors pinned on the frozen sets."""

from pathlib import Path

import orjson
import pytest
import yaml

from newswire.enricher import entity_eval
from newswire.enricher.entity_eval import GUM_FILE, load_gum, score_spans

REPO = Path(__file__).resolve().parents[2]
FLOORS = yaml.safe_load((REPO / "eval" / "enricher" / "floors.yaml").read_text())


def test_typed_and_type_agnostic_span_scores() -> None:
    gold = [(0, 5, "PER"), (10, 15, "ORG"), (20, 25, "LOC")]
    pred = [(0, 5, "PER"), (10, 15, "LOC"), (30, 35, "ORG")]
    typed = score_spans([(gold, pred)], typed=True)
    assert (typed.per_class["PER"].tp, typed.per_class["ORG"].fn, typed.per_class["LOC"].fp) == (1, 1, 1)
    assert typed.per_class["ORG"].fp == 1
    untyped = score_spans([(gold, pred)], typed=False)
    # the ORG span found as LOC counts when types are ignored; the span nobody annotated does not
    assert untyped.per_class["ORG"].tp == 1 and untyped.per_class["LOC"].fn == 1
    assert untyped.per_class["ORG"].fp == 1 and untyped.micro.tp == 2


def test_gum_documents_keep_span_offsets(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    rows = [
        {"doc_id": "a", "split": "test", "text": "Ann met Bob.", "entities": [{"start": 0, "end": 3, "label": "PER"}]},
        {"doc_id": "a", "split": "test", "text": "Bob left.", "entities": [{"start": 0, "end": 3, "label": "PER"}]},
        {"doc_id": "b", "split": "dev", "text": "x", "entities": []},
    ]
    path.write_bytes(b"\n".join(orjson.dumps(r) for r in rows))
    (doc,) = load_gum(path, split="test")
    assert [doc.text[s:e] for s, e, _ in doc.spans] == ["Ann", "Bob"]
    assert doc.spans[1][0] == len("Ann met Bob.\n")


@pytest.mark.skipif(not GUM_FILE.exists(), reason="GUM Wikinews sentence file not present")
def test_frozen_sets_stay_above_their_floors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    output = tmp_path / "entity_eval.json"
    assert entity_eval.main(["--gum-splits", "test", "--output", str(output)]) == 0
    assert "gum-test" in capsys.readouterr().out
    results = orjson.loads(output.read_bytes())
    for name, modes in FLOORS.items():
        if name.startswith("_"):
            continue
        for mode, floors in modes.items():
            report = results[name]["enricher"][mode]
            for label, floor in floors.items():
                f1 = report["micro"]["f1"] if label == "all" else report["per_class"][label]["f1"]
                assert f1 >= floor, f"{name} {mode} {label}: F1 {f1} fell below its floor {floor}"
