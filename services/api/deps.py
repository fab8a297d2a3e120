"""Request dependencies: app state, API-key authentication with rate limits, shared query parameters."""

import hashlib
import hmac
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Header, Query
from starlette.requests import HTTPConnection

from newswire.schemas import load_taxonomy

from .errors import BadRequest, InvalidParameter, Unauthorized
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
    "parse_window",
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
    # Browsers cannot set headers on EventSource or WebSocket connections, hence the query form.
    return conn.headers.get("x-api-key") or conn.query_params.get("api_key")


def authorize(
    conn: HTTPConnection,
    state: StateDep,
    x_api_key: Annotated[
        str | None, Header(description="an API key, when the server requires them (`NEWSWIRE_API_KEYS`)")
    ] = None,
) -> str:
    """The client's identity for limits: its API key (checked) or, when keys are off, its address."""
    keys = state.settings.api_keys
    if keys:
        presented = _presented_key(conn)
        if presented is None:
            raise Unauthorized("an API key is required: `Authorization: Bearer <key>` or `X-API-Key: <key>`")
        if not any(hmac.compare_digest(presented.encode(), key.encode()) for key in keys):
            raise Unauthorized("the API key is not valid", code="invalid_api_key")
        owner = "key:" + hashlib.sha256(presented.encode()).hexdigest()[:16]
    else:
        owner = "ip:" + (conn.client.host if conn.client else "unknown")
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
