"""Schema migrations of the article store, run by Alembic (scripts in `migrations/versions`).

The API upgrades its database to the newest revision at start-up, inside one transaction that on
PostgreSQL first takes an advisory lock, so several replicas starting against one database do not
race. `alembic upgrade head` from the repository (alembic.ini) runs the same code.
"""

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text

__all__ = ["MIGRATION_LOCK_KEY", "alembic_config", "current_revision", "head_revision", "upgrade"]

logger = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).parent / "migrations"

#: pg_advisory_xact_lock key for migrations ("newswire" in ASCII, truncated to fit a bigint).
MIGRATION_LOCK_KEY = 0x6E657773776972


def alembic_config(*, connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def lock(connection: Connection) -> None:
    """Serialise migrations between processes sharing the database (inside a transaction)."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
    # SQLite: BEGIN IMMEDIATE (see `engine`) already holds the database's write lock.


def upgrade(engine: Engine, *, revision: str = "head") -> str | None:
    """Migrate the database to `revision`; returns the revision it is at afterwards."""
    with engine.begin() as conn:
        lock(conn)
        before = MigrationContext.configure(conn).get_current_revision()
        command.upgrade(alembic_config(connection=conn), revision)
        after = MigrationContext.configure(conn).get_current_revision()
    if after != before:
        logger.info("store schema migrated from %s to %s", before, after)
    return after


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()
