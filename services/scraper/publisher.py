"""Publishing `RawArticle`s to `news.articles.raw`: key = article id, acks=all, idempotent producer.

`publish` returns only once the broker acknowledged the record. While the broker is unreachable it
keeps retrying with backoff (the crawl waits: back-pressure instead of loss) until `stop()` is
called, which flushes what the producer still holds.
"""

import asyncio
import contextlib
import logging

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from newswire.kafka import make_producer, publish
from newswire.schemas import RawArticle, TopicNames
from newswire.settings import CommonSettings

from . import metrics
from .errors import PublishAborted

__all__ = ["Publisher"]

logger = logging.getLogger(__name__)

_BACKOFF_MAX = 10.0


class Publisher:
    def __init__(self, settings: CommonSettings) -> None:
        self._settings = settings
        self.topic = TopicNames(settings.topic_prefix).raw
        self._producer: AIOKafkaProducer | None = None
        self._stopping = asyncio.Event()
        self._starting = asyncio.Lock()

    async def start(self) -> None:
        """Connect, retrying until the broker answers or `stop()` is called."""
        async with self._starting:
            if self._producer is None:
                await self._connect()

    async def _connect(self) -> None:
        delay = 0.5
        while not self._stopping.is_set():
            producer = make_producer(self._settings, client_id="scraper")
            try:
                await producer.start()
            except KafkaError as exc:
                await producer.stop()
                logger.warning(
                    "Kafka not reachable at %s (%s); retrying in %.0fs",
                    self._settings.kafka_bootstrap_servers,
                    exc,
                    delay,
                )
                await self._pause(delay)
                delay = min(delay * 2, _BACKOFF_MAX)
                continue
            self._producer = producer
            logger.info("publishing to %s on %s", self.topic, self._settings.kafka_bootstrap_servers)
            return
        raise PublishAborted("stopped before Kafka was reachable")

    async def publish(self, article: RawArticle) -> None:
        """Send and wait for the acknowledgement; retries through broker outages."""
        await self.start()
        assert self._producer is not None
        delay = 0.5
        while True:
            if self._stopping.is_set():
                raise PublishAborted(f"shutting down; {article.canonical_url} stays pending")
            try:
                await publish(self._producer, self.topic, article, key=article.id)
            except KafkaError as exc:
                metrics.PUBLISH_ERRORS.labels(article.source).inc()
                logger.warning(
                    "publish of %s failed (%s); retrying in %.1fs",
                    article.id,
                    exc,
                    delay,
                    extra={"article_id": article.id, "source": article.source},
                )
                await self._pause(delay)
                delay = min(delay * 2, _BACKOFF_MAX)
                continue
            metrics.ARTICLES_PUBLISHED.labels(article.source).inc()
            logger.info(
                "published %s", article.canonical_url, extra={"article_id": article.id, "source": article.source}
            )
            return

    def request_stop(self) -> None:
        """Make waiting and retrying `publish` calls give up (their URLs stay pending)."""
        self._stopping.set()

    async def stop(self) -> None:
        """Flush and close the producer."""
        self._stopping.set()
        if self._producer is not None:
            producer, self._producer = self._producer, None
            await producer.stop()

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds)
