"""The scraper's one base exception and its few specialisations."""

from typing import Literal

__all__ = [
    "ExtractionError",
    "FetchError",
    "FetchOutcome",
    "NotAnArticle",
    "ParseError",
    "PublishAborted",
    "ScraperError",
    "SourcesError",
]

#: Why a fetch ended; the `outcome` label of `newswire_scraper_fetches_total`.
FetchOutcome = Literal[
    "ok",
    "not_modified",
    "timeout",
    "too_large",
    "bad_encoding",
    "too_many_redirects",
    "redirect_loop",
    "http_error",
    "server_error",
    "rate_limited",
    "bad_content_type",
    "blocked_address",
    "robots_disallowed",
    "connect_error",
    "invalid_url",
]


class ScraperError(Exception):
    """Base of every error the scraper raises on purpose."""


class SourcesError(ScraperError):
    """The sources file cannot be read or does not validate; the message names the line."""


class FetchError(ScraperError):
    """A URL could not be fetched; `outcome` says why in one metric-friendly word."""

    def __init__(self, outcome: FetchOutcome, message: str, *, url: str) -> None:
        super().__init__(f"{outcome}: {message} ({url})")
        self.outcome: FetchOutcome = outcome
        self.url = url
        self.detail = message


class ExtractionError(ScraperError):
    """A page could not be turned into an article; `reason` is a short metric label."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(f"{reason}: {message}")
        self.reason = reason
        self.detail = message


class NotAnArticle(ExtractionError):
    """The page is fine but is not an article (an index page, too little text): skipped, counted."""


class ParseError(ScraperError):
    """A feed or sitemap is unreadable (beyond what the lenient parsers recover)."""


class PublishAborted(ScraperError):
    """Publishing was given up because the scraper is shutting down; the URL stays pending."""
