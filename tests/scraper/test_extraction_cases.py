"""Regression pages (tests/scraper/pages/cases.yaml) through `newswire extract FILE`, as a new user runs it."""

from pathlib import Path
from typing import Any

import orjson
import pytest
import yaml

from newswire.cli import main

PAGES = Path(__file__).parent / "pages"
CASES: list[dict[str, Any]] = yaml.safe_load((PAGES / "cases.yaml").read_text(encoding="utf-8"))["cases"]


@pytest.mark.parametrize("case", CASES, ids=[c["file"] for c in CASES])
def test_saved_page_extracts_as_its_case_says(case: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["extract", str(PAGES / case["file"])])
    captured = capsys.readouterr()
    if "refused" in case:
        assert status == 1
        assert case["refused"] in captured.err
        assert not captured.out
        return
    assert status == 0, captured.err
    article = orjson.loads(captured.out)
    assert article["title"] == case["title"]
    if "canonical_url" in case:
        assert article["canonical_url"] == case["canonical_url"]
    for passage in case.get("contains", []):
        assert passage in article["text"]
    for passage in case.get("absent", []):
        assert passage not in article["text"]
