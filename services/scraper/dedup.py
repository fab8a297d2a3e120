"""The scraper's memory, in SQLite under NEWSWIRE_DATA_DIR, so restarts neither lose nor repeat work.

`urls`: every URL discovered, its state (pending, done, skipped, failed), attempts and the HTTP
validators (ETag, Last-Modified) of its last complete handling. `articles`: every canonical URL
published, with the content hash that was published. An article is recorded only after the broker
acknowledged it; validators are stored with that record, so an unacknowledged page is fetched in
full again next time.
"""

import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Literal

import orjson

from newswire.schemas import RawArticle

from .fetcher import Validators

__all__ = ["Novelty", "StateStore", "UrlState", "UrlStatus"]

UrlStatus = Literal["pending", "done", "skipped", "failed"]
#: What publishing an extracted article would mean.
Novelty = Literal["new", "changed", "unchanged", "same_text"]

_SCHEMA = """
PRAGMA journal_mode = WAL;
-- With WAL, NORMAL still survives a crash of the process (not of the machine's power) and saves an
-- fsync per statement.
PRAGMA synchronous = NORMAL;
CREATE TABLE IF NOT EXISTS urls (
    url TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    first_seen REAL NOT NULL,
    last_checked REAL,
    etag TEXT,
    last_modified TEXT,
    last_error TEXT
);
CREATE INDEX IF NOT EXISTS urls_source_status ON urls (source, status);
CREATE TABLE IF NOT EXISTS articles (
    canonical_url TEXT PRIMARY KEY,
    article_id TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    source TEXT NOT NULL,
    published_at TEXT,
    first_published REAL NOT NULL,
    last_published REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS articles_content_hash ON articles (content_hash);
CREATE TABLE IF NOT EXISTS listings (
    url TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    etag TEXT,
    last_modified TEXT,
    children TEXT NOT NULL DEFAULT '[]',
    last_checked REAL NOT NULL
);
"""


@dataclass(frozen=True, slots=True)
class UrlState:
    url: str
    source: str
    status: UrlStatus
    attempts: int
    validators: Validators


class StateStore:
    """Synchronous and quick (indexed single-row statements); used from the event loop thread only."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(path, isolation_level=None)
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> "StateStore":
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- URLs ------------------------------------------------------------------------------------

    def discover(self, urls: list[str], *, source: str) -> int:
        """Remember newly found URLs as pending; returns how many were new."""
        now = time.time()
        before = self._db.total_changes
        with self._db:
            self._db.execute("BEGIN")
            self._db.executemany(
                "INSERT OR IGNORE INTO urls (url, source, first_seen) VALUES (?, ?, ?)",
                [(u, source, now) for u in urls],
            )
        return self._db.total_changes - before

    def get(self, url: str) -> UrlState | None:
        row = self._db.execute(
            "SELECT url, source, status, attempts, etag, last_modified FROM urls WHERE url = ?", (url,)
        ).fetchone()
        if row is None:
            return None
        return UrlState(row[0], row[1], row[2], row[3], Validators(row[4], row[5]))

    def due(
        self, source: str, *, revisit_after: float, revisit_window: float, limit: int, retry_round_after: float = 0.0
    ) -> list[str]:
        """Pending URLs first, then recent finished ones due for a (conditional) check for updates.

        A pending URL whose last round failed waits `retry_round_after` seconds, doubled per failed
        round, before a poll takes it again: a page that times out would otherwise hold up every poll."""
        now = time.time()
        rows = self._db.execute(
            """SELECT url FROM urls WHERE source = ? AND (
                   (status = 'pending' AND (attempts = 0
                        OR COALESCE(last_checked, 0) <= ? - ? * (1 << MIN(attempts - 1, 16))))
                   OR (status IN ('done', 'skipped') AND first_seen >= ? AND COALESCE(last_checked, 0) <= ?))
               ORDER BY status != 'pending', first_seen DESC LIMIT ?""",
            (source, now, retry_round_after, now - revisit_window, now - revisit_after, limit),
        ).fetchall()
        return [r[0] for r in rows]

    def finish(
        self, url: str, *, status: UrlStatus, validators: Validators | None = None, error: str | None = None
    ) -> None:
        """Record a final outcome for a URL (validators kept when none are given)."""
        self._db.execute(
            """UPDATE urls SET status = ?, last_checked = ?, last_error = ?,
                   etag = COALESCE(?, etag), last_modified = COALESCE(?, last_modified) WHERE url = ?""",
            (
                status,
                time.time(),
                error,
                validators.etag if validators else None,
                validators.last_modified if validators else None,
                url,
            ),
        )

    def checked(self, url: str) -> None:
        self._db.execute("UPDATE urls SET last_checked = ? WHERE url = ?", (time.time(), url))

    def failed_attempt(self, url: str, *, error: str, max_attempts: int) -> UrlStatus:
        """Count a transient failure; the URL is given up (failed) after `max_attempts`."""
        self._db.execute(
            "UPDATE urls SET attempts = attempts + 1, last_error = ?, last_checked = ? WHERE url = ?",
            (error, time.time(), url),
        )
        state = self.get(url)
        if state is not None and state.attempts >= max_attempts:
            self.finish(url, status="failed", error=error)
            return "failed"
        return state.status if state else "pending"

    def pending_count(self, source: str) -> int:
        return int(
            self._db.execute("SELECT COUNT(*) FROM urls WHERE source = ? AND status = 'pending'", (source,)).fetchone()[
                0
            ]
        )

    # -- feeds and sitemaps ----------------------------------------------------------------------

    def listing(self, url: str) -> tuple[Validators, list[str]] | None:
        """Validators of a feed or sitemap, and the child sitemaps an index listed."""
        row = self._db.execute("SELECT etag, last_modified, children FROM listings WHERE url = ?", (url,)).fetchone()
        return (Validators(row[0], row[1]), orjson.loads(row[2])) if row else None

    def remember_listing(self, url: str, *, source: str, validators: Validators, children: list[str]) -> None:
        """Store a feed's or sitemap's validators (call after its entries are recorded as pending)."""
        self._db.execute(
            """INSERT INTO listings (url, source, etag, last_modified, children, last_checked) VALUES (?, ?, ?, ?, ?, ?)
               ON CONFLICT (url) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified,
                   children = excluded.children, last_checked = excluded.last_checked""",
            (url, source, validators.etag, validators.last_modified, orjson.dumps(children).decode(), time.time()),
        )

    # -- articles --------------------------------------------------------------------------------

    def novelty(self, article: RawArticle) -> Novelty:
        row = self._db.execute(
            "SELECT content_hash FROM articles WHERE canonical_url = ?", (article.canonical_url,)
        ).fetchone()
        if row is not None:
            return "unchanged" if row[0] == article.content_hash else "changed"
        other = self._db.execute(
            "SELECT 1 FROM articles WHERE content_hash = ? LIMIT 1", (article.content_hash,)
        ).fetchone()
        return "same_text" if other else "new"

    def published(self, article: RawArticle, *, url: str, validators: Validators) -> None:
        """The broker acknowledged `article` (fetched from `url`): remember it and finish the URL, atomically."""
        now = time.time()
        with self._db:
            self._db.execute("BEGIN")
            self._db.execute(
                """INSERT INTO articles (canonical_url, article_id, content_hash, source, published_at,
                                        first_published, last_published)
                   VALUES (?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT (canonical_url) DO UPDATE SET content_hash = excluded.content_hash,
                       last_published = excluded.last_published, published_at = excluded.published_at""",
                (
                    article.canonical_url,
                    article.id,
                    article.content_hash,
                    article.source,
                    article.published_at.isoformat() if article.published_at else None,
                    now,
                    now,
                ),
            )
            self._db.execute(
                """UPDATE urls SET status = 'done', last_checked = ?, last_error = NULL,
                       etag = ?, last_modified = ? WHERE url = ?""",
                (now, validators.etag, validators.last_modified, url),
            )
