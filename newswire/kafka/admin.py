"""Idempotent creation of newswire's topics with partitions and retention from settings."""

import asyncio
import logging
from dataclasses import dataclass

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError

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
            response = await admin.create_topics(new, validate_only=False)
        except TopicAlreadyExistsError:
            response = None
        # Errors come back per topic; "already exists" means another service won the race.
        failed = [
            (name, code) for name, code, *_ in getattr(response, "topic_errors", [])
            if code not in (0, TopicAlreadyExistsError.errno)
        ]  # fmt: skip
        if failed:
            raise KafkaError(f"could not create topics: {failed}")
        await _wait_for_leaders(admin, [s.name for s in missing])
        logger.info("created %s topics: %s", len(missing), ", ".join(s.name for s in missing))
        return [s.name for s in missing]
    finally:
        await admin.close()


async def _wait_for_leaders(admin: AIOKafkaAdminClient, names: list[str], *, timeout: float = 30.0) -> None:
    """Creation is asynchronous in Kafka: wait until every partition has a leader, so the first
    produce does not bounce off NotLeaderForPartition."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        described = await admin.describe_topics(names)
        pending = [
            t["topic"] for t in described
            if t["error_code"] != 0 or not t["partitions"] or any(p["leader"] < 0 for p in t["partitions"])
        ]  # fmt: skip
        if not pending:
            return
        if asyncio.get_running_loop().time() > deadline:
            raise KafkaError(f"topics without leaders after {timeout:.0f} s: {pending}")
        await asyncio.sleep(0.2)
