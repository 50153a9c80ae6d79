"""Fixtures shared by every test: a fresh migrated database and the bot's settings."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.i18n import Translator
from bot.settings import Settings
from storage import migrate
from storage.engine import create_engine, create_session_factory

TEST_TOKEN = "123456789:AAHtestTOKENtestTOKENtestTOKENtestTO"


@pytest.fixture(scope="session")
def translator() -> Translator:
    return Translator()


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        _env_file=None,
        bot_token=TEST_TOKEN,
        database_url=database_url,
        default_locale="ru",
        concurrent_updates=False,
    )


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator:
    engine = create_engine(database_url)
    await migrate.upgrade(engine)
    yield engine
    await engine.dispose()


@pytest.fixture
def session_factory(engine):
    return create_session_factory(engine)
