"""Serialisation of contract models to Kafka records: orjson bytes plus the contract's headers.

Every message carries `content-type: application/json` and `schema: <Model>/<version>`.
"""

import base64
from typing import TypeVar

import orjson
from pydantic import ValidationError

from .errors import DecodeError, SchemaError
from .models import _Model

__all__ = ["CONTENT_TYPE", "Headers", "decode", "encode", "encode_key", "headers_for", "printable_value"]

CONTENT_TYPE = "application/json"
Headers = list[tuple[str, bytes]]
M = TypeVar("M", bound=_Model)


def headers_for(model: type[_Model] | _Model) -> Headers:
    return [("content-type", CONTENT_TYPE.encode()), ("schema", model.schema_header().encode())]


def encode(model: _Model) -> bytes:
    """Model -> compact JSON bytes (datetimes as RFC 3339, UTC)."""
    return orjson.dumps(model.model_dump(mode="python"), option=orjson.OPT_UTC_Z)


def encode_key(article_id: str) -> bytes:
    return article_id.encode("utf-8")


def decode(value: bytes | None, model: type[M]) -> M:
    """JSON bytes -> model; raises DecodeError (not UTF-8 JSON) or SchemaError (wrong shape)."""
    if value is None:
        raise DecodeError("message has no value (tombstone)")
    try:
        data = orjson.loads(value)
    except orjson.JSONDecodeError as exc:
        raise DecodeError(f"not UTF-8 JSON: {exc}") from exc
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise SchemaError(f"not a valid {model.schema_name}: {exc.error_count()} errors: {_summary(exc)}") from exc


def printable_value(value: bytes | None) -> tuple[str, str]:
    """(text, encoding) for a dead letter: the UTF-8 text when it decodes, else base64.

    UTF-8 holding a NUL byte is base64 too: the letter keeps the original exactly, in a form that
    every store of dead letters accepts (PostgreSQL text refuses NUL)."""
    if value is None:
        return "", "utf-8"
    try:
        text = value.decode("utf-8")
    except UnicodeDecodeError:
        return base64.b64encode(value).decode("ascii"), "base64"
    if "\x00" in text:
        return base64.b64encode(value).decode("ascii"), "base64"
    return text, "utf-8"


def _summary(exc: ValidationError, limit: int = 3) -> str:
    errors = exc.errors(include_url=False, include_input=False)
    return "; ".join(f"{'.'.join(map(str, e['loc'])) or '<root>'}: {e['msg']}" for e in errors[:limit])
