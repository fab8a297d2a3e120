"""Parts of names, by libraries that know them: the legal forms of companies of many countries by
`cleanco` ("Unilever Plc", "Banco Santander S.A.", "Equinor ASA", "BHP Group Pty Ltd") and the parts
of personal names by `nameparser` (titles, generations: "Dr. Martin Luther King Jr." is called
"King").

cleanco's term list also holds words and abbreviations that are parts of names in news ("Company",
"UK", "FA", "SC"); `not_legal_forms` in data/link_patterns.yaml names the ones left out, and a word
of one or two letters written in lower case ("as", "et") is a word, never a legal form.
"""

import logging
from collections.abc import Container, Sequence
from dataclasses import dataclass
from functools import lru_cache

from cleanco.clean import normalized, prepare_default_terms, strip_punct
from nameparser import HumanName
from nameparser.config import CONSTANTS

from .gazetteer import read_data

__all__ = [
    "LEGAL_FORM_WORDS",
    "PersonalName",
    "is_generation",
    "legal_form_length",
    "parse_person",
    "personal_name_core",
    "without_legal_form",
]

logger = logging.getLogger(__name__)

_NOT_LEGAL = frozenset(str(t) for t in read_data("link_patterns.yaml")["not_legal_forms"])
#: cleanco's legal forms as normalised word tuples ("s.p.a." -> ("spa",), "Pty Ltd" -> ("pty", "ltd")),
#: longest first, without the ones that are parts of names
_TERMS: tuple[tuple[str, ...], ...] = tuple(
    dict.fromkeys(tuple(parts) for _, parts in prepare_default_terms() if " ".join(parts) not in _NOT_LEGAL)
)
_TERM_WORDS = frozenset(w for term in _TERMS for w in term)
#: words that alone say "legal form" in a token: one-word terms and the long words of the others
#: ("Pty", "Bhd"), not their short links ("de" of "S. de R.L.")
_TOKEN_WORDS = frozenset(w for term in _TERMS for w in term if len(term) == 1 or len(w) >= 3)
#: what joins a legal form to the name as spaCy tokenises it ("JPMorgan Chase & Co", "Foo, Inc.")
_JOINERS = frozenset({"&", ","})
#: nameparser's generational and honorific suffixes that are written out ("Jr", "Sr", "III", "Esq"),
#: not its acronyms of degrees and orders, some of which are names ("Do", "Ed")
_GENERATIONS = frozenset(CONSTANTS.suffix_not_acronyms)


def _norm_word(word: str) -> str:
    """cleanco's normal form of one word: accents folded, case folded, dots, commas, hyphens gone."""
    return strip_punct(normalized(word))


def _legal_word(word: str, *, among: frozenset[str] = _TERM_WORDS) -> str | None:
    """The normal form of `word` when it may be part of a legal form, else None."""
    norm = _norm_word(word)
    if norm not in among:
        return None
    if len(norm) <= 2 and word.islower():
        return None  # "as", "et": short lower-case words are words
    return norm


class _LegalFormWords(Container[str]):
    """`token.text in LEGAL_FORM_WORDS`: the token is a word of a legal form ("Ltd", "S.p.A.", "Pty")
    or what joins one to the name ("&", ",")."""

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and (word in _JOINERS or _legal_word(word, among=_TOKEN_WORDS) is not None)


LEGAL_FORM_WORDS: Container[str] = _LegalFormWords()


def legal_form_length(words: Sequence[str]) -> int:
    """How many of the last `words` make one legal form (0 when they make none); the name keeps at
    least its first word."""
    norms: list[str] = []
    for word in reversed(words[1:]):
        norm = _legal_word(word)
        if norm is None:
            break
        norms.insert(0, norm)
    if not norms:
        return 0
    return next((len(term) for term in _TERMS if len(term) <= len(norms) and tuple(norms[-len(term) :]) == term), 0)


@lru_cache(maxsize=16384)
def without_legal_form(name: str) -> str:
    """The company's name without the legal forms after it: "JPMorgan Chase & Co." -> "JPMorgan
    Chase", "Samsung Electronics Co., Ltd." -> "Samsung Electronics", "Equinor ASA" -> "Equinor".
    A name that is only a legal form stays as it is."""
    words = name.split()
    while (n := legal_form_length(words)) and n < len(words):
        words = words[:-n]
        while len(words) > 1 and words[-1] in _JOINERS:
            words = words[:-1]
    stripped = " ".join(words).rstrip(",").rstrip()
    return stripped or name


def is_generation(word: str) -> bool:
    """ "Jr.", "Sr", "III", "Junior": a suffix after a surname that is no part of it."""
    return word.lower().strip(".,") in _GENERATIONS


@dataclass(frozen=True, slots=True)
class PersonalName:
    """A personal name's parts as nameparser reads them ("Dr. Jane van der Berg Jr.": title "Dr.",
    first "Jane", last "van der Berg", suffix "Jr.")."""

    title: str
    first: str
    middle: str
    last: str
    suffix: str


@lru_cache(maxsize=16384)
def parse_person(name: str) -> PersonalName:
    """nameparser's reading of `name`; cached, because parsing is slow next to the linker's loops."""
    parsed = HumanName(name)
    return PersonalName(
        title=parsed.title, first=parsed.first, middle=parsed.middle, last=parsed.last, suffix=parsed.suffix
    )


@lru_cache(maxsize=16384)
def personal_name_core(name: str) -> str:
    """The name without titles, nicknames and suffixes ("Rev. Martin Luther King Jr." -> "Martin
    Luther King"), in written order; `name` itself when nameparser finds no first and last name or
    reorders it ("King, Martin")."""
    parts = parse_person(name)
    if not (parts.first and parts.last) or "," in name:
        return name
    return " ".join(p for p in (parts.first, parts.middle, parts.last) if p)
