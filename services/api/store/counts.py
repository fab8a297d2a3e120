"""The store's aggregate reads: topic counts over a window, and trending entities (the rise of their
mentions against a baseline). Run inside the caller's transaction; written once for both databases."""

import math
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, case, func, literal, select

from .records import EntityCount, TopicCount, micros
from .tables import article_entities, article_topics

__all__ = ["topic_counts", "trending"]


def topic_counts(
    conn: Connection, *, since: datetime, min_score: float, bucket_seconds: int | None, buckets: int
) -> list[TopicCount]:
    """Articles per topic (score >= min_score) with a Kafka time from `since` on, and per bucket."""
    start = micros(since)
    t = article_topics
    in_window = (t.c.score >= min_score, t.c.event_time >= start)
    totals = conn.execute(select(t.c.topic_id, func.count()).where(*in_window).group_by(t.c.topic_id)).all()
    per_bucket: Sequence[Any] = []
    if bucket_seconds:
        bucket = ((t.c.event_time - start) // (bucket_seconds * 1_000_000)).label("bucket")
        per_bucket = conn.execute(
            select(t.c.topic_id, bucket, func.count()).where(*in_window).group_by(t.c.topic_id, bucket)
        ).all()
    series: dict[str, list[int]] = {}
    for topic_id, index, count in per_bucket:
        values = series.setdefault(topic_id, [0] * buckets)
        values[min(int(index), buckets - 1)] += int(count)
    return [
        TopicCount(topic_id=t, count=int(c), series=series.get(t, [0] * buckets) if bucket_seconds else None)
        for t, c in totals
    ]


def trending(
    conn: Connection,
    *,
    since: datetime,
    limit: int,
    entity_type: str | None,
    baseline_since: datetime | None,
    until: datetime | None,
) -> list[EntityCount]:
    """Entities ranked by how far their mentions in the window [since, until) rise above the
    baseline [baseline_since, since) (default: the window before, as long as the window).

    The score is (m - e) / sqrt(e + 1): m the window's mentions, e the baseline's mentions
    scaled to the window's length. A flat entity scores 0 however often it is named; the
    square root keeps one article about an unknown name from outranking a broad rise.
    """
    end = micros(until or datetime.now(UTC))
    start = micros(since)
    base_start = micros(baseline_since) if baseline_since is not None else start - (end - start)
    ratio = (end - start) / max(1, start - base_start)
    e = article_entities
    in_window = e.c.event_time >= start
    mentions = func.sum(case((in_window, e.c.mentions), else_=0))
    articles_in_window = func.sum(case((in_window, 1), else_=0))
    base_mentions = func.sum(case((in_window, 0), else_=e.c.mentions))
    expected = base_mentions * literal(ratio)
    rise = mentions - expected
    # The square of the score with its sign: the same order, with no square root in SQL.
    rank = rise * func.abs(rise) / (expected + 1.0)
    where = [e.c.event_time >= base_start]
    if until is not None:
        where.append(e.c.event_time < end)
    if entity_type is not None:
        where.append(e.c.type == entity_type)
    query = (
        select(
            e.c.entity_id,
            func.max(e.c.name),
            func.max(e.c.type),
            func.max(e.c.country),
            mentions,
            articles_in_window,
            base_mentions,
            func.sum(case((in_window, 0), else_=1)),
        )
        .where(*where)
        .group_by(e.c.entity_id)
        .having(mentions > 0)
        .order_by(rank.desc(), mentions.desc(), articles_in_window.desc(), e.c.entity_id)
        .limit(limit)
    )
    rows = conn.execute(query).all()
    out = []
    for entity_id, name, kind, country, m, n, bm, bn in rows:
        expect = int(bm) * ratio
        out.append(
            EntityCount(
                id=entity_id,
                name=name,
                type=kind,
                country=country,
                mentions=int(m),
                articles=int(n),
                baseline_mentions=int(bm),
                baseline_articles=int(bn),
                score=round((int(m) - expect) / math.sqrt(expect + 1), 3),
            )
        )
    return out

