"""Scheduled jobs. Each is a plain coroutine over the database, so tests call it directly."""

from __future__ import annotations

import logging
from datetime import timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import FsmRecord
from storage.types import utcnow

log = logging.getLogger(__name__)


async def prune_dialog_state(
    session_factory: async_sessionmaker[AsyncSession], max_age: timedelta
) -> int:
    """Forget navigation state nobody has touched for a long time.

    Drafts live in their own tables, so this loses no one's answers; it only
    keeps the table from growing with every person who ever pressed a button.
    """
    async with session_factory() as session:
        result = await session.execute(
            delete(FsmRecord).where(FsmRecord.updated_at < utcnow() - max_age)
        )
        await session.commit()
    if result.rowcount:
        log.info("pruned %s stale dialog states", result.rowcount)
    return result.rowcount or 0


def register_jobs(
    clock: AsyncIOScheduler,
    session_factory: async_sessionmaker[AsyncSession],
    dialog_state_max_age: timedelta,
) -> None:
    clock.add_job(
        prune_dialog_state,
        "cron",
        hour=4,
        minute=17,
        kwargs={"session_factory": session_factory, "max_age": dialog_state_max_age},
        id="prune_dialog_state",
        replace_existing=True,
    )
