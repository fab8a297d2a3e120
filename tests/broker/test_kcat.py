"""A non-Python subscriber reads the wire format: kcat (librdkafka) consumes what newswire wrote."""

import json
import shutil
import subprocess

import pytest

from newswire.kafka import ensure_topics, make_producer, publish
from newswire.schemas import RawArticle, TopicNames
from newswire.settings import CommonSettings
from tests.conftest import BrokerInfo
from tests.factories import make_raw

pytestmark = [pytest.mark.integration]


async def test_kcat_reads_key_headers_and_json(kafka_broker: BrokerInfo, kafka_settings: CommonSettings) -> None:
    if shutil.which("kcat") is None:
        pytest.fail("kcat is not installed: `make install-system` (Debian package kcat) provides it")
    if kafka_broker.engine == "tansu":
        pytest.skip("Debian's kcat (old librdkafka) cannot talk to Tansu")
    await ensure_topics(kafka_settings)
    topic = TopicNames(kafka_settings.topic_prefix).raw
    articles = [make_raw(url=f"https://example.org/kcat/{i}", title=f"Título {i} – Astana") for i in range(5)]
    producer = make_producer(kafka_settings, client_id="test")
    await producer.start()
    try:
        for article in articles:
            await publish(producer, topic, article, key=article.id)
    finally:
        await producer.stop()

    result = subprocess.run(
        ["kcat", "-C", "-J", "-e", "-q", "-o", "beginning", "-b", kafka_broker.bootstrap_servers, "-t", topic],
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    envelopes = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert len(envelopes) == len(articles)
    by_key = {e["key"]: e for e in envelopes}
    for article in articles:
        envelope = by_key[article.id]
        headers = envelope["headers"]  # kcat -J: a flat [name, value, name, value, ...] list
        assert dict(zip(headers[::2], headers[1::2], strict=True)) == {
            "content-type": "application/json",
            "schema": "RawArticle/2",
        }
        payload = json.loads(envelope["payload"])
        assert RawArticle.model_validate(payload) == article
        assert payload["title"].endswith("– Astana")
