"""Turn one HTML page into a `RawArticle`: main text by trafilatura, facts from the page's own metadata.

Blocking (lxml, trafilatura): the crawl loop calls `extract_article` in a worker thread.
"""

import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

import htmldate
from lxml import etree
from lxml import html as lxml_html

from newswire.schemas import RawArticle, article_id, content_hash

from .candidates import choose, layout_table, readability_text, trafilatura_text, word_count
from .charset import DecodedPage, decode_html
from .cleanup import clean_text, split_br_paragraphs, trim_furniture
from .dates import parse_datetime
from .errors import ExtractionError, NotAnArticle
from .structured import PageMetadata, read_metadata
from .urls import UrlError, normalise_url

__all__ = [
    "DecodedPage",
    "clean_text",
    "decode_html",
    "extract_article",
    "parse_datetime",
    "split_br_paragraphs",
    "trim_furniture",
]

logger = logging.getLogger(__name__)

_HTML_TAG = re.compile(r"<(?:p|br|div|a|strong|em|span|h[1-6])\b[^>]*>", re.IGNORECASE)
_BLOCK_END = re.compile(r"<br\s*/?>|</(?:p|div|h[1-6]|li)>", re.IGNORECASE)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_BY = re.compile(r"^\s*by\s+", re.IGNORECASE)
_AUTHOR_SPLIT = re.compile(r"\s*(?:;|\band\b|&|\|)\s*|\s*,\s*(?=[A-Z])")
_LANG = re.compile(r"^([A-Za-z]{2})(?:[-_][A-Za-z0-9]+)*$")
_TITLE_SEPARATORS = (" | ", " - ", " – ", " — ", " :: ", " « ", " » ")
# A dated article address: /2025/02/05/..., /2025/02/slug, /2025-02-05-slug, /20250205/.
_DATED_PATH = re.compile(r"/(?:19|20)\d\d(?:/(?:0?[1-9]|1[0-2])/|-(?:0[1-9]|1[0-2])-[0-3]\d|(?:0[1-9]|1[0-2])[0-3]\d/)")
_ARCHIVE_REST = re.compile(r"(?:[0-3]?\d)?/?(?:page/\d+)?")


def _language(value: str | None) -> str | None:
    match = _LANG.match(value.strip()) if value else None
    return match.group(1).lower() if match else None


def _authors(raw: list[str]) -> list[str]:
    authors: list[str] = []
    for entry in raw:
        for name in _AUTHOR_SPLIT.split(_BY.sub("", entry)):
            name = " ".join(name.split()).strip(" ,.")
            if name and "@" not in name and "://" not in name and len(name) <= 80 and name not in authors:
                authors.append(name)
    return authors[:10]


def _strip_site_name(title: str, site_name: str | None) -> str:
    """'Headline | Site' -> 'Headline'; a ' - ' inside a headline ('Pakistan - Kazakhstan ties') is kept."""
    for separator in _TITLE_SEPARATORS:
        head, sep, tail = title.rpartition(separator)
        if not (sep and head.strip()):
            continue
        if site_name and tail.strip().casefold() == site_name.strip().casefold():
            return head.strip()
        if separator.strip() in ("|", "::", "«", "»") and len(tail.split()) <= 4 and len(head) > len(tail):
            return head.strip()
    return title


def _title_from_tag(title: str, site_name: str | None) -> str:
    """'Site :: Section :: Headline' or 'Headline | Site': the headline is the longest strong-separated part."""
    parts = re.split(r"\s+(?:\||::|«|»|—|–)\s+", title)
    return _strip_site_name(max(parts, key=len).strip(), site_name)


def _title(meta: PageMetadata, fallback: str | None) -> str:
    og_title = _strip_site_name(" ".join(meta.og_title.split()), meta.site_name) if meta.og_title else None
    if meta.headline:
        headline = " ".join(meta.headline.split())
        # Some CMSes cut JSON-LD headlines to 110 characters (an old search-engine limit).
        stem = headline.rstrip(".… ")
        if og_title and len(og_title) > len(headline) and og_title.startswith(stem):
            return og_title
        return headline
    if og_title:
        return og_title
    if meta.h1:
        return meta.h1
    if meta.title_tag:
        return _title_from_tag(meta.title_tag, meta.site_name)
    return fallback or ""


def _same_site(a: str, b: str) -> bool:
    host_a, host_b = urlsplit(a).hostname or "", urlsplit(b).hostname or ""
    return host_a.split(".")[-2:] == host_b.split(".")[-2:]


def _address(url: str) -> str:
    """A web URL normalised; anything else (a saved file's file:// URI) as given."""
    try:
        return normalise_url(url)
    except UrlError:
        return url.strip()


def _canonical(meta: PageMetadata, url: str | None) -> str:
    on_web = url is not None and url.startswith(("http://", "https://"))
    for candidate in (meta.canonical, meta.og_url, meta.jsonld_url):
        if not candidate:
            continue
        try:
            absolute = normalise_url(urljoin(url, candidate) if url else candidate)
        except UrlError:
            continue
        # A canonical on another site would let any page claim another publisher's article id.
        if not on_web or _same_site(absolute, url):  # type: ignore[arg-type]
            return absolute
        logger.info("ignoring cross-site canonical %s of %s", absolute, url)
    if url is None:
        raise ExtractionError("no_url", "the page names no canonical URL and none was given")
    return _address(url)


def _plain(text: str) -> str:
    """JSON-LD articleBody as text; some CMSes put the body's HTML in it."""
    if not _HTML_TAG.search(text):
        return text
    fragment = lxml_html.fragment_fromstring(_BLOCK_END.sub("\n", text), create_parent="div")
    return fragment.text_content()


def _listing_like(text: str) -> bool:
    """Short lines (headlines, teasers) rather than paragraphs of prose."""
    lengths = sorted(word_count(line) for line in text.splitlines() if line.strip())
    return not lengths or lengths[len(lengths) // 2] < 15


@dataclass(frozen=True, slots=True)
class _Links:
    #: Share of the page's text that sits inside links.
    density: float
    #: The text of each link, whitespace-collapsed and case-folded.
    texts: frozenset[str]

    def share_of(self, text: str) -> float:
        """Share of `text`'s words on lines that are mostly one link's text (a list of headlines,
        perhaps with a section label or date beside each)."""
        words = linked = 0
        for line in text.splitlines():
            count = word_count(line)
            words += count
            folded = " ".join(line.split()).casefold()
            if any(2 * word_count(link) >= count and link in folded for link in self.texts):
                linked += count
        return linked / words if words else 0.0


def _links(tree: lxml_html.HtmlElement) -> _Links:
    body = tree.find("body")
    node = body if body is not None else tree
    total = len(" ".join(node.text_content().split()))
    texts = [" ".join(a.text_content().split()) for a in node.iter("a")]
    linked = sum(len(t) for t in texts)
    # Links of one word ("Home", "More") would match inside any line.
    return _Links(linked / total if total else 1.0, frozenset(t.casefold() for t in texts if len(t.split()) > 1))


#: Characters XML forbids: lxml keeps them in parsed text but refuses them when a tree is edited,
#: and no browser renders them, so they are dropped before parsing.
_NON_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _web_address(meta: PageMetadata, url: str | None) -> str | None:
    """The page's web address: the one it was fetched from, else the one it names for itself.

    A saved page (`newswire extract FILE`) comes without its address; its canonical link still
    tells trafilatura and htmldate where it lived, and whether that is a dated article address.
    """
    if url and url.startswith(("http://", "https://")):
        return url
    named = (meta.canonical, meta.og_url, meta.jsonld_url)
    return next((c for c in named if c and c.startswith(("http://", "https://"))), None)


def _marked_article(meta: PageMetadata, url: str | None) -> bool:
    """The page says it is an article (og:type=article, Article JSON-LD) or has a dated article address."""
    if meta.is_article:
        return True
    path = urlsplit(url).path if url else ""
    dated = _DATED_PATH.search(path)
    # /2025/02/ or /2025/02/05/ alone (or their /page/2) is that month's or day's archive, not an article.
    return dated is not None and not _ARCHIVE_REST.fullmatch(path[dated.end() :].strip("/"))


def _page_date(tree: lxml_html.HtmlElement, url: str | None, *, extensive: bool = False) -> datetime | None:
    """htmldate's publication date when the page's metadata names none (a day, midnight UTC).

    On trafilatura's dev half it dates 146 of the 196 pages whose JSON-LD and meta tags give no
    date; where both give one they agree on the day on 254 of 271 pages (most others are the
    time zone's day boundary). The page's own timestamp stays first: it carries the time of day.
    `extensive` also reads dates in the visible text: a signal that the page is dated, too loose
    (copyright years) to be the article's date.
    """
    try:
        found = htmldate.find_date(tree, url=url, original_date=True, extensive_search=extensive)
    except Exception:  # a date finder's bug must not cost the article
        logger.debug("htmldate failed on %s", url, exc_info=True)
        return None
    return parse_datetime(found) if isinstance(found, str) else None


def _fresh_tree(text: str) -> lxml_html.HtmlElement:
    """A new tree for another extractor: trafilatura edits the one it is given."""
    tree = _parse(text)
    split_br_paragraphs(tree)
    return tree


#: Comments and processing instructions dropped while parsing: left in the tree, they split the
#: text nodes trafilatura scores (dev: a whole story lost on a page with comments between paragraphs).
_PARSER = lxml_html.HTMLParser(remove_comments=True, remove_pis=True, collect_ids=False)


def _parse(text: str) -> lxml_html.HtmlElement:
    text = _NON_XML_CHARS.sub("", text)
    try:
        tree = lxml_html.document_fromstring(_XML_DECLARATION.sub("", text, count=1), parser=_PARSER)
    except (etree.ParserError, ValueError) as exc:
        raise ExtractionError("unparsable", f"not an HTML document: {exc}") from exc
    if tree is None or (tree.find("body") is None and not tree.text_content().strip()):
        raise ExtractionError("unparsable", "the document is empty")
    return tree


def extract_article(
    body: bytes | str,
    *,
    url: str | None,
    source: str,
    header_charset: str | None = None,
    fetched_at: datetime | None = None,
    default_language: str | None = None,
    min_words: int = 50,
    max_bytes: int = 5 * 1024 * 1024,
) -> RawArticle:
    """One page -> `RawArticle`; raises `NotAnArticle` for index/short pages, `ExtractionError` otherwise."""
    if len(body) > max_bytes:
        # Parsing is linear but a runaway page still costs seconds and memory; no article is that long.
        raise ExtractionError("too_large", f"{len(body)} bytes, more than {max_bytes}")
    if isinstance(body, bytes):
        decoded = decode_html(body, header_charset=header_charset)
        if decoded.fallback:
            logger.warning("page declares a charset its bytes do not follow; decoded as %s: %s", decoded.encoding, url)
        text = decoded.text
    else:
        text = body
    if not text.strip():
        raise ExtractionError("empty", "the page is empty")
    tree = _parse(text)
    meta = read_metadata(tree)
    links = _links(tree)
    address = _web_address(meta, url)
    # Before trafilatura edits the tree.
    published_at = parse_datetime(meta.date_published) or _page_date(tree, address)
    title = _title(meta, None)

    def cleaned(raw: str) -> str:
        # The description is not trimmed: on real pages it is mostly the lead paragraph itself
        # (trafilatura's dev half: trimming it cost 0.012 F1).
        return trim_furniture(clean_text(raw), title=title)

    def fallbacks() -> dict[str, str]:
        return {
            "recall": cleaned(trafilatura_text(_fresh_tree(text), url=address, mode="recall")),
            "readability": cleaned(readability_text(_fresh_tree(text))),
        }

    # trafilatura's defaults on the page as it is: that is the baseline newswire must not fall
    # below. Splitting `<br><br>` text into paragraphs before it changed 110 of 467 dev pages for
    # +5/-6; it pays only on a page laid out with a table (1990s CMSes), so it is done there alone.
    primary = trafilatura_text(tree, url=address, tables=True)
    if layout_table(primary):
        primary = trafilatura_text(_fresh_tree(text), url=address, tables=False)
    # A page mostly of links (or one calling itself a collection) whose text is a list of those links.
    linked_page = meta.is_collection or links.density > 0.5

    def listing(candidate: str) -> bool:
        return linked_page and _listing_like(candidate) and links.share_of(candidate) >= 0.5

    choice = choose(
        cleaned(primary),
        article_body=clean_text(_plain(meta.article_body or "")),
        fallbacks=fallbacks,
        min_words=min_words,
        listing=listing,
    )
    main_text = choice.text
    words = word_count(main_text)
    if _marked_article(meta, address):
        # A short article is still an article: length and links alone never refuse a page that
        # says it is one (og:type=article, Article JSON-LD) or sits at a dated article address.
        if not words:
            raise NotAnArticle("no_text", "the page is marked as an article but holds no text")
    else:
        # Two signals, never one: a self-described collection (CollectionPage, ItemList) or a page
        # mostly of links, whose main text is also a list of those links. On trafilatura's corpus (all
        # content pages, none an index) refusing on link density and short lines alone refused a
        # government notice in bullet points, and a self-described collection held a 234-word article.
        if listing(main_text):
            why = "it calls itself a collection" if meta.is_collection else f"{links.density:.0%} of the page is links"
            raise NotAnArticle("index_page", f"a list of headlines: {why}, no article markup")
        # A short text refuses an unmarked page only when the page is not dated either: a dated
        # page whose main text is a paragraph or two is a short article (trafilatura's corpus: 3
        # of 990 pages, all short articles or notices, were refused for length alone).
        if words < min_words and (not words or not (published_at or _page_date(_parse(text), address, extensive=True))):
            raise NotAnArticle("too_short", f"{words} words of main text, fewer than {min_words}, and no date")
    canonical = _canonical(meta, url)
    if not title:
        raise ExtractionError("no_title", "the page has no headline or title")
    return RawArticle(
        id=article_id(canonical),
        url=_address(url) if url else canonical,
        canonical_url=canonical,
        source=source,
        title=title,
        text=main_text,
        authors=_authors(meta.authors),
        published_at=published_at,
        fetched_at=fetched_at or datetime.now(UTC),
        language=_language(meta.language) or _language(default_language),
        content_hash=content_hash(main_text),
    )
