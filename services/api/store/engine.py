"""The database engine behind the store: SQLite (default, a file in the data dir) or PostgreSQL.

SQLAlchemy pools the connections; what is set here is only what each database needs to be a
well-behaved shared store: SQLite in WAL mode with foreign keys and write transactions that take
the write lock up front, PostgreSQL through psycopg 3 with connections checked before use.
"""

import logging
import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url

__all__ = ["database_url_for", "make_engine"]

logger = logging.getLogger(__name__)

POOL_SIZE = 4


def database_url_for(*, database_url: str | None, data_dir: Path) -> URL:
    """`NEWSWIRE_DATABASE_URL` (or the default SQLite file) as a SQLAlchemy URL."""
    if database_url is None or database_url in ("sqlite", "sqlite://", "sqlite:///"):
        return URL.create("sqlite", database=str(data_dir / "api.sqlite3"))
    scheme = database_url.split(":", 1)[0]
    if scheme == "sqlite":
        return make_url(database_url)
    if scheme in ("postgresql", "postgres", "postgresql+psycopg"):
        return make_url("postgresql+psycopg:" + database_url.split(":", 1)[1])
    raise ValueError(f"unsupported NEWSWIRE_DATABASE_URL scheme: {scheme}")


def make_engine(url: URL) -> Engine:
    if url.get_backend_name() == "sqlite":
        if url.database:
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        logger.info("article store: SQLite at %s", url.database)
        engine = create_engine(
            url,
            pool_size=POOL_SIZE,
            max_overflow=0,
            connect_args={"check_same_thread": False, "timeout": 30},
        )
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    logger.info("article store: PostgreSQL at %s", url.render_as_string(hide_password=True))
    return create_engine(url, pool_size=POOL_SIZE, max_overflow=0, pool_timeout=10, pool_pre_ping=True)


def _sqlite_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    # The driver's own transaction handling is off: `_sqlite_begin` opens every transaction.
    dbapi_connection.isolation_level = None
    dbapi_connection.execute("PRAGMA journal_mode=WAL")
    dbapi_connection.execute("PRAGMA synchronous=NORMAL")
    dbapi_connection.execute("PRAGMA foreign_keys=ON")


def _sqlite_begin(conn: Any) -> None:
    # IMMEDIATE takes the write lock up front, so two writers queue instead of deadlocking.
    conn.exec_driver_sql("BEGIN IMMEDIATE")
