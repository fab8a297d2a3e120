"""The Kafka topics of the enricher: what it consumes (through Faust) and the names it writes to."""

from dataclasses import dataclass

import faust
from faust.types import TopicT

from newswire.schemas import TopicNames

__all__ = ["EnricherTopics", "source_topic"]


@dataclass(frozen=True, slots=True)
class EnricherTopics:
    """Output topic names: the contract's topics plus the enricher's compacted window-stats topic."""

    names: TopicNames

    @property
    def raw(self) -> str:
        return self.names.raw

    @property
    def enriched(self) -> str:
        return self.names.enriched

    @property
    def dlq(self) -> str:
        return self.names.dlq

    @property
    def stats(self) -> str:
        return f"{self.names.prefix}stats.windows"

    def topic(self, topic_id: str) -> str:
        return self.names.topic(topic_id)


def source_topic(app: faust.App, topics: EnricherTopics) -> TopicT:
    """`news.articles.raw` as raw bytes: decoding happens in the worker processes, where a bad
    message becomes a dead letter instead of an exception inside Faust's deserializer."""
    return app.topic(
        topics.raw,
        key_type=bytes,
        value_type=bytes,
        key_serializer="raw",
        value_serializer="raw",
    )
