"""Dead letters keep what an operator needs: where the message came from and its original bytes."""

import base64
from datetime import UTC, datetime

from newswire.enricher.dlq import MAX_DEAD_VALUE_BYTES, SourceRecord, dead_letter
from newswire.schemas import DeadLetter, decode, encode

NOW = datetime(2026, 11, 26, 17, 0, tzinfo=UTC)


def _record(value: bytes | None, key: bytes | None = b"k1") -> SourceRecord:
    return SourceRecord(topic="news.articles.raw", partition=2, offset=41, key=key, value=value)


def test_a_letter_carries_origin_error_and_utf8_text() -> None:
    letter = dead_letter(_record(b'{"id": "x"'), error="decode: not JSON", now=NOW)

    again = decode(encode(letter), DeadLetter)
    assert (again.topic, again.partition, again.offset, again.key) == ("news.articles.raw", 2, 41, "k1")
    assert (again.value, again.value_encoding) == ('{"id": "x"', "utf-8")
    assert again.error == "decode: not JSON"
    assert again.service == "enricher"
    assert again.time == NOW


def test_bytes_that_are_not_utf8_travel_as_base64() -> None:
    original = b"\xff\xfe caf\xe9"
    letter = dead_letter(_record(original, key=b"\xff"), error="decode", now=NOW)

    assert letter.value_encoding == "base64"
    assert base64.b64decode(letter.value) == original
    assert letter.key == "\\xff"


def test_a_tombstone_becomes_an_empty_value() -> None:
    letter = dead_letter(_record(None, key=None), error="decode: tombstone", now=NOW)
    assert (letter.value, letter.key) == ("", None)


def test_a_huge_value_is_cut_and_the_error_says_so() -> None:
    letter = dead_letter(_record(b"a" * (MAX_DEAD_VALUE_BYTES + 10)), error="schema", now=NOW)

    assert len(letter.value) == MAX_DEAD_VALUE_BYTES
    assert "cut from" in letter.error
