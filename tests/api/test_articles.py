"""The REST suite, run on SQLite and on a real PostgreSQL: /v1/articles, /v1/topics, /v1/entities."""

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from .conftest import Api, api_settings, running_api
from .feed import article, seed_article

PK = ("country:PK", "Pakistan", "COUNTRY")
KZ = ("country:KZ", "Kazakhstan", "COUNTRY")
TOKAYEV = ("person:kassym-jomart-tokayev", "Tokayev", "PERSON")


async def test_newest_first_with_cursor_pages_covering_everything_once(rest_api: Api) -> None:
    await rest_api.feed.publish(*(article(n) for n in range(25)))
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        params = {"limit": 10} | ({"cursor": cursor} if cursor else {})
        body = (await rest_api.client.get("/v1/articles", params=params)).json()
        seen += [item["title"] for item in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert pages == 3
    assert seen == [f"Headline {n}" for n in range(24, -1, -1)]


async def test_pagination_is_stable_while_newer_articles_arrive(rest_api: Api) -> None:
    await rest_api.feed.publish(*(article(n) for n in range(6)))
    first = (await rest_api.client.get("/v1/articles", params={"limit": 3})).json()
    await rest_api.feed.publish(article(100), article(101))
    second = (await rest_api.client.get("/v1/articles", params={"limit": 3, "cursor": first["next_cursor"]})).json()
    assert [i["title"] for i in first["items"]] == ["Headline 5", "Headline 4", "Headline 3"]
    assert [i["title"] for i in second["items"]] == ["Headline 2", "Headline 1", "Headline 0"]


async def test_filters_by_topic_entity_country_and_source(rest_api: Api) -> None:
    await rest_api.feed.publish(
        article(1, topics={"trade": 0.9, "energy": 0.2}, entities=[PK], countries=["PK"], source="dawn"),
        article(2, topics={"energy": 0.8}, entities=[KZ, TOKAYEV], countries=["KZ"], source="tengri"),
        article(3, topics={"trade": 0.6, "diplomacy": 0.7}, entities=[PK, KZ], countries=["PK", "KZ"], source="dawn"),
    )

    async def titles(**params: str) -> list[str]:
        response = await rest_api.client.get("/v1/articles", params=params)
        assert response.status_code == 200, response.text
        return [i["title"] for i in response.json()["items"]]

    assert await titles(topic="trade") == ["Headline 3", "Headline 1"]
    # A score under the "about it" threshold (0.5) does not make an article about the topic.
    assert await titles(topic="energy") == ["Headline 2"]
    assert await titles(entity="country:KZ") == ["Headline 3", "Headline 2"]
    assert await titles(entity="person:kassym-jomart-tokayev") == ["Headline 2"]
    assert await titles(country="pk") == ["Headline 3", "Headline 1"]
    assert await titles(source="tengri") == ["Headline 2"]
    assert await titles(topic="trade", country="KZ", source="dawn") == ["Headline 3"]
    assert await titles(topic="sport") == []


async def test_full_text_search_and_time_range(rest_api: Api, seed_text: str) -> None:
    seed = seed_article(seed_text)
    await rest_api.feed.publish(seed, article(1, text="Wheat harvest in the Punjab was the largest in years."))
    response = await rest_api.client.get("/v1/articles", params={"q": "Tokayev land bridge"})
    assert [i["id"] for i in response.json()["items"]] == [seed.id]
    # Stemmed: "harvests" finds "harvest"; punctuation in the query is not an operator.
    response = await rest_api.client.get("/v1/articles", params={"q": 'harvests "Punjab" -'})
    assert [i["title"] for i in response.json()["items"]] == ["Headline 1"]
    assert (await rest_api.client.get("/v1/articles", params={"q": "Zanzibar"})).json()["items"] == []

    start = datetime(2025, 3, 1, tzinfo=UTC)
    await rest_api.feed.publish(*(article(n) for n in range(10, 14)))
    response = await rest_api.client.get(
        "/v1/articles",
        params={
            "since": (start + timedelta(minutes=11)).isoformat(),
            "until": (start + timedelta(minutes=13)).isoformat(),
        },
    )
    assert [i["title"] for i in response.json()["items"]] == ["Headline 12", "Headline 11"]


async def test_fields_projection(rest_api: Api) -> None:
    await rest_api.feed.publish(article(1, entities=[PK]))
    body = (await rest_api.client.get("/v1/articles", params={"fields": "id,title,entities"})).json()
    assert set(body["items"][0]) == {"id", "title", "entities"}
    assert body["items"][0]["entities"][0]["id"] == "country:PK"

    response = await rest_api.client.get("/v1/articles", params={"fields": "id,colour"})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "unknown_field"


async def test_one_article_and_404(rest_api: Api, seed_text: str) -> None:
    seed = seed_article(seed_text)
    await rest_api.feed.publish(seed)
    response = await rest_api.client.get(f"/v1/articles/{seed.id}")
    assert response.status_code == 200
    body = response.json()
    assert body["title"] == seed.title
    assert {e["id"] for e in body["entities"]} >= {"country:PK", "person:kassym-jomart-tokayev"}
    assert body["published_at"].endswith("Z")

    for unknown in ("0" * 32, "not-an-id"):
        response = await rest_api.client.get(f"/v1/articles/{unknown}")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"


async def test_redelivered_events_do_not_duplicate_and_old_versions_do_not_win(rest_api: Api) -> None:
    first = article(1, title="First version")
    second = first.model_copy(update={"title": "Second version"})
    await rest_api.feed.publish(first, partition=0)
    await rest_api.feed.publish(second, partition=0)
    await rest_api.feed.publish(second, partition=0)
    body = (await rest_api.client.get("/v1/articles")).json()
    assert [i["title"] for i in body["items"]] == ["Second version"]

    # The older version arriving again (another replica behind this one) does not overwrite it.
    state = rest_api.app.state.newswire
    from newswire.api.store import StoredRecord
    from newswire.schemas import encode

    stale = StoredRecord(article=first, body=encode(first), partition=0, offset=0, event_time=datetime.now(UTC))
    await state.store.write([stale], topic="news.articles.enriched")
    assert (await rest_api.client.get(f"/v1/articles/{first.id}")).json()["title"] == "Second version"


async def test_topic_counts_over_a_window(rest_api: Api) -> None:
    now = datetime.now(UTC)
    await rest_api.feed.publish(article(1, topics={"trade": 0.9}), timestamp=now - timedelta(hours=30))
    await rest_api.feed.publish(
        article(2, topics={"trade": 0.8, "energy": 0.6}), article(3, topics={"trade": 0.7, "sport": 0.1}), timestamp=now
    )
    body = (await rest_api.client.get("/v1/topics", params={"window": "24h"})).json()
    counts = {t["id"]: t["count"] for t in body["topics"]}
    assert counts["trade"] == 2
    assert counts["energy"] == 1
    assert counts["sport"] == 0
    assert {"trade", "connectivity", "diplomacy", "sport"} <= set(counts)
    trade = next(t for t in body["topics"] if t["id"] == "trade")
    assert trade["iptc"].startswith("medtop:")

    body = (await rest_api.client.get("/v1/topics", params={"window": "48h", "buckets": 4})).json()
    trade = next(t for t in body["topics"] if t["id"] == "trade")
    assert trade["count"] == 3
    assert sum(trade["series"]) == 3
    assert trade["series"][-1] == 2


async def test_trending_entities_ranked_by_mentions_in_window(rest_api: Api, seed_text: str) -> None:
    now = datetime.now(UTC)
    old = article(1, entities=[("person:someone-old", "Someone", "PERSON")], text="Someone said something.")
    seed = seed_article(seed_text)
    recent = [seed, article(2, entities=[PK], text="Pakistan votes.")]
    await rest_api.feed.publish(old, timestamp=now - timedelta(hours=3))
    await rest_api.feed.publish(*recent, timestamp=now)

    expected: dict[str, list[int]] = {}
    for item in recent:
        for entity in item.entities:
            counts = expected.setdefault(entity.id, [0, 0])
            counts[0] += max(1, len(entity.mentions))
            counts[1] += 1
    top = sorted(expected.items(), key=lambda kv: (-kv[1][0], -kv[1][1], kv[0]))[:3]

    body = (await rest_api.client.get("/v1/entities/trending", params={"window": "1h", "limit": 3})).json()
    assert [(e["id"], e["mentions"], e["articles"]) for e in body["entities"]] == [(i, m, a) for i, (m, a) in top]
    assert next(e for e in body["entities"] if e["id"] == "country:PK")["articles"] == 2
    assert all(e["id"] != "person:someone-old" for e in body["entities"])
    people = (await rest_api.client.get("/v1/entities/trending", params={"type": "PERSON"})).json()["entities"]
    assert {e["type"] for e in people} == {"PERSON"}
    assert people[0]["name"] == "Kassym-Jomart Tokayev"


async def test_bad_parameters_are_json_errors(rest_api: Api) -> None:
    cases = [
        ({"limit": 0}, 422, "validation_error"),
        ({"cursor": "bm9wZQ"}, 400, "invalid_cursor"),
        ({"topic": "astrology"}, 422, "unknown_topic"),
        ({"since": "yesterday"}, 422, "validation_error"),
        ({"q": "!!!"}, 422, "empty_query"),
    ]
    for params, status, code in cases:
        response = await rest_api.client.get("/v1/articles", params=params)
        assert response.status_code == status, (params, response.text)
        assert response.json()["error"]["code"] == code
        assert "Traceback" not in response.text
    response = await rest_api.client.get("/v1/topics", params={"window": "1y"})
    assert response.status_code == 422


async def test_replicas_share_one_postgresql(tmp_path: Path, postgres_url: str) -> None:
    """Two API processes on one database: both migrate at once, both store the same events once."""
    first = running_api(api_settings(tmp_path / "a", database_url=postgres_url))
    second = running_api(api_settings(tmp_path / "b", database_url=postgres_url))
    a, b = await asyncio.gather(first.__aenter__(), second.__aenter__())
    try:
        items = [article(n, topics={"trade": 0.9}) for n in range(5)]
        await asyncio.gather(a.feed.publish(*items, partition=0), b.feed.publish(*items, partition=0))
        newer = items[0].model_copy(update={"title": "Updated"})
        await a.feed.publish(newer, partition=0)
        # Replica b, behind (say, restarted), reads the old version again at its offset: the newer one stays.
        b.feed.offsets[0] = 0
        await b.feed.publish(items[0], partition=0)
        body_a = (await a.client.get("/v1/articles", params={"limit": 50})).json()
        body_b = (await b.client.get("/v1/articles", params={"limit": 50, "topic": "trade"})).json()
    finally:
        await asyncio.gather(first.__aexit__(None, None, None), second.__aexit__(None, None, None))
    assert len(body_a["items"]) == 5
    assert body_a["items"] == body_b["items"]
    assert [i["id"] for i in body_b["items"] if i["title"] == "Updated"] == [items[0].id]
