"""Handles each Telegram update once, even when Telegram delivers it twice.

Telegram re-sends an update after a crash (the offset was never confirmed)
and when a webhook answer is slow. The claim is its own small transaction,
before the update's session opens, so a second copy arriving while the first
is still being handled is recognised at once.

Behind a webhook a copy may reach another instance because the first one died
mid-update. Answering that copy "done" would lose the update for good (Telegram
sends nothing it was told is done), so the copy waits: until the claim is done,
or until it is abandoned, which a claim is once its process stops renewing it.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from storage.models import UpdateStatus
from storage.repositories.updates import UpdateClaims

log = logging.getLogger(__name__)

# A claim not renewed for this long was abandoned: its process died. The process
# handling an update renews its claim every CLAIM_HEARTBEAT, however long it takes.
CLAIM_LEASE = timedelta(seconds=30)
CLAIM_HEARTBEAT = CLAIM_LEASE / 3
# Behind a webhook, how often a copy looks again at another process's claim, and
# for how long at most (an update's handler renewing its claim that long is stuck).
CLAIM_POLL_SECONDS = 0.5
CLAIM_WAIT_SECONDS = 600.0


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
        handled = asyncio.Event()
        # Told to stop rather than cancelled: a cancelled write could strand its connection.
        renewal = asyncio.create_task(self._renew(bot_id, event.update_id, handled))
        self._renewals.add(renewal)
        renewal.add_done_callback(self._renewals.discard)
        try:
            return await handler(event, data)
        finally:
            handled.set()
            async with self._sessions() as session:
                await UpdateClaims(session).finish(bot_id, event.update_id)
                await session.commit()

    async def _claim(self, bot_id: int, update_id: int) -> bool:
        async with self._sessions() as session:
            claimed = await UpdateClaims(session).claim(
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
                if await UpdateClaims(session).status(bot_id, update_id) != UpdateStatus.PROCESSING:
                    return False
            await asyncio.sleep(CLAIM_POLL_SECONDS)
            if await self._claim(bot_id, update_id):
                log.warning("update %s: took over the claim of a process that stopped", update_id)
                return True
        log.warning("update %s: still claimed by another process, skipped", update_id)
        return False

    async def _renew(self, bot_id: int, update_id: int, handled: asyncio.Event) -> None:
        while True:
            try:
                await asyncio.wait_for(handled.wait(), CLAIM_HEARTBEAT.total_seconds())
            except TimeoutError:
                pass
            else:
                return
            try:
                async with self._sessions() as session:
                    await UpdateClaims(session).refresh(
                        bot_id, update_id, self._clock.now(), process=self._process
                    )
                    await session.commit()
            except Exception:  # a missed beat only brings the lease's end closer
                log.warning("could not renew the claim on update %s", update_id, exc_info=True)
