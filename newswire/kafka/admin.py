"""Idempotent creation of newswire's topics with partitions and retention from settings."""

import logging
from dataclasses import dataclass

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from newswire.schemas import TopicNames, load_taxonomy
from newswire.settings import CommonSettings

from .clients import MAX_MESSAGE_BYTES

__all__ = ["TopicSpec", "ensure_topics", "topic_specs"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class TopicSpec:
    name: str
    partitions: int
    replication_factor: int
    config: dict[str, str]


def topic_specs(settings: CommonSettings) -> list[TopicSpec]:
    """Every topic of the contract: raw, enriched, one per taxonomy topic, and the dead-letter topic."""
    names = TopicNames(settings.topic_prefix)
    article_config = {"retention.ms": str(settings.topic_retention_ms), "max.message.bytes": str(MAX_MESSAGE_BYTES)}
    dlq_config = {"retention.ms": str(settings.dlq_retention_ms), "max.message.bytes": str(MAX_MESSAGE_BYTES)}
    article_topics = [names.raw, names.enriched, *(names.topic(t) for t in load_taxonomy().ids)]
    specs = [
        TopicSpec(name, settings.topic_partitions, settings.topic_replication_factor, article_config)
        for name in article_topics
    ]
    # The DLQ is read by people, rarely and in order of arrival: one partition keeps it simple.
    specs.append(TopicSpec(names.dlq, 1, settings.topic_replication_factor, dlq_config))
    return specs


async def ensure_topics(settings: CommonSettings) -> list[str]:
    """Create the missing topics; existing ones are left as they are. Returns the names created."""
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap_servers, client_id="newswire-admin")
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [s for s in topic_specs(settings) if s.name not in existing]
        if not missing:
            return []
        new = [NewTopic(s.name, s.partitions, s.replication_factor, topic_configs=s.config) for s in missing]
        try:
            await admin.create_topics(new, validate_only=False)
        except TopicAlreadyExistsError:
            # Another service created them between our list and create: that is the goal anyway.
            logger.info("topics created concurrently by another client")
        logger.info("created %s topics: %s", len(missing), ", ".join(s.name for s in missing))
        return [s.name for s in missing]
    finally:
        await admin.close()
