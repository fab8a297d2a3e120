"""`/v1/topics`: the taxonomy with article counts over a window, optionally as a time series."""

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query

from newswire.schemas import load_taxonomy

from ..deps import StoreDep, parse_window
from ..errors import InvalidParameter
from ..models import TopicCountOut, TopicsOut
from .common import ERRORS

__all__ = ["router"]

router = APIRouter(prefix="/v1/topics", tags=["topics"], responses=ERRORS)


@router.get("", summary="Topics with article counts")
async def list_topics(
    store: StoreDep,
    window: Annotated[str, Query(pattern=r"^[1-9][0-9]{0,3}[smhd]$", description="e.g. `1h`, `24h`, `7d`")] = "24h",
    buckets: Annotated[int, Query(ge=0, le=240, description="split the window into this many counts (a series)")] = 0,
) -> TopicsOut:
    span = parse_window(window)
    bucket_seconds = None
    if buckets:
        bucket_seconds = int(span.total_seconds()) // buckets
        if bucket_seconds < 1:
            raise InvalidParameter("buckets must be at least one second wide", code="buckets_too_narrow")
    since = datetime.now(UTC) - span
    counts = {
        c.topic_id: c for c in await store.topic_counts(since=since, bucket_seconds=bucket_seconds, buckets=buckets)
    }
    topics = []
    for topic in load_taxonomy().topics:
        found = counts.get(topic.id)
        topics.append(
            TopicCountOut(
                id=topic.id,
                label=topic.label,
                iptc=topic.iptc,
                iptc_label=topic.iptc_label,
                count=found.count if found else 0,
                series=(found.series if found else [0] * buckets) if buckets else None,
            )
        )
    return TopicsOut(window=window, since=since, bucket_seconds=bucket_seconds, topics=topics)
