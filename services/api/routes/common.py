"""What every router of the API shares: documented error responses and the JSON response type."""

from typing import Any

import orjson
from fastapi import Response

from ..models import ErrorBody

__all__ = ["ERRORS", "json_response"]

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "bad request (cursor, resume token)"},
    401: {"model": ErrorBody, "description": "API key missing or invalid (when keys are configured)"},
    422: {"model": ErrorBody, "description": "invalid parameter"},
    429: {"model": ErrorBody, "description": "rate limit or stream cap reached; see Retry-After"},
    503: {"model": ErrorBody, "description": "the article store is unavailable"},
}


def json_response(body: Any, *, status_code: int = 200) -> Response:
    """Serialise with orjson (datetimes as RFC 3339 with `Z`), skipping FastAPI's re-validation."""
    return Response(orjson.dumps(body, option=orjson.OPT_UTC_Z), status_code=status_code, media_type="application/json")
