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

Reads are remembered for the update too (`SqlStorage.remembering_reads`, opened
around aiogram's FSM middleware). That middleware reads the chat's plain FSM state
first thing; in a private chat the same statement fetches aiogram-dialog's stack,
which the dialog reads next, so the update sends one read for both. aiogram-dialog
saves its stack and context after every update, changed or not; a batched write
that would leave a remembered row as it is is left out, unless the row is old
enough that the pruning of stale dialog state needs its time refreshed.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, timedelta
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import (
    DEFAULT_DESTINY,
    BaseStorage,
    DefaultKeyBuilder,
    KeyBuilder,
    StorageKey,
)
from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import FsmRecord
from storage.types import utcnow

_DELETED = None
# An unchanged row is written again anyway once its time is older than this, so
# that scheduler.jobs.prune_dialog_state (60 days) never takes a dialog in use.
REFRESH_UNCHANGED_AFTER = timedelta(days=1)
# Where aiogram-dialog keeps a private chat's dialog stack (aiogram_dialog's
# StorageProxy._stack_key for the default stack: the chat id in both id slots).
# Should that change, the read it saves is simply sent again.
DIALOG_STACK_DESTINY = "aiogd:stack:"


@dataclass
class FsmBatch:
    """The dialog-state writes of one update, keyed by storage key (None: delete)."""

    storage: SqlStorage
    writes: dict[str, dict[str, Any] | None] = field(default_factory=dict)
    # The update's own session, for reads; None outside the handler.
    session: AsyncSession | None = None


@dataclass
class _Reads:
    """The rows one update has read, keyed by storage key (None: no such row)."""

    storage: SqlStorage
    rows: dict[str, dict[str, Any] | None] = field(default_factory=dict)


_current: ContextVar[FsmBatch | None] = ContextVar("ngo_bot_fsm_batch", default=None)
_remembered: ContextVar[_Reads | None] = ContextVar("ngo_bot_fsm_reads", default=None)


_UNREAD = object()


def _unchanged(row: Any, values: dict[str, Any] | None) -> bool:
    """Whether writing `values` would leave the remembered `row` as it is."""
    if row is _UNREAD:
        return False
    if values is _DELETED or row is None:
        return values is _DELETED and row is None
    updated_at = row["updated_at"]
    if updated_at is None:
        return False
    if updated_at.tzinfo is None:
        updated_at = updated_at.replace(tzinfo=UTC)
    if utcnow() - updated_at >= REFRESH_UNCHANGED_AFTER:
        return False
    return all(row.get(column) == value for column, value in values.items())


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

    @asynccontextmanager
    async def remembering_reads(self) -> AsyncIterator[None]:
        """Remember this task's reads until the block ends (one update).

        Only sound while nothing else writes the rows meanwhile: the update holds
        its chat's events-isolation lock while it reads, and its own writes go
        through this storage, which forgets what they touch. (Erasing a person
        deletes their rows through the update's session, after resetting their
        dialog through this storage, so what is read after that is the batch's.)
        """
        token = _remembered.set(_Reads(self))
        try:
            yield
        finally:
            _remembered.reset(token)

    def _reads(self) -> _Reads | None:
        reads = _remembered.get()
        return reads if reads is not None and reads.storage is self else None

    async def write(
        self,
        batch: FsmBatch,
        also: Callable[[AsyncSession], Awaitable[None]] | None = None,
    ) -> None:
        """Write the batch in one transaction, with `also`'s writes when given."""
        reads = self._reads()
        writes = {
            key: values
            for key, values in batch.writes.items()
            if reads is None or not _unchanged(reads.rows.get(key, _UNREAD), values)
        }
        if writes or also is not None:
            async with self._sessions() as session:
                for key, values in writes.items():
                    await self._apply(session, key, values)
                if also is not None:
                    await also(session)
                await session.commit()
        if reads is not None:
            for key in batch.writes:
                reads.rows.pop(key, None)
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
        dialect = session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        values = {**values, "updated_at": utcnow()}
        statement = insert(FsmRecord).values(key=key, **values)
        statement = statement.on_conflict_do_update(index_elements=["key"], set_=values)
        await session.execute(statement)

    async def _store(self, key: str, values: dict[str, Any] | None) -> None:
        batch = self._batch()
        if batch is not None:
            # Reads see the batch first; the remembered row stays what the
            # database holds until the batch is written.
            batch.writes[key] = values
            return
        reads = self._reads()
        if reads is not None:
            reads.rows.pop(key, None)
        async with self._sessions() as session:
            await self._apply(session, key, values)
            await session.commit()

    async def _read(self, key: str, column: str, also: tuple[str, ...] = ()) -> Any:
        """The column's value, or None when there is no such row. With reads
        remembered, the rows of the keys in `also` are fetched alongside."""
        if "\x00" in key:
            # Only a forged callback puts a NUL into a key (as an intent id); no row
            # can have it, and PostgreSQL refuses it in text outright.
            return None
        session = None
        batch = self._batch()
        if batch is not None:
            if key in batch.writes:
                values = batch.writes[key]
                return None if values is _DELETED else values.get(column)
            if batch.session is not None and batch.session.is_active:
                session = batch.session
        # Outside an update nothing is remembered: the row is read for this call only.
        reads = self._reads() or _Reads(self)
        if key not in reads.rows:
            await self._fetch(reads, session, [key, *(k for k in also if k not in reads.rows)])
        row = reads.rows[key]
        return None if row is None else row[column]

    async def _fetch(self, reads: _Reads, session: AsyncSession | None, keys: list[str]) -> None:
        statement = select(FsmRecord.key, FsmRecord.state, FsmRecord.data, FsmRecord.updated_at)
        if len(keys) == 1:
            statement = statement.where(FsmRecord.key == keys[0])
        else:
            statement = statement.where(FsmRecord.key.in_(keys))
        if session is not None:
            found = (await session.execute(statement)).all()
        else:
            async with self._sessions() as own:
                found = (await own.execute(statement)).all()
        for key in keys:
            reads.rows[key] = None
        for key, state, data, updated_at in found:
            reads.rows[key] = {"state": state, "data": data, "updated_at": updated_at}

    def _companions(self, key: StorageKey) -> tuple[str, ...]:
        """The keys worth fetching with a private chat's plain state: its dialog stack."""
        if (
            key.destiny != DEFAULT_DESTINY
            or key.chat_id != key.user_id
            or key.business_connection_id is not None
        ):
            return ()
        stack = StorageKey(
            bot_id=key.bot_id,
            chat_id=key.chat_id,
            user_id=key.chat_id,
            thread_id=key.thread_id,
            destiny=DIALOG_STACK_DESTINY,
        )
        return (self._keys.build(stack, "data"),)

    # -- BaseStorage --------------------------------------------------------------------

    async def set_state(self, key: StorageKey, state: str | State | None = None) -> None:
        value = state.state if isinstance(state, State) else state
        # No state is no row: a cleared state leaves nothing behind (/delete_me).
        values = _DELETED if value is None else {"state": value}
        await self._store(self._keys.build(key, "state"), values)

    async def get_state(self, key: StorageKey) -> str | None:
        also = self._companions(key) if self._reads() is not None else ()
        state: str | None = await self._read(self._keys.build(key, "state"), "state", also)
        return state

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
