"""Dead letters: messages the enricher cannot turn into an `EnrichedArticle`, with the original bytes.

A dead letter keeps what an operator needs to replay or fix the message: the source topic,
partition, offset, key and value (UTF-8 text, or base64 when the bytes are not UTF-8), the error,
the service and the time. The partition moves on; nothing waits for a human.
"""

from dataclasses import dataclass
from datetime import datetime

from newswire.kafka.clients import MAX_MESSAGE_BYTES
from newswire.schemas import DeadLetter, printable_value

__all__ = ["MAX_DEAD_VALUE_BYTES", "MAX_ERROR_CHARS", "SERVICE", "SourceRecord", "dead_letter"]

SERVICE = "enricher"

#: Original values above this size are cut in the dead letter, so that the letter itself (value plus
#: JSON escaping plus base64 growth) still fits in one Kafka record.
MAX_DEAD_VALUE_BYTES = MAX_MESSAGE_BYTES // 4
#: An error longer than this is cut: an exception whose message quotes a whole article must not make
#: the letter too large to send, which would fail the batch on every restart.
MAX_ERROR_CHARS = 4000


@dataclass(frozen=True, slots=True)
class SourceRecord:
    """Where a consumed message came from and what it carried."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None


def dead_letter(record: SourceRecord, *, error: str, now: datetime) -> DeadLetter:
    if len(error) > MAX_ERROR_CHARS:
        error = f"{error[:MAX_ERROR_CHARS]}... (error cut from {len(error)} characters)"
    value = record.value
    if value is not None and len(value) > MAX_DEAD_VALUE_BYTES:
        error = f"{error} (value cut from {len(value)} to {MAX_DEAD_VALUE_BYTES} bytes in this dead letter)"
        value = value[:MAX_DEAD_VALUE_BYTES]
    text, encoding = printable_value(value)
    key = record.key.decode("utf-8", "backslashreplace") if record.key is not None else None
    return DeadLetter(
        topic=record.topic,
        partition=record.partition,
        offset=record.offset,
        key=key,
        value=text,
        value_encoding=encoding,
        error=error,
        service=SERVICE,
        time=now,
    )
