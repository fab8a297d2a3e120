"""RSS and Atom feeds, parsed by feedparser (which copes with the malformed feeds real sites serve)."""

import calendar
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urljoin

import feedparser

from .errors import ParseError

__all__ = ["FeedEntry", "parse_feed"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class FeedEntry:
    url: str
    title: str | None
    published: datetime | None


def _when(entry: feedparser.FeedParserDict) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed: time.struct_time | None = entry.get(key)
        if parsed:
            # feedparser normalises to UTC struct_time; an extreme year may still not fit a datetime.
            try:
                return datetime.fromtimestamp(calendar.timegm(parsed), UTC)
            except (OverflowError, ValueError, OSError):
                return None
    return None


def _link(entry: feedparser.FeedParserDict, base_url: str) -> str | None:
    candidates = [entry.get("link")]
    candidates += [link.get("href") for link in entry.get("links", []) if link.get("rel", "alternate") == "alternate"]
    if entry.get("guidislink") or str(entry.get("id", "")).startswith(("http://", "https://")):
        candidates.append(entry.get("id"))
    for candidate in candidates:
        if candidate and isinstance(candidate, str):
            absolute = urljoin(base_url, candidate.strip())
            if absolute.startswith(("http://", "https://")):
                return absolute
    return None


def parse_feed(body: bytes, *, base_url: str) -> list[FeedEntry]:
    """Entries with a usable link; raises `ParseError` only when nothing at all could be read."""
    parsed = feedparser.parse(body, response_headers={"content-location": base_url})
    entries = []
    for entry in parsed.entries:
        url = _link(entry, base_url)
        if url is None:
            continue
        entries.append(FeedEntry(url=url, title=entry.get("title"), published=_when(entry)))
    if parsed.bozo and not entries:
        raise ParseError(f"unreadable feed {base_url}: {parsed.get('bozo_exception')}")
    if parsed.bozo:
        logger.info("feed %s is malformed but readable: %s", base_url, parsed.get("bozo_exception"))
    return entries
