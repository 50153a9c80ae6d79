"""Scheduled jobs. Each is a plain coroutine over the database, so tests call it directly."""

from __future__ import annotations

import contextlib
import logging
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.i18n import Texts
from delivery.planner import plan_all
from delivery.sender import DeliveryEngine
from domain.lookup import found
from storage.models import FsmRecord
from storage.repositories.broadcasts import BroadcastView
from storage.results import rows_affected
from storage.store import Store
from storage.types import utcnow

log = logging.getLogger(__name__)


async def first_instance_to(session: AsyncSession, job: str) -> bool:
    """True in the one instance that runs `job` now; the others skip it.

    On PostgreSQL a transaction-level advisory lock, held until the job's
    commit: N instances whose clocks fire together run a daily job once. The
    daily jobs are idempotent too, so a late instance repeating one does no harm.
    SQLite means one instance: always True.
    """
    if session.get_bind().dialect.name != "postgresql":
        return True
    key = zlib.crc32(f"ngo-bot:{job}".encode())
    return bool(await session.scalar(select(func.pg_try_advisory_xact_lock(key))))


@contextlib.asynccontextmanager
async def only_one_instance(
    session_factory: async_sessionmaker[AsyncSession], job: str
) -> AsyncIterator[bool]:
    """`first_instance_to` for a job that opens sessions of its own: the lock is
    taken in a transaction of its own, held while the job runs, and released when
    the block ends (or when the process dies: PostgreSQL drops its locks)."""
    async with session_factory() as guard:
        if guard.get_bind().dialect.name != "postgresql":
            yield True
            return
        try:
            yield await first_instance_to(guard, job)
        finally:
            await guard.rollback()


async def prune_dialog_state(
    session_factory: async_sessionmaker[AsyncSession], max_age: timedelta
) -> int:
    """Forget navigation state nobody has touched for a long time.

    Drafts live in their own tables, so this loses no one's answers; it only
    keeps the table from growing with every person who ever pressed a button.
    """
    async with session_factory() as session:
        if not await first_instance_to(session, "prune_dialog_state"):
            return 0
        result = await session.execute(
            delete(FsmRecord).where(FsmRecord.updated_at < utcnow() - max_age)
        )
        await session.commit()
    pruned = rows_affected(result)
    if pruned:
        log.info("pruned %s stale dialog states", pruned)
    return pruned


UPDATE_CLAIMS_KEPT = timedelta(days=3)


async def forget_old_update_claims(session_factory: async_sessionmaker[AsyncSession]) -> int:
    """Telegram keeps an unconfirmed update for 24 hours; claims older than that
    can never meet a duplicate again."""
    async with session_factory() as session:
        if not await first_instance_to(session, "forget_old_update_claims"):
            return 0
        removed = await Store(session).update_claims.forget_before(utcnow() - UPDATE_CLAIMS_KEPT)
        await session.commit()
    return removed


async def purge_dead_letters(
    session_factory: async_sessionmaker[AsyncSession], retention: timedelta
) -> int:
    """Forget unreadable updates kept longer than DEAD_LETTER_RETENTION_DAYS."""
    async with session_factory() as session:
        if not await first_instance_to(session, "purge_dead_letters"):
            return 0
        store = Store(session)
        removed = await store.dead_letters.purge_before(utcnow() - retention)
        await store.commit()
    if removed:
        log.info("purged %s dead letters", removed)
    return removed


async def advance_topics(session_factory: async_sessionmaker[AsyncSession], now) -> tuple:
    """Open published topics whose time has come and close those past their deadline.

    Idempotent: a topic changes status once, so a missed minute or a second
    instance running the same job does no harm.
    """
    async with session_factory() as session:
        store = Store(session)
        opened = await store.topics.open_due(now())
        closed = await store.topics.close_due(now())
        await store.commit()
    if opened or closed:
        log.info("topics advanced", extra={"opened": len(opened), "closed": len(closed)})
    return opened, closed


async def reveal_decisions(session_factory: async_sessionmaker[AsyncSession], now) -> int:
    """Announce the committee's decisions whose reveal time has come (idempotent:
    each is revealed once, the outbox then sends the notices)."""
    from console.competition import reveal_due

    async with session_factory() as session:
        store = Store(session)
        revealed = await reveal_due(store, now())
        await store.commit()
    if revealed:
        log.info("decisions revealed", extra={"revealed": revealed})
    return revealed


def register_jobs(
    clock: AsyncIOScheduler,
    session_factory: async_sessionmaker[AsyncSession],
    dialog_state_max_age: timedelta,
    now,
    dead_letter_retention: timedelta = timedelta(days=30),
) -> None:
    clock.add_job(
        advance_topics,
        "interval",
        seconds=30,
        kwargs={"session_factory": session_factory, "now": now},
        id="advance_topics",
        replace_existing=True,
    )
    clock.add_job(
        reveal_decisions,
        "interval",
        seconds=30,
        kwargs={"session_factory": session_factory, "now": now},
        id="reveal_decisions",
        replace_existing=True,
    )
    clock.add_job(
        forget_old_update_claims,
        "cron",
        hour=4,
        minute=23,
        kwargs={"session_factory": session_factory},
        id="forget_old_update_claims",
        replace_existing=True,
    )
    clock.add_job(
        prune_dialog_state,
        "cron",
        hour=4,
        minute=17,
        kwargs={"session_factory": session_factory, "max_age": dialog_state_max_age},
        id="prune_dialog_state",
        replace_existing=True,
    )
    clock.add_job(
        purge_dead_letters,
        "cron",
        hour=4,
        minute=29,
        kwargs={"session_factory": session_factory, "retention": dead_letter_retention},
        id="purge_dead_letters",
        replace_existing=True,
    )


async def send_deliveries(engine: DeliveryEngine, budget_seconds: float) -> None:
    """The outbox clock tick: send whatever is due (the next tick waits for this one)."""
    report = await engine.drain(budget_seconds)
    if report.claimed:
        log.info("outbox drained", extra=vars(report))


async def plan_deliveries(
    session_factory: async_sessionmaker[AsyncSession], now, zone, days_before: list[int]
) -> int:
    """Plan due reminders and new-topic alerts (topics opened by advance_topics
    are picked up on the next run).

    Idempotent through the dedupe keys, so two instances planning at once would
    add nobody twice; the lock just spares the others the same queries: one
    instance plans, the others skip this round.
    """
    async with only_one_instance(session_factory, "plan_deliveries") as first:
        if not first:
            return 0
        planned = await plan_all(session_factory, now(), zone, days_before)
    if planned:
        log.info("deliveries planned", extra={"planned": planned})
    return planned


# Shows a broadcast's progress to its operator: (store, translator for the
# operator's language, the broadcast, now). The bot supplies it (the message is a
# Telegram message); the scheduler does not import the bot.
ShowProgress = Callable[[Store, Texts, BroadcastView, datetime], Awaitable[None]]


async def update_broadcasts(engine: DeliveryEngine, show_progress: ShowProgress) -> int:
    """Edit each running broadcast's progress message; the final report once nothing remains.

    One instance at a time: every instance editing the same message every few
    seconds would spend the operator's chat budget on identical edits.
    """
    async with only_one_instance(engine.session_factory, "update_broadcasts") as first:
        if not first:
            return 0
        return await _update_broadcasts(engine, show_progress)


async def _update_broadcasts(engine: DeliveryEngine, show_progress: ShowProgress) -> int:
    from console import broadcasts

    async with engine.session_factory() as session:
        store = Store(session)
        repository = Store(session).broadcasts
        active = await repository.active()
        for broadcast in active:
            now = engine.clock.now()
            await broadcasts.keep_paused(store, broadcast)
            if await broadcasts.finish_if_done(store, broadcast, now):
                broadcast = found(await repository.get(broadcast.id), broadcast.id)
            await store.commit()
            operator = await store.people.get(broadcast.created_by)
            locale = (operator.locale if operator else None) or engine.settings.default_locale
            t = engine.translator.for_locale(locale)
            await show_progress(store, t, broadcast, now)
    return len(active)


def register_delivery_jobs(
    clock: AsyncIOScheduler, engine: DeliveryEngine, now, show_progress: ShowProgress
) -> None:
    settings = engine.settings
    # Planning runs once at start too, however long the start takes (no misfire
    # limit; a late tick is coalesced into one): a restarted or newly added
    # instance does not leave a due reminder waiting for the first minute to pass.
    starting = datetime.now(clock.timezone)
    clock.add_job(
        update_broadcasts,
        "interval",
        seconds=3,
        kwargs={"engine": engine, "show_progress": show_progress},
        id="update_broadcasts",
        replace_existing=True,
    )
    clock.add_job(
        send_deliveries,
        "interval",
        seconds=settings.delivery_tick_seconds,
        kwargs={"engine": engine, "budget_seconds": 30.0},
        id="send_deliveries",
        replace_existing=True,
    )
    clock.add_job(
        plan_deliveries,
        "interval",
        seconds=60,
        kwargs={
            "session_factory": engine.session_factory,
            "now": now,
            "zone": engine.clock.zone,
            "days_before": list(settings.reminder_days_before),
        },
        id="plan_deliveries",
        replace_existing=True,
        next_run_time=starting,
        misfire_grace_time=None,
    )
