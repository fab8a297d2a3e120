"""The API process against a long broker outage and records its store refuses, on Apache Kafka.

- `fault.api-broker-outage`: the broker stops for at least 90 s under an API with SSE clients
  connected (long enough for the consumer's partition refresh to fail, which used to end it for
  good); the API must stay alive (/healthz), say it is not ready (/readyz 503), and once the broker
  is back consume again by itself: every article published before and after is stored once and
  reaches every resumed stream and a fresh replay.
- `input.nul-and-refused-record-postgres`: on PostgreSQL, an enriched article holding NUL and
  other control characters, and one the database refuses (a CHECK constraint made for the test),
  between good articles: the first is stored without the characters, the second is set aside and
  counted, every good article is stored and streamed, and the API stays ready.

Articles are published straight to `news.articles.enriched`, so these cases test the API alone.
"""

import asyncio
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
import psycopg
import pytest

from newswire.broker import BrokerProcess
from newswire.kafka import make_producer, publish
from newswire.schemas import EnrichedArticle
from tests.api.feed import article

from .http_status import seconds_until_status, status_of, wait_until_status
from .outcomes import Outcome, check_delivery, full_mode, record
from .pipeline import Pipeline
from .postgres import PostgresCluster

pytestmark = [pytest.mark.integration, pytest.mark.faults, pytest.mark.timeout(900)]

#: Longer than the consumer's 60 s partition refresh and than any backoff: the case of finding 3.
OUTAGE_SECONDS = 120.0 if full_mode() else 90.0


async def _publish(pipeline: Pipeline, articles: list[EnrichedArticle]) -> None:
    producer = make_producer(pipeline.settings, client_id="faults-publisher")
    await producer.start()
    try:
        for item in articles:
            await publish(producer, pipeline.topics.enriched, item, key=item.id)
    finally:
        await producer.stop()


def _articles(first: int, count: int, *, source: str) -> list[EnrichedArticle]:
    return [article(n, source=source) for n in range(first, first + count)]


async def test_api_resumes_after_a_long_broker_outage(
    make_pipeline: Callable[..., Pipeline], broker_factory: Callable[[], BrokerProcess]
) -> None:
    broker = broker_factory()
    pipeline = make_pipeline(
        bootstrap_servers=broker.bootstrap_servers, kafka_idempotence=broker.engine == "kafka", sample_site=False
    )
    count = 30 if full_mode() else 10
    await pipeline.start(["api"])
    readyz, healthz = pipeline.api_url + "/readyz", pipeline.api_url + "/healthz"
    assert await wait_until_status(readyz, 200, timeout=120), pipeline.log_tail("api")
    since = datetime.now(UTC) - timedelta(minutes=5)
    clients = {f"client-{n}": pipeline.stream(since=since) for n in range(2)}
    before = _articles(1000, count, source="before-outage")
    await _publish(pipeline, before)
    assert await pipeline.wait_stored({a.id for a in before}, timeout=120)

    stopped = time.monotonic()
    await asyncio.to_thread(broker.stop)
    not_ready_after = await seconds_until_status(readyz, 503, timeout=OUTAGE_SECONDS)
    health_during: list[int | None] = []
    while time.monotonic() - stopped < OUTAGE_SECONDS:
        health_during.append(await status_of(healthz))
        await asyncio.sleep(5)
    outage = time.monotonic() - stopped
    back_after = await asyncio.to_thread(broker.start, timeout=180)
    pipeline.check_alive()
    after = _articles(2000, count, source="after-outage")
    await _publish(pipeline, after)
    ready_again = await seconds_until_status(readyz, 200, timeout=240)

    wanted = {a.id for a in before + after}
    stored_all = await pipeline.wait_stored(wanted, timeout=240)
    for client in clients.values():
        await client.wait_for(wanted, timeout=120)
    replay = pipeline.stream(since=since)
    await replay.wait_for(wanted, timeout=60)
    await asyncio.sleep(1.0)
    delivery = check_delivery(
        wanted,
        enriched=await pipeline.enriched_records(),
        stored=await pipeline.stored_ids(),
        streams={**clients, "replay": replay},
    )
    restarts = await pipeline.metric("api", "newswire_api_task_restarts_total", task="consumer")
    alive = all(s == 200 for s in health_during)
    passed = (
        stored_all and not delivery.violations and alive and not_ready_after is not None and ready_again is not None
    )
    record(
        Outcome(
            case="fault.api-broker-outage",
            kind="fault",
            tried=f"stop the Kafka broker for {outage:.0f} s (past the API consumer's 60 s partition refresh) "
            "with 2 SSE clients connected; articles published before and after",
            behaviour=f"/readyz 503 after {_s(not_ready_after)}, 200 again {_s(ready_again)} after the broker "
            f"was back ({back_after:.0f} s to start); /healthz 200 throughout: {'yes' if alive else 'NO'}; "
            f"consumer restarted {restarts:.0f} time(s) by its supervisor; store kept one copy of each; "
            + ("nothing lost" if not delivery.lost else f"{len(delivery.lost)} ARTICLES LOST"),
            expected=delivery.expected,
            delivered=delivery.expected - len(delivery.lost),
            lost=len(delivery.lost),
            duplicated=delivery.enriched_duplicates,
            passed=passed,
            details=delivery.summary()
            | {"outage_s": round(outage, 1), "health_during": health_during, "restarts": restarts},
        )
    )
    assert alive, f"/healthz during the outage: {health_during}"
    assert not_ready_after is not None, "/readyz never said 503 while the broker was down"
    assert ready_again is not None, "/readyz never came back:\n" + pipeline.log_tail("api", 60)
    assert stored_all and not delivery.violations, "\n".join(delivery.violations) + pipeline.log_tail("api", 60)
    assert restarts >= 1


async def test_nul_and_a_refused_record_on_postgresql(
    make_pipeline: Callable[..., Pipeline], kafka_broker, postgres: PostgresCluster
) -> None:
    pipeline = make_pipeline(
        bootstrap_servers=kafka_broker.bootstrap_servers, database_url=postgres.url, sample_site=False
    )
    await pipeline.start(["api"])
    assert await wait_until_status(pipeline.api_url + "/readyz", 200, timeout=120), pipeline.log_tail("api")
    # The store refuses any title with this marker, as it would a value it cannot hold.
    with psycopg.connect(postgres.url, autocommit=True) as conn:
        conn.execute("ALTER TABLE articles ADD CONSTRAINT faults_refuse CHECK (position('refuse-me' in title) = 0)")
    stream = pipeline.stream(since=datetime.now(UTC) - timedelta(minutes=5))
    nul = article(3001, title="nul\u0000title\u001b", text="Text with a NUL\u0000 inside.", source="hostile")
    refused = article(3002, title="refuse-me please", source="hostile")
    good = _articles(3100, 6, source="good")
    sequence = [good[0], nul, good[1], refused, good[2], *good[3:]]
    await _publish(pipeline, sequence)
    wanted = {a.id for a in good} | {nul.id}
    stored_all = await pipeline.wait_stored(wanted, timeout=120)
    streamed_all = await stream.wait_for(wanted, timeout=60)
    async with httpx.AsyncClient(base_url=pipeline.api_url, timeout=10) as client:
        stored_nul = (await client.get(f"/v1/articles/{nul.id}")).json()
        ready = (await client.get("/readyz")).status_code
    set_aside = await pipeline.metric("api", "newswire_api_records_set_aside_total")
    stored = await pipeline.stored_ids()
    title_clean = stored_nul.get("title") == "nultitle"
    passed = (
        stored_all and streamed_all and title_clean and set_aside == 1 and refused.id not in stored and ready == 200
    )
    record(
        Outcome(
            case="input.nul-and-refused-record-postgres",
            kind="bad input",
            tried="on PostgreSQL: an enriched article with NUL and ESC in its title and text, and one the "
            "database refuses (CHECK constraint), between 6 good articles on news.articles.enriched",
            behaviour=f"NUL article stored with title {stored_nul.get('title')!r}; "
            f"refused record set aside after bounded retries (newswire_api_records_set_aside_total "
            f"{set_aside:.0f}); good articles stored {len(set(stored) & {a.id for a in good})}/6 and streamed; "
            f"/readyz {ready}",
            expected=len(wanted),
            delivered=len(wanted & set(stored)),
            lost=len(wanted - set(stored)),
            passed=passed,
            details={"set_aside": set_aside, "ready": ready},
        )
    )
    assert stored_all and streamed_all, pipeline.log_tail("api", 60)
    assert title_clean, stored_nul
    assert set_aside == 1 and refused.id not in stored
    assert ready == 200


def _s(value: float | None) -> str:
    return "never" if value is None else f"{value:.0f} s"

