"""Extraction of article pages: text, title, canonical URL, dates; hostile pages give clear errors."""

import gzip
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import html as lxml_html

from newswire.scraper.errors import ExtractionError, NotAnArticle
from newswire.scraper.extraction import clean_text, decode_html, extract_article, parse_datetime, split_br_paragraphs
from newswire.scraper.sample_site import SEED_PATH, SampleSite

PARAGRAPH = (
    "The regional council approved the new budget on Tuesday after a long debate about spending on roads, "
    "schools and hospitals, and officials said the first projects would begin within weeks. "
)
STORY = "".join(
    f"<p>{text}</p>"
    for text in (
        PARAGRAPH,
        "Opposition members argued that the plan relied on optimistic revenue forecasts and asked for a review of the "
        "largest contracts before any money is spent, a request the council rejected by a narrow vote.",
        "Business groups welcomed the spending on transport, saying that better roads between the port and the "
        "industrial zones would cut costs for exporters who have complained about delays for years.",
        "The finance department will publish quarterly reports on the progress of each project, and the council "
        "agreed to hold a public hearing in the autumn to review how the money has been used so far.",
    )
)


def _page(body: str, head: str = "") -> str:
    return f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>{head}</head><body>{body}</body></html>"


def test_seed_page_gives_title_text_without_read_more_and_canonical(sample_site: SampleSite, seed_text: str) -> None:
    body = sample_site.resource(SEED_PATH).body  # type: ignore[union-attr]
    article = extract_article(body, url=sample_site.url(SEED_PATH), source="sample")
    assert article.title == "PM Shehbaz Sharif Receives Kazakhstan President Tokayev in Islamabad"
    assert article.canonical_url == sample_site.url(SEED_PATH)
    expected = [line for line in seed_text.splitlines() if line.strip() and not line.startswith("Read More:")]
    assert article.text.splitlines() == expected
    assert "Read More" not in article.text
    assert article.authors == ["TDI News Desk"]
    assert article.published_at == datetime(2025, 2, 5, 6, 20, tzinfo=UTC)
    assert article.language == "en"


FURNITURE = yaml.safe_load((Path(__file__).parent / "data" / "furniture_cases.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("line", FURNITURE["dropped"])
def test_link_lines_and_furniture_are_removed(line: str) -> None:
    assert clean_text(f"First paragraph.\n{line}\nSecond paragraph.") == "First paragraph.\nSecond paragraph."


@pytest.mark.parametrize("line", FURNITURE["kept"])
def test_story_lines_that_look_like_furniture_are_kept(line: str) -> None:
    text = f"First paragraph.\n{line}\nSecond paragraph."
    assert clean_text(text) == text


def test_json_ld_supplies_headline_authors_and_date() -> None:
    head = (
        '<script type="application/ld+json">{"@context":"https://schema.org","@graph":[{"@type":"WebPage","@id":"#page"},'
        '{"@type":"NewsArticle","headline":"Council approves budget","datePublished":"2025-03-01T09:00:00+05:00",'
        '"author":[{"@type":"Person","name":"Amina Khan"},{"@type":"Person","name":"Bilal Ahmed"}],'
        '"inLanguage":"en-GB"}]}</script>'
        '<link rel="canonical" href="https://news.example/budget?utm_source=x">'
    )
    article = extract_article(
        _page(f"<article>{STORY}</article>", head), url="https://news.example/budget?id=1", source="t"
    )
    assert article.title == "Council approves budget"
    assert article.authors == ["Amina Khan", "Bilal Ahmed"]
    assert article.published_at == datetime(2025, 3, 1, 4, 0, tzinfo=UTC)
    assert article.language == "en"
    assert article.canonical_url == "https://news.example/budget"


def test_article_body_rescues_pages_the_layout_hides() -> None:
    body_text = " ".join([PARAGRAPH] * 5)
    jsonld = f'{{"@type":"NewsArticle","headline":"Hidden","articleBody":"{body_text}"}}'
    head = f'<script type="application/ld+json">{jsonld}</script>'
    page = _page("<div id='app'><p>Loading...</p></div>", head)
    article = extract_article(page, url="https://news.example/hidden", source="t")
    assert article.text.startswith("The regional council approved")


def test_cross_site_canonical_is_not_trusted() -> None:
    head = '<title>Story</title><link rel="canonical" href="https://other-site.example/their-story">'
    article = extract_article(_page(f"<article>{STORY}</article>", head), url="https://news.example/story", source="t")
    assert article.canonical_url == "https://news.example/story"


def test_og_url_is_used_without_canonical_link() -> None:
    head = (
        '<meta property="og:url" content="https://news.example/og-story">'
        '<meta property="og:title" content="OG title | News Example">'
        '<meta property="og:site_name" content="News Example">'
    )
    article = extract_article(_page(f"<article>{STORY}</article>", head), url=None, source="t")
    assert article.canonical_url == "https://news.example/og-story"
    assert article.title == "OG title"


@pytest.mark.parametrize(
    ("path", "error", "reason"),
    [
        ("/hostile/truncated.html", NotAnArticle, "too_short"),
        ("/section/world.html", NotAnArticle, "index_page"),
        ("/", NotAnArticle, "index_page"),
    ],
)
def test_hostile_pages_give_clear_errors(
    sample_site: SampleSite, path: str, error: type[ExtractionError], reason: str
) -> None:
    resource = sample_site.resource(path)
    assert resource is not None
    with pytest.raises(error) as caught:
        extract_article(resource.body, url=sample_site.url(path), source="t")
    assert caught.value.reason == reason
    assert str(caught.value)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "empty"),
        (b"   \n ", "empty"),
        (b"%PDF-1.4 binary", "too_short"),
        (gzip.compress(b"<html>" * 100), "too_short"),
        (b"<html><body><p>" + b"word " * 10 + b"</p></body></html>", "too_short"),
    ],
)
def test_garbage_never_crashes(body: bytes, reason: str) -> None:
    with pytest.raises(ExtractionError) as caught:
        extract_article(body, url="https://news.example/x", source="t")
    assert caught.value.reason == reason


def test_page_lying_about_utf8_is_decoded_as_latin1(sample_site: SampleSite) -> None:
    resource = sample_site.resource("/hostile/latin1.html")
    assert resource is not None
    with pytest.raises(UnicodeDecodeError):
        resource.body.decode("utf-8")
    article = extract_article(
        resource.body, url=sample_site.url("/hostile/latin1.html"), source="t", header_charset="utf-8"
    )
    assert "Montréal" in article.title
    assert "pâtisserie" in article.text and "crème brûlée" in article.text
    assert article.authors == ["Hélène Bérubé"]


def test_decode_html_uses_meta_charset_and_bom() -> None:
    assert decode_html("<meta charset='windows-1251'>Привет".encode("cp1251")).text.endswith("Привет")
    assert decode_html(b"\xef\xbb\xbf<p>caf\xc3\xa9</p>").text == "<p>café</p>"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-02-05T11:20:00+05:00", datetime(2025, 2, 5, 6, 20, tzinfo=UTC)),
        ("2025-02-05T06:20:00Z", datetime(2025, 2, 5, 6, 20, tzinfo=UTC)),
        ("Wed, 05 Feb 2025 06:20:00 GMT", datetime(2025, 2, 5, 6, 20, tzinfo=UTC)),
        ("2025-02-05", datetime(2025, 2, 5, tzinfo=UTC)),
        ("2999-01-01T00:00:00Z", None),
        # Valid ISO 8601 that leaves datetime's range once converted to UTC (issue 14, finding 8).
        ("0001-01-01T00:00:00+01:00", None),
        ("9999-12-31T23:59:59-05:00", None),
        ("0001-01-01", None),
        ("yesterday", None),
        ("", None),
    ],
)
def test_parse_datetime(value: str, expected: datetime | None) -> None:
    assert parse_datetime(value) == expected


def test_every_sample_article_extracts_with_its_own_title(sample_site: SampleSite) -> None:
    for article_file in sample_site.articles:
        resource = sample_site.resource(article_file.path)
        assert resource is not None
        article = extract_article(resource.body, url=sample_site.url(article_file.path), source="t")
        assert article.title == article_file.title
        assert article.published_at is not None
        assert "Read More" not in article.text


def test_plain_link_list_without_markup_is_an_index_page() -> None:
    items = "".join(
        f'<li><a href="/story-{i}">Headline number {i} about regional trade and politics today</a></li>'
        for i in range(40)
    )
    with pytest.raises(NotAnArticle) as caught:
        extract_article(
            _page(f"<h1>Latest</h1><ul>{items}</ul>", "<title>Latest news</title>"),
            url="https://news.example/",
            source="t",
        )
    assert caught.value.reason in ("index_page", "too_short")


@pytest.mark.parametrize(
    ("og_title", "site", "expected"),
    [
        ("Pakistan - Kazakhstan ties deepen", None, "Pakistan - Kazakhstan ties deepen"),
        ("Budget approved | News Example", "News Example", "Budget approved"),
        ("Budget approved - News Example", "News Example", "Budget approved"),
        ("Budget approved | Example", None, "Budget approved"),
    ],
)
def test_site_name_is_stripped_from_titles_but_headlines_with_dashes_are_kept(
    og_title: str, site: str | None, expected: str
) -> None:
    head = f'<meta property="og:title" content="{og_title}">' + (
        f'<meta property="og:site_name" content="{site}">' if site else ""
    )
    assert extract_article(_page(STORY, head), url="https://news.example/s", source="t").title == expected


def test_paragraphs_separated_by_double_br_are_recovered() -> None:
    tree = lxml_html.document_fromstring(
        "<html><body><td><font>First paragraph <b>bold</b> text.<br><br>Second<br>line two.<br><br>"
        "<div>block</div>Third.</font></td></body></html>"
    )
    split_br_paragraphs(tree)
    font = tree.find(".//font")
    assert [p.text_content() for p in font if p.tag == "p"] == [
        "First paragraph bold text.",
        "Secondline two.",
        "Third.",
    ]
    assert font.find("div") is not None


def test_truncated_json_ld_headline_gives_way_to_the_full_og_title() -> None:
    full = "Kazakhstan and Pakistan agree to expand trade, transit and energy links during the president's state visit"
    head = (
        f'<script type="application/ld+json">{{"@type":"NewsArticle","headline":"{full[:60]}..."}}</script>'
        f'<meta property="og:title" content="{full}">'
    )
    assert extract_article(_page(STORY, head), url="https://news.example/s", source="t").title == full


def test_oversized_page_is_refused_before_parsing() -> None:
    huge = _page("<p>" + "All work and no play makes a very large page. " * 200_000 + "</p>").encode()
    with pytest.raises(ExtractionError) as caught:
        extract_article(huge, url="https://news.example/huge", source="t")
    assert caught.value.reason == "too_large"


def test_html_inside_article_body_is_read_as_text() -> None:
    paragraphs = "".join(
        f"<p>Paragraph {i} of the story, with <a href='/x'>a link</a> about rail freight and new customs rules.</p>"
        for i in range(10)
    )
    jsonld = orjson.dumps({"@type": "NewsArticle", "headline": "Rail", "articleBody": paragraphs}).decode()
    page = _page("<div id='root'></div>", f'<script type="application/ld+json">{jsonld}</script>')
    article = extract_article(page, url="https://news.example/rail", source="t")
    assert "<p>" not in article.text and "<a" not in article.text
    assert (
        article.text.splitlines()[0]
        == "Paragraph 0 of the story, with a link about rail freight and new customs rules."
    )


def test_a_page_without_date_metadata_is_dated_by_htmldate() -> None:
    body = f"<article><h1>Council budget</h1><p class='date'>Published 5 February 2025</p>{STORY}</article>"
    article = extract_article(_page(body, "<title>Council budget</title>"), url="https://news.example/story", source="t")
    assert article.published_at == datetime(2025, 2, 5, tzinfo=UTC)


def test_the_page_s_own_timestamp_wins_over_a_day_found_in_the_text() -> None:
    head = "<title>Council budget</title><meta property='article:published_time' content='2025-02-06T09:30:00+05:00'>"
    body = f"<article><p>Published 5 February 2025</p>{STORY}</article>"
    article = extract_article(_page(body, head), url="https://news.example/story", source="t")
    assert article.published_at == datetime(2025, 2, 6, 4, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("head", "url"),
    [
        ("<meta property='og:type' content='article'>", "https://news.example/brief"),
        ("<script type='application/ld+json'>{\"@type\": \"NewsArticle\", \"headline\": \"Brief\"}</script>", "https://news.example/brief"),
        ("", "https://news.example/2025/02/05/brief"),
        ("<meta property='article:published_time' content='2025-02-05T09:00:00Z'>", "https://news.example/brief"),
    ],
)
def test_a_short_page_marked_as_an_article_is_still_an_article(head: str, url: str) -> None:
    # 24 words, surrounded by links: too short and too linked for an unmarked page, not for this one.
    links = "".join(f"<li><a href='/s/{i}'>Other story number {i} in the list</a></li>" for i in range(12))
    body = (
        "<h1>Brief</h1><article><p>The council approved the budget on Tuesday after a short debate, "
        "with the final vote scheduled for next week in the city hall.</p></article>"
        f"<ul>{links}</ul>"
    )
    article = extract_article(_page(body, f"<title>Brief</title>{head}"), url=url, source="t")
    assert article.text.startswith("The council approved the budget")
    with pytest.raises(NotAnArticle):
        extract_article(_page(body, "<title>Brief</title>"), url="https://news.example/brief", source="t")


def test_chinese_text_is_counted_in_words_not_spaces() -> None:
    paragraph = "北京市政府周二宣布将在明年扩建地铁网络以缓解交通拥堵问题。" * 3
    body = "".join(f"<p>{paragraph}</p>" for _ in range(2))
    article = extract_article(_page(f"<article>{body}</article>", "<title>地铁</title>"), url="https://news.example/a", source="t")
    assert "北京市政府" in article.text


def test_a_short_page_with_article_microdata_is_still_an_article() -> None:
    body = (
        "<div itemscope itemtype='https://schema.org/NewsArticle'><h1 itemprop='headline'>Brief</h1>"
        "<div itemprop='articleBody'><p>The council approved the budget on Tuesday after a short debate, "
        "with the final vote scheduled for next week in the city hall.</p></div></div>"
    )
    article = extract_article(_page(body, "<title>Brief</title>"), url="https://news.example/brief", source="t")
    assert article.text.startswith("The council approved the budget")


_ISO_LIKE = st.builds(
    lambda y, mo, d, h, tz: f"{y:04d}-{mo:02d}-{d:02d}T{h:02d}:00:00{tz}",
    st.integers(0, 9999),
    st.integers(0, 13),
    st.integers(0, 32),
    st.integers(0, 24),
    st.sampled_from(["", "Z", "+01:00", "-05:00", "+14:00", "-12:00", "+99:00"]),
)


@settings(max_examples=300, deadline=None)
@given(_ISO_LIKE | st.text(max_size=40))
def test_parse_datetime_never_raises(value: str) -> None:
    parsed = parse_datetime(value)
    assert parsed is None or (parsed.tzinfo is not None and parsed.year >= 1990)


def test_a_linked_page_whose_text_is_not_its_links_is_not_an_index_page() -> None:
    # A notice in short bullet points on a page of menus: link-dense, short lines, no article markup,
    # but the text is not a list of the page's links (trafilatura's dev half had one such page).
    menu = "".join(f"<li><a href='/m/{i}'>Menu entry number {i} of the service portal</a></li>" for i in range(60))
    notice = "".join(
        f"<li>Point {i}: the tax on heated tobacco products rises in January.</li>" for i in range(10)
    )
    body = f"<nav><ul>{menu}</ul></nav><main><h1>Tobacco tax</h1><ul>{notice}</ul></main>"
    article = extract_article(_page(body, "<title>Tobacco tax</title>"), url="https://gov.example/notice", source="t")
    assert "Point 3: the tax on heated tobacco products" in article.text
