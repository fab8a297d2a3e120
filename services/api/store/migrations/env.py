"""Alembic's entry point: migrations run on the connection the store hands over (`migrate.upgrade`),
or, from the `alembic` command, on `-x url=...`, else the API's settings (`NEWSWIRE_DATABASE_URL`, else
the SQLite file under `NEWSWIRE_DATA_DIR`)."""

from alembic import context
from sqlalchemy import Connection

from newswire.api.settings import Settings
from newswire.api.store.engine import database_url_for, make_engine
from newswire.api.store.migrate import lock
from newswire.api.store.tables import metadata

#: Tables that are not in `metadata` on purpose: the full-text index (per database, see `fulltext`),
#: its FTS5 shadow tables, and the version table of the hand-written runner before Alembic.
UNMANAGED = ("article_search", "schema_migrations")


def include_object(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    # The tables listed in UNMANAGED are not Alembic's to create or drop.
    return not (type_ == "table" and name is not None and name.startswith(UNMANAGED))


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        include_object=include_object,
        # SQLite alters tables by copying them; batch mode does that for later migrations.
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    run(connection)
else:
    settings = Settings()
    url = context.get_x_argument(as_dictionary=True).get("url") or settings.database_url
    engine = make_engine(database_url_for(database_url=url, data_dir=settings.data_dir))
    try:
        with engine.begin() as conn:
            lock(conn)
            run(conn)
    finally:
        engine.dispose()
