"""Alembic driven from code, so `ngo-bot migrate` and `ngo-bot run` need no alembic.ini."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # ConfigParser treats % as interpolation; a password may contain one.
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def head_revision(database_url: str) -> str | None:
    return ScriptDirectory.from_config(alembic_config(database_url)).get_current_head()


async def current_revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as connection:
        return await connection.run_sync(
            lambda sync: MigrationContext.configure(sync).get_current_revision()
        )


async def run_alembic(engine: AsyncEngine, action: str, revision: str) -> None:
    """Run `upgrade` or `downgrade` on the engine's own connection."""
    config = alembic_config(engine.url.render_as_string(hide_password=False))

    def _run(sync_connection: Connection) -> None:
        config.attributes["connection"] = sync_connection
        getattr(command, action)(config, revision)

    async with engine.begin() as connection:
        await connection.run_sync(_run)


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    await run_alembic(engine, "upgrade", revision)


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    await run_alembic(engine, "downgrade", revision)


async def is_up_to_date(engine: AsyncEngine) -> bool:
    return await current_revision(engine) == head_revision(str(engine.url))
