"""The PostgreSQL and Redis servers some tests need.

Outside CI a test that needs a missing server skips and says why; in CI
(NGO_BOT_REQUIRE_SERVICES=1, set by .ci/run) a missing server is a failure.
"""

from __future__ import annotations

import asyncio
import os
import socket

import pytest

POSTGRES_ADMIN_URL = os.environ.get(
    "NGO_BOT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
# Each pytest-xdist worker has a database of its own, so one worker's flush
# never wipes another's keys (gw0 → 15, gw1 → 14, ...).
_WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
REDIS_URL = os.environ.get("NGO_BOT_TEST_REDIS_URL", f"redis://127.0.0.1:6379/{15 - _WORKER % 16}")
REQUIRED = os.environ.get("NGO_BOT_REQUIRE_SERVICES") == "1"


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def postgres_reachable() -> bool:
    return _reachable("127.0.0.1", 5432)


def redis_reachable() -> bool:
    return _reachable("127.0.0.1", 6379)


def need(service: str) -> None:
    """Skip (or, in CI, fail) when `service` ("postgres" or "redis") is not running."""
    reachable = postgres_reachable() if service == "postgres" else redis_reachable()
    if reachable:
        return
    where = "127.0.0.1:5432" if service == "postgres" else "127.0.0.1:6379"
    message = f"{service} is not running on {where}"
    if REQUIRED:
        pytest.fail(f"{message}, and NGO_BOT_REQUIRE_SERVICES=1 requires it")
    pytest.skip(f"{message}; start it to run this test")


async def _admin(statement: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(POSTGRES_ADMIN_URL)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def postgres_execute(statement: str) -> None:
    asyncio.run(_admin(statement))


def postgres_url(database: str) -> str:
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
    return base.replace("postgresql://", "postgresql+asyncpg://", 1) + f"/{database}"
