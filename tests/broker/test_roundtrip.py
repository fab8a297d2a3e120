"""The wire format on a real broker: 1,000 RawArticles produced and read back in order per key."""

import asyncio
from collections import defaultdict

import pytest
from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient

from newswire.kafka import consumer_config, ensure_topics, make_producer, publish, topic_specs
from newswire.schemas import RawArticle, TopicNames, decode, encode, headers_for
from newswire.settings import CommonSettings
from tests.factories import make_raw

pytestmark = [pytest.mark.integration]

N_MESSAGES = 1_000
N_ARTICLES = 50  # 20 versions per article: order per key is observable


async def consume(settings: CommonSettings, topic: str, count: int, *, timeout: float = 120) -> list:
    consumer = AIOKafkaConsumer(topic, **consumer_config(settings, client_id="test", group_id=None))
    await consumer.start()
    records = []
    try:
        async with asyncio.timeout(timeout):
            while len(records) < count:
                batch = await consumer.getmany(timeout_ms=1000)
                for partition_records in batch.values():
                    records.extend(partition_records)
    finally:
        await consumer.stop()
    return records


@pytest.mark.smoke
async def test_thousand_raw_articles_round_trip_in_order_per_key(kafka_settings: CommonSettings) -> None:
    created = await ensure_topics(kafka_settings)
    assert TopicNames(kafka_settings.topic_prefix).raw in created
    topic = TopicNames(kafka_settings.topic_prefix).raw

    producer = make_producer(kafka_settings, client_id="test")
    await producer.start()
    sent: dict[str, list[str]] = defaultdict(list)
    try:
        for i in range(N_MESSAGES):
            article_no, version = i % N_ARTICLES, i // N_ARTICLES
            article = make_raw(url=f"https://example.org/a/{article_no}", title=f"version {version}")
            sent[article.id].append(article.title)
            await producer.send(topic, value=encode(article), key=article.id.encode(), headers=headers_for(article))
        await producer.flush()
    finally:
        await producer.stop()

    records = await consume(kafka_settings, topic, N_MESSAGES)
    assert len(records) == N_MESSAGES
    received: dict[str, list[str]] = defaultdict(list)
    partitions_of_key: dict[str, set[int]] = defaultdict(set)
    for record in records:
        article = decode(record.value, RawArticle)
        assert record.key.decode() == article.id
        assert dict(record.headers) == {"content-type": b"application/json", "schema": b"RawArticle/2"}
        received[article.id].append(article.title)
        partitions_of_key[article.id].add(record.partition)
    assert received == sent  # every version of every article, in the order sent
    assert all(len(p) == 1 for p in partitions_of_key.values())
    assert len({p for ps in partitions_of_key.values() for p in ps}) > 1  # keys spread over partitions


async def test_publish_waits_for_the_ack_and_sets_contract_headers(kafka_settings: CommonSettings) -> None:
    await ensure_topics(kafka_settings)
    topic = TopicNames(kafka_settings.topic_prefix).raw
    producer = make_producer(kafka_settings, client_id="test")
    await producer.start()
    try:
        metadata = await publish(producer, topic, make_raw(), key=make_raw().id)
    finally:
        await producer.stop()
    assert metadata.offset == 0
    [record] = await consume(kafka_settings, topic, 1)
    assert record.key == make_raw().id.encode()
    assert decode(record.value, RawArticle) == make_raw()


async def test_ensure_topics_is_idempotent_and_applies_settings(kafka_settings: CommonSettings) -> None:
    first = await ensure_topics(kafka_settings)
    again = await ensure_topics(kafka_settings)
    assert sorted(first) == sorted(s.name for s in topic_specs(kafka_settings))
    assert again == []
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_settings.kafka_bootstrap_servers)
    await admin.start()
    try:
        [enriched] = await admin.describe_topics([TopicNames(kafka_settings.topic_prefix).enriched])
    finally:
        await admin.close()
    assert len(enriched["partitions"]) == kafka_settings.topic_partitions
