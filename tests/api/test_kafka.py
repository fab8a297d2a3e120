"""The API against a real broker: events published to news.articles.enriched reach SSE and
WebSocket clients; resume, replay, slow clients, restarts, and the dashboard in Chromium."""

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
import websockets
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient

from newswire.api import Settings, create_app
from newswire.broker import BrokerProcess
from newswire.kafka import ensure_topics, make_producer, publish
from newswire.schemas import EnrichedArticle, TopicNames
from newswire.settings import CommonSettings

from .chromium import ARTIFACTS, CHROMIUM, chromium_page
from .conftest import serving
from .feed import article, seed_article
from .sse import open_sse

pytestmark = pytest.mark.integration


@dataclass
class KafkaApi:
    url: str
    client: httpx.AsyncClient
    producer: AIOKafkaProducer
    topic: str
    settings: Settings

    async def publish(self, *articles: EnrichedArticle) -> None:
        for item in articles:
            await publish(self.producer, self.topic, item, key=item.id)

    async def stored(self, count: int) -> None:
        """Wait until the API has stored `count` articles (its consumer caught up)."""
        async with asyncio.timeout(60):
            while True:
                body = (await self.client.get("/v1/articles", params={"limit": 200, "fields": "id"})).json()
                if len(body["items"]) >= count:
                    return
                await asyncio.sleep(0.1)


def _api_settings(kafka_settings: CommonSettings, tmp_path: Path, **overrides: Any) -> Settings:
    values = kafka_settings.model_dump() | {
        "data_dir": tmp_path / "api",
        "api_rate_limit": 0,
        "api_max_streams_per_client": 0,
    }
    return Settings(**(values | overrides))


@asynccontextmanager
async def kafka_api(settings: Settings) -> AsyncIterator[KafkaApi]:
    """The API consuming the broker behind uvicorn, once /readyz says Kafka and the store are ready."""
    await ensure_topics(settings)
    app = create_app(settings)
    producer = make_producer(settings, client_id="api-test")
    await producer.start()
    try:
        async with serving(app) as url, httpx.AsyncClient(base_url=url, timeout=30) as client:
            async with asyncio.timeout(60):
                while (await client.get("/readyz")).status_code != 200:
                    await asyncio.sleep(0.1)
            yield KafkaApi(url, client, producer, TopicNames(settings.topic_prefix).enriched, settings)
    finally:
        await producer.stop()


@pytest.fixture
async def api(kafka_settings: CommonSettings, tmp_path: Path) -> AsyncIterator[KafkaApi]:
    async with kafka_api(_api_settings(kafka_settings, tmp_path)) as running:
        yield running


@pytest.mark.smoke
async def test_published_events_reach_sse_and_websocket_clients_with_their_filters(api: KafkaApi) -> None:
    ws_url = api.url.replace("http://", "ws://") + "/v1/ws?country=KZ&fields=id,title,countries"
    async with open_sse(api.client, "/v1/stream", params={"topic": "trade"}) as sse, websockets.connect(ws_url) as ws:
        await api.publish(
            article(1, topics={"trade": 0.9}, countries=["PK"]),
            article(2, topics={"energy": 0.9}, countries=["KZ"]),
            article(3, topics={"trade": 0.7}, countries=["KZ", "PK"]),
            article(4, topics={"sport": 0.9}, countries=["BR"]),
        )
        events = await sse.articles_count(2)
        frames = [orjson.loads(await asyncio.wait_for(ws.recv(), 30)) for _ in range(2)]
    assert sorted(e.json()["title"] for e in events) == ["Headline 1", "Headline 3"]
    assert all(e.id for e in events)
    assert {f["event"] for f in frames} == {"article"}
    assert sorted(f["data"]["title"] for f in frames) == ["Headline 2", "Headline 3"]
    assert set(frames[0]["data"]) == {"id", "title", "countries"}


async def test_reconnect_with_last_event_id_receives_every_later_event_exactly_once(api: KafkaApi) -> None:
    first = [article(n) for n in range(8)]
    async with open_sse(api.client, "/v1/stream") as stream:
        await api.publish(*first)
        events = await stream.articles_count(8)
    # The client "disconnected" after its third event; more news arrives meanwhile.
    seen = {e.json()["title"] for e in events[:3]}
    later = [article(n) for n in range(8, 14)]
    await api.publish(*later)
    await api.stored(14)
    async with open_sse(api.client, "/v1/stream", headers={"Last-Event-ID": events[2].id or ""}) as stream:
        await stream.articles_count(11)
        await api.publish(article(99))
        titles = [e.json()["title"] for e in await stream.articles_count(12)]
    assert len(titles) == len(set(titles)), "an event was repeated"
    assert seen.isdisjoint(titles), "an event the client had already seen was repeated"
    assert seen | set(titles) == {a.title for a in first + later} | {"Headline 99"}, "an event was missed"
    assert titles[-1] == "Headline 99"


async def test_since_replays_from_a_time_then_goes_live(api: KafkaApi) -> None:
    await api.publish(article(1), article(2), article(3))
    await api.stored(3)
    since = (datetime.now(UTC) - timedelta(minutes=10)).isoformat()
    async with open_sse(api.client, "/v1/stream", params={"since": since, "fields": "title"}) as stream:
        replayed = await stream.articles_count(3)
        await api.publish(article(4))
        events = await stream.articles_count(4)
    assert sorted(e.json()["title"] for e in replayed[:3]) == ["Headline 1", "Headline 2", "Headline 3"]
    assert events[3].json() == {"title": "Headline 4"}
    # A time after everything stored replays nothing: only live events come.
    async with open_sse(api.client, "/v1/stream", params={"since": datetime.now(UTC).isoformat()}) as stream:
        await api.publish(article(5))
        assert [e.json()["title"] for e in await stream.articles_count(1)] == ["Headline 5"]


async def test_slow_client_is_cut_off_while_a_fast_one_keeps_receiving(
    kafka_settings: CommonSettings, tmp_path: Path
) -> None:
    settings = _api_settings(kafka_settings, tmp_path, api_client_queue_size=4, api_slow_client_grace_seconds=60)
    async with kafka_api(settings) as api:
        host, port = api.url.removeprefix("http://").split(":")
        reader, writer = await asyncio.open_connection(host, int(port), limit=1024)
        sock = writer.get_extra_info("socket")
        writer.write(f"GET /v1/stream HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
        await writer.drain()
        # The slow client reads its first line and then stops reading until it has been cut off.
        assert (await reader.readline()).startswith(b"HTTP/1.1 200")
        assert sock is not None
        big = "The quick brown fox jumps over the lazy dog. " * 2000
        async with open_sse(api.client, "/v1/stream") as fast:
            total = 0
            while (
                'newswire_stream_slow_disconnects_total{transport="sse"} 1.0'
                not in (await api.client.get("/metrics")).text
            ):
                await api.publish(article(total, text=big))
                total += 1
                await fast.articles_count(total)
                assert total < 2000, "the slow client was never cut off"
            await api.publish(article(total, text="after the cut"))
            events = await fast.articles_count(total + 1)
        assert [e.json()["title"] for e in events] == [f"Headline {n}" for n in range(total + 1)]
        rest = await asyncio.wait_for(reader.read(), 60)
        writer.close()
        assert b"event: error" in rest
        assert b"slow_consumer" in rest


async def test_a_restarted_api_continues_from_its_store(kafka_settings: CommonSettings, tmp_path: Path) -> None:
    settings = _api_settings(kafka_settings, tmp_path)
    async with kafka_api(settings) as api:
        await api.publish(article(1), article(2))
        await api.stored(2)
        producer = make_producer(settings, client_id="api-test-2")
    await producer.start()
    try:
        for item in (article(3), article(2)):
            await publish(producer, TopicNames(settings.topic_prefix).enriched, item, key=item.id)
    finally:
        await producer.stop()
    async with kafka_api(settings) as api:
        await api.stored(3)
        async with open_sse(api.client, "/v1/stream") as stream:
            await api.publish(article(4))
            events = await stream.articles_count(1)
        body = (await api.client.get("/v1/articles", params={"fields": "title"})).json()
    assert [i["title"] for i in body["items"]] == ["Headline 4", "Headline 3", "Headline 2", "Headline 1"]
    assert [e.json()["title"] for e in events] == ["Headline 4"]


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no Chromium at {CHROMIUM}")
async def test_dashboard_in_chromium_shows_the_seed_article_with_its_entities(api: KafkaApi, seed_text: str) -> None:
    seed = seed_article(seed_text)
    flowing = asyncio.Event()

    async def flow() -> None:
        n = 0
        while True:
            await api.publish(
                article(1000 + n, topics={"economy": 0.7}, entities=[("country:KZ", "Kazakhstan", "COUNTRY")])
            )
            n += 1
            if n == 3:
                flowing.set()
            await asyncio.sleep(0.3)

    publisher = asyncio.create_task(flow())
    try:
        async with chromium_page(api.url + "/") as page:
            await flowing.wait()
            await page.wait_for("document.querySelectorAll('#feed .card').length >= 2")
            await api.publish(seed)
            card = f"#feed .card[data-id='{seed.id}']"
            await page.wait_for(f'!!document.querySelector("{card}")')
            publisher.cancel()
            await page.wait_for(f'document.querySelectorAll("{card} .chip").length >= 10')
            await page.evaluate(f"document.querySelector(\"{card}\").scrollIntoView({{block: 'center'}})")
            # Let the side panels catch up with the new article before the picture.
            await page.wait_for(
                "[...document.querySelectorAll('#trending .chip')].some(c => c.textContent === 'Kassym-Jomart Tokayev')"
            )
            chips = await page.evaluate(
                f'[...document.querySelectorAll("{card} .chip")].map(c => [c.dataset.type, c.textContent])'
            )
            title = await page.evaluate(f'document.querySelector("{card} h3").textContent')
            await page.screenshot(ARTIFACTS / "dashboard.png")
    finally:
        publisher.cancel()
    assert title == seed.title
    assert ["PERSON", "Kassym-Jomart Tokayev"] in chips
    assert ["PERSON", "Shehbaz Sharif"] in chips
    assert ["COUNTRY", "Kazakhstan"] in chips
    assert ["CITY", "Islamabad"] in chips
    assert ["ORG", "OIC-COMSTECH"] in chips
    assert (ARTIFACTS / "dashboard.png").stat().st_size > 10_000


async def test_a_recreated_topic_is_read_from_its_start_and_old_tokens_go_live(
    kafka_settings: CommonSettings, tmp_path: Path
) -> None:
    settings = _api_settings(kafka_settings, tmp_path)
    async with kafka_api(settings) as api, open_sse(api.client, "/v1/stream") as stream:
        await api.publish(article(1), article(2), article(3))
        old_token = (await stream.articles_count(3))[-1].id
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap_servers)
    await admin.start()
    try:
        await admin.delete_topics([TopicNames(settings.topic_prefix).enriched])
        async with asyncio.timeout(60):
            while TopicNames(settings.topic_prefix).enriched in await admin.list_topics():
                await asyncio.sleep(0.2)
    finally:
        await admin.close()
    async with asyncio.timeout(60):
        while True:
            try:
                await ensure_topics(settings)
                break
            except Exception:  # the deletion may still be settling on the broker
                await asyncio.sleep(0.5)
    async with kafka_api(settings) as api:
        async with open_sse(api.client, "/v1/stream", headers={"Last-Event-ID": old_token or ""}) as stream:
            await api.publish(article(4), article(5))
            titles = sorted(e.json()["title"] for e in await stream.articles_count(2))
        await api.stored(5)
        since = (datetime.now(UTC) - timedelta(minutes=10)).isoformat()
        async with open_sse(api.client, "/v1/stream", params={"since": since}) as replay:
            replayed = sorted(e.json()["title"] for e in await replay.articles_count(2))
            await api.publish(article(6))
            await replay.articles_count(3)
    assert titles == ["Headline 4", "Headline 5"]
    # Only the new log's events replay by position; the old articles stay queryable.
    assert replayed == ["Headline 4", "Headline 5"]
    assert replay.articles[2].json()["title"] == "Headline 6"


async def test_broker_outage_makes_the_api_unready_and_streams_resume_after_it(
    broker_factory: Callable[[], BrokerProcess], kafka_broker: Any, topic_prefix: str, tmp_path: Path
) -> None:
    if kafka_broker.engine == "tansu":
        pytest.skip("Tansu keeps topics in memory: a restart is a new, empty cluster, not an outage")
    broker = await asyncio.to_thread(broker_factory)
    common = CommonSettings(
        kafka_bootstrap_servers=broker.bootstrap_servers,
        kafka_idempotence=kafka_broker.engine == "kafka",
        topic_prefix=topic_prefix,
        topic_partitions=3,
    )
    async with kafka_api(_api_settings(common, tmp_path)) as api, open_sse(api.client, "/v1/stream") as stream:
        await api.publish(article(1))
        await stream.articles_count(1)
        await asyncio.to_thread(broker.stop)
        async with asyncio.timeout(60):
            while (ready := await api.client.get("/readyz")).status_code != 503:
                await asyncio.sleep(0.2)
        assert ready.json()["kafka"] is False
        # The SSE client stays connected through the outage (heartbeats), and sees news after it.
        await asyncio.to_thread(broker.start, timeout=180)
        async with asyncio.timeout(180):
            while (await api.client.get("/readyz")).status_code != 200:
                await asyncio.sleep(0.2)
        producer = make_producer(api.settings, client_id="api-test-after")
        await producer.start()
        try:
            item = article(2)
            await publish(producer, api.topic, item, key=item.id)
        finally:
            await producer.stop()
        events = await stream.articles_count(2, timeout=90)
    assert [e.json()["title"] for e in events] == ["Headline 1", "Headline 2"]
