"""Updates set aside because they could not be read (see storage.models.DeadLetter)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import DeadLetter
from storage.results import rows_affected


class DeadLetterRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record(
        self,
        *,
        bot_id: int,
        update_id: int | None,
        kind: str,
        error: str,
        payload: str,
        received_at: datetime,
    ) -> bool:
        """True when this update is new here; False for a copy of one already kept."""
        dialect = self._session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        result = await self._session.execute(
            insert(DeadLetter)
            .values(
                bot_id=bot_id,
                update_id=update_id,
                kind=kind,
                error=error,
                payload=payload,
                received_at=received_at,
            )
            .on_conflict_do_nothing(index_elements=["bot_id", "update_id"])
        )
        return rows_affected(result) == 1

    async def recent(self, limit: int = 50) -> list[DeadLetter]:
        rows = await self._session.scalars(
            select(DeadLetter).order_by(DeadLetter.received_at.desc()).limit(limit)
        )
        return list(rows)

    async def purge_before(self, moment: datetime) -> int:
        result = await self._session.execute(
            delete(DeadLetter).where(DeadLetter.received_at < moment)
        )
        return rows_affected(result)
