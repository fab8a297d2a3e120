"""The whole pipeline on the sample site's live newsroom, watched in headless Chromium: stories the
newsroom releases after the page opened appear in it without a reload, newest first, and the counters
keep counting distinct articles. Needs a broker (integration) and Chromium."""

from datetime import datetime
from pathlib import Path

import pytest

from newswire.settings import CommonSettings
from tests.faults.pipeline import Pipeline

from .chromium import ARTIFACTS, CHROMIUM, chromium_page

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no Chromium at {CHROMIUM}"),
]

#: Stories that must arrive, one after another, in the open page.
ROUNDS = 4

CARDS = (
    "[...document.querySelectorAll('#feed .card')].map(c => ({id: c.dataset.id,"
    " time: c.querySelector('time').getAttribute('datetime'), url: c.querySelector('a.external')?.href || ''}))"
)


async def test_newsroom_stories_appear_in_the_open_dashboard(kafka_settings: CommonSettings, tmp_path: Path) -> None:
    pipeline = Pipeline(
        bootstrap_servers=kafka_settings.kafka_bootstrap_servers,
        kafka_idempotence=kafka_settings.kafka_idempotence,
        topic_prefix=kafka_settings.topic_prefix,
        workdir=tmp_path / "pipeline",
        poll_interval=2.0,
        newsroom_pace=4.0,
    )
    async with pipeline:
        await pipeline.start()
        async with chromium_page(pipeline.api_url + "/") as page:
            await page.wait_for("document.getElementById('status-text')?.textContent === 'live'", timeout=120)
            await page.wait_for("document.querySelectorAll('#feed .card').length >= 10", timeout=300)
            seen = {c["id"] for c in await page.evaluate(CARDS)}
            for _ in range(ROUNDS):
                # A story the newsroom released after the page opened shows up without a reload.
                await page.wait_for(
                    f"{CARDS}.some(c => c.url.includes('/news/') && !{sorted(seen)!r}.includes(c.id))", timeout=300
                )
                pipeline.check_alive()
                # Cards and counter read in one evaluation: a story arriving between two reads would
                # otherwise make a correct page look inconsistent.
                shown = await page.evaluate(
                    f"({{cards: {CARDS}, count: document.getElementById('stat-count').textContent}})"
                )
                cards = shown["cards"]
                ids = [c["id"] for c in cards]
                assert len(ids) == len(set(ids))
                assert shown["count"] == str(len(ids))
                times = [datetime.fromisoformat(c["time"]) for c in cards]
                assert times == sorted(times, reverse=True)
                seen |= set(ids)
            await page.screenshot(ARTIFACTS / "dashboard-newsroom.png")
    newsroom = [c for c in cards if "/news/" in c["url"]]
    assert len(newsroom) >= ROUNDS
