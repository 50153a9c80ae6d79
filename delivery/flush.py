"""Sends the notices an update queued as soon as that update is done.

The use case queued them in the transaction of the change they report, which the
handler committed (delivery/notices.py); sending them here, still inside
the update, keeps a notice as prompt as a reply (and the update counts as busy
until it is out). If this fails or the process dies, the outbox job sends them.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import Clock
from core.i18n import Translator
from delivery.outbox import SEND_NOW_KEY
from delivery.rate_limit import Lane
from delivery.sender import DeliveryEngine

log = logging.getLogger(__name__)


class DeliveryFlushMiddleware(BaseMiddleware):
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        translator: Translator,
        settings: Any,
        clock: Clock,
    ) -> None:
        self._sessions = session_factory
        self._translator = translator
        self._settings = settings
        self._clock = clock

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        try:
            return await handler(event, data)
        finally:
            store = data.get("store")
            ids = store.session.info.pop(SEND_NOW_KEY, None) if store is not None else None
            if ids:
                await self._flush(data["bot"], ids)

    async def _flush(self, bot, ids: list[int]) -> None:
        engine = DeliveryEngine(bot, self._sessions, self._translator, self._settings, self._clock)
        try:
            # A notice goes out in the reply lane: someone's action just caused it.
            await engine.drain_once(ids=ids, lane=Lane.INTERACTIVE)
        except Exception:
            log.exception("sending notices %s at once failed; the outbox job will", ids)
