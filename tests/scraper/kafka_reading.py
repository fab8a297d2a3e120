"""Reading back what the scraper published, for integration tests."""

from collections import Counter

from newswire.schemas import RawArticle, TopicNames, decode
from newswire.settings import CommonSettings
from tests.kafka_topics import read_to_end

__all__ = ["key_counts", "read_raw"]


async def read_raw(settings: CommonSettings) -> list[tuple[str, RawArticle, dict[str, bytes]]]:
    """Every record of the raw topic, up to its end as of now: (key, article, headers)."""
    return [
        (message.key.decode() if message.key else "", decode(message.value, RawArticle), dict(message.headers))
        for message in await read_to_end(settings, [TopicNames(settings.topic_prefix).raw])
    ]


def key_counts(records: list[tuple[str, RawArticle, dict[str, bytes]]]) -> Counter[str]:
    return Counter(key for key, _, _ in records)
