"""directory indexes: FTS5 trigram search on SQLite, listing by region in name order

Name search. The directory searches organisations.search_text for a fragment anywhere
in it (LIKE '%…%'). 0009 gave PostgreSQL a trigram index for that; on SQLite a b-tree
cannot answer it and every search read the whole table. Here SQLite gets the same kind
of index: an external-content FTS5 table with the trigram tokenizer (SQLite 3.34+),
which finds the rows containing a fragment of 3 or more characters without reading the
others.

- organisations_fts indexes organisations.search_text by rowid = organisations.id and
  stores no copy of the text (content='organisations').
- case_sensitive 1: search_text and the queries are both casefolded by
  domain.search.fold_for_search, so a plain substring match gives exactly LIKE's
  answers, whatever Unicode version SQLite's own case folding follows.
- Three triggers keep it in step with every INSERT, DELETE and change of search_text.
  A later SQLite migration that rebuilds organisations (batch mode's copy-and-rename)
  drops these triggers with the old table and must create them again.
- It is not in the models' metadata: storage.models.include_name keeps Alembic's
  comparison from taking it for tables to drop.

Where SQLite lacks FTS5 or the trigram tokenizer, nothing is created, a warning is
logged, and the search goes on reading the table with LIKE
(storage.repositories.organisations looks for the table). PostgreSQL: nothing to do.

Listing by region. A region's page N (listed organisations by name, then id) read
every organisation of the region and sorted them all to skip N-1 pages. An index on
(region, public_listing, name, id) hands them over in that order, so a page reads its
own rows and those it skips, and the count of matches reads only the index. It
replaces the index on region alone, which it begins with. Both databases.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 06:00:00.000000
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from alembic import op
from sqlalchemy.engine import Connection

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

log = logging.getLogger(__name__)

LISTING_INDEX = "ix_organisations_region_listing"
FTS_TABLE = "organisations_fts"
TRIGGERS = {
    f"{FTS_TABLE}_insert": f"""
        CREATE TRIGGER {FTS_TABLE}_insert AFTER INSERT ON organisations BEGIN
            INSERT INTO {FTS_TABLE}(rowid, search_text) VALUES (new.id, new.search_text);
        END""",
    f"{FTS_TABLE}_delete": f"""
        CREATE TRIGGER {FTS_TABLE}_delete AFTER DELETE ON organisations BEGIN
            INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_text)
                VALUES ('delete', old.id, old.search_text);
        END""",
    # Only a change of the searched text (or of the id) touches the index: editing a
    # phone number leaves it alone.
    f"{FTS_TABLE}_update": f"""
        CREATE TRIGGER {FTS_TABLE}_update AFTER UPDATE OF id, search_text ON organisations
        BEGIN
            INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_text)
                VALUES ('delete', old.id, old.search_text);
            INSERT INTO {FTS_TABLE}(rowid, search_text) VALUES (new.id, new.search_text);
        END""",
}


def upgrade() -> None:
    op.create_index(
        LISTING_INDEX, "organisations", ["region", "public_listing", "name", "id"], unique=False
    )
    op.drop_index("ix_organisations_region", table_name="organisations")
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        _create_search_index(bind)


def _create_search_index(bind: Connection) -> None:
    try:
        with bind.begin_nested():
            bind.exec_driver_sql(
                f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5("
                "search_text, content='organisations', content_rowid='id', "
                "tokenize='trigram case_sensitive 1')"
            )
    except sa.exc.OperationalError as error:
        log.warning(
            "SQLite %s has no FTS5 trigram tokenizer (%s): the directory search keeps "
            "reading the whole table",
            bind.exec_driver_sql("SELECT sqlite_version()").scalar(),
            str(error.orig).splitlines()[0],
        )
        return
    for trigger in TRIGGERS.values():
        bind.exec_driver_sql(trigger)
    # Index the organisations already there, from the content table.
    bind.exec_driver_sql(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for name in TRIGGERS:
            bind.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
        bind.exec_driver_sql(f"DROP TABLE IF EXISTS {FTS_TABLE}")
    op.create_index("ix_organisations_region", "organisations", ["region"], unique=False)
    op.drop_index(LISTING_INDEX, table_name="organisations")
