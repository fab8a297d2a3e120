"""Shared fixtures: a real Kafka broker for integration tests, unique topic prefixes per test.

`NEWSWIRE_TEST_BROKER` picks the engine: `kafka` (default: Apache Kafka 4.x in KRaft mode, jars
fetched from Maven Central once and cached outside the repository) or `tansu` (the embedded
broker of `newswire demo`). `NEWSWIRE_TEST_BOOTSTRAP=host:port` uses an existing cluster instead.
"""

import os
import signal
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from newswire.broker import BrokerProcess, make_broker
from newswire.ports import free_port
from newswire.settings import CommonSettings

REPO = Path(__file__).resolve().parents[1]
#: The seed article and its expected enrichment (copies of `../shared/samples`, kept identical by
#: tests/test_standalone.py where that folder exists), so every clone runs the seed oracle.
SAMPLES = REPO / "tests" / "data"


# `make test` replays the same generated inputs on every machine, so CI passes or fails on the
# code, never on the draw; `make test-faults` (NEWSWIRE_FAULTS_FULL=1) draws fresh inputs to
# find new bugs, which then become fixed examples in the unit tests.
hypothesis_settings.register_profile("ci", derandomize=True)
hypothesis_settings.register_profile("explore", derandomize=False)
hypothesis_settings.load_profile(
    "explore" if os.environ.get("NEWSWIRE_FAULTS_FULL", "") not in ("", "0", "false") else "ci"
)


def pytest_configure(config: pytest.Config) -> None:
    # A CI timeout or `kill` sends SIGTERM, which would end pytest on the spot and leave the
    # session's broker running; unwinding as Ctrl-C does runs every fixture's teardown.
    signal.signal(signal.SIGTERM, _interrupt)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


@dataclass(frozen=True)
class BrokerInfo:
    bootstrap_servers: str
    engine: str
    version: str


def _engine() -> str:
    engine = os.environ.get("NEWSWIRE_TEST_BROKER", "kafka")
    if engine not in {"kafka", "tansu"}:
        raise pytest.UsageError(f"NEWSWIRE_TEST_BROKER must be kafka or tansu, not {engine!r}")
    return engine


def _announce(config: pytest.Config, line: str) -> None:
    # Printed even under output capture: CI logs must show which broker the tests ran against.
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    capture = config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line(line, bold=True)


@pytest.fixture(scope="session")
def kafka_broker(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrokerInfo]:
    """A broker for the whole session; its engine and version are printed in the test output."""
    existing = os.environ.get("NEWSWIRE_TEST_BOOTSTRAP")
    if existing:
        info = BrokerInfo(existing, os.environ.get("NEWSWIRE_TEST_BROKER", "kafka"), "external")
        _announce(request.config, f"integration broker: external cluster at {existing}")
        yield info
        return
    broker = make_broker(engine=_engine(), port=free_port(), data_dir=tmp_path_factory.mktemp("broker"))
    waited = broker.start(timeout=180)
    _announce(
        request.config,
        f"integration broker: {'Apache Kafka' if broker.engine == 'kafka' else 'Tansu'} {broker.version} "
        f"on {broker.bootstrap_servers} (ready in {waited:.1f} s)",
    )
    try:
        yield BrokerInfo(broker.bootstrap_servers, broker.engine, broker.version)
    finally:
        broker.stop()


@pytest.fixture
def topic_prefix() -> str:
    """A topic prefix of this test's own, so tests never read each other's messages."""
    return f"t{uuid.uuid4().hex[:8]}.news."


@pytest.fixture
def kafka_settings(kafka_broker: BrokerInfo, topic_prefix: str, tmp_path: Path) -> CommonSettings:
    return CommonSettings(
        kafka_bootstrap_servers=kafka_broker.bootstrap_servers,
        kafka_idempotence=kafka_broker.engine == "kafka",
        topic_prefix=topic_prefix,
        topic_partitions=3,
        data_dir=tmp_path / "data",
    )


@pytest.fixture
def broker_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[], BrokerProcess]]:
    """Private brokers (own port and data) for disruptive tests: `.stop()`, `.start()`, `.kill()`."""
    brokers: list[BrokerProcess] = []

    def start() -> BrokerProcess:
        broker = make_broker(engine=_engine(), port=free_port(), data_dir=tmp_path_factory.mktemp("private-broker"))
        broker.start(timeout=180)
        brokers.append(broker)
        return broker

    yield start
    for broker in brokers:
        broker.stop()


@pytest.fixture(scope="session")
def seed_text() -> str:
    return (SAMPLES / "seed-article.txt").read_text(encoding="utf-8")
