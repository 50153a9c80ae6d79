"""Helpers shared by tests in several folders; e2e journeys have theirs in
tests/e2e/journeys.py, seeded data in tests/seeding.py."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from alembic.script import ScriptDirectory

from storage import migrate
from storage.models import ProcessedUpdate, UpdateStatus


async def until(check: Callable[[], object], what: str, seconds: float = 30) -> None:
    """Wait for `check()` to hold: a guard against a hang, not a speed target."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not check():
        assert loop.time() < deadline, what
        await asyncio.sleep(0.02)


def revisions(url: str) -> list[str]:
    """The migrations' revisions, oldest first."""
    script = ScriptDirectory.from_config(migrate.alembic_config(url))
    return [r.revision for r in reversed(list(script.walk_revisions()))]


async def claim_status(session_factory, bot_id: int, update_id: int) -> UpdateStatus | None:
    """The state of an update's claim (tests of duplicate updates)."""
    async with session_factory() as session:
        row = await session.get(ProcessedUpdate, (bot_id, update_id))
        return row.status if row else None
