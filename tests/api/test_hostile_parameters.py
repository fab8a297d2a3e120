"""Times outside the representable range, cursors beyond 64 bits, and key guessing: 4xx with a
clear code, never a 5xx, and failed key checks limited per client address."""

import base64
from pathlib import Path

import pytest

from newswire.api.filters import ArticleFilter, Projection
from newswire.api.hub import StreamHub
from newswire.api.metrics import Metrics

from .conftest import Api, api_settings, running_api


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-05:00"])
@pytest.mark.parametrize(
    ("path", "name"), [("/v1/articles", "since"), ("/v1/articles", "until"), ("/v1/stream", "since")]
)
async def test_times_beyond_years_1_to_9999_in_utc_are_400(api: Api, path: str, name: str, value: str) -> None:
    response = await api.client.get(path, params={name: value})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "datetime_out_of_range"


async def test_extreme_but_representable_times_are_fine(api: Api) -> None:
    params = {"since": "0001-01-01T00:00:00Z", "until": "9999-12-31T00:00:00Z"}
    response = await api.client.get("/v1/articles", params=params)
    assert response.status_code == 200


async def test_a_cursor_with_a_huge_integer_is_an_invalid_cursor(api: Api) -> None:
    cursor = base64.urlsafe_b64encode(f"{10**25}:{'b' * 32}".encode()).decode().rstrip("=")
    response = await api.client.get("/v1/articles", params={"cursor": cursor})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_cursor"


async def test_failed_key_checks_are_limited_per_address(tmp_path: Path) -> None:
    settings = api_settings(tmp_path, api_keys=["k-good"], api_auth_failure_rate=0.01, api_auth_failure_burst=3)
    async with running_api(settings) as api:
        statuses = [
            (await api.client.get("/v1/topics", headers={"X-API-Key": f"bad-{n}"})).status_code for n in range(5)
        ]
        assert statuses == [401, 401, 401, 429, 429]
        blocked = await api.client.get("/v1/topics", headers={"X-API-Key": "k-good"})
        assert blocked.status_code == 429
        assert blocked.json()["error"]["code"] == "too_many_auth_failures"
        assert int(blocked.headers["Retry-After"]) >= 1
        # A request without any key is not a guess: it does not use up the budget.
        async with running_api(api_settings(tmp_path / "b", api_keys=["k-good"], api_auth_failure_burst=1)) as other:
            assert [(await other.client.get("/v1/topics")).status_code for _ in range(3)] == [401, 401, 401]
            assert (await other.client.get("/v1/topics", headers={"X-API-Key": "k-good"})).status_code == 200


def test_a_cut_off_client_holds_its_slot_until_its_socket_is_gone() -> None:
    hub = StreamHub(Metrics(), queue_size=1, slow_client_grace=60)
    client, _ = hub.register(
        transport="sse", owner="ip:x", article_filter=ArticleFilter(), projection=Projection(), floor={}
    )
    callbacks: list = []  # type: ignore[type-arg]
    client.attach_socket(abort=lambda: True, when_gone=lambda cb: callbacks.append(cb) or True)
    client.state = "slow"
    hub.unregister(client)
    assert hub.clients == 0
    assert hub.streams_of("ip:x") == 1  # forgotten by the hub, still counted against the cap
    assert hub.metrics.stream_sockets_closing.labels("sse")._value.get() == 1
    callbacks[0]()  # the socket is gone
    assert hub.streams_of("ip:x") == 0
    assert hub.metrics.stream_sockets_closing.labels("sse")._value.get() == 0
