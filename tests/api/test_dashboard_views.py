"""The dashboard as a news-monitoring user works in it, in a real headless Chromium over a seeded store:
live arrivals, distinct counters, filters from the URL, the article view, the entity page, /docs offline.

Screenshots go to test-artifacts/ (look at them: they are how a reviewer sees the page)."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI

from newswire.api import create_app
from newswire.api.filters import ArticleFilter
from newswire.schemas import EnrichedArticle

from .chromium import ARTIFACTS, CHROMIUM, Page, chromium_page
from .conftest import api_settings, serving
from .feed import FakeFeed, article, seed_article

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no Chromium at {CHROMIUM}")

TOPICS = ["trade", "diplomacy", "energy", "health", "sport", "economy"]
PLACES = [
    ("country:PK", "Pakistan", "COUNTRY", "PK"),
    ("country:KZ", "Kazakhstan", "COUNTRY", "KZ"),
    ("country:KE", "Kenya", "COUNTRY", "KE"),
    ("country:PE", "Peru", "COUNTRY", "PE"),
]
#: Articles in the store before the page opens: more than one page of the list.
SEEDED = 90


def _story(n: int, *, now: datetime) -> EnrichedArticle:
    place = PLACES[n % len(PLACES)]
    other = PLACES[(n + 1) % len(PLACES)]
    text = f"Officials in {place[1]} met a delegation from {other[1]} on story {n}. {place[1]} said talks went well."
    return article(
        n,
        topics={TOPICS[n % len(TOPICS)]: 0.8},
        entities=[place[:3], other[:3]],
        countries=[place[3], other[3]],
        source=("gazette", "wire", "daily")[n % 3],
        title=f"Story {n} from {place[1]}",
        text=text,
        published_at=now - timedelta(minutes=5 * n + 1),
    )


@asynccontextmanager
async def dashboard(tmp_path: Path, seed_text: str) -> AsyncIterator[tuple[str, FakeFeed, EnrichedArticle, FastAPI]]:
    app = create_app(api_settings(tmp_path), consume=False)
    feed = FakeFeed(app)
    now = datetime.now(UTC)
    seed = seed_article(seed_text)
    seed = seed.model_copy(update={"published_at": now - timedelta(seconds=30)})
    async with serving(app) as url:
        await feed.publish(*(_story(n, now=now) for n in range(SEEDED)))
        await feed.publish(seed)
        yield url, feed, seed, app


async def _shown(page: Page) -> list[dict[str, str]]:
    return await page.evaluate(
        "[...document.querySelectorAll('#feed .card')].map(c => ({id: c.dataset.id,"
        " time: c.querySelector('time').getAttribute('datetime')}))"
    )


def _newest_first(cards: list[dict[str, str]]) -> bool:
    times = [datetime.fromisoformat(c["time"]) for c in cards]
    return times == sorted(times, reverse=True)


async def test_live_list_counts_distinct_articles_newest_first_and_pages_older(tmp_path: Path, seed_text: str) -> None:
    async with dashboard(tmp_path, seed_text) as (url, feed, seed, _), chromium_page(url + "/") as page:
        await page.wait_for("document.getElementById('status-text')?.textContent === 'live'")
        first = await _shown(page)
        assert first[0]["id"] == seed.id and _newest_first(first)
        assert 20 <= len(first) < SEEDED + 1
        assert int(await page.evaluate("document.getElementById('stat-count').textContent")) == len(first)

        # A new article appears on top without a reload; the same article again (a replay) is not counted twice.
        fresh = article(1000, topics={"trade": 0.9}, title="Fresh news arrives", published_at=datetime.now(UTC))
        await feed.publish(fresh)
        await page.wait_for(f"document.querySelector('#feed .card').dataset.id === '{fresh.id}'")
        await feed.publish(fresh, seed)
        await page.wait_for("document.getElementById('stat-rate').textContent === '1'", timeout=20)
        shown = await _shown(page)
        assert len({c["id"] for c in shown}) == len(shown) == len(first) + 1
        assert await page.evaluate("document.getElementById('stat-count').textContent") == str(len(shown))
        await page.screenshot(ARTIFACTS / "dashboard-live.png")

        # Older articles by scrolling down (infinite scroll) until the end of the list.
        for _ in range(10):
            if await page.evaluate("!document.getElementById('feed-end').hidden"):
                break
            await page.evaluate("document.getElementById('load-older').scrollIntoView()")
            before = len(shown)
            await page.wait_for(
                f"document.querySelectorAll('#feed .card').length > {before}"
                " || !document.getElementById('feed-end').hidden"
            )
            shown = await _shown(page)
        shown = await _shown(page)
        assert len(shown) == len({c["id"] for c in shown}) == SEEDED + 2
        assert _newest_first(shown)
        assert await page.evaluate("document.getElementById('stat-count').textContent") == str(SEEDED + 2)


async def test_a_shared_url_opens_filtered(tmp_path: Path, seed_text: str) -> None:
    async with dashboard(tmp_path, seed_text) as (url, _, seed, _app):
        async with chromium_page(url + "/?topic=trade&q=Tokayev&chart=7d") as page:
            await page.wait_for("document.getElementById('status-text')?.textContent === 'live'")
            await page.wait_for("document.getElementById('chart-hint')?.textContent.includes('matching')")
            state = await page.evaluate(
                "({topic: document.getElementById('filter-topic').value, q: document.getElementById('filter-q').value,"
                " cards: [...document.querySelectorAll('#feed .card')].map(c => c.dataset.id),"
                " count: document.getElementById('stat-count').textContent,"
                " pressed: document.querySelector('[data-chart][aria-pressed=true]').dataset.chart,"
                " legend: document.getElementById('topic-legend').textContent})"
            )
            await page.screenshot(ARTIFACTS / "dashboard-filtered.png")
        assert state["topic"] == "trade" and state["q"] == "Tokayev" and state["pressed"] == "7d"
        assert state["cards"] == [seed.id] and state["count"] == "1"
        assert "Trade" in state["legend"]  # the side panel counts the filtered articles, not everything

        # A filter picked in the page goes into the URL (so it can be shared), and the list follows it.
        async with chromium_page(url + "/") as page:
            await page.wait_for("document.querySelectorAll('#feed .card').length > 0")
            await page.evaluate(
                "document.getElementById('filter-source').value = 'wire';"
                "document.getElementById('filter-range').value = '24h';"
                "document.getElementById('filters').requestSubmit()"
            )
            await page.wait_for("location.search.includes('source=wire')")
            await page.wait_for(
                "[...document.querySelectorAll('#feed .card .source')].every(s => s.textContent === 'wire')"
            )
            search = await page.evaluate("location.search")
        assert "range=24h" in search


async def test_article_view_marks_every_mention_of_the_seed_entities(tmp_path: Path, seed_text: str) -> None:
    async with (
        dashboard(tmp_path, seed_text) as (url, _, seed, _app),
        chromium_page(f"{url}/#article/{seed.id}") as page,
    ):
        await page.wait_for("document.querySelectorAll('#view-body .mention').length > 0")
        marks = await page.evaluate(
            "[...document.querySelectorAll('#view-body .article-text .mention')]"
            ".map(m => [m.dataset.entity, m.dataset.type, m.textContent])"
        )
        view = await page.evaluate(
            "({text: document.querySelector('#view-body .article-text').textContent,"
            " evidence: document.querySelector('#view-body .evidence').textContent,"
            " source: document.querySelector('#view-body .view-head a.external').href})"
        )
        await page.screenshot(ARTIFACTS / "dashboard-article.png")
        # Esc closes the view and the URL loses its hash.
        await page.evaluate("document.dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape'}))")
        await page.wait_for("document.getElementById('view').hidden && !location.hash")
    expected = sorted((e.id, e.type, m.text) for e in seed.entities for m in e.mentions)
    assert sorted(map(tuple, marks)) == expected
    assert len(marks) >= 15
    assert view["text"] == seed.text  # marked, not changed
    for topic in seed.topics:
        assert all(phrase in view["evidence"] for phrase in topic.evidence)
    assert view["source"] == str(seed.url)


async def test_entity_page_lists_the_articles_of_pakistan(tmp_path: Path, seed_text: str) -> None:
    async with (
        dashboard(tmp_path, seed_text) as (url, _, seed, app),
        chromium_page(f"{url}/#entity/country:PK") as page,
    ):
        await page.wait_for("document.querySelectorAll('#view-body .entity-articles .card').length > 0")
        listed = await page.evaluate(
            "[...document.querySelectorAll('#view-body .entity-articles .card')].map(c => c.dataset.id)"
        )
        view = await page.evaluate(
            "({title: document.getElementById('view-title').textContent,"
            " together: [...document.querySelectorAll('#view-body .co-mentions .chip')].map(c => c.dataset.entity),"
            " bars: document.querySelectorAll('#view-body .mentions-chart rect').length})"
        )
        await page.screenshot(ARTIFACTS / "dashboard-entity.png")
        # From the entity page to one of its articles, by its link.
        await page.evaluate(f"document.querySelector('#view-body .card[data-id=\"{seed.id}\"] a.open').click()")
        await page.wait_for(f"location.hash === '#article/{seed.id}'")
        await page.wait_for("document.querySelectorAll('#view-body .mention').length > 0")
        stored = await app.state.newswire.store.query(
            ArticleFilter(entity="country:PK"), since=None, until=None, limit=200, cursor=None
        )
    expected = [item["id"] for item in stored.items]
    assert view["title"] == "Pakistan"
    assert listed == expected and seed.id in listed
    assert "country:KZ" in view["together"]
    assert view["bars"] >= 1


async def test_docs_render_with_the_network_off(tmp_path: Path) -> None:
    app = create_app(api_settings(tmp_path), consume=False)
    # Every address but loopback (which Chromium never proxies) goes to a dead proxy: no CDN is reachable.
    offline = ("--proxy-server=http://127.0.0.1:9",)
    async with serving(app) as url:
        async with chromium_page(url + "/docs", flags=offline) as page:
            await page.wait_for("document.querySelectorAll('.swagger-ui .opblock').length > 5")
            title = await page.evaluate("document.querySelector('.swagger-ui .info .title').textContent")
            cdn = await page.evaluate(
                "fetch('https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui.css', {mode: 'no-cors'})"
                ".then(() => 'reached', () => 'unreachable')"
            )
            await page.screenshot(ARTIFACTS / "docs-offline.png")
        async with chromium_page(url + "/redoc", flags=offline) as page:
            await page.wait_for("document.querySelectorAll('[data-section-id]').length > 3")
            await page.screenshot(ARTIFACTS / "redoc-offline.png")
    assert "newswire" in title
    assert cdn == "unreachable"


async def _press(page: Page, key: str, *, code: str, vk: int, text: str = "") -> None:
    """A real key press (DevTools input events), as a keyboard user makes it."""
    common = {"key": key, "code": code, "windowsVirtualKeyCode": vk}
    await page.send("Input.dispatchKeyEvent", type="keyDown", text=text, **common)
    await page.send("Input.dispatchKeyEvent", type="keyUp", **common)


async def test_the_dashboard_works_from_the_keyboard(tmp_path: Path, seed_text: str) -> None:
    async with dashboard(tmp_path, seed_text) as (url, _, seed, _app), chromium_page(url + "/") as page:
        await page.wait_for("document.getElementById('status-text')?.textContent === 'live'")
        await _press(page, "/", code="Slash", vk=191, text="/")
        assert await page.evaluate("document.activeElement.id") == "filter-q"
        await page.send("Input.insertText", text="Tokayev")
        await _press(page, "Enter", code="Enter", vk=13, text="\r")  # submits the search
        await page.wait_for("location.search === '?q=Tokayev'")
        await page.wait_for(f"document.querySelector('#feed .card')?.dataset.id === '{seed.id}'")
        await page.evaluate("document.activeElement.blur()")
        await _press(page, "j", code="KeyJ", vk=74, text="j")  # to the first article
        assert await page.evaluate("document.activeElement.closest('.card')?.dataset.id") == seed.id
        await _press(page, "Enter", code="Enter", vk=13, text="\r")  # opens it
        await page.wait_for(f"location.hash === '#article/{seed.id}' && !document.getElementById('view').hidden")
        await page.wait_for("document.querySelectorAll('#view-body .mention').length > 0")
        await _press(page, "Escape", code="Escape", vk=27)
        await page.wait_for("document.getElementById('view').hidden")
        # Back where the reader was, on the same article's link.
        assert await page.evaluate("document.activeElement.closest('.card')?.dataset.id") == seed.id
