"""The dashboard page in a real headless Chromium, fed in process (the Kafka variant is in test_kafka)."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from newswire.api import create_app

from .chromium import ARTIFACTS, CHROMIUM, chromium_page
from .conftest import api_settings, serving
from .feed import FakeFeed, article, seed_article

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no Chromium at {CHROMIUM}")


async def test_dashboard_shows_live_articles_with_entity_chips(tmp_path: Path, seed_text: str) -> None:
    app = create_app(api_settings(tmp_path), consume=False)
    feed = FakeFeed(app)
    async with serving(app) as url:
        await feed.publish(article(1, topics={"energy": 0.8}, entities=[("country:KZ", "Kazakhstan", "COUNTRY")]))
        async with chromium_page(url + "/") as page:
            await page.wait_for("document.querySelectorAll('#feed .card').length >= 1")
            await page.wait_for("document.getElementById('status-text').textContent === 'live'")
            # Published now: the newest article, so it goes on top (the list is ordered by publication time).
            seed = seed_article(seed_text).model_copy(update={"published_at": datetime.now(UTC)})
            await feed.publish(seed)
            card = f"#feed .card[data-id='{seed.id}']"
            await page.wait_for(f'!!document.querySelector("{card}")')
            chips = await page.evaluate(
                f'[...document.querySelectorAll("{card} .chip")].map(c => [c.dataset.type, c.textContent])'
            )
            first = await page.evaluate("document.querySelector('#feed .card').dataset.id")
            await page.screenshot(ARTIFACTS / "dashboard-fed.png")
    assert first == seed.id  # newest on top
    assert ["PERSON", "Kassym-Jomart Tokayev"] in chips
    assert ["COUNTRY", "Pakistan"] in chips
    assert ["CITY", "Islamabad"] in chips
