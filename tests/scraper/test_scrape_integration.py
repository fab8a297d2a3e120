"""The scraper against a real broker and the bundled sample site (acceptance of issue 3)."""

import asyncio
import logging
from pathlib import Path

import pytest
from prometheus_client import REGISTRY

from newswire.kafka import ensure_topics
from newswire.schemas import article_id
from newswire.scraper.sample_site import HOSTILE_PATHS, SEED_PATH, SampleSite, sources_for
from newswire.scraper.service import Scraper
from newswire.settings import CommonSettings

from .conftest import scraper_settings
from .kafka_reading import key_counts, read_raw

pytestmark = pytest.mark.integration


def _metric(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def _expected_ids(site: SampleSite) -> set[str]:
    return {article_id(url) for url in site.article_urls}


@pytest.mark.smoke
async def test_one_scrape_publishes_every_article_page(
    sample_site: SampleSite, kafka_settings: CommonSettings, tmp_path: Path
) -> None:
    await ensure_topics(kafka_settings)
    settings = scraper_settings(tmp_path / "state", kafka_settings)
    await Scraper(settings, sources_for(sample_site.base_url)).run(once=True)

    records = await read_raw(kafka_settings)
    counts = key_counts(records)
    assert set(counts) == _expected_ids(sample_site)
    assert all(n == 1 for n in counts.values())
    seed = next(article for key, article, _ in records if article.canonical_url == sample_site.url(SEED_PATH))
    assert "Read More" not in seed.text
    assert seed.title == "PM Shehbaz Sharif Receives Kazakhstan President Tokayev in Islamabad"
    assert seed.published_at is not None
    _, _, headers = records[0]
    assert headers["content-type"] == b"application/json"
    assert headers["schema"] == b"RawArticle/2"


async def test_two_rounds_publish_each_article_exactly_once_and_politely(
    sample_site: SampleSite, kafka_settings: CommonSettings, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    await ensure_topics(kafka_settings)
    sources = sources_for(sample_site.base_url)
    source = sources.sources[0].id
    before = {
        outcome: _metric("newswire_scraper_fetches_total", source=source, outcome=outcome)
        for outcome in ("too_large", "timeout", "redirect_loop", "bad_content_type", "robots_disallowed")
    }
    skipped_before = _metric("newswire_scraper_pages_skipped_total", source=source, reason="too_short")
    caplog.set_level(logging.INFO, logger="newswire.scraper")

    for _ in range(2):
        settings = scraper_settings(tmp_path / "state", kafka_settings)
        await Scraper(settings, sources_for(sample_site.base_url)).run(once=True)

    records = await read_raw(kafka_settings)
    counts = key_counts(records)
    assert set(counts) == _expected_ids(sample_site)
    assert sorted(counts.values()) == [1] * len(counts), "an article was published more than once"

    # The second round asked conditionally and the site answered 304 for every article page.
    for path in sample_site.article_paths:
        statuses = [r.status for r in sample_site.requests_for(path)]
        assert statuses[0] == 200 and statuses[-1] == 304, (path, statuses)
        assert sample_site.requests_for(path)[-1].conditional
    assert all("newswire" in (r.user_agent or "") for r in sample_site.requests)

    assert sample_site.requests_for("/private/disallowed.html") == []
    # Each hostile page: a metric with its reason, and a log line naming it.
    for outcome in before:
        assert _metric("newswire_scraper_fetches_total", source=source, outcome=outcome) > before[outcome], outcome
    assert _metric("newswire_scraper_pages_skipped_total", source=source, reason="too_short") > skipped_before
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for text in ("too_large", "timeout", "redirect_loop", "robots_disallowed", "not an article"):
        assert text in logged, text
    assert set(HOSTILE_PATHS) <= {r.path for r in sample_site.requests} | {"/private/disallowed.html"}


async def test_a_revised_article_is_published_again(
    sample_site: SampleSite, kafka_settings: CommonSettings, tmp_path: Path
) -> None:
    await ensure_topics(kafka_settings)
    settings = scraper_settings(tmp_path / "state", kafka_settings)
    await Scraper(settings, sources_for(sample_site.base_url)).run(once=True)
    sample_site.revise(SEED_PATH, "Update: the two leaders signed eleven agreements on Wednesday afternoon.")
    await Scraper(scraper_settings(tmp_path / "state", kafka_settings), sources_for(sample_site.base_url)).run(
        once=True
    )

    records = await read_raw(kafka_settings)
    seed_id = article_id(sample_site.url(SEED_PATH))
    versions = [article for key, article, _ in records if key == seed_id]
    assert len(versions) == 2
    assert "eleven agreements" in versions[1].text and "eleven agreements" not in versions[0].text
    others = key_counts(records)
    del others[seed_id]
    assert set(others.values()) == {1}


async def test_broker_outage_loses_nothing_and_duplicates_nothing(
    broker_factory,
    sample_site: SampleSite,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    broker = broker_factory()
    common = CommonSettings(
        kafka_bootstrap_servers=broker.bootstrap_servers,
        topic_prefix="outage.news.",
        topic_partitions=3,
        kafka_idempotence=broker.engine == "kafka",
    )
    await ensure_topics(common)
    # A polite delay keeps the crawl running long enough for the outage to fall in the middle of it.
    settings = scraper_settings(tmp_path / "state", common)
    sources = sources_for(sample_site.base_url).model_copy()
    source = sources.sources[0].model_copy(update={"request_delay": 0.3, "concurrency": 1})
    sources = sources.model_copy(update={"sources": [source]})
    scraper = Scraper(settings, sources)
    crawl = asyncio.create_task(scraper.run(once=True))

    published = lambda: _metric("newswire_articles_published_total", source=source.id)  # noqa: E731
    start = published()
    while published() < start + 3:
        await asyncio.sleep(0.1)
    await asyncio.to_thread(broker.stop)
    assert not crawl.done(), "the crawl finished before the outage; the test would prove nothing"
    await asyncio.sleep(3)
    await asyncio.to_thread(broker.start, timeout=180)
    await asyncio.wait_for(crawl, timeout=300)
    # The run that lived through the outage delivered everything itself, once.
    counts = key_counts(await read_raw(common))
    assert set(counts) == _expected_ids(sample_site)
    assert set(counts.values()) == {1}

    # And its record of what was acknowledged is right: a restart publishes nothing again.
    await Scraper(scraper_settings(tmp_path / "state", common), sources).run(once=True)
    assert key_counts(await read_raw(common)) == counts
