"""indexes found with EXPLAIN on PostgreSQL (bench.explain, docs/PERFORMANCE.md)

- organisations.search_text: the directory searches it with LIKE '%…%', which a b-tree
  cannot answer, so every search read the whole table. On PostgreSQL the index becomes
  a trigram GIN index (extension pg_trgm, trusted since PostgreSQL 13: the database's
  owner may create it). Where the extension cannot be created the b-tree stays and
  search still works, by reading the table. SQLite keeps its b-tree.
- applications.created_by, updated_by, submitted_by, application_events.by and
  activity_reports.updated_by, submitted_by: erasing a person sets these to NULL, and
  without an index each of these foreign keys read its whole table.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27 06:00:00.000000
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

log = logging.getLogger(__name__)

SEARCH_INDEX = "ix_organisations_search_text"


def _trigram_extension() -> bool:
    """Create pg_trgm if it is missing; False when this server or role cannot."""
    bind = op.get_bind()
    if bind.execute(sa.text("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")).scalar():
        return True
    try:
        with bind.begin_nested():
            bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    except sa.exc.DBAPIError as error:
        log.warning(
            "pg_trgm not available (%s): the directory search keeps its b-tree index",
            str(error.orig).splitlines()[0],
        )
        return False
    return True


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql" and _trigram_extension():
        op.drop_index(SEARCH_INDEX, table_name="organisations")
        op.create_index(
            SEARCH_INDEX,
            "organisations",
            ["search_text"],
            unique=False,
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
        )
    with op.batch_alter_table("applications", schema=None) as batch_op:
        for column in ("created_by", "updated_by", "submitted_by"):
            batch_op.create_index(batch_op.f(f"ix_applications_{column}"), [column], unique=False)
    with op.batch_alter_table("application_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_application_events_by"), ["by"], unique=False)
    with op.batch_alter_table("activity_reports", schema=None) as batch_op:
        for column in ("updated_by", "submitted_by"):
            batch_op.create_index(
                batch_op.f(f"ix_activity_reports_{column}"), [column], unique=False
            )


def downgrade() -> None:
    with op.batch_alter_table("activity_reports", schema=None) as batch_op:
        for column in ("submitted_by", "updated_by"):
            batch_op.drop_index(batch_op.f(f"ix_activity_reports_{column}"))
    with op.batch_alter_table("application_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_application_events_by"))
    with op.batch_alter_table("applications", schema=None) as batch_op:
        for column in ("submitted_by", "updated_by", "created_by"):
            batch_op.drop_index(batch_op.f(f"ix_applications_{column}"))
    if op.get_bind().dialect.name == "postgresql":
        # Back to the b-tree of 0002, whatever the upgrade made. The extension stays:
        # other objects may use it by now, and creating it again is harmless.
        op.drop_index(SEARCH_INDEX, table_name="organisations")
        op.create_index(SEARCH_INDEX, "organisations", ["search_text"], unique=False)
