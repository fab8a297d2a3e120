"""`/v1/articles`: the stored articles, newest first, filtered and paginated with a stable cursor."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response

from newswire.schemas import EnrichedArticle

from ..deps import ArticleFilterDep, ProjectionDep, StoreDep, utc_parameter
from ..errors import InvalidParameter, NotFound
from ..models import ArticlePage, ErrorBody
from .common import ERRORS, json_response

__all__ = ["router"]

router = APIRouter(prefix="/v1/articles", tags=["articles"], responses=ERRORS)


@router.get("", summary="List articles", responses={200: {"model": ArticlePage}})
async def list_articles(
    store: StoreDep,
    article_filter: ArticleFilterDep,
    projection: ProjectionDep,
    since: Annotated[datetime | None, Query(description="published (else fetched) at or after, ISO 8601")] = None,
    until: Annotated[datetime | None, Query(description="published (else fetched) before, ISO 8601")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
    cursor: Annotated[str | None, Query(max_length=200, description="`next_cursor` of the previous page")] = None,
) -> Response:
    since, until = utc_parameter("since", since), utc_parameter("until", until)
    if since is not None and until is not None and until <= since:
        raise InvalidParameter("`until` must be after `since`", code="empty_range")
    page = await store.query(article_filter, since=since, until=until, limit=limit, cursor=cursor)
    items = [projection.apply(item) for item in page.items]
    return json_response({"items": items, "next_cursor": page.next_cursor})


@router.get(
    "/{article_id}",
    summary="One article",
    responses={200: {"model": EnrichedArticle}, 404: {"model": ErrorBody, "description": "no such article"}},
)
async def get_article(store: StoreDep, article_id: str) -> Response:
    article = await store.get(article_id) if _is_article_id(article_id) else None
    if article is None:
        raise NotFound(f"no article with id {article_id[:64]!r}")
    return json_response(article)


def _is_article_id(value: str) -> bool:
    return len(value) == 32 and all(c in "0123456789abcdef" for c in value)
