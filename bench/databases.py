"""Scratch databases: a SQLite file in a temporary folder, or a PostgreSQL database
created for one run and dropped after it."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

from storage import migrate
from storage.engine import create_engine

# The server's maintenance database; trust auth on 127.0.0.1 as in CI.
POSTGRES_ADMIN_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)


async def postgres_available() -> bool:
    import asyncpg

    try:
        connection = await asyncpg.connect(POSTGRES_ADMIN_URL, timeout=3)
    except (OSError, asyncpg.PostgresError):
        return False
    await connection.close()
    return True


@contextlib.asynccontextmanager
async def scratch_database(kind: str, migrated: bool = True) -> AsyncIterator[str]:
    """Yields an async SQLAlchemy URL of an empty (migrated) database of `kind`."""
    if kind == "sqlite":
        folder = Path(tempfile.mkdtemp(prefix="ngo-bench-"))
        url = f"sqlite+aiosqlite:///{folder / 'bench.db'}"
        try:
            if migrated:
                await _migrate(url)
            yield url
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    import asyncpg

    name = f"bench_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(POSTGRES_ADMIN_URL)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    url = f"{base}/{name}"
    try:
        if migrated:
            await _migrate(url)
        yield url
    finally:
        admin = await asyncpg.connect(POSTGRES_ADMIN_URL)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


async def _migrate(url: str) -> None:
    engine = create_engine(url)
    try:
        await migrate.upgrade(engine)
    finally:
        await engine.dispose()
