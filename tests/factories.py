"""Builders of contract objects for tests: `make_raw(...)`, `make_enriched(...)`."""

from datetime import UTC, datetime, timedelta, timezone

from newswire.schemas import EnrichedArticle, RawArticle, article_id, content_hash

__all__ = ["make_enriched", "make_raw"]


def make_raw(*, url: str = "https://example.org/2025/kazakhstan-visit", **overrides: object) -> RawArticle:
    """A valid RawArticle; any field can be overridden. `id` follows `url` unless given."""
    text = overrides.pop("text", "Prime Minister Shehbaz Sharif received President Kassym-Jomart Tokayev.")
    fields: dict[str, object] = {
        "id": article_id(url),
        "url": url + "?utm_source=x",
        "canonical_url": url,
        "source": "example",
        "title": "Tokayev visits Pakistan",
        "text": text,
        "authors": ["Staff"],
        "published_at": datetime(2025, 2, 5, 9, 30, tzinfo=timezone(timedelta(hours=5))),
        "fetched_at": datetime(2025, 2, 5, 5, 0, tzinfo=UTC),
        "language": "en",
        "content_hash": content_hash(str(text)),
    }
    fields.update(overrides)
    return RawArticle.model_validate(fields)


def make_enriched(*, raw: RawArticle | None = None, **overrides: object) -> EnrichedArticle:
    """An EnrichedArticle with no entities or topics unless given."""
    base = (raw or make_raw()).model_dump()
    base.update({"enriched_at": datetime(2025, 2, 5, 5, 1, tzinfo=UTC), "enricher_version": "test"})
    base.update(overrides)
    return EnrichedArticle.model_validate(base)
