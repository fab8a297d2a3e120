"""The shipped evaluation sets stay well-formed: every gold entity occurs in its text, topic ids exist."""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_enricher_eval_set_passes_its_checker() -> None:
    result = subprocess.run(
        [sys.executable, str(REPO / "eval" / "enricher" / "check.py")], capture_output=True, text=True, cwd=REPO
    )
    assert result.returncode == 0, result.stdout + result.stderr
    dev = list((REPO / "eval" / "enricher" / "dev").glob("*.json"))
    test = list((REPO / "eval" / "enricher" / "test").glob("*.json"))
    assert len(dev) >= 40 and len(test) >= 20
    assert not {p.name for p in dev} & {p.name for p in test}
