"""The two records that stopped the product for good (issue 14, findings 1 and 2), through the
enricher on Apache Kafka into the API's PostgreSQL store.

- A valid-looking RawArticle whose `published_at` has no UTC form (`0001-01-01T00:00:00+01:00`)
  made the enricher exit on every restart. It must become a dead letter with its reason, counted,
  and the partition must move on.
- An article with NUL characters in its title, authors and text passed the enricher unchanged,
  and every PostgreSQL-backed API replica retried the write for ever. The pipeline must never emit
  NUL: the article is enriched with the controls removed and arrives in the PostgreSQL store.

Both are sent on one partition, ahead of a good article, so the good one proves the partition moved on.
"""

import asyncio
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import orjson
import pytest
from newswire.schemas import DeadLetter, EnrichedArticle, RawArticle, decode, encode, headers_for

from newswire.kafka import make_producer
from tests.factories import make_raw

from .outcomes import Outcome, record
from .pipeline import Pipeline, PipelineError
from .postgres import PG_BIN, PostgresCluster

pytestmark = [pytest.mark.integration, pytest.mark.faults, pytest.mark.timeout(600)]

_TEXT = "Officials in Islamabad and Astana said the new rail corridor would carry wheat and cotton. " * 8
OUT_OF_RANGE = "0001-01-01T00:00:00+01:00"


@pytest.fixture
def postgres() -> Iterator[PostgresCluster]:
    if not (PG_BIN / "initdb").exists():
        pytest.skip(f"PostgreSQL binaries are absent at {PG_BIN} (apt-get install postgresql)")
    with PostgresCluster() as cluster:
        yield cluster


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


async def test_no_utc_form_and_nul_characters_on_kafka_into_postgres(
    make_pipeline: Callable[..., Pipeline], kafka_broker, postgres: PostgresCluster
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
        letters = {
            d.offset: d for d in (decode(r.value, DeadLetter) for r in await pipeline.read_topic(pipeline.topics.dlq))
        }
        enriched = {
            a.id: a
            for a in (decode(r.value, EnrichedArticle) for r in await pipeline.read_topic(pipeline.topics.enriched))
        }
        stored = {i: await _stored(pipeline.api_url, i) for i in (nul_id, good_id)}
        if sent["date"] in letters and all(stored.values()):
            break
        await asyncio.sleep(2)
    try:
        async with httpx.AsyncClient(timeout=10.0) as client:
            ready = (await client.get(pipeline.api_url + "/readyz")).status_code
        schema_dead = await pipeline.metric("enricher", "newswire_dead_letters_total", reason="schema")
    except httpx.HTTPError:
        ready, schema_dead = 0, 0.0
    nul_enriched = enriched.get(nul_id)
    nul_stored = stored.get(nul_id)

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
                f"dead-lettered ({letter.error[:120]}); counted in newswire_dead_letters_total{{reason=schema}} "
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
        and ready == 200
    )
    record(
        Outcome(
            case="input.raw-nul-characters",
            kind="bad input",
            tried="a RawArticle with NUL and other control characters in title, authors and text "
            "(title 'nul\\u0000title'), into an API on PostgreSQL (Apache Kafka)",
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
            + f"the article behind it stored ({'yes' if stored.get(good_id) else 'NO'}); /readyz {ready}"
            + (f"; {died}" if died else ""),
            expected=1,
            delivered=1 if nul_stored is not None else 0,
            lost=0 if nul_stored is not None else 1,
            passed=nul_ok,
            details={"offset": sent["nul"], "stored_title": nul_stored and nul_stored["title"], "readyz": ready},
        )
    )
    assert date_ok, f"{letter}\n{pipeline.log_tail('enricher')}"
    assert nul_ok, f"enriched={nul_enriched!r}\nstored={nul_stored!r}\n{pipeline.log_tail('api')}"


def _last_error(pipeline: Pipeline) -> str:
    """The enricher's last log line naming an error, for the table."""
    lines = [line for line in pipeline.log_tail("enricher", lines=200).splitlines() if "Error" in line]
    return lines[-1].strip()[:200] if lines else ""
