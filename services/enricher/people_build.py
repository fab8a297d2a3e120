"""`python -m newswire.enricher.people_build --repos DIR`: build `data/people_kinds.tsv.gz`, the
occupation class of well-known people (see `people.py`), from the source recorded in
`data/people_sources.yaml` (repository, commit, file, licence, occupation -> class).

The source repository is read at its recorded commit with `git show` from a clone at
`DIR/<owner>+<name>/repo` (as the search tool's mirror lays them out). Output: a header of `#`
lines (source, commit, licence), then `slug<TAB>class` sorted by slug, gzip mtime 0, so the same
source gives the same bytes. A slug two rows give different classes is left out (ambiguous), and
so are rows whose name is not plain ASCII in the source (mis-encoded there: no reliable slug).
"""

import argparse
import csv
import gzip
import io
import logging
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

from newswire.schemas import slugify

from .gazetteer import read_data
from .people import PEOPLE_FILE

__all__ = ["build", "classify", "main"]

logger = logging.getLogger(__name__)

#: "Adele (singer)", "Frank Miller (comics)": the Wikipedia title's qualifier is not part of the name
_QUALIFIER = re.compile(r"\s*\([^)]*\)\s*$")
_UNMAPPED = ""


def _git_show(repos: Path, repo: str, commit: str, path: str) -> str:
    clone = repos / repo.replace("/", "+") / "repo"
    out = subprocess.run(
        ["git", "--git-dir" if (clone / "HEAD").exists() else "-C", str(clone), "show", f"{commit}:{path}"],
        check=True,
        capture_output=True,
    )
    return out.stdout.decode("utf-8", errors="replace").lstrip("\ufeff")


def _birth_year(row: dict[str, str]) -> int | None:
    try:
        return int(float(row.get("birthyear") or ""))
    except ValueError:
        return None


def classify(
    rows: list[dict[str, str]], aliases: dict[str, list[str]], spec: dict[str, Any]
) -> tuple[dict[str, str], int]:
    """slug -> class for the rows of a mapped occupation, and how many slugs were dropped as
    ambiguous. `aliases` maps a row's `en_curid` to its other names."""
    class_of = {occ: cls for cls, occupations in spec["classes"].items() for occ in occupations}
    min_year: dict[str, int] = spec.get("min_birth_year") or {}
    found: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        cls = class_of.get(row["occupation"].strip().upper())
        year = _birth_year(row)
        if cls in min_year and (year is None or year < min_year[cls]):
            cls = None
        names = [row["name"], *aliases.get(row.get("en_curid", ""), [])]
        for name in names:
            name = _QUALIFIER.sub("", name).strip()
            if not name.isascii():
                continue
            slug = slugify(name)
            if slug:
                # A row of an occupation that says nothing ("George Harrison" the musician and a
                # namesake of another trade) still makes the name ambiguous.
                found[slug].add(cls or _UNMAPPED)
    kinds = {slug: next(iter(c)) for slug, c in found.items() if len(c) == 1 and _UNMAPPED not in c}
    ambiguous = sum(1 for c in found.values() if len(c) > 1)
    return kinds, ambiguous


def build(*, repos: Path, out: Path) -> dict[str, int]:
    """Write the data file; returns the count of names by class (and `ambiguous`)."""
    spec = read_data("people_sources.yaml")
    source = spec["source"]
    rows = list(csv.DictReader(io.StringIO(_git_show(repos, source["repo"], source["commit"], source["file"]))))
    aliases: dict[str, list[str]] = {}
    if alias_file := source.get("aliases_file"):
        text = _git_show(repos, source["repo"], source["commit"], alias_file)
        for row in csv.DictReader(io.StringIO(text)):
            titles = [row.get("wikipedia_names") or "", row.get("wikiquotes_names") or ""]
            aliases[row["en_curid"]] = [t for t in titles if t and t != row["name"]]
    kinds, ambiguous = classify(rows, aliases, spec)
    header = [
        "# people_kinds.tsv.gz: person name slug <TAB> occupation class (newswire people_build)",
        f"# source: {source['repo']}@{source['commit']} {source['file']}",
        f"# licence: {source['licence']}",
    ]
    out.parent.mkdir(parents=True, exist_ok=True)
    with gzip.GzipFile(filename="", mode="wb", fileobj=out.open("wb"), mtime=0) as handle:
        handle.write(("\n".join(header) + "\n").encode("utf-8"))
        for slug in sorted(kinds):
            handle.write(f"{slug}\t{kinds[slug]}\n".encode())
    counts: dict[str, int] = defaultdict(int)
    for cls in kinds.values():
        counts[cls] += 1
    counts["ambiguous"] = ambiguous
    return dict(counts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m newswire.enricher.people_build", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--repos", type=Path, required=True, help="folder of source repositories (DIR/<owner>+<name>/repo)"
    )
    parser.add_argument("--out", type=Path, default=PEOPLE_FILE)
    args = parser.parse_args(argv)
    counts = build(repos=args.repos, out=args.out)
    print(f"{sum(v for k, v in counts.items() if k != 'ambiguous')} names written to {args.out}: {counts}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
