"""The API's one base exception and the handlers that turn every failure into JSON.

Every error body is `{"error": {"code": ..., "message": ...}}`; a stack trace never leaves the process.
"""

import logging
from http import HTTPStatus
from typing import Any, cast

from fastapi import FastAPI, Request, WebSocket
from fastapi.exceptions import RequestValidationError, WebSocketRequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import HTTPConnection
from starlette.status import WS_1008_POLICY_VIOLATION
from starlette.types import ExceptionHandler

__all__ = [
    "ApiError",
    "BadRequest",
    "InvalidParameter",
    "NotFound",
    "RateLimited",
    "StoreError",
    "Unauthorized",
    "Unavailable",
    "error_body",
    "install_error_handlers",
]

logger = logging.getLogger(__name__)


class ApiError(Exception):
    """Base of every error the API answers on purpose; `status` and `code` go to the client."""

    status: int = 500
    code: str = "internal_error"

    def __init__(self, message: str, *, code: str | None = None, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.headers = headers or {}


class BadRequest(ApiError):
    status = 400
    code = "bad_request"


class Unauthorized(ApiError):
    status = 401
    code = "unauthorized"


class NotFound(ApiError):
    status = 404
    code = "not_found"


class InvalidParameter(ApiError):
    status = 422
    code = "invalid_parameter"


class RateLimited(ApiError):
    status = 429
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: float, code: str | None = None) -> None:
        # Retry-After is whole seconds (RFC 9110); round up so a client that obeys is not refused again.
        super().__init__(message, code=code, headers={"Retry-After": str(max(1, int(-(-retry_after // 1))))})
        self.retry_after = retry_after


class Unavailable(ApiError):
    status = 503
    code = "unavailable"


class StoreError(Unavailable):
    """The article store failed (database down, locked, ...)."""

    code = "store_unavailable"


def error_body(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


def _status_code_name(status: int) -> str:
    try:
        return HTTPStatus(status).phrase.lower().replace(" ", "_").replace("-", "_")
    except ValueError:
        return "http_error"


def _validation_message(exc: RequestValidationError | WebSocketRequestValidationError) -> str:
    parts = []
    for error in exc.errors()[:5]:
        location = ".".join(str(p) for p in error.get("loc", ()) if p not in ("query", "path", "header", "body"))
        parts.append(f"{location or 'request'}: {error.get('msg', 'invalid')}")
    return "; ".join(parts) or "invalid request"


async def _respond(conn: HTTPConnection, response: JSONResponse) -> JSONResponse | None:
    """HTTP: the response. WebSocket (handshake not yet accepted): the same JSON as a denial response
    where the server supports it, else a policy-violation close."""
    if not isinstance(conn, WebSocket):
        return response
    if "websocket.http.response" in conn.scope.get("extensions", {}):
        await conn.send_denial_response(response)
    else:
        await conn.close(code=WS_1008_POLICY_VIOLATION, reason=bytes(response.body).decode()[:120])
    return None


async def _api_error(conn: HTTPConnection, exc: Exception) -> JSONResponse | None:
    assert isinstance(exc, ApiError)
    if exc.status >= 500:
        logger.warning("%s answered %s: %s", conn.url.path, exc.status, exc.message)
    return await _respond(
        conn, JSONResponse(error_body(exc.code, exc.message), status_code=exc.status, headers=exc.headers)
    )


async def _validation_error(conn: HTTPConnection, exc: Exception) -> JSONResponse | None:
    assert isinstance(exc, RequestValidationError | WebSocketRequestValidationError)
    return await _respond(conn, JSONResponse(error_body("validation_error", _validation_message(exc)), status_code=422))


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    message = exc.detail if isinstance(exc.detail, str) else _status_code_name(exc.status_code)
    return JSONResponse(
        error_body(_status_code_name(exc.status_code), message),
        status_code=exc.status_code,
        headers=getattr(exc, "headers", None),
    )


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    logger.exception("unhandled error on %s %s", request.method, request.url.path)
    return JSONResponse(error_body("internal_error", "internal server error"), status_code=500)


def _http_and_websocket(handler: Any) -> ExceptionHandler:
    """Starlette types a handler as either HTTP's (returns a Response) or WebSocket's (returns None). These
    serve both: they return the response exactly when the connection is not a WebSocket (`_respond`)."""
    return cast(ExceptionHandler, handler)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _http_and_websocket(_api_error))
    app.add_exception_handler(RequestValidationError, _http_and_websocket(_validation_error))
    app.add_exception_handler(WebSocketRequestValidationError, _http_and_websocket(_validation_error))
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected_error)
