"""Supervised background tasks: restarted after any failure (a stray CancelledError included),
ended only by their own cancellation, and reported by /healthz when one ends for good."""

import asyncio
from pathlib import Path

import pytest

from newswire.api.supervisor import Supervisor

from .conftest import api_settings, running_api


async def test_a_stray_cancelled_error_or_a_return_restarts_the_task() -> None:
    runs: list[int] = []
    finished = asyncio.Event()

    async def body() -> None:
        runs.append(len(runs))
        if len(runs) == 1:
            raise asyncio.CancelledError("raised inside a library, nobody cancelled the task")
        if len(runs) == 2:
            return
        if len(runs) == 3:
            raise RuntimeError("broker gone")
        finished.set()
        await asyncio.Event().wait()

    supervisor = Supervisor(initial_backoff=0.01, max_backoff=0.02)
    entry = supervisor.start("consumer", body)
    async with asyncio.timeout(10):
        await finished.wait()
    assert entry.restarts == 3
    assert supervisor.dead() == {}
    await supervisor.stop()
    assert entry.task is not None and entry.task.cancelled()
    assert supervisor.dead() == {}  # shutdown is not a death


async def test_cancelling_the_task_itself_ends_it_and_is_reported_dead() -> None:
    async def body() -> None:
        await asyncio.Event().wait()

    supervisor = Supervisor(initial_backoff=0.01)
    entry = supervisor.start("consumer", body)
    await asyncio.sleep(0)
    assert entry.task is not None
    entry.task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await entry.task
    assert set(supervisor.dead()) == {"consumer"}
    await supervisor.stop()


async def test_healthz_fails_when_a_supervised_task_died_and_readyz_when_not_consuming(tmp_path: Path) -> None:
    async with running_api(api_settings(tmp_path)) as api:
        assert (await api.client.get("/healthz")).status_code == 200
        ready = (await api.client.get("/readyz")).json()
        assert ready["consuming"] is False and ready["kafka"] is False
        assert "not consuming" in ready["error"]["message"]
        heartbeats = api.app.state.newswire.supervisor.tasks["heartbeats"]
        assert heartbeats.task is not None
        heartbeats.task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await heartbeats.task
        response = await api.client.get("/healthz")
        assert response.status_code == 503
        assert response.json()["error"]["code"] == "task_died"
        assert "heartbeats" in response.json()["dead_tasks"]


async def test_the_consumer_restarts_while_the_broker_is_unreachable(tmp_path: Path) -> None:
    # Nothing listens on port 9: every connection attempt fails, the supervisor keeps trying.
    settings = api_settings(tmp_path, kafka_bootstrap_servers="127.0.0.1:9")
    async with running_api(settings, consume=True) as api:
        supervisor = api.app.state.newswire.supervisor
        supervisor.initial_backoff = supervisor.max_backoff = 0.05
        async with asyncio.timeout(60):
            while supervisor.tasks["consumer"].restarts < 2:
                await asyncio.sleep(0.05)
        assert (await api.client.get("/healthz")).status_code == 200
        assert (await api.client.get("/readyz")).status_code == 503
        text = (await api.client.get("/metrics")).text
        assert 'newswire_api_task_restarts_total{task="consumer"}' in text
        assert "newswire_api_consuming 0.0" in text


async def test_closing_a_consumer_that_raises_a_stray_cancelled_error_does_not_end_the_caller(
    tmp_path: Path,
) -> None:
    """aiokafka's stop() after a long outage can raise CancelledError though nobody cancelled us."""
    from aiokafka import AIOKafkaConsumer

    async with running_api(api_settings(tmp_path)) as api:
        consumer = api.app.state.newswire.consumer

        class Broken(AIOKafkaConsumer):
            def __init__(self) -> None:  # no client: only stop() is called
                pass

            async def stop(self) -> None:
                raise asyncio.CancelledError("from inside the library")

        consumer.consumer = Broken()
        consumer.running = True
        await consumer.stop()  # must return normally
        assert consumer.consumer is None and consumer.running is False
