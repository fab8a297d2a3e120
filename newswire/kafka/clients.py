"""Producer and consumer settings in one place, and `publish` for contract models."""

from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.structs import RecordMetadata

from newswire.schemas import encode, encode_key, headers_for
from newswire.schemas.models import _Model
from newswire.settings import CommonSettings

__all__ = ["MAX_MESSAGE_BYTES", "consumer_config", "make_producer", "producer_config", "publish"]

#: Largest record newswire writes; topics are created with a matching `max.message.bytes`.
MAX_MESSAGE_BYTES = 16 * 1024 * 1024


def producer_config(settings: CommonSettings, *, client_id: str) -> dict[str, Any]:
    """acks=all always; idempotence when the broker supports it (see `kafka_idempotence`)."""
    return {
        "bootstrap_servers": settings.kafka_bootstrap_servers,
        "client_id": f"{settings.kafka_client_id}-{client_id}",
        "acks": "all",
        "enable_idempotence": settings.kafka_idempotence,
        "linger_ms": 5,
        "max_request_size": MAX_MESSAGE_BYTES,
        "request_timeout_ms": 30_000,
        "retry_backoff_ms": 200,
    }


def consumer_config(settings: CommonSettings, *, client_id: str, group_id: str | None) -> dict[str, Any]:
    """Manual commits: a consumer commits only what it has fully handled (at-least-once)."""
    return {
        "bootstrap_servers": settings.kafka_bootstrap_servers,
        "client_id": f"{settings.kafka_client_id}-{client_id}",
        "group_id": group_id,
        "enable_auto_commit": False,
        "auto_offset_reset": "earliest",
        "max_partition_fetch_bytes": MAX_MESSAGE_BYTES,
        "fetch_max_bytes": 4 * MAX_MESSAGE_BYTES,
    }


def make_producer(settings: CommonSettings, *, client_id: str) -> AIOKafkaProducer:
    return AIOKafkaProducer(**producer_config(settings, client_id=client_id))


async def publish(producer: AIOKafkaProducer, topic: str, model: _Model, *, key: str) -> RecordMetadata:
    """Send one contract model with its headers and wait for the broker's acknowledgement."""
    return await producer.send_and_wait(topic, value=encode(model), key=encode_key(key), headers=headers_for(model))
