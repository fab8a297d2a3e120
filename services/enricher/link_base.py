"""What the linker's parts share: the candidate record, word lists of grammar (not of names), ids
and small token-level predicates over a `DocView`."""

import hashlib
import itertools
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from spacy.tokens import Span
from spacy.util import filter_spans

from newswire.schemas import EntityType, slugify

from .doc_view import DocView, SpanView
from .gazetteer import GazetteerEntry, SurfaceKind, ascii_fold, read_data
from .names import LEGAL_FORM_WORDS, is_generation, personal_name_core, without_legal_form

__all__ = ["Source", "_ADMIN_NOUNS", "_CLIMATE_COP", "_CLUB_SUFFIXES", "_COMPASS_WORDS", "_CONJUNCTIONS", "_CONNECTORS", "_COUNTRY_PREFIX", "_COUNTRY_PREFIXES", "_Candidate", "_DASHES", "_DETERMINERS", "_DOCUMENT_NOUNS", "_HYPHEN_PARTICLES", "_LEGAL_FORMS", "_LIST_JOINERS", "_NAME_PARTICLES", "_NER_LABELS", "_PERSONAL_HYPHEN_PARTICLES", "_PLACE_LABELS", "_PLACE_NOUNS", "_PLACE_PREPOSITIONS", "_POSSESSIVES", "_QUOTES", "_SPEECH_VERBS", "_acronym_aliases", "_acronym_follows", "_admin_noun_after", "_after_place_preposition", "_capitalised_words", "_capitals_lines", "_entity_id", "_folded", "_hyphenated_name", "_initials", "_is_camel_case", "_known_org", "_line_starts", "_list_gap", "_list_of", "_list_start", "_longest_first", "_name_words", "_named_by_gazetteer", "_named_speaker", "_norm", "_speaks_after", "_spelled_out", "_starts_sentence", "_unquoted", "_without_generation"]

logger = logging.getLogger(__name__)


Source = Literal["gazetteer", "ner", "rule"]

#: NER labels the linker reads; the rest (DATE, CARDINAL, ...) are not entities of the contract.
_NER_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT"})
_PLACE_LABELS = frozenset({"GPE", "LOC", "FAC", "NORP"})
_PATTERNS = read_data("link_patterns.yaml")
_DETERMINERS = frozenset(_PATTERNS["determiners"])
_DASHES = frozenset(_PATTERNS["dashes"])
#: documents whose title names a subject after "on" ("Agreement on Trade and Investment")
_DOCUMENT_NOUNS = frozenset(_PATTERNS["document_nouns"])
_POSSESSIVES = frozenset(_PATTERNS["possessives"])
_CONJUNCTIONS = frozenset(_PATTERNS["conjunctions"])
#: what joins the items of a list of portfolios
_LIST_JOINERS = frozenset(_PATTERNS["list_joiners"])
#: words a split organisation name can end on when NER cut it short
_CONNECTORS = frozenset(_PATTERNS["connectors"])
_SPEECH_VERBS = frozenset(_PATTERNS["speech_verbs"])
#: lower-case parts of personal names
_NAME_PARTICLES = frozenset(_PATTERNS["name_particles"])
_PLACE_PREPOSITIONS = frozenset(_PATTERNS["place_prepositions"])
_ADMIN_NOUNS = frozenset(_PATTERNS["admin_nouns"])
_COMPASS_WORDS = frozenset(_PATTERNS["compass_words"])
#: lower-case links inside hyphenated names; the personal ones make a name a person's
_HYPHEN_PARTICLES = frozenset(_PATTERNS["hyphen_particles"])
_PERSONAL_HYPHEN_PARTICLES = frozenset(_PATTERNS["personal_hyphen_particles"])
#: what follows a place's name in a football club's
_CLUB_SUFFIXES = frozenset(_PATTERNS["club_suffixes"])
#: lower-case nouns NER sometimes keeps after a town's name
_PLACE_NOUNS = frozenset(_PATTERNS["place_nouns"])
_CLIMATE_COP = re.compile(_PATTERNS["climate_conference"])
_COUNTRY_PREFIXES: dict[str, str] = {str(k): str(v) for k, v in _PATTERNS["country_prefixes"].items()}
_COUNTRY_PREFIX = re.compile("^(" + "|".join(re.escape(p) for p in _COUNTRY_PREFIXES) + ")(?= [A-Z])")
#: words of the legal forms of many countries after a company's name (cleanco's, see names.py)
_LEGAL_FORMS = LEGAL_FORM_WORDS
#: party letters of a US lawmaker's party-state tag ("D-N.Y.")
_PARTY_TAGS = frozenset(_PATTERNS["party_tags"])
_PARTY_TAG_COUNTRY = str(_PATTERNS["party_tag_country"])
_ADMIN_NOUNS_NOT_ALONE = frozenset(_PATTERNS["admin_nouns_not_alone"])
_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})


@dataclass(slots=True)
class _Candidate:
    start: int
    end: int
    start_char: int
    end_char: int
    text: str
    type: EntityType
    source: Source
    entry: GazetteerEntry | None = None
    kind: SurfaceKind = "name"
    #: the titled form as written ("President Tokayev"), when a person title precedes the name
    titled: str | None = None
    #: grouping key, filled in once the candidate is linked
    key: str = ""
    name: str = ""
    country: str | None = None
    #: named by the gazetteers (or made of names they know): trusted even in headline case
    backed: bool = False
    #: the knowledge base knows an organisation of exactly this name (weighed by context.py)
    known_org: bool = False

    def overlaps(self, other: "_Candidate") -> bool:
        return self.start < other.end and other.start < self.end

    def contains(self, other: "_Candidate") -> bool:
        return self.start <= other.start and other.end <= self.end


def _norm(text: str) -> str:
    return " ".join(text.translate(_QUOTES).lower().split())


def _unquoted(text: str) -> str:
    return text.translate(_QUOTES).replace("'", "")


def _folded(text: str) -> str:
    return _norm(ascii_fold(text))


def _entity_id(type_: EntityType, name: str) -> str:
    if type_ == "ORG":
        # "U.S. Geological Survey", "US Geological Survey" and "United States Geological Survey"
        # are one body: the same id across articles.
        name = _COUNTRY_PREFIX.sub(lambda m: _COUNTRY_PREFIXES[m.group(1)], name)
        # "JPMorgan Chase & Co", "Unilever Plc", "Equinor ASA": the legal form is not part of the identity.
        name = without_legal_form(name)
    slug = slugify(name)
    if not slug:
        # Names in scripts slugify cannot transliterate still need a stable id.
        slug = "x" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:12]
    return f"{type_.lower()}:{slug}"


def _known_org(doc: DocView, start: int, end: int) -> _Candidate:
    span = doc[start:end]
    return _Candidate(start, end, span.start_char, span.end_char, span.text, "ORG", "rule", backed=True)


def _acronym_follows(doc: DocView, end: int) -> bool:
    """ "(NOAA)" right after the name."""
    return (
        end + 2 < len(doc)
        and doc[end].text == "("
        and doc[end + 2].text == ")"
        and doc[end + 1].text.isupper()
        and len(doc[end + 1].text) > 1
    )


def _hyphenated_name(doc: DocView, start: int, end: int, label: str) -> tuple[int, int, bool]:
    """Widen a span NER cut at a hyphen ("Sohail" of "Sohail-ur-Rehman") to the whole name; the
    flag says an Arabic article joins it, which makes it a personal name. A place NER found keeps
    to itself across "-i-": "Pakistan" in "Nishan-i-Pakistan", the award, is the country."""
    particles = _PERSONAL_HYPHEN_PARTICLES if label in {"GPE", "LOC"} else _HYPHEN_PARTICLES

    def joined(i: int) -> bool:
        """doc[i-1:i+4] reads capitalised word, "-", particle, "-", capitalised word, unspaced."""
        return (
            i >= 1
            and i + 3 < len(doc)
            and doc[i].text == "-"
            and doc[i + 1].text in particles
            and doc[i + 2].text == "-"
            and doc[i - 1].text[:1].isupper()
            and doc[i + 3].text[:1].isupper()
            and not any(doc[j].whitespace_ for j in range(i - 1, i + 3))
        )

    while end > start and joined(start - 3):
        start -= 4
    while end > start and joined(end):
        end += 4
    personal = any(
        doc[i].text in _PERSONAL_HYPHEN_PARTICLES and doc[i - 1].text == "-" == doc[i + 1].text
        for i in range(start + 1, end - 1)
    )
    return start, end, personal


def _list_of(doc: DocView, cand: _Candidate, cands: Sequence[_Candidate]) -> list[_Candidate]:
    """The names listed together with `cand` ("A, B and C", "A or B"), itself included."""
    ordered = sorted(cands, key=lambda c: c.start)
    i = next(k for k, c in enumerate(ordered) if c is cand)
    first = last = i
    while first > 0 and _list_gap(doc, ordered[first - 1].end, ordered[first].start):
        first -= 1
    while last + 1 < len(ordered) and _list_gap(doc, ordered[last].end, ordered[last + 1].start):
        last += 1
    return ordered[first : last + 1]


def _list_start(doc: DocView, start: int) -> int:
    """Where the list of capitalised names ends at token `start` begins ("Para and [Mato
    Grosso]"); `start` itself when the name does not follow "and" or "or"."""
    if start < 2 or doc[start - 1].lower_ not in {"and", "or"}:
        return start
    first = start
    while first >= 2 and doc[first - 1].lower_ in {",", "and", "or"} and doc[first - 2].text[:1].isupper():
        first -= 2
        while first > 0 and doc[first - 1].is_alpha and doc[first - 1].text[:1].isupper():
            first -= 1
    return first


def _list_gap(doc: DocView, end: int, start: int) -> bool:
    return [t.text for t in doc[end:start]] in ([","], ["and"], ["or"], [",", "and"], [",", "or"], ["&"])


def _named_by_gazetteer(span: SpanView, entry: GazetteerEntry) -> _Candidate:
    return _Candidate(
        span.start,
        span.end,
        span.start_char,
        span.end_char,
        span.text,
        entry.type,
        "gazetteer",
        entry=entry,
        backed=True,
    )


def _line_starts(doc: DocView) -> list[int]:
    return [0] + [t.i + 1 for t in doc[:-1] if t.is_space and "\n" in t.text]


def _capitals_lines(doc: DocView) -> list[tuple[int, int]]:
    """Token ranges of the lines written wholly in capitals, two words or more."""
    lines: list[tuple[int, int]] = []
    starts = _line_starts(doc)
    for first, nxt in zip(starts, [*starts[1:], len(doc) + 1], strict=True):
        last = nxt - 1 if nxt <= len(doc) else len(doc)
        words = [t for t in doc[first:last] if t.is_alpha and len(t) > 1]
        if len(words) >= 2 and all(t.is_upper for t in words):
            lines.append((first, last))
    return lines


def _named_speaker(doc: DocView, start: int, end: int) -> bool:
    """One capitalised word between "said" and a comma: who said it."""
    return (
        end - start == 1
        and start > 0
        and doc[start - 1].lower_ in _SPEECH_VERBS
        and end < len(doc)
        and doc[end].text == ","
        and doc[start].is_title
    )


def _after_place_preposition(doc: DocView, start: int) -> bool:
    return start > 0 and doc[start - 1].lower_ in _PLACE_PREPOSITIONS


def _admin_noun_after(doc: DocView, end: int) -> bool:
    """ "Kech district", "the Tigray region"; "state" is left out ("Putin state visit")."""
    return end < len(doc) and doc[end].lower_ in _ADMIN_NOUNS and doc[end].lower_ not in _ADMIN_NOUNS_NOT_ALONE


def _speaks_after(doc: DocView, end: int) -> bool:
    """The name is the subject of a speech verb right after it ("Santos said", not "Lima, said")."""
    return end < len(doc) and doc[end].lower_ in _SPEECH_VERBS


def _starts_sentence(doc: DocView, i: int) -> bool:
    return i == 0 or doc[i].is_sent_start or doc[i - 1].is_space or doc[i - 1].text in {'"', "“", "(", ":"}


def _is_camel_case(text: str) -> bool:
    return any(a.islower() and b.isupper() for a, b in itertools.pairwise(text))


def _name_words(text: str) -> list[str]:
    """The capitalised words of a personal name, without the titles and suffixes nameparser reads
    ("Rev. Martin Luther King Jr." -> Martin, Luther, King) when two words or more remain."""
    words = _capitalised_words(personal_name_core(text))
    return words if len(words) >= 2 else _capitalised_words(text)


def _capitalised_words(text: str) -> list[str]:
    """The capitalised words of a name as written, titles included ("Sultan Said bin Taimur")."""
    words = [w for w in text.replace("-", " ").split() if w[:1].isupper()] or text.split()
    return _without_generation(words)


def _without_generation(words: list[str]) -> list[str]:
    """ "Ferdinand Marcos Jr." is called "Marcos": the generation is not the surname."""
    while len(words) > 2 and is_generation(words[-1]):
        words = words[:-1]
    return words


def _acronym_aliases(doc: DocView, cands: Sequence[_Candidate]) -> dict[str, _Candidate]:
    """ "Long Name (LN)": the acronym in brackets names the same entity later in the article."""
    found: dict[str, _Candidate] = {}
    for cand in cands:
        if cand.type not in {"ORG", "EVENT"} or cand.end + 2 >= len(doc):
            continue
        if doc[cand.end].text == "(" and doc[cand.end + 2].text == ")":
            # Acronyms often come from another language ("INPE" for Brazil's space research
            # institute), so any capitals in brackets right after the name count.
            acronym = doc[cand.end + 1].text
            if acronym.isupper() and 2 <= len(acronym) <= 10 and acronym.isalnum():
                found[acronym] = cand
    return found


def _initials(text: str) -> str:
    """ "Trans-Pacific Partnership" -> "TPP", "Mumbai City FC" -> "MCFC"; lower-case words ("and",
    "for") have none."""
    return "".join(w if w.isupper() else w[0] for w in re.split(r"[\s-]+", text) if w[:1].isupper())


def _spelled_out(acronym: _Candidate, cands: Sequence[_Candidate]) -> _Candidate | None:
    """The organisation an unknown acronym abbreviates when the article spells it out without
    brackets ("the Trans-Pacific Partnership ... TPP countries"). Known acronyms keep their entry."""
    text = acronym.text
    if acronym.type not in {"ORG", "REGION"} or acronym.entry is not None:
        return None
    if not (text.isupper() and text.isalpha() and 2 <= len(text) <= 8):
        return None
    return next(
        (c for c in cands if c.type in {"ORG", "EVENT"} and len(c.text.split()) > 1 and _initials(c.text) == text),
        None,
    )


def _longest_first(doc: DocView, cands: list[_Candidate]) -> list[_Candidate]:
    """Drop gazetteer hits inside longer ones ("Asia" inside "Central Asia") by spaCy's
    `filter_spans`: the longest span first, the earliest of equally long ones."""
    spans = [Span(doc.doc, c.start, c.end) for c in cands]
    owner = {id(span): cand for span, cand in zip(spans, cands, strict=True)}
    return [owner[id(span)] for span in filter_spans(spans)]
