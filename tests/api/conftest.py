"""Fixtures of the API tests: an in-process app over SQLite or a real PostgreSQL, a fake feed,
and a real uvicorn server on loopback for the streaming tests."""

import asyncio
import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from newswire.api import Settings, create_app
from newswire.api.server import server_config
from newswire.ports import free_port

from .feed import FakeFeed

PG_BIN = Path(os.environ.get("NEWSWIRE_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A throwaway PostgreSQL cluster on a free loopback port; yields the admin URL."""
    if not (PG_BIN / "initdb").exists():
        pytest.skip(
            f"PostgreSQL binaries are absent at {PG_BIN} (apt-get install postgresql): "
            "THE POSTGRESQL VARIANT OF THE REST SUITE DID NOT RUN"
        )
    base = Path(tempfile.mkdtemp(prefix="newswire-pg-"))
    data = base / "data"
    as_postgres: list[str] = []
    if os.geteuid() == 0:
        # initdb refuses to run as root: the cluster belongs to the `postgres` system user.
        shutil.chown(base, "postgres", "postgres")
        base.chmod(0o700)
        as_postgres = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    subprocess.run(
        [
            *as_postgres,
            str(PG_BIN / "initdb"),
            "-D",
            str(data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--no-sync",
        ],
        check=True,
        capture_output=True,
    )
    # Durability off: a test cluster is thrown away, and fsyncs would dominate the suite's time.
    options = (
        f"-p {port} -k {base} -c listen_addresses=127.0.0.1"
        " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    )
    subprocess.run(
        [
            *as_postgres,
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(data),
            "-o",
            options,
            "-l",
            str(base / "log"),
            "-w",
            "-t",
            "60",
            "start",
        ],
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*as_postgres, str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
            capture_output=True,
        )
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """A fresh database of this test's own on the session's cluster."""
    import psycopg

    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_server, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    yield postgres_server.rsplit("/", 1)[0] + f"/{name}"
    with psycopg.connect(postgres_server, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> str | None:
    if request.param == "sqlite":
        return None
    return request.getfixturevalue("postgres_url")


def api_settings(tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "data_dir": tmp_path / "data",
        "kafka_bootstrap_servers": "127.0.0.1:9",
        "api_rate_limit": 0,
        "api_max_streams_per_client": 0,
    }
    values.update(overrides)
    return Settings(**values)


@dataclass
class Api:
    app: FastAPI
    client: httpx.AsyncClient
    feed: FakeFeed


@asynccontextmanager
async def running_api(settings: Settings, *, consume: bool = False) -> AsyncIterator[Api]:
    """The app with its lifespan entered and an in-process HTTP client."""
    app = create_app(settings, consume=consume)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as client:
            yield Api(app=app, client=client, feed=FakeFeed(app))


@asynccontextmanager
async def serving(app: FastAPI, *, asgi: Any = None) -> AsyncIterator[str]:
    """The app behind a real uvicorn on a free loopback port (streams need a real server), configured
    as `newswire api` configures it; yields its base URL. The app's lifespan runs inside uvicorn.
    `asgi` serves a wrapper of the app instead (e.g. one that records requests)."""
    port = free_port()
    config = server_config(app, host="127.0.0.1", port=port, asgi=asgi)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
            raise RuntimeError("uvicorn stopped before it started")
        await asyncio.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        app.state.newswire.hub.shutdown()
        server.should_exit = True
        await task


@pytest.fixture
async def api(tmp_path: Path) -> AsyncIterator[Api]:
    """The API over SQLite, fed by a FakeFeed."""
    async with running_api(api_settings(tmp_path)) as running:
        yield running


@pytest.fixture
async def rest_api(tmp_path: Path, database_url: str | None) -> AsyncIterator[Api]:
    """The API over each store backend in turn (SQLite, PostgreSQL)."""
    async with running_api(api_settings(tmp_path, database_url=database_url)) as running:
        yield running
