"""`make eval-extraction`: newswire next to trafilatura alone, per set and overall; the scores."""

import gzip
import json
from pathlib import Path

import pytest

from newswire.scraper.eval_sets import (
    EvalPage,
    MissingSet,
    fundus_pages,
    gold_pages,
    ngram_f1,
    snippet_f1,
    split_of,
    trafilatura_pages,
)
from newswire.scraper.evaluation import evaluate, main


def test_ngram_f1_counts_word_4_grams() -> None:
    assert ngram_f1("a b c d e", "a b c d e") == (1.0, 1.0, 1.0)
    assert ngram_f1("", "a b c d") == (0.0, 0.0, 0.0)
    # 'a b c d e f' has 3 four-grams; 'a b c d e' shares 2 of them and has 2.
    precision, recall, f1 = ngram_f1("A b, c d e", "a b c d e f")
    assert (precision, recall) == (1.0, pytest.approx(2 / 3)) and f1 == pytest.approx(0.8)
    # Word order matters, not only the bag of words.
    assert ngram_f1("d c b a", "a b c d")[2] == 0.0


def test_snippet_f1_is_trafilaturas_passage_count() -> None:
    text = "The minister said   the talks\nwould continue. Share on Twitter"
    assert snippet_f1(text, with_=("said the talks would",), without=("Twitter",)) == (0.5, 1.0, pytest.approx(2 / 3))
    assert snippet_f1("", with_=("x",), without=("y",)) == (0.0, 0.0, 0.0)


def test_split_is_fixed_by_the_url_and_halves_the_corpus() -> None:
    urls = [f"https://site{i}.example/page" for i in range(400)]
    dev = [u for u in urls if split_of(u) == "dev"]
    assert 150 < len(dev) < 250
    assert [split_of(u) for u in urls] == [split_of(u) for u in urls]


def test_missing_trafilatura_pages_say_where_to_get_them(tmp_path: Path) -> None:
    with pytest.raises(MissingSet, match="github.com/adbar/trafilatura"):
        list(trafilatura_pages(tmp_path, split="dev"))


def test_trafilatura_pages_are_read_from_the_named_folder(tmp_path: Path) -> None:
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / "a.html").write_bytes(b"<html><body><p>x</p></body></html>")
    urls = [f"https://site{i}.example/a" for i in range(6)]
    annotations = ",".join(f'"{u}": {{"file": "a.html", "with": ["x"], "without": ["y"]}}' for u in urls)
    (tmp_path / "evaldata.json").write_text("{" + annotations + "}")
    pages = list(trafilatura_pages(tmp_path, split="dev")) + list(trafilatura_pages(tmp_path, split="test"))
    assert sorted(p.url for p in pages) == urls
    assert {p.set for p in pages} <= {"trafilatura-dev", "trafilatura-test"}
    assert all(isinstance(p, EvalPage) and p.with_ == ("x",) for p in pages)


def _fundus_case(*paragraphs: str) -> dict[str, object]:
    return {"title": "t", "body": {"summary": ["Lead."], "sections": [{"headline": [], "paragraphs": list(paragraphs)}]}}


def test_fundus_pages_pair_each_version_with_the_page_of_its_time(tmp_path: Path) -> None:
    folder = tmp_path / "us"
    folder.mkdir()
    meta = {}
    for publisher, dates in {"Wire": ["2023_04_28", "2024_09_03", "2025_01_10"], "Odd": ["2024_01_01"]}.items():
        for date in dates:
            name = f"{publisher}_{date}.html.gz"
            (folder / name).write_bytes(gzip.compress(f"<html><p>{publisher} {date}</p></html>".encode()))
            meta[name] = {"url": f"https://{publisher.lower()}.example/{date}", "crawl_date": date}
    (folder / "meta.info").write_text(json.dumps(meta))
    # Versions sort by their numbers: V1, V1_1, V2 go with the pages of 2023, 2024 and 2025.
    wire = {"V2": _fundus_case("third"), "V1": _fundus_case("first"), "V1_1": _fundus_case("second")}
    (folder / "Wire.json").write_text(json.dumps(wire))
    # Two versions for one page: left out, not paired by guess.
    (folder / "Odd.json").write_text(json.dumps({"V1": _fundus_case("a"), "V2": _fundus_case("b")}))
    pages = list(fundus_pages(tmp_path, split="dev")) + list(fundus_pages(tmp_path, split="test"))
    assert [(p.name, p.gold) for p in sorted(pages, key=lambda p: p.name)] == [
        ("us/Wire_2023_04_28", "Lead.\nfirst"),
        ("us/Wire_2024_09_03", "Lead.\nsecond"),
        ("us/Wire_2025_01_10", "Lead.\nthird"),
    ]
    assert {p.set for p in pages} == {f"fundus-{split_of('Wire')}"}
    assert pages[0].url.startswith("https://wire.example/") and pages[0].html.startswith(b"<html>")


def test_missing_fundus_pages_say_where_to_get_them(tmp_path: Path) -> None:
    with pytest.raises(MissingSet, match="github.com/flairNLP/fundus"):
        list(fundus_pages(tmp_path, split="test"))


def test_gold_set_f1_meets_the_target() -> None:
    assert len(list(gold_pages())) >= 12
    scores = evaluate(["gold"], trafilatura_dir=None, min_words=80)["gold"]
    assert all(s.refused is None for s in scores), [s for s in scores if s.refused]
    assert sum(s.f1 for s in scores) / len(scores) >= 0.97
    assert min(s.f1 for s in scores) >= 0.85
    assert all(s.title_ok for s in scores)


def test_evaluation_command_prints_newswire_next_to_trafilatura(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--min-f1", "0.95", "--trafilatura-dir", str(tmp_path), "--fundus-dir", str(tmp_path)]) == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert lines[0].split() == ["set", "pages", "newswire", "trafilatura", "better", "worse", "refused"]
    assert [line.split()[0] for line in lines[1:3]] == ["gold", "overall"]
    assert "github.com/adbar/trafilatura" in captured.err and "github.com/flairNLP/fundus" in captured.err


def test_without_url_scores_pages_as_newswire_extract_reads_saved_files() -> None:
    # Gold pages name their canonical address; a saved page without one is named by its file.
    scores = evaluate(["gold"], trafilatura_dir=None, min_words=80, without_url=True)["gold"]
    assert all(s.refused is None for s in scores), [s for s in scores if s.refused]
    assert sum(s.f1 for s in scores) / len(scores) >= 0.97
