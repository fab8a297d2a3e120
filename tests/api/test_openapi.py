"""schemathesis against the API's OpenAPI schema: generated requests never get a server error."""

import asyncio
import tempfile
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import schemathesis
import uvicorn
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from newswire.api import create_app
from newswire.api.store import Store, StoredRecord
from newswire.ports import free_port
from newswire.schemas import encode

from .conftest import api_settings
from .feed import article


def _seed(data_dir: Path) -> None:
    async def write() -> None:
        store = Store.open(database_url=None, data_dir=data_dir)
        await store.start()
        records = [
            StoredRecord(article=a, body=encode(a), partition=n % 3, offset=n, event_time=datetime.now(UTC))
            for n, a in enumerate(
                article(n, topics={"trade": 0.8}, entities=[("country:PK", "Pakistan", "COUNTRY")], countries=["PK"])
                for n in range(30)
            )
        ]
        await store.write(records, topic="news.articles.enriched")
        store.close()

    asyncio.run(write())


async def _reachable() -> bool:
    return True


@pytest.fixture(scope="module")
def api_base() -> Iterator[str]:
    """The API behind uvicorn in a thread of its own, with some articles stored; its base URL."""
    with tempfile.TemporaryDirectory() as tmp:
        settings_ = api_settings(Path(tmp))
        _seed(settings_.data_dir)
        port = free_port()
        app = create_app(settings_, consume=False)
        # No Kafka here: /readyz would rightly answer 503, which this test would count as a server error.
        app.state.newswire.consumer.reachable = _reachable
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            if not thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            threading.Event().wait(0.02)
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            server.should_exit = True
            thread.join(timeout=10)


# The schema as the app publishes it at /openapi.json (building it needs no running app).
schema = schemathesis.openapi.from_dict(create_app(api_settings(Path(tempfile.gettempdir())), consume=False).openapi())


# The stream never ends by design; its parameters are the same dependencies as /v1/articles'.
@schema.exclude(path="/v1/stream").parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors(case: schemathesis.Case, api_base: str) -> None:
    case.call_and_validate(base_url=api_base, checks=[not_a_server_error])
