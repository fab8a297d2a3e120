"""Kafka topic names of the contract, with the configurable prefix (default `news.`)."""

from dataclasses import dataclass

__all__ = ["DEFAULT_PREFIX", "TopicNames"]

DEFAULT_PREFIX = "news."


@dataclass(frozen=True, slots=True)
class TopicNames:
    """`TopicNames(prefix="news.").raw == "news.articles.raw"`."""

    prefix: str = DEFAULT_PREFIX

    @property
    def raw(self) -> str:
        return f"{self.prefix}articles.raw"

    @property
    def enriched(self) -> str:
        return f"{self.prefix}articles.enriched"

    @property
    def dlq(self) -> str:
        return f"{self.prefix}articles.dlq"

    def topic(self, topic_id: str) -> str:
        """Per-topic fan-out channel, e.g. `news.topics.trade`."""
        return f"{self.prefix}topics.{topic_id}"

    def all(self, topic_ids: list[str]) -> list[str]:
        return [self.raw, self.enriched, self.dlq, *(self.topic(t) for t in topic_ids)]
