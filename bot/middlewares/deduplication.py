"""Handles each Telegram update once, even when Telegram delivers it twice.

Telegram re-sends an update after a crash (the offset was never confirmed)
and when a webhook answer is slow. The claim is its own small transaction,
before the update's session opens, so a second copy arriving while the first
is still being handled is recognised at once.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from storage.repositories.updates import UpdateClaims

log = logging.getLogger(__name__)

# Longer than any update takes to handle; a claim older than this was abandoned.
CLAIM_LEASE = timedelta(minutes=2)


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

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        if not isinstance(event, Update):
            return await handler(event, data)
        bot_id = data["bot"].id
        async with self._sessions() as session:
            claimed = await UpdateClaims(session).claim(
                bot_id,
                event.update_id,
                self._clock.now(),
                CLAIM_LEASE,
                process=self._process,
                take_over_other_processes=self._single_process,
            )
            await session.commit()
        if not claimed:
            log.info("update %s already handled, skipped", event.update_id)
            return None
        try:
            return await handler(event, data)
        finally:
            async with self._sessions() as session:
                await UpdateClaims(session).finish(bot_id, event.update_id)
                await session.commit()
