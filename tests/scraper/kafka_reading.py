"""Reading back what the scraper published, for integration tests."""

from collections import Counter

from aiokafka import AIOKafkaConsumer

from newswire.kafka import consumer_config
from newswire.schemas import RawArticle, TopicNames, decode
from newswire.settings import CommonSettings

__all__ = ["read_raw"]


async def read_raw(settings: CommonSettings, *, idle_ms: int = 3000) -> list[tuple[str, RawArticle, dict[str, bytes]]]:
    """Every record of the raw topic: (key, article, headers), read until the topic is drained."""
    consumer = AIOKafkaConsumer(
        TopicNames(settings.topic_prefix).raw, **consumer_config(settings, client_id="test-reader", group_id=None)
    )
    await consumer.start()
    records = []
    try:
        while True:
            batch = await consumer.getmany(timeout_ms=idle_ms)
            if not batch:
                break
            for messages in batch.values():
                for message in messages:
                    key = message.key.decode() if message.key else ""
                    records.append((key, decode(message.value, RawArticle), dict(message.headers)))
    finally:
        await consumer.stop()
    return records


def key_counts(records: list[tuple[str, RawArticle, dict[str, bytes]]]) -> Counter[str]:
    return Counter(key for key, _, _ in records)
