"""The live newsroom: the sample site releases corpus stories over time (a test clock, no sleeping)."""

import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path

import feedparser
import httpx

from newswire.scraper.extraction import extract_article
from newswire.scraper.sample_site import SEED_PATH, SampleSite
from newswire.scraper.sample_site.newsroom import Newsroom, load_corpus

ROOT = Path(__file__).resolve().parents[2]
PACE = 15.0


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@contextmanager
def _site(clock: Clock) -> Iterator[tuple[SampleSite, Newsroom, httpx.Client]]:
    site = SampleSite(port=0, fresh=True, newsroom=PACE, clock=clock)
    with site, httpx.Client(base_url=site.base_url) as client:
        assert site.newsroom is not None
        yield site, site.newsroom, client


def _rss_links(client: httpx.Client) -> list[str]:
    return [entry.link for entry in feedparser.parse(client.get("/feeds/rss.xml").text).entries]


def test_corpus_is_real_varied_and_credited() -> None:
    corpus = load_corpus()
    assert len(corpus) >= 200
    assert len({a.path for a in corpus}) == len(corpus)
    assert all(150 <= len(a.plain_text.split()) <= 1500 for a in corpus)
    assert all("en.wikinews.org/wiki/" in a.credit and "licenses/by/2.5" in a.credit for a in corpus)
    source = (ROOT / "services/scraper/sample_site/corpus/SOURCE.md").read_text()
    assert "vanatteveldt/wikinews" in source and "CC BY 2.5" in source
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    assert "corpus/*.jsonl.gz" in package_data["newswire.scraper.sample_site"]


def test_opening_articles_first_then_stories_released_over_time() -> None:
    clock = Clock()
    with _site(clock) as (site, newsroom, client):
        opening = _rss_links(client)
        assert len(opening) == 28 and site.url(SEED_PATH) in opening
        assert not any("/news/" in link for link in opening)
        stories = sorted(newsroom.articles, key=lambda a: newsroom.release_at[a.path])
        first, second = stories[0], stories[1]
        assert client.get(first.path).status_code == 404

        clock.advance((newsroom.release_at[first.path] - clock.now).total_seconds())
        links = _rss_links(client)
        assert links[0] == site.url(first.path) and len(links) == 29
        assert client.get(first.path).status_code == 200
        assert client.get(second.path).status_code == 404

        clock.advance(10 * 60)
        released = [a for a in stories if newsroom.release_at[a.path] <= clock.now]
        # Ten minutes at one story every 10-20 s on average.
        assert 30 <= len(released) <= 60
        gaps = [
            (newsroom.release_at[b.path] - newsroom.release_at[a.path]).total_seconds()
            for a, b in zip(stories, stories[1:], strict=False)
        ]
        assert all(PACE * 2 / 3 - 1 <= g <= PACE * 4 / 3 + 1 for g in gaps)


def test_feeds_and_sitemaps_list_released_stories_only() -> None:
    clock = Clock()
    with _site(clock) as (site, newsroom, client):
        clock.advance(5 * 60)
        released = {site.url(a.path) for a in newsroom.articles if newsroom.release_at[a.path] <= clock.now}
        held = {site.url(a.path) for a in newsroom.articles} - released
        assert released and held
        for path in ("/feeds/rss.xml", "/sitemaps/news.xml", "/"):
            body = client.get(path).text
            assert all(url in body or url.removeprefix(site.base_url) in body for url in released), path
            assert not any(url in body or url.removeprefix(site.base_url) + '"' in body for url in held), path
        atom = client.get("/feeds/atom.xml").text
        assert not any(url in atom for url in held)
        assert "Wikinews" in client.get("/").text


def test_publication_time_is_the_release_time() -> None:
    clock = Clock()
    with _site(clock) as (site, newsroom, client):
        clock.advance(3 * 60)
        entries = feedparser.parse(client.get("/feeds/rss.xml").text).entries
        stories = [e for e in entries if "/news/" in e.link]
        assert len(stories) >= 5
        for entry in stories:
            path = entry.link.removeprefix(site.base_url)
            released = newsroom.release_at[path]
            assert parsedate_to_datetime(entry.published) == released
            page = client.get(path)
            article = extract_article(page.content, url=site.url(path), source="t")
            assert article.published_at == released
            assert "Adapted from" not in article.text  # the credit is in the page footer, not the story
            assert "creativecommons.org/licenses/by/2.5" in page.text
        # Newest first, newsroom stories ahead of the opening articles.
        times = [parsedate_to_datetime(e.published) for e in entries]
        assert times == sorted(times, reverse=True)


def test_a_restarted_newsroom_keeps_what_it_released(tmp_path: Path) -> None:
    clock, state = Clock(), tmp_path / "newsroom.json"
    with SampleSite(port=0, fresh=True, newsroom=PACE, newsroom_state=state, clock=clock) as site:
        clock.advance(2 * 60)
        site.resource("/feeds/rss.xml")  # the site notices the releases and writes them down
        newsroom = site.newsroom
        assert newsroom is not None
        before = {p: t for p, t in newsroom.release_at.items() if t <= clock.now}
        started = site.started_at
    assert len(before) >= 5

    clock.advance(3600)  # the demo was stopped for an hour
    with SampleSite(port=0, fresh=True, newsroom=PACE, newsroom_state=state, clock=clock) as site:
        newsroom = site.newsroom
        assert newsroom is not None
        assert site.started_at == started
        assert {p: newsroom.release_at[p] for p in before} == before
        later = [t for p, t in newsroom.release_at.items() if p not in before]
        assert min(later) > clock.now  # the rest continues from now, not all at once


def test_newsroom_is_off_without_a_pace() -> None:
    with SampleSite(port=0, fresh=True) as site:
        assert site.newsroom is None
        assert not any(p.startswith("/news/") for p in site.article_paths)
