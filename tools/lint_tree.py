"""Lay out the `newswire` import namespace as one folder of symlinks, for mypy and import-linter.

pyproject.toml maps folders onto packages (`newswire.api` = services/api, `newswire.schemas` = schemas, ...).
The editable install resolves that mapping with an import hook, which static tools do not run: mypy and
import-linter look for `newswire/api/` on disk. This script builds `<dest>/newswire/` from the mapping in
pyproject.toml (never a second copy of it), every file a symlink to the real one, so each module
resolves exactly once under its installed name. `make lint` rebuilds it on every run.

Usage: python tools/lint_tree.py DEST            build the tree
       TOOL ... | python tools/lint_tree.py --real-paths DEST
                                                 rewrite the tree's paths in TOOL's report to the repository's
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import tomllib
from pathlib import Path

__all__ = ["build_tree", "main", "real_path"]

REPO = Path(__file__).resolve().parents[1]


def build_tree(*, dest: Path, repo: Path = REPO) -> Path:
    """Replace `dest` with the tree of every mapped package; return `dest`, the folder to put on the path."""
    package_dir: dict[str, str] = tomllib.loads((repo / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-dir"
    ]
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    for name, folder in package_dir.items():
        _mirror(source=(repo / folder).resolve(), target=dest.joinpath(*name.split(".")))
    return dest


def _mirror(*, source: Path, target: Path) -> None:
    """Real folders, symlinked files: grimp (import-linter) does not descend into symlinked folders."""
    target.mkdir(parents=True, exist_ok=True)
    for entry in sorted(source.iterdir()):
        if entry.name == "__pycache__":
            continue
        if entry.is_dir():
            _mirror(source=entry, target=target / entry.name)
        elif not (target / entry.name).exists():
            (target / entry.name).symlink_to(entry)
        else:
            raise SystemExit(f"lint_tree: {target / entry.name} is mapped twice in package-dir")


_REPORTED_PATH = re.compile(r"^(?P<path>[^:\s]+\.pyi?)(?=:)")


def real_path(line: str, *, dest: Path, repo: Path = REPO) -> str:
    """`newswire/api/store/store.py:12: error` -> `services/api/store/store.py:12: error`: a path editors open."""
    match = _REPORTED_PATH.match(line)
    if match is None:
        return line
    linked = dest / match["path"]
    if not linked.is_symlink():
        return line
    return os.path.relpath(linked.resolve(), repo) + line[match.end() :]


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) == 2 and args[0] == "--real-paths":
        dest = Path(args[1]).resolve()
        for line in sys.stdin:
            sys.stdout.write(real_path(line, dest=dest))
        return 0
    if len(args) != 1 or args[0].startswith("-"):
        print(__doc__, file=sys.stderr)
        return 2
    build_tree(dest=Path(args[0]).resolve())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
