"""The migration stairway: every revision upgrades, downgrades and upgrades again."""

from __future__ import annotations

from sqlalchemy import inspect

from storage import migrate
from storage.engine import create_engine
from storage.models import Base, include_name
from tests.helpers import revisions


async def table_names(engine) -> set[str]:
    async with engine.connect() as connection:
        return set(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))


async def test_stairway(empty_database_url):
    engine = create_engine(empty_database_url)
    try:
        previous = "base"
        for revision in revisions(empty_database_url):
            await migrate.upgrade(engine, revision)
            await migrate.downgrade(engine, previous)
            await migrate.upgrade(engine, revision)
            previous = revision
        assert await migrate.is_up_to_date(engine)
    finally:
        await engine.dispose()


async def test_head_matches_the_models(empty_database_url):
    engine = create_engine(empty_database_url)
    try:
        await migrate.upgrade(engine)
        assert set(Base.metadata.tables) <= await table_names(engine)
    finally:
        await engine.dispose()


async def test_migrations_leave_no_difference_from_the_models(empty_database_url):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    engine = create_engine(empty_database_url)
    try:
        await migrate.upgrade(engine)
        async with engine.connect() as connection:
            diff = await connection.run_sync(
                lambda sync: compare_metadata(
                    MigrationContext.configure(sync, opts={"include_name": include_name}),
                    Base.metadata,
                )
            )
        assert diff == []
    finally:
        await engine.dispose()
