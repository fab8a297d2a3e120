"""Article filters shared by the REST queries (translated to SQL by the store) and the live stream
(evaluated in process), so that a replayed event and a live event are chosen by the same rules."""

from dataclasses import dataclass, field
from typing import Any

from newswire.schemas import EnrichedArticle

from .search import SearchQuery, parse_query

__all__ = ["FIELD_NAMES", "ArticleFilter", "Projection", "searchable_text"]

#: Top-level fields of an EnrichedArticle, the names `fields=` accepts.
FIELD_NAMES: tuple[str, ...] = tuple(EnrichedArticle.model_fields)


@dataclass(frozen=True, slots=True, kw_only=True)
class ArticleFilter:
    """Which articles a request wants. Every set criterion must hold.

    `q` is parsed on construction (`newswire.api.search`): a query it cannot read raises
    SearchSyntaxError here, before any store or stream sees it.
    """

    topic: str | None = None
    entity: str | None = None
    country: str | None = None
    source: str | None = None
    q: str | None = None
    topic_min_score: float = 0.5
    query: SearchQuery | None = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "query", parse_query(self.q) if self.q else None)

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
        if self.query is not None:
            text = searchable if searchable is not None else searchable_text(article)
            if not self.query.matches(text):
                return False
        return True


def searchable_text(article: EnrichedArticle) -> str:
    return f"{article.title}\n{article.summary}\n{article.text}".casefold()


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
