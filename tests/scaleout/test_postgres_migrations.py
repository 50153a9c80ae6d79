"""The migration stairway on PostgreSQL: every revision upgrades, downgrades and
upgrades again on a fresh database, and head leaves no difference from the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from storage import migrate
from storage.engine import create_engine
from storage.models import Base
from tests.helpers import revisions


async def test_stairway_on_postgres(empty_postgres_url):
    engine = create_engine(empty_postgres_url)
    try:
        previous = "base"
        for revision in revisions(empty_postgres_url):
            await migrate.upgrade(engine, revision)
            await migrate.downgrade(engine, previous)
            await migrate.upgrade(engine, revision)
            previous = revision
        assert await migrate.is_up_to_date(engine)
        async with engine.connect() as connection:
            diff = await connection.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync), Base.metadata)
            )
        assert diff == []
    finally:
        await engine.dispose()
