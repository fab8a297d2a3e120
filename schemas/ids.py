"""Stable identifiers: the article id and the content hash of the contract."""

import hashlib
import re
import unicodedata

__all__ = ["article_id", "content_hash", "normalise_text", "slugify"]

_SPACE = re.compile(r"\s+")
_NON_SLUG = re.compile(r"[^a-z0-9]+")


def article_id(canonical_url: str) -> str:
    """32 hex chars: the first 16 bytes of sha256 of the canonical URL."""
    return hashlib.sha256(canonical_url.encode("utf-8")).hexdigest()[:32]


def normalise_text(text: str) -> str:
    """Unicode NFKC with whitespace runs collapsed, so cosmetic re-renders of a page hash alike."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text)).strip()


def content_hash(text: str) -> str:
    """sha256 hex of the normalised text."""
    return hashlib.sha256(normalise_text(text).encode("utf-8")).hexdigest()


def slugify(name: str) -> str:
    """ASCII slug for entity ids: 'Kassym-Jomart Tokayev' -> 'kassym-jomart-tokayev'."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return _NON_SLUG.sub("-", ascii_name.lower()).strip("-")
