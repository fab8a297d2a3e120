"""Fixtures of the fault suite: pipelines that are torn down after each test, a live site."""

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bench.live_site import LiveSite

from .pipeline import Pipeline
from .postgres import PG_BIN, PostgresCluster


@pytest.fixture
def live_site() -> Iterator[LiveSite]:
    with LiveSite() as site:
        yield site


@pytest.fixture
async def make_pipeline(
    tmp_path: Path, topic_prefix: str, live_site: LiveSite
) -> AsyncIterator[Callable[..., Pipeline]]:
    """`make_pipeline(bootstrap_servers=..., **options)`: a Pipeline over the live site, closed at the end."""
    made: list[Pipeline] = []

    def make(*, bootstrap_servers: str, kafka_idempotence: bool = True, **options: Any) -> Pipeline:
        pipeline = Pipeline(
            bootstrap_servers=bootstrap_servers,
            topic_prefix=topic_prefix,
            workdir=tmp_path / f"pipeline-{len(made)}",
            kafka_idempotence=kafka_idempotence,
            live_site=live_site,
            **options,
        )
        made.append(pipeline)
        return pipeline

    yield make
    for pipeline in made:
        await pipeline.close()


@pytest.fixture
def postgres() -> Iterator[PostgresCluster]:
    """A PostgreSQL cluster of its own for one case (skipped where Debian's binaries are absent)."""
    if not (PG_BIN / "initdb").exists():
        pytest.skip(f"PostgreSQL binaries are absent at {PG_BIN} (apt-get install postgresql)")
    with PostgresCluster() as cluster:
        yield cluster
