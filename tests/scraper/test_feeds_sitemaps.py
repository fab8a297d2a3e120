"""Feeds (RSS, Atom, malformed) and sitemaps (news, index, gzip, plain text, hostile XML)."""

import gzip
from datetime import UTC, datetime

import pytest

from newswire.scraper.errors import ParseError
from newswire.scraper.feeds import parse_feed
from newswire.scraper.sample_site import SampleSite
from newswire.scraper.sitemaps import parse_sitemap

RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
<item><title>One</title><link>https://news.example/one</link><pubDate>Wed, 05 Feb 2025 06:20:00 GMT</pubDate></item>
<item><title>Relative</title><link>/two</link></item>
<item><title>Guid only</title><guid isPermaLink="true">https://news.example/three</guid></item>
<item><title>No link at all</title></item>
</channel></rss>"""


def test_rss_entries_with_links_and_dates() -> None:
    entries = parse_feed(RSS, base_url="https://news.example/feed.xml")
    assert [e.url for e in entries] == [
        "https://news.example/one",
        "https://news.example/two",
        "https://news.example/three",
    ]
    assert entries[0].published == datetime(2025, 2, 5, 6, 20, tzinfo=UTC)
    assert entries[0].title == "One"


def test_atom_feed() -> None:
    atom = b"""<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>
    <entry><title>E</title><link rel="alternate" href="https://news.example/e"/><id>tag:x,2025:1</id>
    <updated>2025-02-05T06:20:00Z</updated></entry></feed>"""
    entries = parse_feed(atom, base_url="https://news.example/atom")
    assert [(e.url, e.published) for e in entries] == [
        ("https://news.example/e", datetime(2025, 2, 5, 6, 20, tzinfo=UTC))
    ]


def test_malformed_feed_still_yields_its_entries() -> None:
    broken = b"""<rss version="2.0"><channel><title>Broken & unescaped</title>
    <item><title>Caf\xe9 <b>bold</title><link>https://news.example/ok</link></item>
    <item><title>Cut off</title><link>https://news.example/cut"""
    assert [e.url for e in parse_feed(broken, base_url="https://news.example/")][:1] == ["https://news.example/ok"]


def test_garbage_feed_is_a_parse_error() -> None:
    with pytest.raises(ParseError):
        parse_feed(b"\x00\x01 not a feed <<<", base_url="https://news.example/")


def test_sample_site_feeds_list_its_articles(sample_site: SampleSite) -> None:
    rss = sample_site.resource("/feeds/rss.xml")
    assert rss is not None
    urls = {e.url for e in parse_feed(rss.body, base_url=sample_site.url("/feeds/rss.xml"))}
    assert urls == set(sample_site.article_urls)


NEWS_SITEMAP = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"
        xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">
<url><loc>https://news.example/a</loc><image:image><image:loc>https://cdn.example/a.jpg</image:loc></image:image>
<news:news><news:publication><news:name>N</news:name><news:language>en</news:language></news:publication>
<news:publication_date>2025-02-05T11:20:00+05:00</news:publication_date>
<news:title>A title</news:title></news:news></url>
<url><loc>https://news.example/b</loc><lastmod>2025-02-04</lastmod></url>
<url><loc>not a url</loc></url>
</urlset>"""


def test_news_sitemap() -> None:
    sitemap = parse_sitemap(NEWS_SITEMAP)
    assert [(e.url, e.title) for e in sitemap.urls] == [
        ("https://news.example/a", "A title"),
        ("https://news.example/b", None),
    ]
    assert sitemap.urls[0].published == datetime(2025, 2, 5, 6, 20, tzinfo=UTC)
    assert sitemap.urls[1].published == datetime(2025, 2, 4, tzinfo=UTC)
    assert sitemap.sitemaps == []


def test_a_bad_lastmod_costs_only_that_entry_its_date() -> None:
    body = (
        b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<url><loc>https://news.example/a</loc><lastmod>0001-01-01T00:00:00+01:00</lastmod></url>"
        b"<url><loc>https://news.example/b</loc><lastmod>2025-02-04</lastmod></url>"
        b"<url><loc>https://news.example/c</loc></url></urlset>"
    )
    sitemap = parse_sitemap(body)
    assert [(e.url, e.published) for e in sitemap.urls] == [
        ("https://news.example/a", None),
        ("https://news.example/b", datetime(2025, 2, 4, tzinfo=UTC)),
        ("https://news.example/c", None),
    ]
    assert sitemap.bad_dates == 1


def test_sitemap_index_and_gzip() -> None:
    index = b"""<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
    <sitemap><loc>https://news.example/news.xml</loc></sitemap><sitemap><loc>https://news.example/old.xml.gz</loc></sitemap>
    </sitemapindex>"""
    assert parse_sitemap(gzip.compress(index)).sitemaps == [
        "https://news.example/news.xml",
        "https://news.example/old.xml.gz",
    ]
    assert [e.url for e in parse_sitemap(gzip.compress(NEWS_SITEMAP)).urls] == [
        "https://news.example/a",
        "https://news.example/b",
    ]


def test_plain_text_sitemap() -> None:
    assert [e.url for e in parse_sitemap(b"https://news.example/a\n\nhttps://news.example/b\n# comment\n").urls] == [
        "https://news.example/a",
        "https://news.example/b",
    ]


def test_entities_are_not_expanded() -> None:
    hostile = b"""<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">
    <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">
    <!ENTITY xxe SYSTEM "file:///etc/passwd">]>
    <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://news.example/&xxe;&lol2;</loc></url></urlset>"""
    urls = [e.url for e in parse_sitemap(hostile).urls]
    assert all("root:" not in u and "lollol" not in u for u in urls)


@pytest.mark.parametrize("body", [b"<html><body>not a sitemap</body></html>", gzip.compress(b"x")[:-4] + b"\x00\x00"])
def test_non_sitemaps_are_parse_errors(body: bytes) -> None:
    with pytest.raises(ParseError):
        parse_sitemap(body)


def test_sample_site_sitemaps(sample_site: SampleSite) -> None:
    index = sample_site.resource("/sitemap.xml")
    pages = sample_site.resource("/sitemaps/pages.xml.gz")
    assert index is not None and pages is not None
    assert parse_sitemap(index.body).sitemaps == [
        sample_site.url("/sitemaps/news.xml"),
        sample_site.url("/sitemaps/pages.xml.gz"),
    ]
    assert sample_site.url("/hostile/huge.html") in {e.url for e in parse_sitemap(pages.body).urls}
