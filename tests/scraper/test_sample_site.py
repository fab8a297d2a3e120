"""The bundled sample site: content, conditional GET, freshness mode, hostile pages."""

from datetime import UTC, datetime, timedelta

import httpx

from newswire.scraper.extraction import extract_article
from newswire.scraper.sample_site import SEED_PATH, SampleSite


def test_site_has_enough_varied_articles(sample_site: SampleSite) -> None:
    articles = [a for a in sample_site.articles if a.path in sample_site.article_paths]
    assert len(articles) >= 25
    assert len({a.template for a in articles}) >= 4
    assert len({a.section for a in articles}) >= 14
    assert all(250 <= len(a.plain_text.split()) <= 650 for a in articles), [
        (a.path, len(a.plain_text.split())) for a in articles
    ]


def test_seed_page_links_its_read_more_lines_to_real_pages(sample_site: SampleSite) -> None:
    seed = next(a for a in sample_site.articles if a.path == SEED_PATH)
    page = sample_site.resource(SEED_PATH).body.decode()  # type: ignore[union-attr]
    targets = [line.split("](")[1].rstrip(")") for line in seed.body.splitlines() if line.startswith("Read More:")]
    assert len(targets) == 2
    for target in targets:
        assert f'href="{target}"' in page
        assert target in sample_site.article_paths


def test_conditional_requests_get_304(sample_site: SampleSite) -> None:
    with httpx.Client(base_url=sample_site.base_url) as client:
        first = client.get(SEED_PATH)
        assert client.get(SEED_PATH, headers={"If-None-Match": first.headers["etag"]}).status_code == 304
        assert client.get(SEED_PATH, headers={"If-Modified-Since": first.headers["last-modified"]}).status_code == 304
        assert client.get(SEED_PATH, headers={"If-None-Match": '"other"'}).status_code == 200
        sample_site.revise(SEED_PATH, "Update: a correction was added.")
        assert client.get(SEED_PATH, headers={"If-None-Match": first.headers["etag"]}).status_code == 200
        assert client.get(SEED_PATH, headers={"If-Modified-Since": first.headers["last-modified"]}).status_code == 200
    records = sample_site.requests_for(SEED_PATH)
    assert [r.status for r in records] == [200, 304, 304, 200, 200, 200]
    assert records[1].if_none_match == first.headers["etag"] and records[2].if_modified_since


def test_fresh_mode_publishes_articles_just_now() -> None:
    with SampleSite(port=0, fresh=True) as site:
        article = extract_article(site.resource(SEED_PATH).body, url=site.url(SEED_PATH), source="t")  # type: ignore[union-attr]
        assert article.published_at is not None
        assert datetime.now(UTC) - article.published_at < timedelta(minutes=2)
        feed = [site.published(a) for a in site.articles]
        assert max(feed) - min(feed) < timedelta(minutes=1)


def test_huge_page_streams_without_length(sample_site: SampleSite) -> None:
    with httpx.Client(base_url=sample_site.base_url) as client, client.stream("GET", "/hostile/huge.html") as response:
        assert "content-length" not in response.headers
        received = 0
        for chunk in response.iter_bytes():
            received += len(chunk)
            if received > 6 * 1024 * 1024:
                break
    assert received > 6 * 1024 * 1024


def test_robots_and_redirects(sample_site: SampleSite) -> None:
    with httpx.Client(base_url=sample_site.base_url) as client:
        assert "Disallow: /private/" in client.get("/robots.txt").text
        assert client.get("/hostile/loop-a.html").headers["location"] == "/hostile/loop-b.html"
        assert client.get("/2025/tokayev-visit.html").headers["location"] == SEED_PATH
        assert client.get("/missing").status_code == 404


def test_drip_releases_held_back_articles_over_time() -> None:
    now = [datetime(2026, 3, 2, 9, 0, tzinfo=UTC)]
    site = SampleSite(port=0, fresh=True, drip=0.5, clock=lambda: now[0])
    with site, httpx.Client(base_url=site.base_url) as client:
        feed = client.get("/feeds/rss.xml").text
        listed = [p for p in site.article_paths if site.url(p) in feed]
        held = [p for p in site.article_paths if p not in listed]
        assert len(held) == 8 and SEED_PATH in listed
        assert client.get(held[-1]).status_code == 404
        now[0] += timedelta(seconds=0.5 * 7)
        assert client.get(held[-2]).status_code == 200 and client.get(held[-1]).status_code == 404
        now[0] += timedelta(seconds=0.5)
        assert client.get(held[-1]).status_code == 200
        feed = client.get("/feeds/rss.xml").text
        assert all(site.url(p) in feed for p in site.article_paths)
        article = extract_article(client.get(held[-1]).content, url=site.url(held[-1]), source="t")
        assert article.published_at is not None and article.published_at >= site.started_at
