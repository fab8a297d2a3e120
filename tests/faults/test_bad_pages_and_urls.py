"""Property tests of the scraper's front door: whatever HTML and URLs the web hands it, extraction
and URL normalisation either succeed or raise the scraper's own exceptions, never crash, and
normalisation is idempotent. (tests/scraper/test_urls.py covers well-formed URLs; these are hostile.)"""

import string
from collections import Counter
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newswire.schemas import RawArticle
from newswire.scraper.errors import ScraperError
from newswire.scraper.extraction import extract_article
from newswire.scraper.urls import UrlError, is_tracking_param, normalise_url

from .outcomes import Outcome, full_mode, record

pytestmark = pytest.mark.faults

EXAMPLES = 1500 if full_mode() else 200

_WORDS = st.sampled_from(
    [
        "the",
        "minister",
        "said",
        "on",
        "Tuesday",
        "that",
        "talks",
        "in",
        "Islamabad",
        "with",
        "Kazakhstan",
        "would",
        "continue",
        "trade",
        "rail",
        "Астана",
        "北京",
        "مرحبا",
        "naïve",
        "café",
        "\u200b",
        "\u202e",
        "&amp;",
        "&lt;script&gt;",
        "<!--",
        "-->",
        "]]>",
    ]
)
_TEXT = st.lists(_WORDS, min_size=0, max_size=60).map(" ".join) | st.text(max_size=200)
_TAGS = st.sampled_from(
    [
        "p",
        "div",
        "article",
        "main",
        "section",
        "span",
        "h1",
        "h2",
        "a",
        "br",
        "script",
        "style",
        "table",
        "td",
        "li",
        "ul",
        "time",
        "meta",
        "link",
        "header",
        "footer",
        "nav",
        "aside",
        "figure",
        "noscript",
        "iframe",
        "svg",
    ]
)
_ATTRS = st.dictionaries(
    st.sampled_from(["class", "id", "href", "content", "property", "name", "datetime", "rel", "lang", "charset"]),
    _TEXT,
    max_size=3,
)


def _element(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    def render(tag: str, attrs: dict[str, str], inner: list[str], close: bool) -> str:
        attributes = "".join(f' {k}="{v}"' for k, v in attrs.items())
        return f"<{tag}{attributes}>{''.join(inner)}" + (f"</{tag}>" if close else "")

    return st.builds(render, _TAGS, _ATTRS, st.lists(children, max_size=5), st.booleans())


_FRAGMENT = st.recursive(_TEXT, _element, max_leaves=40)
_JSONLD = st.builds(
    lambda headline, body, date: (
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": '
        + headline
        + ', "articleBody": '
        + body
        + ', "datePublished": '
        + date
        + "}</script>"
    ),
    st.sampled_from(['"Talks resume"', "null", "42", '["a"]', '"' + "x" * 300 + '"', "{}"]),
    st.sampled_from(['"' + "word " * 120 + '"', "null", '""', "[1, 2]", '{"a": 1}']),
    st.sampled_from(['"2025-02-05T09:30:00+05:00"', '"yesterday"', '"9999-99-99"', "0", '"1970-01-01"', "null"]),
)
DOCUMENTS = st.one_of(
    st.builds(
        lambda head, body, lang: f'<!DOCTYPE html><html lang="{lang}"><head>{head}</head><body>{body}</body></html>',
        st.lists(_FRAGMENT | _JSONLD, max_size=4).map("".join),
        _FRAGMENT,
        _TEXT,
    ),
    _FRAGMENT,
).map(lambda doc: doc.encode("utf-8", "surrogatepass"))
BYTES = st.binary(max_size=4000)

_HOSTS = st.sampled_from(
    [
        "example.org",
        "EXAMPLE.org.",
        "xn--caf-dma.example",
        "café.example",
        "[::1]",
        "[fe80::1%25eth0]",
        "127.0.0.1",
        "2130706433",
        "0x7f.0.0.1",
        "user:pass@example.org",
        "example.org:99999",
        "example.org:-1",
        "",
        " ",
        "exa mple.org",
        "ex%41mple.org",
        "[::ffff:127.0.0.1]",
        "例え.テスト",
        "a" * 300 + ".org",
    ]
)
_PATHS = st.lists(
    st.sampled_from(["", "a", "..", ".", "%2e%2E", "%41", "%zz", "ü", " ", "%", "//", ";p=1", "@", ":", "~"]),
    max_size=6,
).map("/".join)
_QUERIES = st.lists(
    st.tuples(
        st.sampled_from(["utm_source", "UTM_Medium", "fbclid", "id", "q", "", "a b", "%26", "gclid"]),
        st.sampled_from(["", "1", "x y", "%3D", "&", "=", "é"]),
    ),
    max_size=5,
).map(lambda pairs: "&".join(f"{k}={v}" for k, v in pairs))
URLS = st.one_of(
    st.builds(
        lambda scheme, host, path, query, fragment: (
            f"{scheme}{host}/{path}" + (f"?{query}" if query else "") + fragment
        ),
        st.sampled_from(["http://", "https://", "HTTP://", "ftp://", "javascript:", "//", "file://", "http:/", ""]),
        _HOSTS,
        _PATHS,
        _QUERIES,
        st.sampled_from(["", "#top", "#", "#%zz"]),
    ),
    st.text(max_size=120),
    st.text(alphabet=string.printable, max_size=120).map(lambda s: "http://" + s),
)


def _run(case: str, tried: str, check: Callable[[], None], tally: Counter[str]) -> None:
    """Run a hypothesis property and record what the inputs came to, whether it held or not."""
    passed = False
    try:
        check()
        passed = True
    finally:
        record(
            Outcome(
                case=case,
                kind="bad input",
                tried=tried,
                behaviour=", ".join(f"{n} {k}" for k, n in tally.most_common())
                + ("" if passed else "; PROPERTY FAILED (see the test output)"),
                passed=passed,
                details={"examples": sum(tally.values()), "outcomes": dict(tally)},
            )
        )


def test_extraction_of_generated_html_never_crashes() -> None:
    tally: Counter[str] = Counter()

    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
    @given(DOCUMENTS | BYTES)
    def extraction_is_total(page: bytes) -> None:
        try:
            article = extract_article(page, url="https://news.example/2025/story", source="fuzz", min_words=5)
        except ScraperError as exc:
            tally[f"refused ({type(exc).__name__})"] += 1
            return
        tally["extracted"] += 1
        assert isinstance(article, RawArticle)
        assert article.text.strip() and article.title.strip()
        assert len(article.id) == 32

    _run(
        "input.generated-html",
        f"{EXAMPLES} generated HTML documents and byte strings (broken nesting, scripts, hostile JSON-LD, "
        "bidi and zero-width characters, random bytes) through extract_article",
        extraction_is_total,
        tally,
    )


def test_normalisation_of_hostile_urls_is_total_and_idempotent() -> None:
    tally: Counter[str] = Counter()

    @settings(max_examples=EXAMPLES * 2, deadline=None, suppress_health_check=list(HealthCheck))
    @given(URLS)
    def normalisation_is_idempotent(url: str) -> None:
        try:
            once = normalise_url(url)
        except UrlError:
            tally["refused (UrlError)"] += 1
            return
        tally["normalised"] += 1
        assert normalise_url(once) == once
        assert once.startswith(("http://", "https://"))
        assert "#" not in once
        query = once.partition("?")[2]
        assert not any(is_tracking_param(pair.partition("=")[0]) for pair in query.split("&") if pair)

    _run(
        "input.hostile-urls",
        f"{EXAMPLES * 2} generated URLs (odd schemes, IDN, IPv6 zones, numeric and hex IPs, bad ports, "
        "dot segments, broken escapes, tracking parameters, arbitrary text) through normalise_url",
        normalisation_is_idempotent,
        tally,
    )
