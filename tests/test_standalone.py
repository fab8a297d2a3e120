"""The repository stands alone: the contract and the seed sample live inside it, kept identical to
the shared copies beside the repository where those exist, and no shipped file links outside it."""

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"

#: (copy in the repository, original in ../shared)
COPIES = [
    (REPO / "docs" / "contract.md", SHARED / "CONTRACT.md"),
    (REPO / "tests" / "data" / "seed-article.txt", SHARED / "samples" / "seed-article.txt"),
    (REPO / "tests" / "data" / "seed-article.expected.json", SHARED / "samples" / "seed-article.expected.json"),
]


@pytest.mark.parametrize(("copy", "original"), COPIES, ids=[c.name for c, _ in COPIES])
def test_copies_match_the_shared_originals(copy: Path, original: Path) -> None:
    assert copy.is_file(), f"{copy.relative_to(REPO)} is missing"
    if not original.is_file():
        pytest.skip(f"{original} is absent: nothing to compare the copy with")
    assert copy.read_bytes() == original.read_bytes(), f"{copy.relative_to(REPO)} differs from {original}"


def test_no_link_leaves_the_repository() -> None:
    roots = [REPO / "README.md", REPO / "services", REPO / "newswire", REPO / "schemas"]
    files = [p for root in roots for p in ([root] if root.is_file() else root.rglob("*")) if p.is_file()]
    offenders = []
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        offenders += [f"{path.relative_to(REPO)}: {m.group()}" for m in re.finditer(r"\.\./shared\S*", text)]
    assert not offenders
