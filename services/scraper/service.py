"""The crawl loop: poll every source on its interval, turn new or changed pages into RawArticles.

Per poll of a source: discover URLs (feeds, sitemaps, listed pages) and record them as pending;
then fetch what is due (pending first, then recent pages checked for updates, conditionally),
extract, deduplicate and publish. A URL is finished only after its outcome is final, and an
article only after the broker acknowledged it, so a crash or broker outage loses nothing.
"""

import asyncio
import contextlib
import functools
import logging
import signal
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal

from newswire.schemas import RawArticle

from . import metrics
from .dedup import StateStore
from .errors import ExtractionError, FetchError, FetchOutcome, NotAnArticle, ParseError, PublishAborted
from .extraction import extract_article
from .feeds import parse_feed
from .fetcher import Fetcher, Response, Validators
from .publisher import Publisher
from .settings import Settings
from .sitemaps import parse_sitemap
from .sources import Source, SourcesFile
from .urls import UrlError, normalise_url

__all__ = ["PollReport", "Scraper"]

logger = logging.getLogger(__name__)

#: Fetch outcomes worth trying again on a later poll; the others are final for that URL.
_TRANSIENT: frozenset[FetchOutcome] = frozenset({"timeout", "server_error", "rate_limited", "connect_error"})


@dataclass(frozen=True, slots=True)
class _Listing:
    url: str
    validators: Validators
    children: list[str]


@dataclass(slots=True)
class PollReport:
    """What one poll of one source did (also logged)."""

    source: str
    discovered: int = 0
    fetched: int = 0
    published: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)

    def summary(self) -> str:
        details = ", ".join(f"{k}={v}" for k, v in sorted(self.outcomes.items()))
        return (
            f"{self.source}: {self.discovered} new URLs, {self.fetched} fetched, {self.published} published ({details})"
        )


class Scraper:
    def __init__(
        self,
        settings: Settings,
        sources: SourcesFile,
        *,
        fetcher: Fetcher | None = None,
        publisher: Publisher | None = None,
        store: StateStore | None = None,
    ) -> None:
        self.settings = settings
        self.sources = sources.enabled
        self.fetcher = fetcher or Fetcher(settings)
        self.publisher = publisher or Publisher(settings)
        self.store = store or StateStore(settings.state_db)
        self._stop = asyncio.Event()
        # Two URLs of one article (an alias; a feed and a sitemap address; a syndicated copy) may be
        # handled at once: deciding novelty, publishing and recording happen one article at a time.
        self._publishing = asyncio.Lock()
        # Pages a poll stopped waiting for (a slow or stalled server): they finish in the background,
        # and no later poll takes them again until they have.
        self._in_flight: dict[str, asyncio.Task[None]] = {}

    # -- lifecycle -------------------------------------------------------------------------------

    def request_stop(self) -> None:
        """Finish what is in flight, publish nothing new, then return from `run`."""
        if not self._stop.is_set():
            logger.info("stopping: finishing in-flight pages")
        self._stop.set()
        self.publisher.request_stop()

    def install_signal_handlers(self) -> None:
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(signum, self.request_stop)

    async def run(self, *, once: bool = False) -> list[PollReport]:
        """Poll every source until stopped (or exactly once each with `once`)."""
        reports: list[PollReport] = []
        if not self.sources:
            logger.warning("no enabled sources: nothing to crawl")
        try:
            # The publisher connects on first use: crawling (and its metrics) goes on while Kafka is away.
            async with asyncio.TaskGroup() as group:
                for source in self.sources:
                    group.create_task(self._source_loop(source, once=once, reports=reports))
        finally:
            if self._in_flight:
                await asyncio.gather(*self._in_flight.values(), return_exceptions=True)
            await self.publisher.stop()
            await self.fetcher.aclose()
            self.store.close()
        return reports

    async def _source_loop(self, source: Source, *, once: bool, reports: list[PollReport]) -> None:
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                # A round waits at most one poll interval for its pages: a page on a server that
                # trickles (timeouts, retries) must not delay the discovery of every new story.
                reports.append(await self.poll(source, round_timeout=None if once else source.poll_interval))
            except Exception:
                # One broken source must not stop the others; the next poll tries again.
                logger.exception("poll of %s failed", source.id, extra={"source": source.id})
            if once:
                return
            remaining = source.poll_interval - (time.monotonic() - started)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), timeout=max(remaining, 0.0))

    # -- one poll --------------------------------------------------------------------------------

    def _forget(self, url: str, _task: "asyncio.Task[None]") -> None:
        self._in_flight.pop(url, None)

    async def poll(self, source: Source, *, round_timeout: float | None = None) -> PollReport:
        """One round over `source`; with `round_timeout`, pages still running after it finish in the
        background (a later poll skips them until they have)."""
        report = PollReport(source.id)
        found, listings = await self._discover(source, report)
        report.discovered = self.store.discover(found, source=source.id)
        # Only now that their entries are recorded may a feed's validators turn it into a 304.
        for listing in listings:
            self.store.remember_listing(
                listing.url, source=source.id, validators=listing.validators, children=listing.children
            )
        due = self.store.due(
            source.id,
            revisit_after=self.settings.revisit_after,
            revisit_window=self.settings.revisit_window,
            limit=self.settings.max_urls_per_poll,
            retry_round_after=self.settings.retry_round_after,
        )
        limit = asyncio.Semaphore(source.concurrency)

        async def handle(url: str) -> None:
            async with limit:
                if self._stop.is_set():
                    return
                try:
                    await self._handle_page(source, url, report)
                except Exception as exc:
                    # A bug or a parser crash on one page must cost that page only, not the poll.
                    logger.exception("unexpected error on %s", url, extra={"source": source.id, "url": url})
                    report.outcomes["internal_error"] += 1
                    metrics.EXTRACTION_FAILURES.labels(source.id, "internal_error").inc()
                    self.store.failed_attempt(url, error=repr(exc), max_attempts=self.settings.max_attempts)

        tasks = []
        for url in due:
            if url in self._in_flight:
                continue
            task = asyncio.create_task(handle(url))
            self._in_flight[url] = task
            task.add_done_callback(functools.partial(self._forget, url))
            tasks.append(task)
        still_running: set[asyncio.Task[None]] = set()
        if tasks:
            _, still_running = await asyncio.wait(tasks, timeout=round_timeout)
        metrics.POLLS.labels(source.id).inc()
        metrics.PENDING_URLS.labels(source.id).set(self.store.pending_count(source.id))
        if still_running:
            logger.info(
                "poll done with %d page(s) still in flight: %s",
                len(still_running),
                report.summary(),
                extra={"source": source.id},
            )
        else:
            logger.info("poll done: %s", report.summary(), extra={"source": source.id})
        return report

    async def _fetch_listing(
        self, source: Source, url: str, kind: Literal["feed", "sitemap"], report: PollReport
    ) -> Response | None:
        known = self.store.listing(url)
        try:
            response = await self._fetch_unless_stopped(url, source, kind=kind, validators=known[0] if known else None)
        except FetchError as exc:
            report.outcomes[f"{kind}_{exc.outcome}"] += 1
            return None
        if response is None:
            report.outcomes["stopped"] += 1
            return None
        report.outcomes[f"{kind}_{'not_modified' if response.not_modified else 'ok'}"] += 1
        return response

    async def _discover(self, source: Source, report: PollReport) -> tuple[list[str], list[_Listing]]:
        """URLs from the source's feeds, sitemaps (following indexes) and listed pages, and the
        listings they came from (whose validators are stored once the URLs are)."""
        found: list[tuple[str, datetime | None]] = [(p, None) for p in source.pages]
        listings: list[_Listing] = []
        for feed_url in source.feeds:
            response = await self._fetch_listing(source, feed_url, "feed", report)
            if response is None or response.not_modified:
                continue
            try:
                entries = await asyncio.to_thread(parse_feed, response.body, base_url=response.final_url)
            except ParseError as exc:
                logger.warning("%s", exc, extra={"source": source.id})
                report.outcomes["feed_unreadable"] += 1
                continue
            found += [(e.url, e.published) for e in entries]
            listings.append(_Listing(feed_url, response.validators, []))
        queue = [(u, 0) for u in source.sitemaps]
        while queue:
            sitemap_url, depth = queue.pop(0)
            response = await self._fetch_listing(source, sitemap_url, "sitemap", report)
            if response is None:
                continue
            if response.not_modified:
                # An unchanged index may still list changed sitemaps: visit the children it listed.
                known = self.store.listing(sitemap_url)
                children = known[1] if known else []
            else:
                try:
                    sitemap = await asyncio.to_thread(parse_sitemap, response.body)
                except ParseError as exc:
                    logger.warning("%s: %s", sitemap_url, exc, extra={"source": source.id})
                    report.outcomes["sitemap_unreadable"] += 1
                    continue
                if sitemap.bad_dates:
                    logger.warning(
                        "%s: %d entries with an unreadable or out-of-range date, kept without it",
                        sitemap_url,
                        sitemap.bad_dates,
                        extra={"source": source.id},
                    )
                    report.outcomes["sitemap_bad_date"] += sitemap.bad_dates
                    metrics.BAD_DATES.labels(source.id).inc(sitemap.bad_dates)
                children = sitemap.sitemaps
                found += [(e.url, e.published) for e in sitemap.urls]
                listings.append(_Listing(sitemap_url, response.validators, children))
            if depth < self.settings.max_sitemap_depth:
                queue += [(child, depth + 1) for child in children]
        cutoff = datetime.now(UTC) - timedelta(seconds=source.max_age) if source.max_age else None
        urls: list[str] = []
        seen: set[str] = set()
        for url, published in found:
            if cutoff and published and published < cutoff:
                continue
            try:
                normalised = normalise_url(url)
            except UrlError:
                report.outcomes["invalid_url"] += 1
                continue
            if normalised not in seen:
                seen.add(normalised)
                urls.append(normalised)
        return urls[: self.settings.max_urls_per_poll], listings

    async def _fetch_unless_stopped(
        self, url: str, source: Source, *, kind: Literal["page", "feed", "sitemap"], validators: Validators | None
    ) -> Response | None:
        """Fetch, or None when a stop is requested first: a slow server must not hold up a shutdown.

        Only fetching is interrupted; an article being published always finishes (or stays pending).
        """
        fetch = asyncio.ensure_future(
            self.fetcher.fetch(
                url,
                source=source.id,
                kind=kind,
                validators=validators,
                allow_private=source.allow_private,
                delay=source.request_delay,
            )
        )
        stop = asyncio.ensure_future(self._stop.wait())
        try:
            await asyncio.wait({fetch, stop}, return_when=asyncio.FIRST_COMPLETED)
        except asyncio.CancelledError:
            fetch.cancel()
            raise
        finally:
            stop.cancel()
        if not fetch.done():
            fetch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await fetch
            return None
        return fetch.result()

    async def _handle_page(self, source: Source, url: str, report: PollReport) -> None:
        state = self.store.get(url)
        validators = state.validators if state else None
        report.fetched += 1
        try:
            response = await self._fetch_unless_stopped(url, source, kind="page", validators=validators)
        except FetchError as exc:
            report.outcomes[exc.outcome] += 1
            if exc.outcome in _TRANSIENT:
                self.store.failed_attempt(url, error=str(exc), max_attempts=self.settings.max_attempts)
            else:
                self.store.finish(url, status="failed", error=str(exc))
            return
        if response is None:
            # Stopping: the URL keeps its state and is fetched again next run.
            report.outcomes["stopped"] += 1
            return
        if response.not_modified:
            report.outcomes["not_modified"] += 1
            self.store.checked(url)
            return
        try:
            article = await asyncio.to_thread(
                extract_article,
                response.body,
                url=response.final_url,
                source=source.id,
                header_charset=response.charset,
                fetched_at=response.fetched_at,
                default_language=source.language,
                min_words=self.settings.min_article_words,
                max_bytes=self.settings.max_body_bytes,
            )
        except NotAnArticle as exc:
            report.outcomes[f"skipped_{exc.reason}"] += 1
            metrics.PAGES_SKIPPED.labels(source.id, exc.reason).inc()
            logger.info("not an article (%s): %s", exc.detail, url, extra={"source": source.id, "url": url})
            self.store.finish(url, status="skipped", validators=response.validators, error=str(exc))
            return
        except ExtractionError as exc:
            report.outcomes[f"extraction_{exc.reason}"] += 1
            metrics.EXTRACTION_FAILURES.labels(source.id, exc.reason).inc()
            logger.warning("extraction failed (%s): %s", exc.detail, url, extra={"source": source.id, "url": url})
            self.store.finish(url, status="failed", validators=response.validators, error=str(exc))
            return
        await self._publish_once(article, url=url, response=response, report=report)

    async def _publish_once(self, article: RawArticle, *, url: str, response: Response, report: PollReport) -> None:
        async with self._publishing:
            novelty = self.store.novelty(article)
            if novelty in ("unchanged", "same_text"):
                report.outcomes[f"duplicate_{novelty}"] += 1
                metrics.DUPLICATES.labels(article.source, novelty).inc()
                self.store.finish(url, status="done", validators=response.validators)
                return
            try:
                await self.publisher.publish(article)
            except PublishAborted:
                report.outcomes["publish_aborted"] += 1
                return
            self.store.published(article, url=url, validators=response.validators)
            report.published += 1
            report.outcomes["published_" + novelty] += 1
