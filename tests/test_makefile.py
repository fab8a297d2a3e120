"""`make help` lists every target with one line each."""

import re
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_make_help_lists_every_target_once() -> None:
    makefile = (REPO / "Makefile").read_text()
    phony = set(re.search(r"^\.PHONY:(.*?)(?<!\\)$", makefile, re.M | re.S).group(1).replace("\\", " ").split())
    out = subprocess.run(["make", "-s", "help"], cwd=REPO, capture_output=True, text=True, check=True).stdout
    listed = [line.split()[0] for line in out.splitlines() if line.strip()]
    assert sorted(listed) == sorted(phony)
    assert len(listed) == len(set(listed))
    assert all(len(line.split(None, 1)) == 2 for line in out.splitlines() if line.strip())  # a description each
    assert {"demo", "test", "install", "bench", "eval"} <= set(listed)
