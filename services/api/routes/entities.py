"""`/v1/entities/trending`: entities ranked by mentions over a window, counted from the store."""

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query

from newswire.schemas import EntityType

from ..deps import StoreDep, parse_window
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
) -> TrendingOut:
    since = datetime.now(UTC) - parse_window(window)
    ranked = await store.trending(since=since, limit=limit, entity_type=type)
    return TrendingOut(
        window=window,
        since=since,
        entities=[
            TrendingEntity(
                id=e.id, name=e.name, type=e.type, country=e.country, mentions=e.mentions, articles=e.articles
            )  # type: ignore[arg-type]
            for e in ranked
        ],
    )
