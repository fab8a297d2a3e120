"""`newswire extract FILE.html... [--url URL]`: the scraper's extraction of saved pages, as JSON lines.

Prints one `RawArticle` JSON per page on stdout, in input order; a page that is not an article is
reported on stderr and makes the exit status 1 (the other pages are still printed).
"""

import argparse
import logging
import sys
from datetime import UTC, datetime
from pathlib import Path

from newswire.logs import configure_logging
from newswire.schemas import RawArticle, encode

from .errors import ExtractionError
from .extraction import extract_article
from .settings import Settings

__all__ = ["add_arguments", "run"]

logger = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE.html", help="saved HTML pages; - reads stdin")
    parser.add_argument("--url", help="the address the page was fetched from (default: the page's canonical URL)")
    parser.add_argument("--source", default="file", help="source id to put in the articles (default %(default)s)")
    parser.add_argument("--min-words", type=int, help="fewer words of main text and the page is not an article")


def _extract(body: bytes, *, url: str | None, source: str, min_words: int, settings: Settings) -> RawArticle:
    return extract_article(
        body,
        url=url,
        source=source,
        fetched_at=datetime.now(UTC),
        min_words=min_words,
        max_bytes=settings.max_body_bytes,
    )


def run(args: argparse.Namespace) -> int:
    settings = Settings()
    configure_logging(service="extract", level=settings.log_level, fmt="text")
    min_words = args.min_words or settings.min_article_words
    status = 0
    for path in args.files:
        try:
            body = sys.stdin.buffer.read() if str(path) == "-" else path.read_bytes()
        except OSError as exc:
            print(f"newswire extract: {path}: {exc.strerror or exc}", file=sys.stderr)
            status = 1
            continue
        try:
            try:
                article = _extract(body, url=args.url, source=args.source, min_words=min_words, settings=settings)
            except ExtractionError as exc:
                if exc.reason != "no_url" or str(path) == "-":
                    raise
                # A saved page that names no address of its own is identified by its file.
                article = _extract(
                    body, url=path.resolve().as_uri(), source=args.source, min_words=min_words, settings=settings
                )
        except ExtractionError as exc:
            print(f"newswire extract: {path}: {exc}", file=sys.stderr)
            status = 1
            continue
        except Exception as exc:
            # A page the extractor has a bug on is that page's error, not a traceback that hides the others.
            logger.debug("extraction of %s crashed", path, exc_info=True)
            print(f"newswire extract: {path}: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
            status = 1
            continue
        sys.stdout.write(encode(article).decode("utf-8") + "\n")
        sys.stdout.flush()
    return status
