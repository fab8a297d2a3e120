"""The SQL that differs between SQLite and PostgreSQL, and nothing else.

Queries elsewhere are written once with `?` placeholders; a dialect runs them and supplies the
pieces with no common spelling: connections, locking, and full-text search (FTS5 vs tsvector).
"""

import logging
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from queue import Empty, LifoQueue
from typing import Any, Literal, Protocol

__all__ = ["Connection", "Dialect", "PostgresDialect", "SqliteDialect", "make_dialect"]

logger = logging.getLogger(__name__)


class Connection(Protocol):
    """The DB-API subset the store uses; both sqlite3 and psycopg connections provide it."""

    def execute(self, sql: str, params: Sequence[Any] = ...) -> Any: ...


class Dialect(Protocol):
    name: Literal["sqlite", "postgresql"]

    def transaction(self) -> AbstractContextManager[Connection]:
        """A connection inside a transaction: committed on exit, rolled back on error."""

    def migration_lock(self, conn: Connection) -> None:
        """Serialise schema migrations between processes sharing the database."""

    def search_tables(self) -> list[str]:
        """DDL of the full-text index."""

    def index_text(self, conn: Connection, *, article_id: str, title: str, summary: str, text: str) -> None:
        """(Re)index one stored article's text."""

    def search_clause(self, alias: str) -> str:
        """A WHERE fragment with one `?` parameter (from `search_param`) matching articles by text."""

    def search_param(self, terms: list[str]) -> str: ...

    def close(self) -> None: ...


class SqliteDialect:
    """SQLite in WAL mode with FTS5; a small pool of connections shared by worker threads."""

    name: Literal["sqlite"] = "sqlite"

    def __init__(self, path: Path, *, pool_size: int = 4) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._pool: LifoQueue[sqlite3.Connection] = LifoQueue()
        self._slots = threading.BoundedSemaphore(pool_size)
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()

    def _connect(self) -> sqlite3.Connection:
        # Autocommit mode: transactions are opened explicitly below, DDL included.
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
        with self._lock:
            self._all.append(conn)
        return conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self._slots:
            try:
                conn = self._pool.get_nowait()
            except Empty:
                conn = self._connect()
            try:
                # IMMEDIATE takes the write lock up front, so two writers queue instead of deadlocking.
                conn.execute("BEGIN IMMEDIATE")
                try:
                    yield conn
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")
            finally:
                self._pool.put(conn)

    def migration_lock(self, conn: Connection) -> None:
        # BEGIN IMMEDIATE already holds the database's write lock.
        return None

    def search_tables(self) -> list[str]:
        return [
            "CREATE VIRTUAL TABLE IF NOT EXISTS article_search "
            "USING fts5(title, summary, text, tokenize = 'porter unicode61')"
        ]

    def index_text(self, conn: Connection, *, article_id: str, title: str, summary: str, text: str) -> None:
        # The FTS row shares the article's rowid, which an upsert keeps.
        conn.execute(
            "DELETE FROM article_search WHERE rowid = (SELECT rowid FROM articles WHERE id = ?)", (article_id,)
        )
        conn.execute(
            "INSERT INTO article_search (rowid, title, summary, text) SELECT rowid, ?, ?, ? FROM articles WHERE id = ?",
            (title, summary, text, article_id),
        )

    def search_clause(self, alias: str) -> str:
        return f"{alias}.rowid IN (SELECT rowid FROM article_search WHERE article_search MATCH ?)"

    def search_param(self, terms: list[str]) -> str:
        # Each word quoted: FTS5 operators and punctuation in user input are taken literally.
        return " ".join('"' + t.replace('"', '""') + '"' for t in terms)

    def close(self) -> None:
        with self._lock:
            for conn in self._all:
                conn.close()
            self._all.clear()


class PostgresDialect:
    """PostgreSQL through a psycopg 3 connection pool; full text in a tsvector table with a GIN index."""

    name: Literal["postgresql"] = "postgresql"

    #: pg_advisory_xact_lock key for migrations ("newswire" in ASCII, truncated to fit a bigint).
    MIGRATION_LOCK_KEY = 0x6E657773776972

    def __init__(self, url: str, *, pool_size: int = 4) -> None:
        from psycopg_pool import ConnectionPool

        self._pool = ConnectionPool(url, min_size=1, max_size=pool_size, open=True, timeout=10, name="newswire-api")

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        with self._pool.connection() as conn, conn.transaction():
            yield _PgConnection(conn)

    def migration_lock(self, conn: Connection) -> None:
        conn.execute("SELECT pg_advisory_xact_lock(?)", (self.MIGRATION_LOCK_KEY,))

    def search_tables(self) -> list[str]:
        return [
            "CREATE TABLE IF NOT EXISTS article_search ("
            " article_id TEXT PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,"
            " document TSVECTOR NOT NULL)",
            "CREATE INDEX IF NOT EXISTS article_search_document ON article_search USING GIN (document)",
        ]

    def index_text(self, conn: Connection, *, article_id: str, title: str, summary: str, text: str) -> None:
        conn.execute(
            "INSERT INTO article_search (article_id, document) VALUES (?, to_tsvector('english', ?)) "
            "ON CONFLICT (article_id) DO UPDATE SET document = excluded.document",
            (article_id, f"{title}\n{summary}\n{text}"),
        )

    def search_clause(self, alias: str) -> str:
        return f"{alias}.id IN (SELECT article_id FROM article_search WHERE document @@ plainto_tsquery('english', ?))"

    def search_param(self, terms: list[str]) -> str:
        return " ".join(terms)

    def close(self) -> None:
        self._pool.close()


class _PgConnection:
    """A psycopg connection that takes the store's `?` placeholders."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self._conn.execute(sql.replace("?", "%s"), params)


def make_dialect(*, database_url: str | None, data_dir: Path) -> SqliteDialect | PostgresDialect:
    if database_url is None or database_url.startswith("sqlite"):
        path = data_dir / "api.sqlite3"
        if database_url and database_url.startswith("sqlite:///"):
            path = Path(database_url.removeprefix("sqlite:///"))
        logger.info("article store: SQLite at %s", path)
        return SqliteDialect(path)
    if database_url.startswith(("postgresql://", "postgres://", "postgresql+psycopg://")):
        logger.info("article store: PostgreSQL")
        return PostgresDialect(database_url.replace("postgresql+psycopg://", "postgresql://"))
    raise ValueError(f"unsupported NEWSWIRE_DATABASE_URL scheme: {database_url.split(':', 1)[0]}")
