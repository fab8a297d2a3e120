"""Two API replicas sharing one store, one reading behind the other, and an at-least-once
redelivery of an article between them: every live and resumed client of either replica gets the
article exactly once (the store's first-seen position is the stream's position on both)."""

import asyncio
from pathlib import Path

import httpx
import pytest

from newswire.api import create_app
from tests.api.conftest import api_settings, serving
from tests.api.feed import FakeFeed, article
from tests.api.sse import open_sse

from .outcomes import Outcome, record

pytestmark = pytest.mark.faults


async def test_a_redelivered_article_reaches_each_client_of_each_replica_once(tmp_path: Path) -> None:
    # One data directory: both replicas use the same SQLite database, as replicas share PostgreSQL.
    ahead_app = create_app(api_settings(tmp_path), consume=False)
    behind_app = create_app(api_settings(tmp_path), consume=False)
    ahead, behind = FakeFeed(ahead_app), FakeFeed(behind_app)
    first = article(21)
    copy = first.model_copy(update={"enriched_at": first.enriched_at.replace(microsecond=7)})
    later = article(22)
    seen: dict[str, list[str]] = {}
    async with (
        serving(ahead_app) as ahead_url,
        serving(behind_app) as behind_url,
        httpx.AsyncClient(base_url=ahead_url, timeout=30) as ahead_client,
        httpx.AsyncClient(base_url=behind_url, timeout=30) as behind_client,
    ):
        async with (
            open_sse(ahead_client, "/v1/stream", params={"fields": "id"}) as on_ahead,
            open_sse(behind_client, "/v1/stream", params={"fields": "id"}) as on_behind,
        ):
            # The replica ahead stores the article and its redelivered copy first.
            await ahead.publish(first, partition=0)
            await ahead.publish(copy, partition=0)
            await on_ahead.articles_count(1)
            # The replica behind reads the same two records afterwards, from the shared store's view.
            await behind.publish(first, partition=0)
            await behind.publish(copy, partition=0)
            await ahead.publish(later, partition=0)
            await behind.publish(later, partition=0)
            await on_ahead.articles_count(2)
            await on_behind.articles_count(2, timeout=10)
            await asyncio.sleep(0.5)
            seen["live on the replica ahead"] = [e.json()["id"] for e in on_ahead.articles]
            seen["live on the replica behind"] = [e.json()["id"] for e in on_behind.articles]
            token = on_behind.articles[0].id
        # A client of the replica behind resumes after the first article, across the copy.
        async with open_sse(
            behind_client, "/v1/stream", params={"fields": "id"}, headers={"Last-Event-ID": token or ""}
        ) as resumed:
            await resumed.articles_count(1)
            await asyncio.sleep(0.5)
            seen["resumed on the replica behind"] = [first.id] + [e.json()["id"] for e in resumed.articles]
        params = {"fields": "id", "since": "2000-01-01T00:00:00Z"}
        async with open_sse(ahead_client, "/v1/stream", params=params) as replay:
            await replay.articles_count(2)
            await asyncio.sleep(0.5)
            seen["replay from the store"] = [e.json()["id"] for e in replay.articles]
    copies = {name: ids.count(first.id) for name, ids in seen.items()}
    gaps = {name: later.id not in ids for name, ids in seen.items()}
    passed = all(n == 1 for n in copies.values()) and not any(gaps.values())
    record(
        Outcome(
            case="input.redelivered-article-across-replicas",
            kind="bad input",
            tried="two API replicas on one store, one reading behind the other; an article and its at-least-once "
            "redelivery on news.articles.enriched, then a new article; live, resumed and replaying clients",
            behaviour="copies of the article received: "
            + ", ".join(f"{name} {n}" for name, n in copies.items())
            + ("; the next article reached every client" if not any(gaps.values()) else f"; GAPS: {gaps}"),
            expected=2 * len(seen),
            delivered=sum(len(set(ids)) for ids in seen.values()),
            duplicated=sum(n - 1 for n in copies.values() if n > 1),
            lost=sum(1 for n in copies.values() if n == 0) + sum(gaps.values()),
            passed=passed,
            details={"seen": seen},
        )
    )
    assert passed, seen
