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


async def test_dashboard_logs_in_without_the_key_in_any_url(tmp_path: Path) -> None:
    key = "dash-key-0123456789"
    app = create_app(api_settings(tmp_path, api_keys=[key]), consume=False)
    feed = FakeFeed(app)
    urls: list[str] = []

    async def recording(scope, receive, send):  # type: ignore[no-untyped-def]
        if scope["type"] in ("http", "websocket"):
            urls.append(scope["path"] + "?" + scope.get("query_string", b"").decode("latin-1"))
        await app(scope, receive, send)

    recording.state = app.state  # type: ignore[attr-defined]  # serving() reaches the hub through it
    async with serving(app, asgi=recording) as url:
        await feed.publish(article(1))
        async with chromium_page(url + "/") as page:
            # Refused without a key: the page asks for one.
            await page.wait_for("(document.getElementById('api-key-box') || {hidden: true}).hidden === false")
            failed = await page.evaluate(
                "(() => { try { document.getElementById('api-key').value = " + repr(key) + ";"
                " document.getElementById('filters').requestSubmit(); return ''; } catch (e) { return String(e); } })()"
            )
            assert failed == ""
            await page.wait_for("document.getElementById('status-text').textContent === 'live'")
            await page.wait_for("document.querySelectorAll('#feed .card').length >= 1")
            readable_cookie = await page.evaluate("document.cookie")
            stored_key = await page.evaluate("JSON.stringify(Object.assign({}, localStorage))")
    assert any(u.startswith("/v1/stream") for u in urls)
    assert not [u for u in urls if key in u]
    assert "newswire_session" not in readable_cookie  # HttpOnly: page scripts cannot read it
    assert key not in stored_key
