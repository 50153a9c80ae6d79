"""Opens the one database session of an update. Nothing else opens one for handlers."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.middlewares.deduplication import CLAIM_KEY, UpdateClaim
from storage.fsm import FsmBatch, SqlStorage
from storage.store import Store

# An update holds its session's connection and needs a second one at times (the
# outbox opens its own session, and the FSM storage writes the dialog state in one
# after it). Letting more updates in than half the pool starves them all: each
# waits for a second connection the others hold, until the pool's 30 s timeout
# (bench/journeys found it at 20 concurrent users).
CONNECTIONS_PER_UPDATE = 2


def open_update_limit(session_factory: async_sessionmaker[AsyncSession]) -> int:
    pool = session_factory.kw["bind"].pool
    capacity = pool.size() + max(getattr(pool, "_max_overflow", 0), 0)
    return max(1, capacity // CONNECTIONS_PER_UPDATE)


class DatabaseSessionMiddleware(BaseMiddleware):
    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = session_factory
        self._slots = asyncio.Semaphore(open_update_limit(session_factory))

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        storage = data.get("fsm_storage")
        async with self._slots:
            if not isinstance(storage, SqlStorage):
                return await self._handle(handler, event, data, None)
            # Dialog state is written once, after the update's session closed, in
            # one transaction; a failing handler leaves the dialog where it was.
            # The update's "done" mark rides in the same transaction.
            async with storage.batch() as batch:
                result = await self._handle(handler, event, data, batch)
            claim: UpdateClaim | None = data.get(CLAIM_KEY)
            if claim is None or claim.done:
                await storage.write(batch)
            else:
                await storage.write(batch, also=claim.mark_done)
                claim.done = True
            return result

    async def _handle(self, handler, event, data, batch: FsmBatch | None) -> Any:
        async with self._sessions() as session:
            # Handlers commit their own use case; whatever they left
            # uncommitted is rolled back when the session closes.
            data["store"] = Store(session)
            if batch is not None:
                batch.session = session
            try:
                return await handler(event, data)
            finally:
                if batch is not None:
                    batch.session = None


class RememberDialogStateReads(BaseMiddleware):
    """Remembers an update's dialog-state reads for the whole update (see storage.fsm).

    Wired around aiogram's FSM middleware, whose read of the plain state is the
    update's first and also fetches a private chat's dialog stack.
    """

    def __init__(self, storage: SqlStorage) -> None:
        self._storage = storage

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        async with self._storage.remembering_reads():
            return await handler(event, data)
