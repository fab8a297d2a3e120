"""The knowledge base (`data/kb.jsonl.gz`, built by `kb_build` from the sources in
`data/kb_sources.yaml`) at run time: Wikidata QIDs of entity ids, regions by name and country,
and a PhraseMatcher over organisations' names and aliases.

Only what the linker uses is kept in memory: every entry's QID, the regions' names (for "City,
State") and the organisations' surface forms. Places are matched by the gazetteer, not here.
"""

import gzip
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import orjson
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from newswire.schemas import slugify

__all__ = ["KbOrg", "KnowledgeBase", "OrgMatch", "apply_org_matches", "load_kb"]

logger = logging.getLogger(__name__)

KB_FILE = Path(__file__).resolve().parent / "data" / "kb.jsonl.gz"


@dataclass(frozen=True, slots=True)
class KbOrg:
    id: str
    name: str
    country: str | None
    prior: float
    wikidata: str | None
    #: an acronym of the full name the source says may stand alone ("FBI"); see kb_build
    acronym: str | None = None


@dataclass(frozen=True, slots=True)
class OrgMatch:
    start: int
    end: int
    orgs: tuple[KbOrg, ...]


@dataclass(slots=True)
class KnowledgeBase:
    qids: dict[str, str] = field(default_factory=dict)
    geo: dict[str, tuple[float, float]] = field(default_factory=dict)
    #: (name, country) -> region id, for "Atlanta, Georgia"
    regions: dict[tuple[str, str], str] = field(default_factory=dict)
    region_names: dict[str, str] = field(default_factory=dict)
    orgs: dict[str, list[KbOrg]] = field(default_factory=dict)
    place_names: set[str] = field(default_factory=set)
    #: organisation id -> the source that listed it (`kb_sources.yaml`): what kind of body it is
    sources: dict[str, str] = field(default_factory=dict)
    _matcher: Any = None
    #: slug of an organisation's name or alias -> its QID, where exactly one QID has it (built lazily)
    _org_qids: dict[str, str] | None = None
    #: slugs of place names: no organisation id is read from them (built lazily, shared)
    _place_slugs: set[str] | None = None

    def add(self, row: dict[str, Any]) -> None:
        if row.get("wikidata"):
            self.qids[row["id"]] = row["wikidata"]
        if row.get("geo"):
            self.geo[row["id"]] = (row["geo"][0], row["geo"][1])
        if row["type"] in _PLACE_TYPES:
            self.place_names.add(row["name"])
        if row["type"] == "REGION" and row.get("country"):
            self.regions.setdefault((row["name"], row["country"]), row["id"])
            self.region_names.setdefault(row["id"], row["name"])
        elif row["type"] == "ORG":
            self.sources.setdefault(row["id"], row["source"])
            org = KbOrg(
                row["id"],
                row["name"],
                row.get("country"),
                row.get("prior", 0.5),
                row.get("wikidata"),
                row.get("acronym"),
            )
            for surface in {row["name"], *row.get("aliases", [])}:
                if len(surface) >= 2:
                    self.orgs.setdefault(surface, []).append(org)

    def qid(self, entity_id: str) -> str | None:
        """The entity's QID; for an organisation the linker named from its text ("org:fbi"), the
        QID of the one knowledge-base organisation that has that name or alias, if only one has."""
        found = self.qids.get(entity_id)
        if found is None and entity_id.startswith("org:"):
            if self._org_qids is None:
                # A place's name is left out: "org:nottingham" may be the club or the building society.
                self._org_qids = _unique_by_slug(self.orgs, lambda o: o.wikidata, places=self._places())
            found = self._org_qids.get(entity_id[4:])
        return found

    def org_sources(self) -> dict[str, str]:
        """Organisation id as the linker writes it (`org:` and the slug of the name found) -> the
        source that listed it (what kind of body it is), where every entry with that name or alias
        comes from one source; a place's name is left out, as for QIDs."""
        by_slug = _unique_by_slug(self.orgs, lambda o: self.sources[o.id], places=self._places())
        return {**self.sources, **{f"org:{slug}": source for slug, source in by_slug.items()}}

    def _places(self) -> set[str]:
        if self._place_slugs is None:
            self._place_slugs = {slugify(n) for n in self.place_names}
        return self._place_slugs

    def coordinates(self, entity_id: str) -> tuple[float, float] | None:
        return self.geo.get(entity_id)

    def region(self, name: str, country: str) -> tuple[str, str] | None:
        """(id, name) of the region of `country` called `name`."""
        rid = self.regions.get((name, country))
        return (rid, self.region_names[rid]) if rid else None

    def compile(self, nlp: Any) -> None:
        """Build the organisation PhraseMatcher with `nlp`'s tokenizer (case-sensitive)."""
        matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
        surfaces = sorted(self.orgs)
        for i in range(0, len(surfaces), 1000):
            chunk = surfaces[i : i + 1000]
            matcher.add("ORG", list(nlp.tokenizer.pipe(chunk)))
        self._matcher = matcher

    def org_matches(self, doc: Doc) -> list[OrgMatch]:
        """Longest non-overlapping organisation names in `doc`."""
        if self._matcher is None:
            return []
        spans = sorted(((s, e) for _, s, e in self._matcher(doc)), key=lambda se: (-(se[1] - se[0]), se[0]))
        taken: set[int] = set()
        out = []
        for start, end in spans:
            if any(i in taken for i in range(start, end)):
                continue
            taken.update(range(start, end))
            out.append(OrgMatch(start, end, tuple(self.orgs.get(doc[start:end].text, ()))))
        return sorted(out, key=lambda m: m.start)


def _abbreviates(text: str, orgs: Iterable[KbOrg]) -> bool:
    """`text` is the acronym a source gives as standing for an organisation's full name, and for
    no other organisation the knowledge base knows ("ISP" of three state police forces is not)."""
    orgs = tuple(orgs)
    return len(orgs) == 1 and orgs[0].acronym == text


def _unique_by_slug(
    orgs: dict[str, list[KbOrg]], value: Callable[[KbOrg], str | None], *, places: set[str]
) -> dict[str, str]:
    """Slug of an organisation's name or alias (also without a leading "the-": the linker names
    "The Denver Post" without its article) -> the one `value` its entries have; a slug whose
    entries give several values, or none, or that is a place's name, is left out."""
    seen: dict[str, set[str]] = {}
    for surface, entries in orgs.items():
        slug = slugify(surface)
        values = {v for o in entries if (v := value(o))}
        for key in {slug, slug.removeprefix("the-")}:
            seen.setdefault(key, set()).update(values)
    return {slug: next(iter(v)) for slug, v in seen.items() if len(v) == 1 and slug not in places}


def _rows(path: Path) -> Iterable[dict[str, Any]]:
    with gzip.open(path, "rb") as handle:
        for line in handle:
            yield orjson.loads(line)


@cache
def load_kb(path: Path = KB_FILE) -> KnowledgeBase:
    kb = KnowledgeBase()
    if not path.exists():
        logger.warning("knowledge base %s not found: no QIDs, no organisation list", path)
        return kb
    for row in _rows(path):
        kb.add(row)
    logger.info("knowledge base: %d QIDs, %d organisation names", len(kb.qids), len(kb.orgs))
    return kb


_PLACE_TYPES = frozenset({"COUNTRY", "CITY", "REGION"})
_ARTICLES = frozenset({"the", "a", "an"})
#: an organisation name whose prior is below this counts only with NER or a strong cue
_ALONE_PRIOR = 0.4


def apply_org_matches(
    doc: Doc,
    cands: list[Any],
    matches: Iterable[OrgMatch],
    *,
    make_org: Callable[[int, int], Any],
    is_place: Callable[[str], bool],
    org_cue: Callable[[int, int], int],
) -> list[Any]:
    """Organisations the knowledge base knows, folded into the linker's candidates:

    - a span NER or the gazetteers found with the same extent: a person of several words becomes
      the organisation ("Delta Air Lines" is no one's name); a place is flagged `known_org` for
      `context.decide_places` to weigh;
    - a name of several words around smaller candidates (places, people, demonyms) replaces
      them ("Bank of America", "University of Helsinki");
    - a name of several words nobody found is added, unless it is a place's name too.
    One-word names and names of places are added only with a strong organisation cue around them
    (`org_cue` >= 3: a score, a fixture or transfer word, shares): "Arsenal", "Target" or
    "Palace" alone need NER; so do names whose prior is below 0.4 (shop brands: "Camp David"). An
    acronym a source gives for an organisation's full name ("FBI" of "Federal Bureau of
    Investigation", kb entry `acronym`) is added like a name of several words.
    """
    out = list(cands)
    for match in matches:
        multi = match.end - match.start > 1
        # "The Day", "The Rep": a name of one word after an article is as ambiguous as one word
        bare = match.end - match.start - (doc[match.start].lower_ in _ARTICLES)
        text = doc[match.start : match.end].text
        overlapping = [c for c in out if c.start < match.end and match.start < c.end]
        same = [c for c in overlapping if c.start == match.start and c.end == match.end]
        if same:
            for cand in same:
                if cand.type == "PERSON" and (multi or org_cue(match.start, match.end) >= 3):
                    # a one-word "person" the knowledge base knows as an organisation, next to a
                    # score or a fixture word, is the club ("drew 1-1 with X")
                    cand.type = "ORG"
                elif cand.type in _PLACE_TYPES | {"PERSON"}:
                    cand.known_org = True
            continue
        coined = match.end - match.start == 1 and _abbreviates(text, match.orgs)
        # a name that seldom means the organisation (a shop brand's "Camp David") needs a cue too
        rare = max((o.prior for o in match.orgs), default=0.0) < _ALONE_PRIOR
        if (bare < 2 and not coined or rare or is_place(text)) and org_cue(match.start, match.end) < 3:
            continue
        inside = all(match.start <= c.start and c.end <= match.end for c in overlapping)
        if overlapping and not (inside and all(c.type in _PLACE_TYPES | {"PERSON"} for c in overlapping)):
            continue
        out = [c for c in out if c not in overlapping]
        out.append(make_org(match.start, match.end))
    return sorted(out, key=lambda c: (c.start, c.end))
