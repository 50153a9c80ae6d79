"""aiogram FSM storage kept in the project's own database.

aiogram-dialog keeps its stacks and contexts in the FSM storage, so with this
storage a dialog survives a restart of the bot (REFERENCE: MemoryStorage gives
"UnknownIntent: Context not found" after one).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, KeyBuilder, StorageKey
from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import FsmRecord
from storage.types import utcnow


class SqlStorage(BaseStorage):
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        key_builder: KeyBuilder | None = None,
    ) -> None:
        self._sessions = session_factory
        # with_destiny keeps aiogram-dialog's stacks apart from plain FSM data.
        self._keys = key_builder or DefaultKeyBuilder(with_destiny=True)

    async def _upsert(self, key: str, **values: Any) -> None:
        async with self._sessions() as session:
            dialect = session.bind.dialect.name
            insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
            values["updated_at"] = utcnow()
            statement = insert(FsmRecord).values(key=key, **values)
            statement = statement.on_conflict_do_update(index_elements=["key"], set_=values)
            await session.execute(statement)
            await session.commit()

    async def _read(self, key: str) -> FsmRecord | None:
        async with self._sessions() as session:
            return await session.scalar(select(FsmRecord).where(FsmRecord.key == key))

    async def set_state(self, key: StorageKey, state: str | State | None = None) -> None:
        value = state.state if isinstance(state, State) else state
        await self._upsert(self._keys.build(key, "state"), state=value)

    async def get_state(self, key: StorageKey) -> str | None:
        record = await self._read(self._keys.build(key, "state"))
        return record.state if record else None

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        storage_key = self._keys.build(key, "data")
        if not data:
            async with self._sessions() as session:
                await session.execute(delete(FsmRecord).where(FsmRecord.key == storage_key))
                await session.commit()
            return
        await self._upsert(storage_key, data=json.dumps(dict(data), ensure_ascii=False))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        record = await self._read(self._keys.build(key, "data"))
        if record is None or not record.data:
            return {}
        return json.loads(record.data)

    async def close(self) -> None:
        return None
