"""Article filters shared by the REST queries (translated to SQL by the store) and the live stream
(evaluated in process), so that a replayed event and a live event are chosen by the same rules."""

import re
from dataclasses import dataclass
from typing import Any

from newswire.schemas import EnrichedArticle

__all__ = ["FIELD_NAMES", "ArticleFilter", "Projection", "search_terms", "searchable_text"]

_WORD = re.compile(r"\w+", re.UNICODE)

#: Top-level fields of an EnrichedArticle, the names `fields=` accepts.
FIELD_NAMES: tuple[str, ...] = tuple(EnrichedArticle.model_fields)


def search_terms(query: str) -> list[str]:
    """The words of a full-text query; every one must occur (AND), punctuation is ignored."""
    return [w.casefold() for w in _WORD.findall(query)][:16]


@dataclass(frozen=True, slots=True, kw_only=True)
class ArticleFilter:
    """Which articles a request wants. Every set criterion must hold."""

    topic: str | None = None
    entity: str | None = None
    country: str | None = None
    source: str | None = None
    q: str | None = None
    topic_min_score: float = 0.5

    @property
    def terms(self) -> list[str]:
        return search_terms(self.q) if self.q else []

    def matches(self, article: EnrichedArticle, *, searchable: str | None = None) -> bool:
        """In-process twin of the store's SQL; `searchable` is the article's case-folded text, if known."""
        if self.source is not None and article.source != self.source:
            return False
        if self.topic is not None and not any(
            t.id == self.topic and t.score >= self.topic_min_score for t in article.topics
        ):
            return False
        if self.entity is not None and not any(e.id == self.entity for e in article.entities):
            return False
        if self.country is not None and self.country not in article.countries:
            return False
        terms = self.terms
        if terms:
            text = searchable if searchable is not None else searchable_text(article)
            words = set(_WORD.findall(text))
            if not all(term in words or _prefix_match(term, words) for term in terms):
                return False
        return True


def searchable_text(article: EnrichedArticle) -> str:
    return f"{article.title}\n{article.summary}\n{article.text}".casefold()


def _prefix_match(term: str, words: set[str]) -> bool:
    # The store's full-text index stems words ("visits" finds "visit"); a shared prefix of all but
    # a short suffix is the in-process approximation of that.
    stem = term[: max(4, len(term) - 2)]
    return any(w.startswith(stem) for w in words)


@dataclass(frozen=True, slots=True)
class Projection:
    """A `fields=` selection; `None` fields means the whole article."""

    fields: tuple[str, ...] | None = None

    @property
    def key(self) -> tuple[str, ...] | None:
        return self.fields

    def apply(self, data: dict[str, Any]) -> dict[str, Any]:
        if self.fields is None:
            return data
        return {name: data[name] for name in self.fields if name in data}
