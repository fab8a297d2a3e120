"""docs/RELIABILITY.md is generated from the suite's results: every case is a row, failures stand out."""

import pytest

from tests.faults.report import render

pytestmark = pytest.mark.faults


def _case(case: str, *, passed: bool = True, lost: int = 0) -> dict[str, object]:
    return {
        "case": case,
        "kind": "fault" if case.startswith("fault.") else "bad input",
        "tried": f"tried {case}",
        "behaviour": "did | something",
        "expected": 10,
        "delivered": 10 - lost,
        "lost": lost,
        "duplicated": 1,
        "passed": passed,
        "details": {},
        "mode": "short",
        "time": "2026-11-26T18:00:00+00:00",
    }


def test_every_case_is_a_row_and_failures_are_listed() -> None:
    cases = [_case("fault.a"), _case("input.b"), _case("fault.c", passed=False, lost=3)]
    text = render({"cases": {c["case"]: c for c in cases}}, source="results.json")
    rows = [line for line in text.splitlines() if line.startswith("| ") and "`" in line]
    assert [r.split("|")[2].strip() for r in rows] == ["`fault.a`", "`fault.c`", "`input.b`"]
    assert "did \\| something" in rows[0]
    assert "**FAILED**" in rows[1]
    assert "Articles lost over all cases: **3**" in text
    assert "## Cases that did not hold" in text
