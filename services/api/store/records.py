"""What the store hands in and out: records, pages, counts, and the time and cursor encodings."""

import base64
import binascii
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from newswire.schemas import EnrichedArticle

from ..errors import BadRequest

__all__ = [
    "EntityCount",
    "Page",
    "ReplayEntry",
    "StoredRecord",
    "TopicCount",
    "decode_cursor",
    "encode_cursor",
    "from_micros",
    "micros",
]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def micros(value: datetime) -> int:
    """UTC microseconds since the epoch, exactly (no float rounding)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    delta = value - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_micros(value: int) -> datetime:
    return datetime.fromtimestamp(value // 1_000_000, UTC).replace(microsecond=value % 1_000_000)


@dataclass(frozen=True, slots=True)
class StoredRecord:
    """One Kafka record of the enriched topic, decoded."""

    article: EnrichedArticle
    body: bytes
    partition: int
    offset: int
    event_time: datetime


@dataclass(frozen=True, slots=True)
class Page:
    items: list[dict[str, Any]]
    next_cursor: str | None


@dataclass(frozen=True, slots=True)
class ReplayEntry:
    article_id: str
    partition: int
    offset: int
    event_time: int


@dataclass(frozen=True, slots=True)
class TopicCount:
    topic_id: str
    count: int
    series: list[int] | None


@dataclass(frozen=True, slots=True)
class EntityCount:
    id: str
    name: str
    type: str
    country: str | None
    mentions: int
    articles: int
    #: The same counts over the baseline (the window before, or a longer period), and how much
    #: the window's mentions rise above what the baseline's rate predicts (see `Store.trending`).
    baseline_mentions: int = 0
    baseline_articles: int = 0
    score: float = 0.0



def encode_cursor(sort_time: int, article_id: str) -> str:
    return base64.urlsafe_b64encode(f"{sort_time}:{article_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[int, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
        sort_time, article_id = raw.split(":", 1)
        if len(article_id) != 32 or not all(c in "0123456789abcdef" for c in article_id):
            raise ValueError(article_id)
        value = int(sort_time)
        if not -(2**63) <= value < 2**63:  # beyond a 64-bit column: no cursor this API returned
            raise ValueError(sort_time)
        return value, article_id
    except (ValueError, UnicodeDecodeError, binascii.Error) as exc:
        raise BadRequest("`cursor` is not a cursor this API returned", code="invalid_cursor") from exc
