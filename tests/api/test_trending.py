"""Trending entities: the rise of an entity's mentions against the window before (or a longer
baseline), on SQLite and PostgreSQL."""

from datetime import UTC, datetime, timedelta

from .conftest import Api
from .feed import article

RISER = ("person:amina-riser", "Amina Riser", "PERSON")
STEADY = ("org:steady-council", "Steady Council", "ORG")
FADER = ("country:FD", "Fadeland", "COUNTRY")


def _mention(entity: tuple[str, str, str], times: int) -> str:
    return " ".join(f"{entity[1]} spoke." for _ in range(times))


async def _publish(api: Api, n: int, at: datetime, *counts: tuple[tuple[str, str, str], int]) -> None:
    """One article at Kafka time `at` naming each entity the given number of times."""
    text = " ".join(_mention(entity, times) for entity, times in counts)
    item = article(n, entities=[entity for entity, _ in counts], text=text)
    # The feed's builder records each entity's first mention; the store counts them all.
    times = [n for _, n in counts]
    entities = [e.model_copy(update={"mentions": e.mentions * n}) for e, n in zip(item.entities, times, strict=True)]
    await api.feed.publish(item.model_copy(update={"entities": entities}), timestamp=at)


async def test_the_riser_ranks_above_a_bigger_flat_entity(rest_api: Api) -> None:
    now = datetime.now(UTC)
    before, during = now - timedelta(minutes=90), now - timedelta(minutes=20)
    # The window before: the steady one is named 10 times, the riser once, the fader 8 times.
    await _publish(rest_api, 1, before, (STEADY, 6), (RISER, 1), (FADER, 8))
    await _publish(rest_api, 2, before, (STEADY, 4))
    # This window: the steady one again 10 times (more than the riser), the riser 6, the fader 1.
    await _publish(rest_api, 3, during, (STEADY, 5), (RISER, 3), (FADER, 1))
    await _publish(rest_api, 4, during, (STEADY, 5), (RISER, 3))

    response = await rest_api.client.get("/v1/entities/trending", params={"window": "1h"})
    assert response.status_code == 200, response.text
    body = response.json()
    ranked = {e["id"]: e for e in body["entities"]}
    assert body["entities"][0]["id"] == RISER[0]
    riser, steady, fader = ranked[RISER[0]], ranked[STEADY[0]], ranked[FADER[0]]
    assert (riser["mentions"], riser["baseline_mentions"]) == (6, 1)
    assert (riser["articles"], riser["baseline_articles"]) == (2, 1)
    assert (steady["mentions"], steady["baseline_mentions"]) == (10, 10)
    assert steady["score"] == 0
    assert riser["score"] > steady["score"] > fader["score"]
    assert [e["id"] for e in body["entities"]] == [RISER[0], STEADY[0], FADER[0]]
    assert body["baseline"] == "1h"

    # `type=` keeps one type only, ranked the same way.
    orgs = (await rest_api.client.get("/v1/entities/trending", params={"type": "ORG"})).json()["entities"]
    assert [e["id"] for e in orgs] == [STEADY[0]]


async def test_a_longer_baseline_is_scaled_to_the_window(rest_api: Api) -> None:
    now = datetime.now(UTC)
    # 12 mentions spread over the 12 hours before the last hour: one an hour, the expected rate.
    for hour in range(12):
        await _publish(rest_api, 10 + hour, now - timedelta(hours=hour + 1, minutes=30), (STEADY, 1))
    await _publish(rest_api, 30, now - timedelta(minutes=10), (STEADY, 1), (RISER, 3))

    body = (await rest_api.client.get("/v1/entities/trending", params={"window": "1h", "baseline": "12h"})).json()
    ranked = {e["id"]: e for e in body["entities"]}
    assert body["baseline"] == "12h"
    assert ranked[STEADY[0]]["baseline_mentions"] == 12
    assert ranked[STEADY[0]]["score"] == 0
    assert body["entities"][0]["id"] == RISER[0]

    # Against only the hour before, the same entity looks flat too (one mention there).
    short = (await rest_api.client.get("/v1/entities/trending", params={"window": "1h"})).json()
    assert {e["id"]: e["baseline_mentions"] for e in short["entities"]}[STEADY[0]] == 1


async def test_a_baseline_shorter_than_the_window_is_refused(rest_api: Api) -> None:
    response = await rest_api.client.get("/v1/entities/trending", params={"window": "24h", "baseline": "1h"})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "baseline_too_short"
