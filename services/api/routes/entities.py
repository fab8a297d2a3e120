"""`/v1/entities/trending`: entities whose mentions over a window rise most against a baseline."""

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query

from newswire.schemas import EntityType

from ..deps import StoreDep, parse_window
from ..errors import InvalidParameter
from ..models import TrendingEntity, TrendingOut
from .common import ERRORS

__all__ = ["router"]

router = APIRouter(prefix="/v1/entities", tags=["entities"], responses=ERRORS)


@router.get("/trending", summary="Trending entities")
async def trending_entities(
    store: StoreDep,
    window: Annotated[str, Query(pattern=r"^[1-9][0-9]{0,3}[smhd]$", description="e.g. `15m`, `1h`, `24h`")] = "1h",
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    type: Annotated[EntityType | None, Query(description="only entities of this type")] = None,
    baseline: Annotated[
        str | None,
        Query(
            pattern=r"^[1-9][0-9]{0,3}[smhd]$",
            description="the period before the window to compare with, at least as long as the window "
            "(e.g. `24h` for a `1h` window); default: the window before, as long as the window",
        ),
    ] = None,
) -> TrendingOut:
    now = datetime.now(UTC)
    span = parse_window(window)
    base_span = parse_window(baseline) if baseline is not None else span
    if base_span < span:
        raise InvalidParameter("`baseline` must be at least as long as `window`", code="baseline_too_short")
    since = now - span
    baseline_since = since - base_span
    ranked = await store.trending(
        since=since, until=now, limit=limit, entity_type=type, baseline_since=baseline_since
    )
    return TrendingOut(
        window=window,
        since=since,
        baseline=baseline or window,
        baseline_since=baseline_since,
        entities=[
            TrendingEntity(
                id=e.id,
                name=e.name,
                type=e.type,
                country=e.country,
                mentions=e.mentions,
                articles=e.articles,
                baseline_mentions=e.baseline_mentions,
                baseline_articles=e.baseline_articles,
                score=e.score,
            )
            for e in ranked
        ],
    )
