"""API keys, rate limits, CORS, health and metrics endpoints, and errors that never leak internals."""

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from .conftest import Api, api_settings, running_api
from .feed import article


@pytest.fixture
async def keyed(tmp_path: Path) -> AsyncIterator[Api]:
    # A token every 20 s: a stalled machine cannot refill the burst between the test's requests.
    settings = api_settings(tmp_path, api_keys=["k-alpha", "k-beta"], api_rate_limit=0.05, api_rate_burst=3)
    async with running_api(settings) as running:
        yield running


async def test_api_keys_guard_v1_only(keyed: Api) -> None:
    client = keyed.client
    response = await client.get("/v1/articles")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"
    response = await client.get("/v1/articles", headers={"Authorization": "Bearer wrong"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_api_key"
    assert (await client.get("/v1/articles", headers={"Authorization": "Bearer k-alpha"})).status_code == 200
    assert (await client.get("/v1/topics", headers={"X-API-Key": "k-beta"})).status_code == 200
    for open_path in ("/healthz", "/metrics", "/"):
        assert (await client.get(open_path)).status_code == 200, open_path
    assert (await client.get("/v1/stream")).status_code == 401


async def test_rate_limit_per_key_answers_429_with_retry_after(keyed: Api) -> None:
    alpha = {"X-API-Key": "k-alpha"}
    statuses = [(await keyed.client.get("/v1/topics", headers=alpha)).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = await keyed.client.get("/v1/topics", headers=alpha)
    assert limited.status_code == 429
    assert limited.json()["error"]["code"] == "rate_limited"
    assert int(limited.headers["Retry-After"]) >= 1
    # Another key has its own budget.
    assert (await keyed.client.get("/v1/topics", headers={"X-API-Key": "k-beta"})).status_code == 200


async def test_health_readiness_and_metrics(api: Api) -> None:
    assert (await api.client.get("/healthz")).json() == {"status": "ok"}
    # This app has no Kafka consumer (tests feed it directly), so it is not ready.
    ready = await api.client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["kafka"] is False
    assert ready.json()["store"] is True
    assert ready.json()["error"]["code"] == "not_ready"

    await api.feed.publish(article(1))
    await api.client.get("/v1/articles")
    await api.client.get("/v1/articles/" + "f" * 32)
    text = (await api.client.get("/metrics")).text
    assert 'newswire_http_requests_total{method="GET",route="/v1/articles",status="200"} 1.0' in text
    assert 'newswire_http_requests_total{method="GET",route="/v1/articles/{article_id}",status="404"} 1.0' in text
    assert "newswire_http_request_seconds_bucket" in text
    assert 'newswire_stream_clients{transport="sse"} 0.0' in text
    assert "newswire_store_write_lag_seconds" in text
    assert "newswire_api_articles_consumed_total 1.0" in text


async def test_invalid_records_are_skipped_and_counted(api: Api) -> None:
    await api.feed.publish_raw(b"{not json")
    await api.feed.publish_raw(b'{"id": "short"}')
    await api.feed.publish(article(1))
    assert [i["title"] for i in (await api.client.get("/v1/articles")).json()["items"]] == ["Headline 1"]
    assert "newswire_api_articles_invalid_total 2.0" in (await api.client.get("/metrics")).text


async def test_cors_when_configured(tmp_path: Path) -> None:
    async with running_api(api_settings(tmp_path, api_cors_origins=["https://news.example"])) as running:
        response = await running.client.get("/v1/topics", headers={"Origin": "https://news.example"})
        assert response.headers["access-control-allow-origin"] == "https://news.example"
        other = await running.client.get("/v1/topics", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers


async def test_unexpected_failures_are_json_without_internals(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    state = api.app.state.newswire

    def broken_query(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("secret internal detail")

    monkeypatch.setattr(state.store, "_query", broken_query)
    response = await api.client.get("/v1/articles")
    assert response.status_code == 503
    assert response.json() == {"error": {"code": "store_unavailable", "message": "the article store is unavailable"}}

    async def crash(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("secret internal detail")

    monkeypatch.setattr(state.store, "trending", crash)
    transport = httpx.ASGITransport(app=api.app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as client:
        response = await client.get("/v1/entities/trending")
    assert response.status_code == 500
    assert response.json() == {"error": {"code": "internal_error", "message": "internal server error"}}
    assert "secret" not in response.text

    response = await api.client.get("/no/such/page")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


async def test_docs_static_files_and_schema_are_counted_by_route_name(api: Api) -> None:
    for path in ("/docs", "/redoc", "/openapi.json", "/static/app.js", "/docs/static/swagger-ui.css", "/no-such-page"):
        await api.client.get(path)
    docs = (await api.client.get("/docs")).text
    assert "/docs/static/swagger-ui-bundle.js" in docs and "cdn." not in docs  # served here, not from a CDN
    assert (await api.client.get("/docs/static/swagger-ui-bundle.js")).status_code == 200
    assert "cdn." not in (await api.client.get("/redoc")).text
    text = (await api.client.get("/metrics")).text
    for route in ("/docs", "/redoc", "/openapi.json", "/static/{path}", "/docs/static/{path}"):
        assert f'newswire_http_requests_total{{method="GET",route="{route}",status="200"}}' in text, route
    # Only a path that no route serves stays unnamed (a bounded label either way).
    assert 'route="unmatched",status="404"} 1.0' in text
