"""`newswire broker` as a user runs it: starts, serves aiokafka clients, stops on SIGTERM/Ctrl-C."""

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from tests.conftest import free_port

pytestmark = [pytest.mark.integration, pytest.mark.smoke]

ENGINE = os.environ.get("NEWSWIRE_TEST_BROKER", "kafka")


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT], ids=["sigterm", "ctrl-c"])
async def test_broker_command_serves_clients_and_stops_cleanly(tmp_path: Path, stop_signal: signal.Signals) -> None:
    port = free_port()
    env = {**os.environ, "NEWSWIRE_DATA_DIR": str(tmp_path), "NEWSWIRE_BROKER_PORT": str(port)}
    started = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "newswire.cli", "broker", "--engine", ENGINE],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        ready_line = await asyncio.wait_for(asyncio.to_thread(_read_until, proc, "ready on"), timeout=180)
        startup = time.monotonic() - started
        assert f"127.0.0.1:{port}" in ready_line
        assert ENGINE in ready_line
        # Startup time is reported, not asserted: the machine is shared (see `make bench`).
        print(f"newswire broker ({ENGINE}) ready in {startup:.1f} s: {ready_line.strip()}")

        bootstrap = f"127.0.0.1:{port}"
        producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
        await producer.start()
        try:
            await producer.send_and_wait("smoke", b'{"hello": "newswire"}', key=b"k1")
        finally:
            await producer.stop()
        consumer = AIOKafkaConsumer("smoke", bootstrap_servers=bootstrap, auto_offset_reset="earliest")
        await consumer.start()
        try:
            record = await asyncio.wait_for(consumer.getone(), timeout=60)
        finally:
            await consumer.stop()
        assert (record.key, record.value) == (b"k1", b'{"hello": "newswire"}')
    finally:
        proc.send_signal(stop_signal)
        output, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, output
    assert "stopped" in output
    assert _processes_matching(str(tmp_path)) == []  # the Kafka JVM has the data dir on its command line
    assert _processes_matching(f"127.0.0.1:{port}") == []  # Tansu has its listener URL


def _read_until(proc: subprocess.Popen[str], marker: str) -> str:
    assert proc.stdout is not None
    for line in proc.stdout:
        if marker in line:
            return line
    raise AssertionError(f"newswire broker exited before printing {marker!r}")


def _processes_matching(pattern: str) -> list[str]:
    out = subprocess.run(["pgrep", "-af", pattern], capture_output=True, text=True).stdout
    return [line for line in out.splitlines() if "pgrep" not in line]
