"""Control characters out of an enriched article before it is stored.

The pipeline removes them where text enters (scraper, enricher), but the API stores whatever the
topic holds, and PostgreSQL refuses a NUL in a text column outright: one such article would stop
ingestion. So the API cleans again, defensively. C0 controls other than tab, newline and carriage
return go: removed from short fields, replaced by a space in the article text and in mention texts,
whose character offsets must keep pointing at the same words.
"""

import re
from typing import Any

from newswire.schemas import EnrichedArticle

__all__ = ["CONTROL_CHARS", "clean_article"]

CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _clean(value: Any, *, keep_offsets: bool) -> Any:
    if isinstance(value, str):
        return CONTROL_CHARS.sub(" " if keep_offsets else "", value)
    if isinstance(value, list):
        return [_clean(v, keep_offsets=keep_offsets) for v in value]
    if isinstance(value, dict):
        return {k: _clean(v, keep_offsets=keep_offsets) for k, v in value.items()}
    return value


def _has_controls(value: Any) -> bool:
    if isinstance(value, str):
        return CONTROL_CHARS.search(value) is not None
    if isinstance(value, list):
        return any(_has_controls(v) for v in value)
    if isinstance(value, dict):
        return any(_has_controls(v) for v in value.values())
    return False


def clean_article(article: EnrichedArticle) -> EnrichedArticle | None:
    """The article without control characters, or None when it had none (the common case)."""
    data = article.model_dump(mode="python")
    if not _has_controls(data):
        return None
    cleaned: dict[str, Any] = {}
    for key, value in data.items():
        if key == "text":
            cleaned[key] = _clean(value, keep_offsets=True)
        elif key == "entities":
            cleaned[key] = [
                {
                    k: (
                        [_clean(m, keep_offsets=True) for m in v] if k == "mentions" else _clean(v, keep_offsets=False)
                    )
                    for k, v in entity.items()
                }
                for entity in value
            ]
        else:
            cleaned[key] = _clean(value, keep_offsets=False)
    return EnrichedArticle.model_validate(cleaned)
