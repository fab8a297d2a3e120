"""`newswire annotate FILE...`: text, HTML and RawArticle JSON in, one EnrichedArticle per line out."""

import builtins
import io
import sys
from pathlib import Path

import orjson
import pytest

from newswire.cli import main
from newswire.enricher import annotate
from newswire.enricher.pipeline import raw_from_text
from newswire.schemas import EnrichedArticle

TEXT = "Floods hit Karachi on Monday, Pakistan's disaster agency said, and rescue teams evacuated residents."
HTML = (
    "<!doctype html><html><head><title>Quake shakes Lima</title></head><body>"
    "<nav><a href='/'>Home</a> <a href='/sport'>Sport</a></nav>"
    "<article><h1>Quake shakes Lima</h1>"
    "<p>A strong earthquake struck near Lima, the capital of Peru, on Tuesday, officials said.</p>"
    "<p>Rescue teams searched collapsed buildings in the port city of Callao.</p></article>"
    "<footer>Copyright Example News</footer></body></html>"
)


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[EnrichedArticle], str]:
    code = main(["annotate", *args])
    out, err = capsys.readouterr()
    return code, [EnrichedArticle.model_validate_json(line) for line in out.splitlines()], err


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    raw = raw_from_text(
        "The WHO said the Ebola outbreak in Uganda was over.", title="Ebola over", url="https://example.org/ebola"
    )
    paths = {
        "text": tmp_path / "story.txt",
        "html": tmp_path / "page.html",
        "json": tmp_path / "raw.json",
    }
    paths["text"].write_text(TEXT, encoding="utf-8")
    paths["html"].write_text(HTML, encoding="utf-8")
    paths["json"].write_bytes(orjson.dumps(raw.model_dump(mode="json")))
    return paths


def test_text_html_and_json_in_input_order(capsys: pytest.CaptureFixture[str], files: dict[str, Path]) -> None:
    code, articles, err = run_cli(capsys, str(files["json"]), str(files["text"]), str(files["html"]))
    assert code == 0, err
    assert len(articles) == 3
    ebola, floods, quake = articles
    assert ebola.url == "https://example.org/ebola" and ebola.title == "Ebola over"
    assert "Karachi" in {e.name for e in floods.entities}
    assert floods.text == TEXT
    assert quake.title == "Quake shakes Lima"
    assert "earthquake struck near Lima" in quake.text
    assert "Copyright" not in quake.text
    assert {"Lima", "Peru"} <= {e.name for e in quake.entities}
    assert quake.topics[0].id == "disaster"


def test_stdin(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(TEXT))
    code, articles, _ = run_cli(capsys, "-")
    assert code == 0
    assert [a.text for a in articles] == [TEXT]


def test_unreadable_file_is_reported_and_others_still_printed(
    capsys: pytest.CaptureFixture[str], files: dict[str, Path], tmp_path: Path
) -> None:
    missing = tmp_path / "missing.txt"
    broken = tmp_path / "broken.json"
    broken.write_text('{"id": "not a raw article"}', encoding="utf-8")
    code, articles, err = run_cli(capsys, str(files["text"]), str(missing), str(broken), str(files["html"]))
    assert code == 1
    assert len(articles) == 2
    assert articles[0].text == TEXT and articles[1].title == "Quake shakes Lima"
    assert str(missing) in err and str(broken) in err
    assert "RawArticle" in err


def test_html_without_trafilatura_uses_lxml(monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def no_trafilatura(name: str, *args, **kwargs):
        if name == "trafilatura":
            raise ImportError("trafilatura not installed")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_trafilatura)
    raw = annotate.read_article("page.html", HTML)
    assert raw.title == "Quake shakes Lima"
    assert "A strong earthquake struck near Lima" in raw.text
    assert "Home" not in raw.text and "Copyright" not in raw.text


def test_sniffing_without_extension() -> None:
    assert annotate.sniff_kind("-", '  {"id": 1}') == "json"
    assert annotate.sniff_kind("-", "<!DOCTYPE html><html>") == "html"
    assert annotate.sniff_kind("-", "Plain words.") == "text"
    assert annotate.sniff_kind("x.htm", "Plain words.") == "html"


def test_empty_input_is_an_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n", encoding="utf-8")
    code, articles, err = run_cli(capsys, str(empty))
    assert code == 1 and articles == [] and "no text" in err


def test_same_output_in_every_process(tmp_path: Path) -> None:
    """Workers are separate processes: re-processing an article elsewhere must give the same
    enrichment (Python's per-process string hashing must not leak into the output)."""
    import os
    import subprocess

    story = tmp_path / "story.txt"
    story.write_text(
        "Floods hit Hyderabad and Karachi on Monday. Prime Minister Shehbaz Sharif visited Sindh, where the "
        "National Disaster Management Authority (NDMA) said rescue teams had evacuated 20,000 people.\n"
        "Read More: Sharif Announces Relief Package for Sindh",
        encoding="utf-8",
    )
    outputs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        result = subprocess.run(
            [sys.executable, "-m", "newswire.cli", "annotate", str(story)],
            capture_output=True,
            env=env,
            timeout=300,
            check=True,
        )
        article = orjson.loads(result.stdout)
        for volatile in ("enriched_at", "fetched_at"):
            article.pop(volatile)
        outputs.append(article)
    assert outputs[0]["entities"]
    assert outputs[0] == outputs[1]
