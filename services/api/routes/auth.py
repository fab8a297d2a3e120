"""`/auth/*`: a browser trades its API key (in a POST body) for an HttpOnly session cookie, so the
dashboard's streams and queries never carry the key in a URL."""

import time
from typing import Annotated

from fastapi import APIRouter, Body, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from ..cookies import COOKIE_NAME, make_session_cookie, read_session_cookie
from ..deps import StateDep, valid_key
from ..errors import RateLimited, Unauthorized
from .common import ERRORS

__all__ = ["router"]

router = APIRouter(prefix="/auth", tags=["auth"], responses=ERRORS)


class Login(BaseModel):
    api_key: str = Field(min_length=1, max_length=500, description="one of the server's API keys")


class SessionOut(BaseModel):
    required: bool = Field(description="whether this server needs an API key at all")
    authenticated: bool
    expires_in: int | None = Field(default=None, description="seconds the session cookie stays valid")


@router.post(
    "/login",
    summary="Exchange an API key for a session cookie",
)
async def login(request: Request, state: StateDep, body: Annotated[Login, Body()]) -> JSONResponse:
    keys = state.settings.api_keys
    if not keys:
        return JSONResponse(SessionOut(required=False, authenticated=True).model_dump(exclude_none=True))
    address = "ip:" + (request.client.host if request.client else "unknown")
    wait = state.auth_limiter.blocked(address)
    if wait is not None:
        state.metrics.auth_rate_limited.inc()
        raise RateLimited(
            "too many failed API-key checks from this address", retry_after=wait, code="too_many_auth_failures"
        )
    if not valid_key(keys, body.api_key):
        state.metrics.auth_failures.labels("invalid").inc()
        state.auth_limiter.charge(address)
        raise Unauthorized("the API key is not valid", code="invalid_api_key")
    lifetime = int(state.settings.api_session_seconds)
    response = JSONResponse(
        SessionOut(required=True, authenticated=True, expires_in=lifetime).model_dump(exclude_none=True)
    )
    response.set_cookie(
        COOKIE_NAME,
        make_session_cookie(keys, body.api_key, lifetime=lifetime, now=time.time()),
        max_age=lifetime,
        path="/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


@router.post("/logout", summary="Forget the session cookie")
async def logout() -> JSONResponse:
    response = JSONResponse({"authenticated": False})
    response.delete_cookie(COOKIE_NAME, path="/", httponly=True, samesite="strict")
    return response


@router.get("/session", summary="Whether a key is needed and whether this browser has a session")
async def session(request: Request, state: StateDep) -> SessionOut:
    keys = state.settings.api_keys
    if not keys:
        return SessionOut(required=False, authenticated=True)
    cookie = request.cookies.get(COOKIE_NAME)
    return SessionOut(required=True, authenticated=bool(cookie and read_session_cookie(keys, cookie)))
