"""The state store: survives restarts, publishes again only changed content."""

from datetime import UTC, datetime
from pathlib import Path

from newswire.schemas import RawArticle, article_id, content_hash
from newswire.scraper.dedup import StateStore
from newswire.scraper.fetcher import Validators


def _article(url: str, text: str) -> RawArticle:
    return RawArticle(
        id=article_id(url),
        url=url,
        canonical_url=url,
        source="s",
        title="T",
        text=text,
        fetched_at=datetime.now(UTC),
        content_hash=content_hash(text),
    )


def test_published_articles_survive_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    article = _article("https://news.example/a", "first version")
    with StateStore(path) as store:
        store.discover([article.url], source="s")
        assert store.novelty(article) == "new"
        store.published(article, url=article.url, validators=Validators('"e1"', None))
    with StateStore(path) as store:
        assert store.novelty(article) == "unchanged"
        assert store.novelty(_article(article.url, "second version")) == "changed"
        assert store.novelty(_article("https://mirror.example/a", "first   version")) == "same_text"
        state = store.get(article.url)
        assert state is not None and state.status == "done" and state.validators == Validators('"e1"', None)


def test_unpublished_pages_stay_pending_across_restarts(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    with StateStore(path) as store:
        assert store.discover(["https://news.example/a", "https://news.example/b"], source="s") == 2
        assert store.discover(["https://news.example/a"], source="s") == 0
        store.published(
            _article("https://news.example/a", "text"), url="https://news.example/a", validators=Validators()
        )
    with StateStore(path) as store:
        assert store.pending_count("s") == 1
        due = store.due("s", revisit_after=3600, revisit_window=86400, limit=10)
        assert due == ["https://news.example/b"]
        assert set(store.due("s", revisit_after=0, revisit_window=86400, limit=10)) == {
            "https://news.example/a",
            "https://news.example/b",
        }


def test_transient_failures_are_given_up_after_max_attempts(tmp_path: Path) -> None:
    with StateStore(tmp_path / "s.sqlite3") as store:
        store.discover(["https://news.example/slow"], source="s")
        assert store.failed_attempt("https://news.example/slow", error="timeout", max_attempts=2) == "pending"
        assert store.failed_attempt("https://news.example/slow", error="timeout", max_attempts=2) == "failed"
        assert store.due("s", revisit_after=0, revisit_window=86400, limit=10) == []


def test_a_url_whose_round_failed_waits_before_a_later_poll_takes_it(tmp_path: Path) -> None:
    # A page that times out must not hold up every poll of its source: its next round waits.
    with StateStore(tmp_path / "s.sqlite3") as store:
        store.discover(["https://news.example/slow", "https://news.example/new"], source="s")
        assert store.failed_attempt("https://news.example/slow", error="timeout", max_attempts=5) == "pending"
        due = store.due("s", revisit_after=0, revisit_window=86400, limit=10, retry_round_after=3600)
        assert due == ["https://news.example/new"]
        # With no wait it is due at once, as before.
        assert "https://news.example/slow" in store.due("s", revisit_after=0, revisit_window=86400, limit=10)


def test_listings_remember_validators_and_children(tmp_path: Path) -> None:
    with StateStore(tmp_path / "s.sqlite3") as store:
        assert store.listing("https://news.example/sitemap.xml") is None
        store.remember_listing(
            "https://news.example/sitemap.xml",
            source="s",
            validators=Validators(None, "Wed, 05 Feb 2025 06:20:00 GMT"),
            children=["https://news.example/news.xml"],
        )
        assert store.listing("https://news.example/sitemap.xml") == (
            Validators(None, "Wed, 05 Feb 2025 06:20:00 GMT"),
            ["https://news.example/news.xml"],
        )
        assert store.due("s", revisit_after=0, revisit_window=86400, limit=10) == []
