"""Handles each Telegram update once, even when Telegram delivers it twice.

Telegram re-sends an update after a crash (the offset was never confirmed)
and when a webhook answer is slow. The claim is its own small transaction,
before the update's session opens, so a second copy arriving while the first
is still being handled is recognised at once.

Behind a webhook a copy may reach another instance because the first one died
mid-update. Answering that copy "done" would lose the update for good (Telegram
sends nothing it was told is done), so the copy waits: until the claim is done,
or until it is abandoned, which a claim is once its process stops renewing it.

The "done" mark goes in the transaction that writes the update's dialog state
(bot.middlewares.database), so a dialog step costs no transaction of its own for
it; an update that ends any other way (it failed, or nothing wrote its state) is
marked here, after it. Renewing starts only once an update has run for a whole
heartbeat: almost none does, so almost none pays for a renewal task.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import Clock
from domain.statuses import UpdateStatus
from storage.store import Store

log = logging.getLogger(__name__)

# A claim not renewed for this long was abandoned: its process died. The process
# handling an update renews its claim every CLAIM_HEARTBEAT, however long it takes.
CLAIM_LEASE = timedelta(seconds=30)
CLAIM_HEARTBEAT = CLAIM_LEASE / 3
# Behind a webhook, how often a copy looks again at another process's claim, and
# for how long at most (an update's handler renewing its claim that long is stuck).
CLAIM_POLL_SECONDS = 0.5
CLAIM_WAIT_SECONDS = 600.0
# Where the update's claim is left in the middleware data for bot.middlewares.database.
CLAIM_KEY = "update_claim"


@dataclass(slots=True, eq=False)
class UpdateClaim:
    """This process's claim on the update being handled."""

    bot_id: int
    update_id: int
    # Set once the "done" mark is committed, by whoever committed it.
    done: bool = False
    # Set when the update has been handled, to stop renewing (None: not renewing).
    handled: asyncio.Event | None = None

    async def mark_done(self, session: AsyncSession) -> None:
        """Mark it done in the caller's transaction; the caller sets `done` after commit."""
        await Store(session).update_claims.finish(self.bot_id, self.update_id)


class UpdateDeduplication(BaseMiddleware):
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        clock: Clock,
        *,
        single_process: bool,
    ) -> None:
        self._sessions = session_factory
        self._clock = clock
        # Polling has one process at a time, so another process's claim was left
        # by one that died; behind a webhook several may be working at once.
        self._single_process = single_process
        self._process = secrets.token_hex(8)
        self._renewals: set[asyncio.Task] = set()

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        if not isinstance(event, Update):
            return await handler(event, data)
        bot_id = data["bot"].id
        claimed = await self._claim(bot_id, event.update_id)
        if not claimed and not self._single_process:
            claimed = await self._wait_for(bot_id, event.update_id)
        if not claimed:
            log.info("update %s already handled, skipped", event.update_id)
            return None
        claim = UpdateClaim(bot_id, event.update_id)
        data[CLAIM_KEY] = claim
        renewing = asyncio.get_running_loop().call_later(
            CLAIM_HEARTBEAT.total_seconds(), self._start_renewing, claim
        )
        try:
            return await handler(event, data)
        finally:
            renewing.cancel()
            if claim.handled is not None:
                # Told to stop rather than cancelled: a cancelled write could strand its connection.
                claim.handled.set()
            if not claim.done:
                async with self._sessions() as session:
                    await claim.mark_done(session)
                    await session.commit()
                claim.done = True

    async def _claim(self, bot_id: int, update_id: int) -> bool:
        async with self._sessions() as session:
            claimed = await Store(session).update_claims.claim(
                bot_id,
                update_id,
                self._clock.now(),
                CLAIM_LEASE,
                process=self._process,
                take_over_other_processes=self._single_process,
            )
            await session.commit()
        return claimed

    async def _wait_for(self, bot_id: int, update_id: int) -> bool:
        """Another process holds the claim: False once it is done, True once we
        took it over (its process stopped renewing it)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + CLAIM_WAIT_SECONDS
        while loop.time() < deadline:
            async with self._sessions() as session:
                status = await Store(session).update_claims.status(bot_id, update_id)
                if status != UpdateStatus.PROCESSING:
                    return False
            await asyncio.sleep(CLAIM_POLL_SECONDS)
            if await self._claim(bot_id, update_id):
                log.warning("update %s: took over the claim of a process that stopped", update_id)
                return True
        log.warning("update %s: still claimed by another process, skipped", update_id)
        return False

    def _start_renewing(self, claim: UpdateClaim) -> None:
        """The update has run for a heartbeat: renew its claim from now on."""
        claim.handled = asyncio.Event()
        renewal = asyncio.create_task(self._renew(claim))
        self._renewals.add(renewal)
        renewal.add_done_callback(self._renewals.discard)

    async def _renew(self, claim: UpdateClaim) -> None:
        handled = claim.handled
        if handled is None:  # not renewing
            return
        while not handled.is_set():
            try:
                async with self._sessions() as session:
                    await Store(session).update_claims.refresh(
                        claim.bot_id, claim.update_id, self._clock.now(), process=self._process
                    )
                    await session.commit()
            except Exception:  # a missed beat only brings the lease's end closer
                log.warning(
                    "could not renew the claim on update %s", claim.update_id, exc_info=True
                )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(handled.wait(), CLAIM_HEARTBEAT.total_seconds())
