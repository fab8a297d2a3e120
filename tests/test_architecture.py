"""The import contracts in pyproject.toml ([tool.importlinter]) catch what they are meant to catch.

`make lint` runs lint-imports over the tree tools/lint_tree.py lays out. Here the same tree is built in a
temporary folder with one deliberate violation added, and lint-imports must fail naming the broken
contract, so no contract can silently be a no-op (a typo in a module name, a tree that misses a package)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tools.lint_tree import build_tree

REPO = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(REPO / "pyproject.toml"), "--no-cache"],
        cwd=tree,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "COLUMNS": "200"},  # one line per contract in the report
    )


def test_the_repository_keeps_its_import_contracts(tmp_path: Path) -> None:
    result = _lint_imports(build_tree(dest=tmp_path / "tree"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 kept, 0 broken" in result.stdout


@pytest.mark.parametrize(
    ("where", "statement", "contract"),
    [
        ("newswire/api/_violation.py", "import newswire.enricher", "Services are independent"),
        ("newswire/enricher/_violation.py", "from newswire.scraper import errors", "Services are independent"),
        ("newswire/schemas/_violation.py", "import newswire.api", "The wire contract (newswire.schemas)"),
        ("newswire/api/_violation.py", "import spacy", "The API imports neither spacy nor faust"),
        ("newswire/api/routes/_violation.py", "import faust", "The API imports neither spacy nor faust"),
    ],
)
def test_a_deliberate_violation_breaks_its_contract(tmp_path: Path, where: str, statement: str, contract: str) -> None:
    tree = build_tree(dest=tmp_path / "tree")
    (tree / where).write_text(f'"""A deliberate violation of the architecture."""\n\n{statement}\n')
    result = _lint_imports(tree)
    assert result.returncode != 0, result.stdout
    broken = [line for line in result.stdout.splitlines() if line.endswith("BROKEN")]
    assert len(broken) == 1 and broken[0].startswith(contract), result.stdout
    assert "_violation" in result.stdout  # the report names the offending module
