"""Shared state and word-level checks of the linker stages (`WordRules`)."""

import logging
import re
from typing import Any

from .doc_view import DocView, SpanView, TokenView
from .gazetteer import Gazetteer, NameRules, ascii_fold
from .kb import load_kb
from .link_base import (
    _LIST_JOINERS,
    _PATTERNS,
    _POSSESSIVES,
)

__all__ = ["WordRules"]

_SPECIES_EPITHET = re.compile(str(_PATTERNS["species_epithet"]))

logger = logging.getLogger(__name__)


class WordRules:
    """The linker's data (gazetteer, knowledge base, name rules, common words) and the word-level
    checks every stage uses: titles, name words, common words, place names."""

    def __init__(
        self,
        nlp: Any,
        gazetteer: Gazetteer,
        rules: NameRules,
        *,
        common_words: frozenset[str] = frozenset(),
        model_words: frozenset[str] = frozenset(),
    ) -> None:
        self._nlp = nlp
        #: lower-case common nouns ("turnout", "cholera"): capitalised only because a sentence starts
        self._common = common_words
        #: the spaCy model's vocabulary: a word it knew only in lower case is not a name
        self._model_words = model_words
        self._gaz = gazetteer
        self._rules = rules
        self._noise = rules.noise
        self._titles = rules.person_titles
        # A span's text starts with its first token and ends with its last: a token that begins
        # (ends) no title rules out every width of title after (before) it at once, and most
        # tokens do, so the title checks rarely build a span.
        self._title_heads = frozenset(t[:i] for t in self._titles for i in range(1, len(t) + 1))
        self._title_tails = frozenset(t[-i:] for t in self._titles for i in range(1, len(t) + 1))
        gazetteer.compile(nlp)
        self._kb = load_kb()
        self._kb.compile(nlp)


    def _title_before(self, doc: DocView, start: int) -> tuple[int, str] | None:
        """The person title right before token `start`, as (first token, title text)."""
        if start == 0 or doc[start - 1].text not in self._title_tails:
            return None
        for width in range(min(self._rules.max_title_tokens, start), 0, -1):
            text = doc[start - width : start].text
            if text in self._titles:
                return start - width, text
        return None

    def _is_title_token(self, token: TokenView) -> bool:
        return token.text in self._titles

    def _is_name_word(self, token: TokenView) -> bool:
        """A word that can be part of a proper name: capitalised, not a title, not noise."""
        text = token.text
        return (
            text[:1].isupper()
            and not self._is_title_token(token)
            and text.lower() not in self._noise
            and text not in self._rules.headline_verbs
        )

    def _is_portfolio(self, span: SpanView) -> bool:
        """ "Foreign Affairs", "Environment, Water, and Natural Resources": a minister's office."""
        return all(t.text in self._rules.portfolios or t.lower_ in _LIST_JOINERS or t.lower_ == "of" for t in span)

    def _is_common_word(self, text: str, lower_words: set[str]) -> bool:
        """`lower_words`: the words the article itself writes in lower case."""
        lower = text.lower()
        if lower == text:
            return False
        known_only_lower = lower in self._model_words and text not in self._model_words
        return known_only_lower or lower in self._common or lower in lower_words

    def _title_after(self, doc: DocView, end: int) -> bool:
        if end >= len(doc) or doc[end].text not in self._title_heads:
            return False
        for width in range(min(self._rules.max_title_tokens, len(doc) - end), 0, -1):
            if doc[end : end + width].text in self._titles:
                return True
        return False

    def _leading_title(self, doc: DocView, start: int, end: int) -> int | None:
        """Token index after a person title that opens the span, if one does and a name follows."""
        if end - start < 2 or doc[start].text not in self._title_heads:
            return None
        for width in range(min(self._rules.max_title_tokens, end - start - 1), 0, -1):
            if doc[start : start + width].text in self._titles:
                if doc[start + width].text in _POSSESSIVES:
                    return None  # "President’s Secretariat" is the president's office, not a name
                rest = doc[start + width : end]
                if not any(self._is_name_word(t) for t in rest):
                    return None
                if any(t.text in self._rules.org_heads for t in rest):
                    return None  # "General Motors", "Justice Department", "Major League Baseball"
                # Titles stack: "Lieutenant General Tariq Mehmood", "Former President X".
                return self._leading_title(doc, start + width, end) or start + width
        return None

    def _is_genus(self, doc: DocView, start: int, end: int) -> bool:
        """ "Formica fusca": one capitalised word followed by a species epithet the language model
        does not know (link_patterns.yaml `species_epithet`), in the span or right after it."""
        if end - start == 2:
            end -= 1  # NER's span took the epithet in: "Beauveria bassiana"
        if end - start != 1 or end >= len(doc) or not doc[start].whitespace_ or not doc[start].is_title:
            return False
        nxt = doc[end]
        return nxt.is_lower and nxt.text not in self._model_words and bool(_SPECIES_EPITHET.fullmatch(nxt.text))

    def _is_route_stop(self, text: str) -> bool:
        """A place's own name, or one of its other spellings ("Termez" for GeoNames' Tirmiz):
        between dashes with another place, a name that is also a surname is a place."""
        return self._is_place_name(text) or bool(self._gaz.minor_places.get(text))

    def _is_place_name(self, text: str) -> bool:
        """A known place's own name (not one of GeoNames' alternate spellings, which include
        surnames: "Haaland" is listed for Sola, Norway)."""
        if any(e.type in {"CITY", "REGION", "COUNTRY"} for e in self._gaz.lookup(text)):
            return True
        folded = ascii_fold(text)
        return any(ascii_fold(e.name) == folded for e in self._gaz.minor_places.get(text, []))
