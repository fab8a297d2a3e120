"""Crashes and restarts with articles flowing, on a real Apache Kafka: nothing lost, nothing twice
where it must not be (see outcomes.check_delivery for the invariant).

Each case runs the whole pipeline as processes (sample site, live site, scraper, enricher, API)
with SSE clients connected from the start, breaks one part mid-flow, and checks where every
article of both sites ended up.
"""

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from newswire.broker import BrokerProcess

from .outcomes import Outcome, record
from .pipeline import Pipeline, ServiceName
from .scenario import ScenarioResult, assert_delivered, describe, run_scenario, scale

pytestmark = [pytest.mark.integration, pytest.mark.faults, pytest.mark.timeout(900)]

Fault = Callable[[Pipeline], Awaitable[list[str]]]


def crash_and_restart(name: ServiceName, *, down: float, times: int) -> Fault:
    async def fault(pipeline: Pipeline) -> list[str]:
        notes = []
        for attempt in range(times):
            pipeline.kill(name)
            await asyncio.sleep(down)
            pipeline.spawn(name)
            notes.append(f"SIGKILL {name} #{attempt + 1}, down {down:.0f} s, restarted")
            if name == "api":
                await pipeline.wait_http(pipeline.api_url + "/healthz", what="the restarted API")
            await asyncio.sleep(down)
        return notes

    return fault


def record_fault(case: str, tried: str, result: ScenarioResult) -> None:
    d = result.delivery
    record(
        Outcome(
            case=case,
            kind="fault",
            tried=tried,
            behaviour=describe(result),
            expected=d.expected,
            delivered=d.expected - len(d.lost),
            lost=len(d.lost),
            duplicated=d.enriched_duplicates,
            passed=not d.violations,
            details=d.summary()
            | {
                "fault": result.fault_notes,
                "connections": {n: s.connections for n, s in result.streams.items()},
                "seconds": round(result.seconds, 1),
                "phases": result.phases,
            },
        )
    )


async def test_enricher_sigkill_and_restart(make_pipeline: Callable[..., Pipeline], kafka_broker) -> None:
    pipeline = make_pipeline(bootstrap_servers=kafka_broker.bootstrap_servers)
    size = scale()
    result = await run_scenario(pipeline, crash_and_restart("enricher", down=3, times=size.repetitions))
    record_fault(
        "fault.enricher-sigkill",
        f"SIGKILL the enricher (and its NLP processes) mid-batch, restart it; x{size.repetitions}",
        result,
    )
    assert_delivered(result, pipeline)
    assert result.delivery.stored_duplicates == []


async def test_scraper_sigkill_and_restart(make_pipeline: Callable[..., Pipeline], kafka_broker) -> None:
    pipeline = make_pipeline(bootstrap_servers=kafka_broker.bootstrap_servers)
    size = scale()
    result = await run_scenario(pipeline, crash_and_restart("scraper", down=3, times=size.repetitions))
    record_fault(
        "fault.scraper-sigkill",
        f"SIGKILL the scraper mid-crawl, restart it; x{size.repetitions}",
        result,
    )
    assert_delivered(result, pipeline)


async def test_api_restart_while_sse_clients_are_connected(
    make_pipeline: Callable[..., Pipeline], kafka_broker
) -> None:
    pipeline = make_pipeline(bootstrap_servers=kafka_broker.bootstrap_servers)
    size = scale()
    result = await run_scenario(pipeline, crash_and_restart("api", down=2, times=size.repetitions), streams=3)
    record_fault(
        "fault.api-sigkill-sse",
        f"SIGKILL the API with 3 SSE clients connected, restart it; clients resume with Last-Event-ID; "
        f"x{size.repetitions}",
        result,
    )
    assert_delivered(result, pipeline)
    # The clients really did lose their connection and come back (the case is not vacuous).
    assert all(result.streams[f"client-{n}"].connections >= 2 for n in range(3))


async def test_broker_restart(
    make_pipeline: Callable[..., Pipeline], broker_factory: Callable[[], BrokerProcess]
) -> None:
    broker = broker_factory()
    pipeline = make_pipeline(bootstrap_servers=broker.bootstrap_servers, kafka_idempotence=broker.engine == "kafka")
    size = scale()

    async def restart_broker(p: Pipeline) -> list[str]:
        notes = []
        for attempt in range(size.repetitions):
            await asyncio.to_thread(broker.stop)
            await asyncio.sleep(8)
            waited = await asyncio.to_thread(broker.start, timeout=180)
            notes.append(f"broker stopped #{attempt + 1} for 8 s, back after {waited:.1f} s")
            await asyncio.sleep(5)
            p.check_alive()
        return notes

    result = await run_scenario(pipeline, restart_broker)
    record_fault(
        "fault.broker-restart",
        f"stop the Kafka broker for 8 s under load, start it again; x{size.repetitions}",
        result,
    )
    pipeline.check_alive()
    assert_delivered(result, pipeline)
