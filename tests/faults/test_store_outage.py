"""PostgreSQL stops under the API with articles flowing: /readyz says so, then recovers, and the
store ends up with every article (the API's consumer waits for the store instead of skipping)."""

import asyncio
from collections.abc import Callable

import pytest

from .http_status import seconds_until_status
from .outcomes import Outcome, record
from .pipeline import Pipeline
from .postgres import PostgresCluster
from .scenario import assert_delivered, describe, run_scenario, scale

pytestmark = [pytest.mark.integration, pytest.mark.faults, pytest.mark.timeout(900)]


async def test_postgres_outage_under_the_api(
    make_pipeline: Callable[..., Pipeline], kafka_broker, postgres: PostgresCluster
) -> None:
    pipeline = make_pipeline(bootstrap_servers=kafka_broker.bootstrap_servers, database_url=postgres.url)
    size = scale()
    readiness: list[dict[str, float | None]] = []

    async def stop_postgres(p: Pipeline) -> list[str]:
        notes = []
        readyz = p.api_url + "/readyz"
        for attempt in range(size.repetitions):
            await asyncio.to_thread(postgres.stop)
            not_ready = await seconds_until_status(readyz, 503, timeout=60)
            await asyncio.sleep(8)
            await asyncio.to_thread(postgres.start)
            ready = await seconds_until_status(readyz, 200, timeout=120)
            readiness.append({"503_after_s": not_ready, "200_again_after_s": ready})
            notes.append(
                f"PostgreSQL stopped #{attempt + 1}: /readyz 503 after {not_ready} s, "
                f"200 again {ready} s after the restart"
            )
            p.check_alive()
        return notes

    result = await run_scenario(pipeline, stop_postgres)
    behaviour = describe(result)
    went_down = all(r["503_after_s"] is not None for r in readiness)
    came_back = all(r["200_again_after_s"] is not None for r in readiness)
    record(
        Outcome(
            case="fault.postgres-stop",
            kind="fault",
            tried=f"stop PostgreSQL under the API for 8 s with articles flowing, start it; x{size.repetitions}",
            behaviour=f"/readyz 503 while down ({'yes' if went_down else 'NO'}), 200 after "
            f"({'yes' if came_back else 'NO'}); {behaviour}",
            expected=result.delivery.expected,
            delivered=result.delivery.expected - len(result.delivery.lost),
            lost=len(result.delivery.lost),
            duplicated=result.delivery.enriched_duplicates,
            passed=went_down and came_back and not result.delivery.violations,
            details=result.delivery.summary() | {"readiness": readiness, "fault": result.fault_notes},
        )
    )
    assert went_down, f"/readyz never answered 503 while PostgreSQL was down: {readiness}"
    assert came_back, f"/readyz did not recover after PostgreSQL came back: {readiness}\n{pipeline.log_tail('api')}"
    assert_delivered(result, pipeline)
