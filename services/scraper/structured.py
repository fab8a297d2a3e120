"""What a page says about itself: JSON-LD `NewsArticle`, Open Graph and `<meta>` tags, canonical link.

Publishers fill these for search engines, so they are usually cleaner than anything scraped from
the layout; extraction prefers them and falls back to trafilatura's guesses.
"""

import logging
from dataclasses import dataclass, field
from typing import Any

import orjson
from lxml import html as lxml_html

__all__ = ["ARTICLE_TYPES", "PageMetadata", "read_metadata"]

logger = logging.getLogger(__name__)

#: schema.org types that describe one article (and its subtypes publishers use).
ARTICLE_TYPES = frozenset(
    {
        "Article",
        "NewsArticle",
        "ReportageNewsArticle",
        "AnalysisNewsArticle",
        "OpinionNewsArticle",
        "BackgroundNewsArticle",
        "ReviewNewsArticle",
        "AskPublicNewsArticle",
        "BlogPosting",
        "LiveBlogPosting",
        "Report",
        "ScholarlyArticle",
        "SatiricalArticle",
        "TechArticle",
    }
)


@dataclass(slots=True)
class PageMetadata:
    headline: str | None = None
    authors: list[str] = field(default_factory=list)
    date_published: str | None = None
    article_body: str | None = None
    language: str | None = None
    canonical: str | None = None
    og_url: str | None = None
    og_title: str | None = None
    og_type: str | None = None
    description: str | None = None
    site_name: str | None = None
    jsonld_url: str | None = None
    is_article: bool = False
    is_collection: bool = False
    h1: str | None = None
    title_tag: str | None = None


def _types(node: dict[str, Any]) -> set[str]:
    value = node.get("@type", [])
    values = value if isinstance(value, list) else [value]
    # Types may be written as full IRIs: "https://schema.org/NewsArticle".
    return {str(v).rsplit("/", 1)[-1] for v in values}


def _walk(node: Any) -> list[dict[str, Any]]:
    """Every JSON-LD object in a document, through lists and `@graph`."""
    found: list[dict[str, Any]] = []
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(reversed(item))
        elif isinstance(item, dict):
            found.append(item)
            if "@graph" in item:
                stack.append(item["@graph"])
    return found


def _text(value: Any) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, list) and value:
        return _text(value[0])
    if isinstance(value, dict):
        return _text(value.get("@value") or value.get("name") or value.get("@id") or value.get("url"))
    return None


def _names(value: Any, people: dict[str, str]) -> list[str]:
    values = value if isinstance(value, list) else [value]
    names: list[str] = []
    for item in values:
        if isinstance(item, dict):
            name = item.get("name") or people.get(str(item.get("@id", "")))
            if isinstance(name, str) and name.strip():
                names.append(name.strip())
        elif isinstance(item, str) and item.strip() and not item.startswith("http"):
            names.append(item.strip())
    return names


class _MetaTags:
    """Every `<meta>` of a page by its (lower-cased) property, name, itemprop or http-equiv; one pass."""

    def __init__(self, tree: lxml_html.HtmlElement) -> None:
        self._values: dict[str, str] = {}
        for element in tree.iter("meta"):
            content = (element.get("content") or "").strip()
            if not content:
                continue
            for attribute in ("property", "name", "itemprop", "http-equiv"):
                key = element.get(attribute)
                if key:
                    self._values.setdefault(key.strip().lower(), content)

    def first(self, *keys: str) -> str | None:
        return next((self._values[k.lower()] for k in keys if k.lower() in self._values), None)


def read_metadata(tree: lxml_html.HtmlElement) -> PageMetadata:
    meta = PageMetadata()
    objects: list[dict[str, Any]] = []
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        raw = (script.text or "").strip()
        if not raw:
            continue
        try:
            objects.extend(_walk(orjson.loads(raw)))
        except orjson.JSONDecodeError:
            # Real pages carry broken JSON-LD (trailing commas, raw newlines); the rest of the page still counts.
            logger.debug("ignoring malformed JSON-LD block")
    people = {str(o["@id"]): o["name"] for o in objects if "@id" in o and isinstance(o.get("name"), str)}
    articles = [o for o in objects if _types(o) & ARTICLE_TYPES]
    meta.is_collection = any(_types(o) & {"CollectionPage", "ItemList", "SearchResultsPage"} for o in objects)
    if articles:
        # The object with a body or headline is the page's own article, not a "related" teaser.
        article = max(articles, key=lambda o: (bool(o.get("articleBody")), bool(o.get("headline"))))
        meta.is_article = True
        meta.headline = _text(article.get("headline")) or _text(article.get("name"))
        meta.authors = _names(article.get("author", []), people)
        meta.date_published = _text(article.get("datePublished")) or _text(article.get("dateCreated"))
        meta.article_body = _text(article.get("articleBody"))
        meta.language = _text(article.get("inLanguage"))
        meta.description = _text(article.get("description"))
        meta.jsonld_url = _text(article.get("url")) or _text(article.get("mainEntityOfPage"))
    tags = _MetaTags(tree)
    canonical = tree.xpath('//link[@rel="canonical"]/@href')
    meta.canonical = canonical[0].strip() if canonical and canonical[0].strip() else None
    meta.og_url = tags.first("og:url")
    meta.og_title = tags.first("og:title", "twitter:title")
    meta.og_type = tags.first("og:type")
    meta.site_name = tags.first("og:site_name", "application-name")
    meta.description = meta.description or tags.first("og:description", "description", "twitter:description")
    if meta.og_type == "article" or tags.first("article:published_time"):
        # Open Graph's article namespace: a page with an article publication time is one article.
        meta.is_article = True
    if not meta.is_article:
        # schema.org microdata, as wire services and older CMSes write it: itemtype=".../NewsArticle".
        itemtypes = tree.xpath("//*[@itemtype]/@itemtype")
        meta.is_article = any(t.strip().rstrip("/").rsplit("/", 1)[-1] in ARTICLE_TYPES for t in itemtypes)
    meta.date_published = meta.date_published or tags.first(
        "article:published_time", "datePublished", "pubdate", "publishdate", "date", "dc.date", "DC.date.issued"
    )
    if not meta.date_published:
        # Microdata on a visible element: <time itemprop="datePublished" datetime="...">.
        stamps = tree.xpath('//*[@itemprop="datePublished"]/@datetime | //*[@itemprop="datePublished"]/@content')
        meta.date_published = next((s.strip() for s in stamps if s.strip()), None)
    if not meta.authors:
        author = tags.first("author", "article:author", "byl", "dc.creator", "parsely-author", "sailthru.author")
        if author and not author.startswith("http"):
            meta.authors = [author]
    if not meta.authors:
        # schema.org microdata, then rel=author links: the markup wire services and older CMSes use.
        names = tree.xpath('//*[@itemprop="author"]//*[@itemprop="name"]') or tree.xpath('//*[@itemprop="author"]')
        names = names or tree.xpath('//a[@rel="author"]')
        meta.authors = [" ".join(n.text_content().split()) for n in names[:5] if n.text_content().strip()]
    meta.language = (
        meta.language
        or next((v for v in tree.xpath("/html/@lang | /html/@xml:lang") if v.strip()), None)
        or tags.first("og:locale", "language", "content-language", "dc.language")
    )
    h1 = tree.xpath("//h1")
    meta.h1 = " ".join(h1[0].text_content().split()) or None if h1 else None
    title = tree.xpath("//title")
    meta.title_tag = " ".join(title[0].text_content().split()) or None if title else None
    return meta
