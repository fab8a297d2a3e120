"""Alembic migrations of the article store: `alembic upgrade head` on an empty SQLite and an empty
PostgreSQL, and on databases written by the release before Alembic (SQL dumps in tests/data/store);
the migrated schema is exactly the one `tables.py` declares, and the old articles are served."""

import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from newswire.api.store import head_revision
from newswire.api.store.engine import database_url_for
from newswire.api.store.tables import metadata

from .conftest import api_settings, running_api

REPO = Path(__file__).resolve().parents[2]
DUMPS = REPO / "tests" / "data" / "store"
#: The three articles in the dumps: the seed article and two short ones (see tests/data/store/README.md).
SEED_ID_PREFIX = "PM Shehbaz Sharif"


def _sqlalchemy_url(database_url: str | None, data_dir: Path) -> Any:
    return database_url_for(database_url=database_url, data_dir=data_dir)


def _alembic(*args: str, data_dir: Path, url: str | None) -> subprocess.CompletedProcess[str]:
    """The `alembic` command as an operator runs it from the repository."""
    extra = ["-x", f"url={url}"] if url else []
    return subprocess.run(
        [sys.executable, "-m", "alembic", "-c", str(REPO / "alembic.ini"), *extra, *args],
        cwd=REPO,
        env={"NEWSWIRE_DATA_DIR": str(data_dir), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _schema_differences(database_url: str | None, data_dir: Path) -> list[Any]:
    engine = create_engine(_sqlalchemy_url(database_url, data_dir))
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn,
                opts={"include_object": lambda obj, name, type_, *_: not (
                    type_ == "table" and name.startswith(("article_search", "alembic_version"))
                )},
            )
            return list(compare_metadata(context, metadata))
    finally:
        engine.dispose()


def _tables(database_url: str | None, data_dir: Path) -> set[str]:
    engine = create_engine(_sqlalchemy_url(database_url, data_dir))
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


async def test_alembic_upgrade_head_on_an_empty_database(tmp_path: Path, database_url: str | None) -> None:
    url = database_url or f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    done = _alembic("upgrade", "head", data_dir=tmp_path, url=url)
    assert done.returncode == 0, done.stderr
    current = _alembic("current", data_dir=tmp_path, url=url)
    assert current.returncode == 0, current.stderr
    assert f"{head_revision()} (head)" in current.stdout
    assert _schema_differences(url, tmp_path) == []
    assert {"articles", "article_search", "stream_positions", "alembic_version"} <= _tables(url, tmp_path)
    # Run again: nothing to do, nothing breaks.
    assert _alembic("upgrade", "head", data_dir=tmp_path, url=url).returncode == 0


def _load_sqlite_dump(path: Path) -> None:
    conn = sqlite3.connect(path)
    try:
        conn.executescript((DUMPS / "v0-sqlite.sql").read_text(encoding="utf-8"))
    finally:
        conn.close()


def _load_postgresql_dump(url: str) -> None:
    import psycopg

    # psql meta-commands (`\restrict`) are for psql; the rest is plain SQL.
    sql = "\n".join(
        line for line in (DUMPS / "v0-postgresql.sql").read_text(encoding="utf-8").splitlines()
        if not line.startswith("\\")
    )
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


async def test_a_database_of_the_release_before_alembic_is_upgraded_and_served(
    tmp_path: Path, database_url: str | None
) -> None:
    if database_url is None:
        (tmp_path / "data").mkdir()
        _load_sqlite_dump(tmp_path / "data" / "api.sqlite3")
    else:
        _load_postgresql_dump(database_url)
    assert "schema_migrations" in _tables(database_url, tmp_path / "data")

    settings = api_settings(tmp_path, database_url=database_url)
    async with running_api(settings) as api:
        body = (await api.client.get("/v1/articles")).json()
        titles = [item["title"] for item in body["items"]]
        assert len(titles) == 3
        assert any(t.startswith(SEED_ID_PREFIX) for t in titles)
        # The full-text index written by the old code answers the new query syntax.
        found = (await api.client.get("/v1/articles", params={"q": "harvest OR solar -Kazakhstan"})).json()
        assert [item["source"] for item in found["items"]] == ["dawn"]
        phrase = (await api.client.get("/v1/articles", params={"q": '"land bridge"'})).json()
        assert [item["title"] for item in phrase["items"]] == [t for t in titles if t.startswith(SEED_ID_PREFIX)]
        assert await api.app.state.newswire.store.positions("news.articles.enriched") == {0: 2, 1: 1}
        # New articles go in beside the old ones.
        from .feed import article

        await api.feed.publish(article(1, topics={"trade": 0.9}, text="Harvest news."), partition=2)
        assert len((await api.client.get("/v1/articles")).json()["items"]) == 4

    tables = _tables(database_url, tmp_path / "data")
    assert "schema_migrations" not in tables
    differences = _schema_differences(database_url, tmp_path / "data")
    if database_url is None:
        differences = _beyond_sqlite_reflection(differences, tmp_path / "data" / "api.sqlite3")
    assert differences == []
    url = database_url or f"sqlite:///{tmp_path / 'data' / 'api.sqlite3'}"
    current = _alembic("current", data_dir=tmp_path / "data", url=url)
    assert f"{head_revision()} (head)" in current.stdout, current.stderr


def _beyond_sqlite_reflection(differences: list[Any], path: Path) -> list[Any]:
    """The differences SQLite's reflection reports on the old DDL that are not differences in fact.

    - Foreign keys declared inline (`article_id TEXT REFERENCES articles (id) ON DELETE CASCADE`)
      reflect without their ON DELETE; PRAGMA foreign_key_list shows the CASCADE is there.
    - `DOUBLE PRECISION` reflects as REAL: one storage class in SQLite.
    - `id TEXT PRIMARY KEY` without NOT NULL: SQLite lets such a key be NULL, the new DDL does not;
      the store never writes a NULL id, and rebuilding the table would renumber the rowids the
      FTS5 index shares.
    """
    conn = sqlite3.connect(path)
    try:
        cascades = {
            table: {row[6] for row in conn.execute(f"PRAGMA foreign_key_list({table})")}
            for table in ("article_topics", "article_entities", "article_countries")
        }
    finally:
        conn.close()
    assert cascades == {t: {"CASCADE"} for t in cascades}
    left = []
    for diff in differences:
        kind = diff[0][0] if isinstance(diff, list) else diff[0]
        if kind in ("remove_fk", "add_fk") and diff[1].table.name in cascades:
            continue
        if isinstance(diff, list) and diff[0][0] == "modify_type" and diff[0][2:4] == ("article_topics", "score"):
            continue
        if isinstance(diff, list) and diff[0][0] == "modify_nullable" and diff[0][2:4] == ("articles", "id"):
            continue
        left.append(diff)
    return left


def test_the_dumps_are_of_the_old_schema() -> None:
    """The fixtures stay what they claim: written by the runner of schema version 1, three articles."""
    for name in ("v0-sqlite.sql", "v0-postgresql.sql"):
        text = (DUMPS / name).read_text(encoding="utf-8")
        assert "schema_migrations" in text
        assert "alembic_version" not in text
        assert text.count("INSERT INTO articles") + text.count("INSERT INTO public.articles") == 3, name


@pytest.mark.parametrize("revision", ["0001", "head"])
async def test_the_api_starts_on_any_revision_and_ends_at_head(tmp_path: Path, revision: str) -> None:
    url = f"sqlite:///{tmp_path / 'data' / 'api.sqlite3'}"
    (tmp_path / "data").mkdir()
    assert _alembic("upgrade", revision, data_dir=tmp_path / "data", url=url).returncode == 0
    async with running_api(api_settings(tmp_path)) as api:
        assert (await api.client.get("/readyz")).json()["store_backend"] == "sqlite"
    assert _schema_differences(None, tmp_path / "data") == []
