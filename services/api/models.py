"""Response bodies of the HTTP API, as documented in its OpenAPI schema."""

from datetime import datetime

from pydantic import BaseModel, Field

from newswire.schemas import EnrichedArticle, EntityType

__all__ = [
    "ArticlePage",
    "ErrorBody",
    "ErrorDetail",
    "Health",
    "Readiness",
    "TopicCountOut",
    "TopicsOut",
    "TrendingEntity",
    "TrendingOut",
]


class ErrorDetail(BaseModel):
    code: str = Field(description="stable, machine-readable, e.g. `not_found`, `rate_limited`")
    message: str


class ErrorBody(BaseModel):
    error: ErrorDetail


class ArticlePage(BaseModel):
    items: list[EnrichedArticle] = Field(description="newest first; only the `fields=` fields when given")
    next_cursor: str | None = Field(description="pass as `cursor` for the next page; null on the last page")


class TopicCountOut(BaseModel):
    id: str
    label: str
    iptc: str
    iptc_label: str
    count: int = Field(description="articles about this topic that arrived within the window")
    series: list[int] | None = Field(
        default=None, description="counts per bucket, oldest first, when `buckets` is given"
    )


class TopicsOut(BaseModel):
    window: str
    since: datetime
    bucket_seconds: int | None = None
    topics: list[TopicCountOut]


class TrendingEntity(BaseModel):
    id: str
    name: str
    type: EntityType
    country: str | None = None
    mentions: int = Field(description="mentions within the window, over all articles")
    articles: int = Field(description="articles mentioning the entity within the window")
    baseline_mentions: int = Field(default=0, description="mentions within the baseline period before the window")
    baseline_articles: int = Field(default=0, description="articles mentioning the entity within the baseline")
    score: float = Field(
        default=0.0,
        description="the rise: (m - e) / sqrt(e + 1), m the window's mentions, e the baseline's mentions "
        "scaled to the window's length; 0 for a flat entity, negative for a falling one",
    )


class TrendingOut(BaseModel):
    window: str
    since: datetime
    baseline: str = Field(description="length of the baseline period, which ends where the window starts")
    baseline_since: datetime
    entities: list[TrendingEntity] = Field(description="highest score first, then most mentions")


class Health(BaseModel):
    status: str
    error: ErrorDetail | None = Field(default=None, description="why the process is not alive")
    dead_tasks: dict[str, str] | None = Field(
        default=None, description="background tasks that ended for good, and how (restart the replica)"
    )


class Readiness(BaseModel):
    status: str
    error: ErrorDetail | None = Field(default=None, description="why the service is not ready")
    kafka: bool = Field(description="the Kafka consumer is assigned, polling, and the broker answers")
    consuming: bool = Field(default=False, description="the Kafka consumer is assigned and polling")
    store: bool
    store_backend: str
    stream_clients: int
