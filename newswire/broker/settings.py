"""Settings of `newswire broker` (NEWSWIRE_BROKER_ENGINE, NEWSWIRE_BROKER_PORT, ...)."""

from pathlib import Path
from typing import Literal

from pydantic import Field

from newswire.settings import CommonSettings

from .kafka import DEFAULT_KAFKA_VERSION

__all__ = ["BrokerSettings"]


class BrokerSettings(CommonSettings):
    broker_engine: Literal["auto", "kafka", "tansu"] = "auto"
    broker_port: int = Field(default=9092, ge=1, le=65535)
    kafka_version: str = Field(default=DEFAULT_KAFKA_VERSION, description="Apache Kafka version fetched from Maven")
    kafka_cache_dir: Path | None = Field(default=None, description="jar cache; default ~/.cache/newswire/kafka")
