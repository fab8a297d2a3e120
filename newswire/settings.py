"""Settings every newswire service shares; each service's own `Settings` extends `CommonSettings`.

Every field is also an environment variable with the `NEWSWIRE_` prefix, e.g.
`NEWSWIRE_KAFKA_BOOTSTRAP_SERVERS`.
"""

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["CommonSettings"]

_DAY_MS = 24 * 3600 * 1000


class CommonSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NEWSWIRE_", extra="ignore")

    kafka_bootstrap_servers: str = Field(
        default="127.0.0.1:9092", description="comma-separated host:port list of the Kafka cluster"
    )
    kafka_idempotence: bool = Field(
        default=True,
        description="idempotent producers (exactly-once per partition); off for brokers without InitProducerId (Tansu)",
    )
    kafka_client_id: str = "newswire"
    topic_prefix: str = Field(default="news.", description="prefix of every topic name")
    topic_partitions: int = Field(default=6, ge=1, description="partitions of topics newswire creates")
    topic_replication_factor: int = Field(default=1, ge=1)
    topic_retention_ms: int = Field(default=7 * _DAY_MS, description="retention of article topics")
    dlq_retention_ms: int = Field(default=30 * _DAY_MS, description="retention of the dead-letter topic")
    data_dir: Path = Field(default=Path(".newswire"), description="where services keep local state and logs")
    log_level: str = "INFO"
    log_format: Literal["json", "text"] = "json"
