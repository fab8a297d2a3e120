"""Sitemaps: news sitemaps, plain URL sets, sitemap indexes, gzip; parsed safely with lxml.

The parser resolves no entities, loads no DTD and touches no network, so a hostile sitemap
cannot expand "billion laughs" or read local files; decompression is capped.
"""

import zlib
from dataclasses import dataclass, field
from datetime import datetime

from lxml import etree

from .dates import parse_datetime
from .errors import ParseError

__all__ = ["MAX_SITEMAP_BYTES", "Sitemap", "SitemapEntry", "parse_sitemap"]

#: The sitemap protocol's limit is 50 MB uncompressed.
MAX_SITEMAP_BYTES = 50 * 1024 * 1024
MAX_ENTRIES = 50_000


@dataclass(frozen=True, slots=True)
class SitemapEntry:
    url: str
    published: datetime | None = None
    title: str | None = None


@dataclass(slots=True)
class Sitemap:
    urls: list[SitemapEntry] = field(default_factory=list)
    #: Child sitemaps listed by a sitemap index.
    sitemaps: list[str] = field(default_factory=list)
    #: Entries kept without a date because theirs was unreadable or out of range (`<lastmod>0001-01-01...`).
    bad_dates: int = 0


def _gunzip(body: bytes) -> bytes:
    decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        data = decompressor.decompress(body, MAX_SITEMAP_BYTES)
    except zlib.error as exc:
        raise ParseError(f"corrupt gzip sitemap: {exc}") from exc
    if decompressor.unconsumed_tail:
        raise ParseError(f"sitemap larger than {MAX_SITEMAP_BYTES} bytes uncompressed")
    if not decompressor.eof:
        raise ParseError("truncated gzip sitemap")
    return data


def _local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _child_text(element: etree._Element, *names: str, deep: bool = False) -> str | None:
    # <loc> is a direct child; <image:loc> deeper down must not be mistaken for it.
    for child in element.iter() if deep else element:
        if _local(child.tag) in names and child.text and child.text.strip():
            return child.text.strip()
    return None


def parse_sitemap(body: bytes) -> Sitemap:
    if body[:2] == b"\x1f\x8b":
        body = _gunzip(body)
    stripped = body.lstrip()
    if not stripped.startswith(b"<"):
        # Plain-text sitemaps: one URL per line.
        lines = (line.strip() for line in body.decode("utf-8", "replace").splitlines())
        return Sitemap(urls=[SitemapEntry(u) for u in lines if u.startswith(("http://", "https://"))][:MAX_ENTRIES])
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=True)
    try:
        root = etree.fromstring(stripped, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise ParseError(f"unreadable sitemap: {exc}") from exc
    if root is None:
        raise ParseError("unreadable sitemap: empty document")
    sitemap = Sitemap()
    kind = _local(root.tag)
    if kind not in ("urlset", "sitemapindex"):
        raise ParseError(f"not a sitemap: root element <{kind}>")
    for element in root:
        name = _local(element.tag)
        loc = _child_text(element, "loc")
        if not loc or not loc.startswith(("http://", "https://")):
            continue
        if name == "sitemap":
            sitemap.sitemaps.append(loc)
        elif name == "url":
            written = _child_text(element, "publication_date", deep=True) or _child_text(element, "lastmod")
            published = parse_datetime(written)
            if written and published is None:
                # One entry's bad date costs that entry its date, never the sitemap.
                sitemap.bad_dates += 1
            sitemap.urls.append(SitemapEntry(loc, published, _child_text(element, "title", deep=True)))
        if len(sitemap.urls) + len(sitemap.sitemaps) >= MAX_ENTRIES:
            break
    return sitemap
