"""PostgreSQL stops under a running API and comes back: reads answer 503 meanwhile, then the same
pooled engine serves again with no restart of the API."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.faults.postgres import PG_BIN, PostgresCluster

from .conftest import api_settings, running_api
from .feed import article


@pytest.fixture
def cluster() -> Iterator[PostgresCluster]:
    if not (PG_BIN / "initdb").exists():
        pytest.skip(f"PostgreSQL binaries are absent at {PG_BIN} (apt-get install postgresql)")
    with PostgresCluster() as running:
        yield running


async def test_reads_fail_cleanly_while_postgresql_is_down_and_recover(
    tmp_path: Path, cluster: PostgresCluster
) -> None:
    async with running_api(api_settings(tmp_path, database_url=cluster.url)) as api:
        await api.feed.publish(article(1), article(2))
        assert len((await api.client.get("/v1/articles")).json()["items"]) == 2

        cluster.stop()
        response = await api.client.get("/v1/articles")
        assert response.status_code == 503
        assert response.json()["error"]["code"] == "store_unavailable"
        assert "Traceback" not in response.text

        cluster.start()
        response = await api.client.get("/v1/articles")
        assert response.status_code == 200
        assert len(response.json()["items"]) == 2
