"""`python -m newswire.enricher.kb_build`: build the knowledge base `data/kb.jsonl.gz` from freely
licensed sources, each recorded in `data/kb_sources.yaml` (origin, commit, licence, what is read).

One JSON object a line: `id, wikidata, type, name, aliases, country, prior, source`, for
places whose source gives coordinates `geo` ([lat, lon]), and `wikidata_source` when the QID
came from a later source than the entry's own. `wikidata` is
copied from a source that carries it (never typed by hand); `prior` (0..1) says how commonly the
name means this entry (population for places, kind of source for organisations).

Sources that are git repositories are read at their recorded commit with `git show`, from a
clone given by `--repos DIR` (DIR/<owner>+<name>/repo, as the search tool's mirror lays them out).
To add a source: record it in `kb_sources.yaml`, write a reader in `kb_readers.py` that yields entries, add
it to `READERS`, run the build, and commit the data file with the source record.
"""

import argparse
import gzip
import json
import logging
import sys
from pathlib import Path

from .gazetteer import read_data
from .kb_readers import READERS, Entry

__all__ = ["build", "main"]

logger = logging.getLogger(__name__)

DATA = Path(__file__).resolve().parent / "data"
DEFAULT_OUT = DATA / "kb.jsonl.gz"


def build(*, repos: Path, datasets: Path, out: Path) -> dict[str, int]:
    """Write the knowledge base; returns counts by type. The first source to give an id keeps it;
    later sources add aliases and fill a missing QID. A source's `path` is read in `datasets`."""
    sources = read_data("kb_sources.yaml")["sources"]
    entries: dict[str, Entry] = {}
    for source in sources:
        if "path" in source:
            source = source | {"path": str(datasets / source["path"])}
        for entry in READERS[source["id"]](source, repos):
            known = entries.get(entry["id"])
            if (
                known is not None
                and entry["type"] == "ORG"
                and known["wikidata"]
                and entry["wikidata"]
                and known["wikidata"] != entry["wikidata"]
            ):
                # another body of the same name (two countries' "Department of Health"): its own id
                if not entry["country"] or entry["country"] == known["country"]:
                    continue
                entry["id"] = f"{entry['id']}-{entry['country'].lower()}"
                known = entries.get(entry["id"])
            if known is None:
                entries[entry["id"]] = entry
                continue
            known["aliases"] = sorted(set(known["aliases"]) | set(entry["aliases"]) | {entry["name"]} - {known["name"]})
            if not known["wikidata"] and entry["wikidata"]:
                known["wikidata"], known["wikidata_source"] = entry["wikidata"], entry["source"]
            if "geo" not in known and "geo" in entry:
                known["geo"] = entry["geo"]
    out.parent.mkdir(parents=True, exist_ok=True)
    # mtime=0: the same sources give the same bytes
    with gzip.GzipFile(filename="", mode="wb", fileobj=out.open("wb"), mtime=0) as handle:
        for entry in sorted(entries.values(), key=lambda e: e["id"]):
            handle.write(json.dumps(entry, ensure_ascii=False, sort_keys=True).encode("utf-8") + b"\n")
    counts: dict[str, int] = {}
    for entry in entries.values():
        counts[entry["type"]] = counts.get(entry["type"], 0) + 1
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m newswire.enricher.kb_build", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--repos", type=Path, required=True, help="folder of source repositories (DIR/<owner>+<name>/repo)"
    )
    parser.add_argument(
        "--datasets",
        type=Path,
        default=Path(__file__).resolve().parents[2].parent / "shared" / "datasets",
        help="folder of the team's shared datasets (places-wikidata)",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    counts = build(repos=args.repos, datasets=args.datasets, out=args.out)
    print(f"{sum(counts.values())} entries written to {args.out}: {counts}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
