"""Settings of the API service; every field is also a `NEWSWIRE_` environment variable."""

from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import NoDecode

from newswire.settings import CommonSettings

__all__ = ["Settings"]

CommaList = Annotated[list[str], NoDecode]


class Settings(CommonSettings):
    api_host: str = Field(default="127.0.0.1", description="address uvicorn binds")
    api_port: int = Field(default=8000, ge=0, le=65535)
    database_url: str | None = Field(
        default=None,
        description="postgresql://... to use PostgreSQL; unset means SQLite under data_dir (api.sqlite3)",
    )
    api_keys: CommaList = Field(
        default_factory=list,
        description="comma-separated API keys; when set, /v1/* needs `Authorization: Bearer <key>` or `X-API-Key`",
    )
    api_rate_limit: float = Field(default=50.0, ge=0, description="requests per second per client (key or IP); 0 = off")
    api_rate_burst: int = Field(default=100, ge=1, description="requests a client may make at once before limiting")
    api_auth_failure_rate: float = Field(
        default=0.1,
        ge=0,
        description="failed API-key checks per second allowed per client address on average; beyond it "
        "every request from the address gets 429 until the budget refills; 0 = off",
    )
    api_auth_failure_burst: int = Field(default=10, ge=1, description="failed API-key checks at once per address")
    api_session_seconds: float = Field(
        default=12 * 3600, gt=0, description="lifetime of the dashboard's session cookie (POST /auth/login)"
    )
    api_max_header_bytes: int = Field(
        default=64 * 1024,
        ge=4096,
        description="most bytes of request line and headers one request may send; more is refused with 431",
    )
    api_max_streams_per_client: int = Field(
        default=10, ge=0, description="concurrent /v1/stream and /v1/ws connections per client; 0 = unlimited"
    )
    api_cors_origins: CommaList = Field(default_factory=list, description="comma-separated origins, `*` for any")
    api_heartbeat_seconds: float = Field(default=10.0, gt=0, le=15, description="idle SSE/WS streams get a heartbeat")
    api_client_queue_size: int = Field(
        default=256, ge=1, description="events buffered per stream client; a client further behind is disconnected"
    )
    api_slow_client_grace_seconds: float = Field(
        default=10.0, gt=0, description="how long a cut-off client gets to read its final error event"
    )
    api_topic_min_score: float = Field(
        default=0.5, ge=0, le=1, description="an article is 'about' a topic (filters, counts) from this score on"
    )
    api_replay_limit: int = Field(
        default=50_000, ge=1, description="most articles one `since`/`Last-Event-ID` replay may send"
    )
    api_kafka_client_id: str = Field(default="api", description="client id suffix of the API's Kafka consumer")

    @field_validator("api_keys", "api_cors_origins", mode="before")
    @classmethod
    def _split_commas(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value
