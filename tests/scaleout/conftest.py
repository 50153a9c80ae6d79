"""Fresh PostgreSQL databases and a clean Redis for the scale-out tests."""

from __future__ import annotations

import asyncio
import itertools
import os
from collections.abc import Iterator

import pytest

from storage import migrate
from storage.engine import create_engine, create_session_factory
from tests import services

_numbers = itertools.count(1)


def _fresh_database() -> Iterator[str]:
    services.need("postgres")
    name = f"ngo_scaleout_{os.getpid()}_{next(_numbers)}"
    services.postgres_execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    services.postgres_execute(f"CREATE DATABASE {name}")
    yield services.postgres_url(name)
    services.postgres_execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def empty_postgres_url() -> Iterator[str]:
    """An empty PostgreSQL database (no migrations), dropped afterwards."""
    yield from _fresh_database()


@pytest.fixture
def postgres_database_url() -> Iterator[str]:
    """A PostgreSQL database migrated to head, whatever NGO_BOT_TEST_DB says."""
    for url in _fresh_database():
        asyncio.run(_upgrade(url))
        yield url


async def _upgrade(url: str) -> None:
    engine = create_engine(url)
    try:
        await migrate.upgrade(engine)
    finally:
        await engine.dispose()


@pytest.fixture
async def postgres_engine(postgres_database_url):
    engine = create_engine(postgres_database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def postgres_sessions(postgres_engine):
    return create_session_factory(postgres_engine)


@pytest.fixture
async def redis_url() -> str:
    """Redis db 15, flushed before the test."""
    services.need("redis")
    from redis.asyncio import Redis

    client = Redis.from_url(services.REDIS_URL)
    try:
        await client.flushdb()
    finally:
        await client.aclose()
    return services.REDIS_URL
