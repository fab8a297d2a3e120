"""The two records that stopped the product for good (issue 14, findings 1 and 2), through the
enricher on Apache Kafka into the API's PostgreSQL store.

- A valid-looking RawArticle whose `published_at` has no UTC form (`0001-01-01T00:00:00+01:00`)
  made the enricher exit on every restart. It must become a dead letter with its reason, counted,
  and the partition must move on.
- An article with NUL characters in its title, authors and text passed the enricher unchanged,
  and every PostgreSQL-backed API replica retried the write for ever. The pipeline must never emit
  NUL: the article is enriched with the controls removed and arrives in the PostgreSQL store.

Both are sent on one partition, ahead of a good article, so the good one proves the partition moved on.
The NUL case also goes the way the issue found it: a page whose JSON-LD headline and author hold
`\\u0000`, crawled by the scraper (in this process) into the same raw topic, must arrive clean in
the store.
"""

import asyncio
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from newswire.kafka import make_producer
from newswire.schemas import DeadLetter, EnrichedArticle, RawArticle, article_id, decode, encode, headers_for
from newswire.scraper.sample_site.content import load_articles, render_article
from newswire.scraper.service import Scraper
from newswire.scraper.sources import SourcesFile
from tests.factories import make_raw
from tests.scraper.conftest import scraper_settings
from tests.scraper.hostile_server import HostileServer, Route

from .outcomes import Outcome, record
from .pipeline import Pipeline, PipelineError
from .postgres import PostgresCluster

pytestmark = [pytest.mark.integration, pytest.mark.faults, pytest.mark.timeout(600)]

_TEXT = "Officials in Islamabad and Astana said the new rail corridor would carry wheat and cotton. " * 8
OUT_OF_RANGE = "0001-01-01T00:00:00+01:00"


def _value(name: str, **fields: Any) -> tuple[bytes, str]:
    """A RawArticle as a producer that never went through the model would send it."""
    raw = make_raw(url=f"https://poison.example/{name}", text=_TEXT)
    return orjson.dumps(orjson.loads(encode(raw)) | fields), raw.id


async def _stored(api_url: str, article_id: str) -> dict[str, Any] | None:
    try:
        async with httpx.AsyncClient(timeout=10.0) as client:
            response = await client.get(f"{api_url}/v1/articles/{article_id}")
    except httpx.HTTPError:
        return None
    return response.json() if response.status_code == 200 else None


async def _outputs(pipeline: Pipeline) -> tuple[dict[int, DeadLetter], dict[str, EnrichedArticle]]:
    """Dead letters by raw offset, enriched articles by id, as the topics hold them now."""
    dead = await pipeline.read_topic(pipeline.topics.dlq)
    letters = {d.offset: d for d in (decode(r.value, DeadLetter) for r in dead)}
    enriched = {
        a.id: a for a in (decode(r.value, EnrichedArticle) for r in await pipeline.read_topic(pipeline.topics.enriched))
    }
    return letters, enriched


async def _scrape_a_page_with_nul(pipeline: Pipeline, workdir: Path) -> tuple[str, str]:
    """Crawl one page whose JSON-LD headline and author name hold \\u0000 into the pipeline's raw
    topic; returns the article's id and URL."""
    article = next(a for a in load_articles() if not a.hostile and not a.path.startswith("/private/"))
    with HostileServer({}) as site:
        page = render_article(article, base_url=site.url(""), published=datetime(2026, 1, 5, tzinfo=UTC), others=[])
        # JSON escapes inside the JSON-LD only: what a CMS that let a NUL through would write.
        headline = f'"headline":{json.dumps(article.title)}'
        assert headline in page and f'"name":"{article.author}"' in page
        page = page.replace(headline, headline[:-1] + '\\u0000"').replace(
            f'"name":"{article.author}"', f'"name":"{article.author[:2]}\\u0000{article.author[2:]}"'
        )
        items = f"<item><title>x</title><link>{site.url(article.path)}</link></item>"
        site.routes |= {
            "/robots.txt": Route(b"User-agent: *\nAllow: /\n", headers={"Content-Type": "text/plain"}),
            article.path: Route(page.encode(), headers={"Content-Type": "text/html; charset=utf-8"}),
            "/feed.xml": Route(
                f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>'.encode(),
                headers={"Content-Type": "application/rss+xml"},
            ),
        }
        sources = SourcesFile.model_validate(
            {"sources": [{"id": "nul-site", "name": "NUL", "feeds": [site.url("/feed.xml")], "allow_private": True}]}
        )
        settings = scraper_settings(workdir / "scraper", pipeline.settings)
        [report] = await Scraper(settings, sources).run(once=True)
        assert report.published == 1, report.summary()
        url = site.url(article.path)
    return article_id(url), url


async def test_no_utc_form_and_nul_characters_on_kafka_into_postgres(
    make_pipeline: Callable[..., Pipeline], kafka_broker, postgres: PostgresCluster, tmp_path: Path
) -> None:
    pipeline = make_pipeline(
        bootstrap_servers=kafka_broker.bootstrap_servers, sample_site=False, database_url=postgres.url
    )
    await pipeline.start(["enricher", "api"])
    date_value, date_id = _value("no-utc-form", published_at=OUT_OF_RANGE)
    nul_value, nul_id = _value(
        "nul-characters",
        title="nul\u0000title",
        authors=["A\u0000nne Author", "\u001bBob"],
        text="Islamabad\u0000 and Astana\r\n" + _TEXT + "\u0000",
    )
    good_value, good_id = _value("good-after-poison")
    scraped_id, scraped_url = await _scrape_a_page_with_nul(pipeline, tmp_path)
    producer = make_producer(pipeline.settings, client_id="poison-store")
    await producer.start()
    try:
        sent = {}
        order = (("date", date_value, date_id), ("nul", nul_value, nul_id), ("good", good_value, good_id))
        for name, value, key in order:
            result = await producer.send_and_wait(
                pipeline.topics.raw, value, key=key.encode(), partition=0, headers=headers_for(RawArticle)
            )
            sent[name] = result.offset
    finally:
        await producer.stop()

    deadline = time.monotonic() + 300
    letters: dict[int, DeadLetter] = {}
    enriched: dict[str, EnrichedArticle] = {}
    stored: dict[str, dict[str, Any] | None] = {}
    died: str | None = None
    while time.monotonic() < deadline and died is None:
        try:
            pipeline.check_alive()
        except PipelineError as exc:
            # Recorded, not raised: the table must say what happened (before issue 14: an OverflowError).
            died = str(exc).splitlines()[0] + " " + _last_error(pipeline)
            break
        letters, enriched = await _outputs(pipeline)
        stored = {i: await _stored(pipeline.api_url, i) for i in (nul_id, good_id, scraped_id)}
        if sent["date"] in letters and all(stored.values()):
            break
        await asyncio.sleep(2)
    # Read again: the store may have got an article after the topics were read in the last round.
    letters, enriched = await _outputs(pipeline)
    try:
        async with httpx.AsyncClient(timeout=10.0) as client:
            ready = (await client.get(pipeline.api_url + "/readyz")).status_code
        schema_dead = await pipeline.metric("enricher", "newswire_dead_letters_total", reason="schema")
    except httpx.HTTPError:
        ready, schema_dead = 0, 0.0
    nul_enriched = enriched.get(nul_id)
    nul_stored = stored.get(nul_id)
    scraped = stored.get(scraped_id)
    scraped_clean = scraped is not None and not any("\x00" in str(scraped[f]) for f in ("title", "authors", "text"))

    letter = letters.get(sent["date"])
    date_ok = (
        died is None
        and letter is not None
        and letter.error.startswith("schema:")
        and "out of range once converted to UTC" in letter.error
        and date_id not in enriched
        and schema_dead >= 1
        and good_id in enriched
    )
    record(
        Outcome(
            case="input.raw-no-utc-form",
            kind="bad input",
            tried=f"a RawArticle whose published_at ({OUT_OF_RANGE}) is valid RFC 3339 with no UTC form, "
            "then a good article on the same partition (Apache Kafka)",
            behaviour=(
                f"dead-lettered ({letter.error}); counted in newswire_dead_letters_total{{reason=schema}} "
                f"({schema_dead:g}); the enricher kept running and enriched the article behind it "
                f"({'yes' if good_id in enriched else 'NO'})"
                if letter is not None
                else f"NOT dead-lettered; {died or 'not handled within 300 s'}"
            ),
            expected=1,
            delivered=1 if letter is not None else 0,
            lost=0 if letter is not None else 1,
            passed=date_ok,
            details={"offset": sent["date"], "error": letter.error if letter else None, "dead_schema": schema_dead},
        )
    )
    nul_ok = (
        died is None
        and nul_enriched is not None
        and nul_stored is not None
        and nul_stored["title"] == "nultitle"
        and nul_stored["authors"] == ["Anne Author", "Bob"]
        and "\x00" not in nul_stored["text"]
        and "\r" not in nul_stored["text"]
        # Cleaning is enough: the NUL article must not be dead-lettered, and must not be lost.
        and sent["nul"] not in letters
        and stored.get(good_id) is not None
        and scraped_clean
        and ready == 200
    )
    record(
        Outcome(
            case="input.raw-nul-characters",
            kind="bad input",
            tried="a RawArticle with NUL and other control characters in title, authors and text "
            "(title 'nul\\u0000title'), and a page whose JSON-LD headline and author hold \\u0000 crawled by "
            "the scraper, into an API on PostgreSQL (Apache Kafka)",
            behaviour=(
                f"enriched with the controls removed (title {nul_enriched.title!r}); "
                if nul_enriched is not None
                else "NOT enriched; "
            )
            + (
                f"stored by the PostgreSQL-backed API (title {nul_stored['title']!r}); "
                if nul_stored is not None
                else "NOT in the PostgreSQL store; "
            )
            + f"the article behind it stored ({'yes' if stored.get(good_id) else 'NO'}); "
            + (
                f"a crawled page with NUL in its JSON-LD headline and author stored clean (authors "
                f"{scraped['authors']!r}); "
                if scraped_clean and scraped is not None
                else f"the crawled page with NUL NOT stored clean ({scraped!r:.200}); "
            )
            + f"/readyz {ready}"
            + (f"; {died}" if died else ""),
            expected=1,
            delivered=1 if nul_stored is not None else 0,
            lost=0 if nul_stored is not None else 1,
            passed=nul_ok,
            details={"offset": sent["nul"], "stored_title": nul_stored and nul_stored["title"], "readyz": ready},
        )
    )
    assert date_ok, f"{letter}\n{pipeline.log_tail('enricher')}"
    assert nul_ok, f"enriched={nul_enriched!r}\nstored={nul_stored!r}\nscraped={scraped!r}\n{pipeline.log_tail('api')}"


def _last_error(pipeline: Pipeline) -> str:
    """The enricher's last log line naming an error, for the table."""
    lines = [line for line in pipeline.log_tail("enricher", lines=200).splitlines() if "Error" in line]
    return lines[-1].strip()[:200] if lines else ""
