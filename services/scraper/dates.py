"""Dates as publishers write them (ISO 8601, RFC 2822, bare dates) -> aware UTC datetimes, or None.

Every date the scraper reads from the web goes through `parse_datetime`: a date that cannot be
represented (year 1 in a zone east of UTC, year 9999 in one west of it) or is implausible is "no
date", never an exception, so one bad `<lastmod>` or `datePublished` costs that one value only.
"""

import logging
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

__all__ = ["EARLIEST_YEAR", "parse_datetime"]

logger = logging.getLogger(__name__)

#: Earlier publication dates are placeholders (`0001-01-01`, the Unix epoch), not news.
EARLIEST_YEAR = 1990


def _parse(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00") if value.endswith("Z") else value)
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def parse_datetime(value: str | None, *, now: datetime | None = None) -> datetime | None:
    """ISO 8601 / RFC 2822 / bare date -> aware UTC datetime; None for nonsense, out of range or the far future."""
    if not value or not isinstance(value, str):
        return None
    parsed = _parse(value.strip())
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        # Converting can leave datetime's range: year 1 at +01:00 is year 0 in UTC.
        parsed = parsed.astimezone(UTC)
    except (OverflowError, ValueError):
        return None
    # A date in the future is a template placeholder or a wrong time zone, not a publication time.
    if parsed > (now or datetime.now(UTC)) + timedelta(days=1) or parsed.year < EARLIEST_YEAR:
        return None
    return parsed
