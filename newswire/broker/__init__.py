"""Local brokers for the demo and the tests: Apache Kafka (KRaft) where Java is present, else Tansu."""

import logging
from pathlib import Path
from typing import Literal

from .errors import BrokerError
from .kafka import DEFAULT_KAFKA_VERSION, KafkaBroker, java_available, resolve_kafka_jars
from .probe import kafka_answers, wait_until_ready
from .process import BrokerProcess, Engine
from .tansu import TansuBroker

__all__ = [
    "DEFAULT_KAFKA_VERSION",
    "BrokerError",
    "BrokerProcess",
    "Engine",
    "KafkaBroker",
    "TansuBroker",
    "kafka_answers",
    "make_broker",
    "resolve_engine",
    "resolve_kafka_jars",
    "wait_until_ready",
]

logger = logging.getLogger(__name__)


def resolve_engine(engine: Literal["auto", "kafka", "tansu"]) -> Engine:
    """`auto` takes Apache Kafka where Java is available, Tansu otherwise."""
    if engine != "auto":
        return engine
    return "kafka" if java_available() else "tansu"


def make_broker(
    *,
    engine: Literal["auto", "kafka", "tansu"],
    port: int,
    data_dir: Path,
    kafka_version: str = DEFAULT_KAFKA_VERSION,
    cache_dir: Path | None = None,
) -> BrokerProcess:
    chosen = resolve_engine(engine)
    if chosen == "kafka":
        return KafkaBroker(port=port, data_dir=data_dir / "kafka", version=kafka_version, cache_dir=cache_dir)
    return TansuBroker(port=port, data_dir=data_dir / "tansu")
