"""One record the store refuses never stops ingestion; an outage never loses a record.

On SQLite and PostgreSQL: an article with NUL and other control characters is stored without them
(PostgreSQL refuses NUL in text), a record the database refuses (a constraint made for the test)
is set aside after bounded retries and counted while the records around it are stored, and a
store that is down makes the consumer wait instead of skipping.
"""

import sqlite3
from pathlib import Path

import orjson
import pytest

from newswire.schemas import encode

from .conftest import Api, api_settings, running_api
from .feed import article


async def _ids(api: Api) -> list[str]:
    return [i["id"] for i in (await api.client.get("/v1/articles", params={"limit": 200})).json()["items"]]


def _refuse_titles(api: Api, marker: str) -> None:
    """Make the database itself refuse articles whose title holds `marker` (an IntegrityError)."""
    engine = api.app.state.newswire.store.engine
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql(
                f"ALTER TABLE articles ADD CONSTRAINT refuse_marker CHECK (position('{marker}' in title) = 0)"
            )
        else:
            conn.exec_driver_sql(
                "CREATE TRIGGER refuse_marker BEFORE INSERT ON articles "
                f"WHEN NEW.title LIKE '%{marker}%' BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
            )


async def test_control_characters_are_removed_before_the_store(rest_api: Api) -> None:
    text = "Officials met\x00 in Astana on Monday.\x07"
    dirty = article(1, title="nul\x00title\x1b", text=text, entities=[("city:1526273", "Astana", "CITY")])
    # On the wire as a foreign producer would send it: NUL and controls in the JSON itself.
    value = orjson.loads(encode(dirty)) | {"title": "nul\x00title\x1b", "text": text}
    assert b"\\u0000" in orjson.dumps(value)
    await rest_api.feed.publish_raw(orjson.dumps(value))
    await rest_api.feed.publish(article(2))
    assert sorted(await _ids(rest_api)) == sorted([dirty.id, article(2).id])
    stored = (await rest_api.client.get(f"/v1/articles/{dirty.id}")).json()
    assert stored["title"] == "nultitle"
    # The text keeps its length so that mention offsets still point at the same words.
    assert stored["text"] == "Officials met  in Astana on Monday. "
    mention = stored["entities"][0]["mentions"][0]
    assert stored["text"][mention["start"] : mention["end"]] == "Astana"


async def test_a_refused_record_is_set_aside_and_ingestion_goes_on(rest_api: Api) -> None:
    _refuse_titles(rest_api, "refuse-me")
    poison = article(5, title="please refuse-me now")
    before, after = article(4), article(6)
    await rest_api.feed.publish(before, poison, after, partition=0)
    await rest_api.feed.publish(article(7), partition=0)
    assert sorted(await _ids(rest_api)) == sorted([before.id, after.id, article(7).id])
    metrics = (await rest_api.client.get("/metrics")).text
    assert 'newswire_api_records_set_aside_total{reason="data_error"} 1.0' in metrics
    assert (await rest_api.client.get("/readyz")).json()["store"] is True


async def test_an_outage_waits_and_loses_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    async with running_api(api_settings(tmp_path)) as api:
        state = api.app.state.newswire
        state.consumer.writer.initial_backoff = 0.01
        state.consumer.writer.max_backoff = 0.02
        store = state.store
        real_write, real_ping = store._write, store._ping
        down = {"failures": 0}

        def failing_write(*args: object) -> object:
            # Down for far more attempts than any retry bound: it must wait, not set anything aside.
            if down["failures"] < 40:
                down["failures"] += 1
                raise sqlite3.OperationalError("unable to open database file")
            return real_write(*args)  # type: ignore[arg-type]

        def failing_ping() -> None:
            # Half of the time the store answers a ping while writes fail (a full disk does that):
            # an operational error is still the store's, never the record's.
            if down["failures"] < 40 and down["failures"] % 2:
                raise sqlite3.OperationalError("unable to open database file")
            real_ping()

        monkeypatch.setattr(store, "_write", failing_write)
        monkeypatch.setattr(store, "_ping", failing_ping)
        await api.feed.publish(article(1), article(2), article(3), partition=1)
        assert down["failures"] == 40
        assert len(await _ids(api)) == 3
        metrics = (await api.client.get("/metrics")).text
        assert 'newswire_api_records_set_aside_total{reason="data_error"} 0.0' in metrics
        assert 'newswire_api_records_set_aside_total{reason="store_refused"} 0.0' in metrics


async def test_a_failure_of_no_known_kind_is_bounded_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    async with running_api(api_settings(tmp_path)) as api:
        state = api.app.state.newswire
        state.consumer.writer.initial_backoff = state.consumer.writer.max_backoff = 0.01
        store = state.store
        real_write = store._write
        poison = article(31)

        def write(records: list, topic: str) -> object:  # type: ignore[type-arg]
            if any(r.article.id == poison.id for r in records):
                raise sqlite3.ProgrammingError("a statement the driver cannot run for this record")
            return real_write(records, topic)

        monkeypatch.setattr(store, "_write", write)
        await api.feed.publish(article(30), poison, article(32), partition=2)
        assert sorted(await _ids(api)) == sorted([article(30).id, article(32).id])
        metrics = (await api.client.get("/metrics")).text
        assert 'newswire_api_records_set_aside_total{reason="store_refused"} 1.0' in metrics


async def test_a_record_that_cannot_even_be_decoded_is_skipped_and_counted(api: Api) -> None:
    # A time zone that puts the date before year 1 in UTC: not every validator reports it as a
    # validation error; whatever it raises, the record is skipped and counted, never a crash.
    body = article(9).model_dump_json()
    body = body.replace('"published_at":"2025-03-01T00:09:00Z"', '"published_at":"0001-01-01T00:00:00+01:00"')
    assert "0001-01-01" in body
    await api.feed.publish_raw(body.encode())
    await api.feed.publish(article(10))
    assert await _ids(api) == [article(10).id]
    assert "newswire_api_articles_invalid_total 1.0" in (await api.client.get("/metrics")).text
