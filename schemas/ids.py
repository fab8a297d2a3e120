"""Stable identifiers: the article id and the content hash of the contract."""

import hashlib
import re
import unicodedata

from .text import clean_text_in_place

__all__ = ["article_id", "ascii_letters", "content_hash", "normalise_text", "slugify"]

_SPACE = re.compile(r"\s+")
_NON_SLUG = re.compile(r"[^a-z0-9]+")
# Letters Unicode does not decompose into a base letter and a mark, spelled the way English
# news writes them ("Iğdır" -> "Igdir", "Łódź" -> "Lodz", "Øresund" -> "Oresund"), and
# typographic quotes, which would otherwise be dropped.
_UNDECOMPOSED = str.maketrans(
    {
        "ı": "i", "İ": "I", "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D",
        "ħ": "h", "Ħ": "H", "ŧ": "t", "Ŧ": "T", "ß": "ss", "æ": "ae", "Æ": "Ae", "œ": "oe", "Œ": "Oe",
        "þ": "th", "Þ": "Th",
        "’": "'", "‘": "'", "“": '"', "”": '"',
    }
)  # fmt: skip


def article_id(canonical_url: str) -> str:
    """32 hex chars: the first 16 bytes of sha256 of the canonical URL."""
    return hashlib.sha256(canonical_url.encode("utf-8")).hexdigest()[:32]


def normalise_text(text: str) -> str:
    """Unicode NFKC with whitespace runs collapsed, so cosmetic re-renders of a page hash alike.

    Control characters go first, as an article's text model cleans them (`text.clean_text_in_place`):
    the hash of a text is the same before and after a model cleaned it."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", clean_text_in_place(text))).strip()


def content_hash(text: str) -> str:
    """sha256 hex of the normalised text."""
    return hashlib.sha256(normalise_text(text).encode("utf-8")).hexdigest()


def ascii_letters(text: str) -> str:
    """The text in ASCII letters: accents dropped ("Bogotá" -> "Bogota"), other Latin letters
    spelled out ("Kılıçdaroğlu" -> "Kilicdaroglu"); other scripts are dropped."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_UNDECOMPOSED))
    return decomposed.encode("ascii", "ignore").decode("ascii")


def slugify(name: str) -> str:
    """ASCII slug for entity ids: 'Kassym-Jomart Tokayev' -> 'kassym-jomart-tokayev'."""
    return _NON_SLUG.sub("-", ascii_letters(name).lower()).strip("-")
