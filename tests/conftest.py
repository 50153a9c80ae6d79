"""Fixtures shared by every test: a fresh migrated database and the bot's settings.

The database is SQLite by default. With NGO_BOT_TEST_DB=postgres every test
gets its own PostgreSQL database instead, cloned from a migrated template, so
the whole suite runs on both (`.ci/run` does both).
"""

from __future__ import annotations

import asyncio
import itertools
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from core.i18n import Translator
from core.settings import Settings
from storage import migrate
from storage.engine import create_engine, create_session_factory
from storage.store import Store
from tests import services

TEST_TOKEN = "123456789:AAHtestTOKENtestTOKENtestTOKENtestTO"
TEST_BACKEND = os.environ.get("NGO_BOT_TEST_DB", "sqlite")
_database_numbers = itertools.count(1)


def pytest_configure(config) -> None:
    config.addinivalue_line(
        "markers",
        "sqlite_only(reason): about something only SQLite has; skipped with "
        "NGO_BOT_TEST_DB=postgres, giving the reason",
    )


def pytest_collection_modifyitems(config, items) -> None:
    if TEST_BACKEND != "postgres":
        return
    for item in items:
        marker = item.get_closest_marker("sqlite_only")
        if marker is not None:
            reason = marker.args[0] if marker.args else "SQLite only"
            item.add_marker(pytest.mark.skip(reason=f"SQLite only: {reason}"))


@pytest.fixture(scope="session")
def translator() -> Translator:
    return Translator()


async def _migrate(url: str) -> None:
    engine = create_engine(url)
    try:
        await migrate.upgrade(engine)
        if url.startswith("sqlite"):
            async with engine.connect() as connection:
                await connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory) -> Iterator[str]:
    """One database migrated to head per test run; each test gets a copy of it."""
    if TEST_BACKEND == "postgres":
        services.need("postgres")
        name = f"ngo_template_{os.getpid()}"
        services.postgres_execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        services.postgres_execute(f"CREATE DATABASE {name}")
        asyncio.run(_migrate(services.postgres_url(name)))
        yield name
        services.postgres_execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        return
    path = tmp_path_factory.mktemp("template") / "template.db"
    asyncio.run(_migrate(f"sqlite+aiosqlite:///{path}"))
    yield str(path)


@pytest.fixture
def database_url(tmp_path: Path, migrated_template: str) -> Iterator[str]:
    if TEST_BACKEND == "postgres":
        name = f"ngo_test_{os.getpid()}_{next(_database_numbers)}"
        services.postgres_execute(f"CREATE DATABASE {name} TEMPLATE {migrated_template}")
        yield services.postgres_url(name)
        services.postgres_execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        return
    path = tmp_path / "bot.db"
    shutil.copyfile(migrated_template, path)
    yield f"sqlite+aiosqlite:///{path}"


@pytest.fixture
def empty_database_url(tmp_path: Path) -> str:
    """A database file that does not exist yet, for migration tests."""
    return f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        _env_file=None,
        bot_token=TEST_TOKEN,
        database_url=database_url,
        default_locale="ru",
        concurrent_updates=False,
        # Simulated people type faster than anyone can; pacing each chat to one
        # message a second would only make the journeys slow. The limiter has its
        # own tests with the real limits.
        rate_per_chat_per_second=50,
        rate_per_chat_burst=20,
        # Scripted journeys send far more than a person's 40 updates a minute;
        # tests/reliability/test_flood.py sets its own limit.
        flood_updates_per_minute=100_000,
    )


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator:
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def session_factory(engine):
    return create_session_factory(engine)


@pytest.fixture
async def store(session_factory) -> AsyncIterator[Store]:
    """A Store on its own session (tests of use cases and repositories)."""
    async with session_factory() as session:
        yield Store(session)
