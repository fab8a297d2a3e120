"""Request dependencies: app state, API-key authentication with rate limits, shared query parameters."""

import hmac
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import Depends, Header, Query
from starlette.requests import HTTPConnection

from newswire.schemas import load_taxonomy

from .cookies import COOKIE_NAME, fingerprint, read_session_cookie
from .errors import BadRequest, InvalidParameter, RateLimited, Unauthorized
from .filters import FIELD_NAMES, ArticleFilter, Projection
from .hub import StreamHub
from .search import SearchSyntaxError
from .settings import Settings
from .state import ApiState
from .store import Store

__all__ = [
    "ArticleFilterDep",
    "ClientDep",
    "HubDep",
    "ProjectionDep",
    "SettingsDep",
    "StateDep",
    "StoreDep",
    "authorize",
    "valid_key",
    "parse_window",
    "utc_parameter",
]

MAX_WINDOW = timedelta(days=90)
_WINDOW_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86_400}


def get_state(conn: HTTPConnection) -> ApiState:
    return conn.app.state.newswire


StateDep = Annotated[ApiState, Depends(get_state)]


def get_store(state: StateDep) -> Store:
    return state.store


def get_hub(state: StateDep) -> StreamHub:
    return state.hub


def get_settings(state: StateDep) -> Settings:
    return state.settings


StoreDep = Annotated[Store, Depends(get_store)]
HubDep = Annotated[StreamHub, Depends(get_hub)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


def _presented_key(conn: HTTPConnection) -> str | None:
    authorization = conn.headers.get("authorization", "")
    scheme, _, credentials = authorization.partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return credentials.strip()
    return conn.headers.get("x-api-key")


def _key_in_url(conn: HTTPConnection) -> bool:
    return any(name.lower() in KEY_PARAMETERS for name in conn.query_params)


#: Query parameters refused for carrying a key: a URL ends up in logs, histories and Referer headers.
KEY_PARAMETERS = frozenset({"api_key", "apikey", "key", "token", "access_token"})


def valid_key(keys: list[str], presented: str) -> bool:
    # Compared against every key, in constant time each: no early exit reveals which one was close.
    return any([hmac.compare_digest(presented.encode(), key.encode()) for key in keys])


def authorize(
    conn: HTTPConnection,
    state: StateDep,
    x_api_key: Annotated[
        str | None, Header(description="an API key, when the server requires them (`NEWSWIRE_API_KEYS`)")
    ] = None,
) -> str:
    """The client's identity for limits: its API key (checked) or, when keys are off, its address."""
    keys = state.settings.api_keys
    address = "ip:" + (conn.client.host if conn.client else "unknown")
    if keys:
        # An address that failed too often is refused before its key is even looked at: answering
        # 200 for a right guess would let key guessing go on at full speed.
        wait = state.auth_limiter.blocked(address)
        if wait is not None:
            state.metrics.auth_rate_limited.inc()
            raise RateLimited(
                "too many failed API-key checks from this address", retry_after=wait, code="too_many_auth_failures"
            )
        if _key_in_url(conn):
            state.metrics.auth_failures.labels("missing").inc()
            raise Unauthorized(
                "API keys are not accepted in URLs (they end up in logs): send `Authorization: Bearer <key>` "
                "or `X-API-Key`, or POST the key to /auth/login for a session cookie",
                code="key_in_url",
            )
        presented = _presented_key(conn)
        if presented is None:
            cookie = conn.cookies.get(COOKIE_NAME)
            name = read_session_cookie(keys, cookie) if cookie else None
            if name is not None:
                owner = "key:" + name
                state.limiter.check(owner)
                return owner
            state.metrics.auth_failures.labels("missing").inc()
            raise Unauthorized(
                "an API key is required: `Authorization: Bearer <key>`, `X-API-Key: <key>`, "
                "or a session cookie from POST /auth/login"
                + ("; the session cookie has expired or is no longer valid" if cookie else ""),
                code="unauthorized",
            )
        if not valid_key(keys, presented):
            state.metrics.auth_failures.labels("invalid").inc()
            state.auth_limiter.charge(address)
            raise Unauthorized("the API key is not valid", code="invalid_api_key")
        owner = "key:" + fingerprint(presented)
    else:
        owner = address
    state.limiter.check(owner)
    return owner


ClientDep = Annotated[str, Depends(authorize)]


def article_filter(
    settings: SettingsDep,
    topic: Annotated[
        str | None, Query(description="taxonomy topic id, e.g. `trade`", pattern=r"^[a-z0-9-]{1,64}$")
    ] = None,
    entity: Annotated[
        str | None,
        Query(
            description="entity id, e.g. `country:PK`, `person:kassym-jomart-tokayev`",
            pattern=r"^[a-z]+:[A-Za-z0-9._-]{1,200}$",
        ),
    ] = None,
    country: Annotated[str | None, Query(description="ISO 3166-1 alpha-2 code", pattern=r"^[A-Za-z]{2}$")] = None,
    source: Annotated[str | None, Query(description="source id", pattern=r"^[A-Za-z0-9._:-]{1,200}$")] = None,
    q: Annotated[
        str | None,
        Query(
            description='full-text search in web-search syntax: words (all must occur), `"a phrase"`, '
            "`x OR y`, `-word` to exclude; 400 `invalid_query` when it cannot be read",
            max_length=500,
        ),
    ] = None,
) -> ArticleFilter:
    if topic is not None and topic not in load_taxonomy().ids:
        raise InvalidParameter(
            f"unknown topic {topic!r}; known: {', '.join(load_taxonomy().ids)}", code="unknown_topic"
        )
    try:
        flt = ArticleFilter(
            topic=topic,
            entity=entity,
            country=country.upper() if country else None,
            source=source,
            q=q,
            topic_min_score=settings.api_topic_min_score,
        )
    except SearchSyntaxError as exc:
        raise BadRequest(f"`q` cannot be read: {exc}", code="invalid_query") from exc
    if q is not None and flt.query is None:
        raise InvalidParameter("`q` has no words to search for", code="empty_query")
    return flt


ArticleFilterDep = Annotated[ArticleFilter, Depends(article_filter)]


def projection(
    fields: Annotated[
        str | None,
        Query(
            description="comma-separated top-level fields to return, e.g. `id,title,url,entities,topics`",
            pattern=r"^[a-z_]{1,40}(,[a-z_]{1,40}){0,40}$",
        ),
    ] = None,
) -> Projection:
    if fields is None:
        return Projection()
    names = tuple(dict.fromkeys(fields.split(",")))
    unknown = [n for n in names if n not in FIELD_NAMES]
    if unknown:
        raise InvalidParameter(
            f"unknown field(s) {', '.join(unknown)}; known: {', '.join(FIELD_NAMES)}", code="unknown_field"
        )
    return Projection(names)


ProjectionDep = Annotated[Projection, Depends(projection)]


def parse_window(window: str) -> timedelta:
    """`90s`, `30m`, `1h`, `7d` -> timedelta (the pattern on the parameter has checked the shape)."""
    span = timedelta(seconds=int(window[:-1]) * _WINDOW_UNITS[window[-1]])
    if span > MAX_WINDOW:
        raise InvalidParameter(f"window is at most {MAX_WINDOW.days}d", code="window_too_large")
    return span


def utc_parameter(name: str, value: datetime | None) -> datetime | None:
    """A time parameter in UTC (naive means UTC). A valid ISO 8601 time whose UTC equivalent falls
    outside years 1-9999 (`0001-01-01T00:00:00+01:00`) is a 400, not a crash."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except (OverflowError, ValueError) as exc:
        raise BadRequest(
            f"`{name}` is outside the supported range once converted to UTC (years 1 to 9999)",
            code="datetime_out_of_range",
        ) from exc
