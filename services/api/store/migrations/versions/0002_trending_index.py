"""an index for trending by entity type; the pre-Alembic version table goes

Trending ranks an entity type's mentions over a window and its baseline: (type, event_time) finds
those rows without scanning every type's. `schema_migrations`, the version table of the runner
before Alembic, is dropped: `alembic_version` records the schema now.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03 18:10:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("article_entities_type_time", "article_entities", ["type", "event_time"])
    op.execute("DROP TABLE IF EXISTS schema_migrations")


def downgrade() -> None:
    op.drop_index("article_entities_type_time", table_name="article_entities")
