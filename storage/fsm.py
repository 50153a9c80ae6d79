"""aiogram FSM storage kept in the project's own database.

aiogram-dialog keeps its stacks and contexts in the FSM storage, so with this
storage a dialog survives a restart of the bot (REFERENCE: MemoryStorage gives
"UnknownIntent: Context not found" after one).

While an update is handled, writes are collected in a batch and written in one
transaction once the handler has finished (`SqlStorage.batch`, opened by the
update's database middleware). aiogram-dialog saves a dialog in several steps
(remove the closed context, save the current one, save the stack); written one
by one, a failure between them left a stack naming a context that no longer
existed. Batched, they land together or not at all, and an update costs one
write transaction for its dialog state instead of three. Reads inside the
update see the batch first, then the update's own session.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, KeyBuilder, StorageKey
from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import FsmRecord
from storage.types import utcnow

_DELETED = None


@dataclass
class FsmBatch:
    """The dialog-state writes of one update, keyed by storage key (None: delete)."""

    storage: SqlStorage
    writes: dict[str, dict[str, Any] | None] = field(default_factory=dict)
    # The update's own session, for reads; None outside the handler.
    session: AsyncSession | None = None


_current: ContextVar[FsmBatch | None] = ContextVar("ngo_bot_fsm_batch", default=None)


class SqlStorage(BaseStorage):
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        key_builder: KeyBuilder | None = None,
    ) -> None:
        self._sessions = session_factory
        # with_destiny keeps aiogram-dialog's stacks apart from plain FSM data.
        self._keys = key_builder or DefaultKeyBuilder(with_destiny=True)

    # -- the update's batch -----------------------------------------------------------

    @asynccontextmanager
    async def batch(self) -> AsyncIterator[FsmBatch]:
        """Collect this task's writes; the caller writes them with `write` on success.

        Leaving the block without `write` (the handler failed) forgets them: the
        dialog stays where it was before the update, as a whole.
        """
        batch = FsmBatch(self)
        token = _current.set(batch)
        try:
            yield batch
        finally:
            _current.reset(token)

    async def write(self, batch: FsmBatch) -> None:
        if not batch.writes:
            return
        async with self._sessions() as session:
            for key, values in batch.writes.items():
                await self._apply(session, key, values)
            await session.commit()
        batch.writes.clear()

    def _batch(self) -> FsmBatch | None:
        batch = _current.get()
        return batch if batch is not None and batch.storage is self else None

    # -- rows ---------------------------------------------------------------------------

    @staticmethod
    async def _apply(session: AsyncSession, key: str, values: dict[str, Any] | None) -> None:
        if values is _DELETED:
            await session.execute(delete(FsmRecord).where(FsmRecord.key == key))
            return
        dialect = session.bind.dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        values = {**values, "updated_at": utcnow()}
        statement = insert(FsmRecord).values(key=key, **values)
        statement = statement.on_conflict_do_update(index_elements=["key"], set_=values)
        await session.execute(statement)

    async def _store(self, key: str, values: dict[str, Any] | None) -> None:
        batch = self._batch()
        if batch is not None:
            batch.writes[key] = values
            return
        async with self._sessions() as session:
            await self._apply(session, key, values)
            await session.commit()

    async def _read(self, key: str, column: str) -> Any:
        """The column's value, or None when there is no such row."""
        if "\x00" in key:
            # Only a forged callback puts a NUL into a key (as an intent id); no row
            # can have it, and PostgreSQL refuses it in text outright.
            return None
        batch = self._batch()
        if batch is not None:
            if key in batch.writes:
                values = batch.writes[key]
                return None if values is _DELETED else values.get(column)
            session = batch.session
            if session is not None and session.is_active:
                return await session.scalar(
                    select(getattr(FsmRecord, column)).where(FsmRecord.key == key)
                )
        async with self._sessions() as session:
            return await session.scalar(
                select(getattr(FsmRecord, column)).where(FsmRecord.key == key)
            )

    # -- BaseStorage --------------------------------------------------------------------

    async def set_state(self, key: StorageKey, state: str | State | None = None) -> None:
        value = state.state if isinstance(state, State) else state
        # No state is no row: a cleared state leaves nothing behind (/delete_me).
        values = _DELETED if value is None else {"state": value}
        await self._store(self._keys.build(key, "state"), values)

    async def get_state(self, key: StorageKey) -> str | None:
        return await self._read(self._keys.build(key, "state"), "state")

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        storage_key = self._keys.build(key, "data")
        if not data:
            await self._store(storage_key, _DELETED)
            return
        await self._store(storage_key, {"data": json.dumps(dict(data), ensure_ascii=False)})

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        raw = await self._read(self._keys.build(key, "data"), "data")
        return json.loads(raw) if raw else {}

    async def close(self) -> None:
        return None
