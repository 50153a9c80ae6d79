"""Claims on Telegram update ids (see storage.models.ProcessedUpdate)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from domain.statuses import UpdateStatus
from storage.models import ProcessedUpdate
from storage.results import rows_affected


class UpdateClaims:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def claim(
        self,
        bot_id: int,
        update_id: int,
        now: datetime,
        lease: timedelta,
        *,
        process: str,
        take_over_other_processes: bool,
    ) -> bool:
        """True when this caller should handle the update.

        A new id is claimed at once; a "done" one was handled already. A claim
        still "processing" is taken over when it is older than `lease` (its
        process died), or at once when it belongs to another process and only
        one process can be running (polling: the earlier one crashed). A fresh
        claim of this very process is the same update still being handled.
        """
        dialect = self._session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        inserted = await self._session.execute(
            insert(ProcessedUpdate)
            .values(
                bot_id=bot_id,
                update_id=update_id,
                status=UpdateStatus.PROCESSING,
                claimed_by=process,
                claimed_at=now,
            )
            .on_conflict_do_nothing(index_elements=["bot_id", "update_id"])
        )
        if rows_affected(inserted) == 1:
            return True
        abandoned = ProcessedUpdate.claimed_at < now - lease
        if take_over_other_processes:
            abandoned = or_(abandoned, ProcessedUpdate.claimed_by != process)
        taken_over = await self._session.execute(
            update(ProcessedUpdate)
            .where(
                ProcessedUpdate.bot_id == bot_id,
                ProcessedUpdate.update_id == update_id,
                ProcessedUpdate.status == UpdateStatus.PROCESSING,
                abandoned,
            )
            .values(claimed_by=process, claimed_at=now)
        )
        return rows_affected(taken_over) == 1

    async def refresh(self, bot_id: int, update_id: int, now: datetime, *, process: str) -> bool:
        """Renew our claim while we are still handling the update (a heartbeat)."""
        result = await self._session.execute(
            update(ProcessedUpdate)
            .where(
                ProcessedUpdate.bot_id == bot_id,
                ProcessedUpdate.update_id == update_id,
                ProcessedUpdate.status == UpdateStatus.PROCESSING,
                ProcessedUpdate.claimed_by == process,
            )
            .values(claimed_at=now)
        )
        return rows_affected(result) == 1

    async def status(self, bot_id: int, update_id: int) -> UpdateStatus | None:
        return await self._session.scalar(
            select(ProcessedUpdate.status).where(
                ProcessedUpdate.bot_id == bot_id, ProcessedUpdate.update_id == update_id
            )
        )

    async def finish(self, bot_id: int, update_id: int) -> None:
        await self._session.execute(
            update(ProcessedUpdate)
            .where(ProcessedUpdate.bot_id == bot_id, ProcessedUpdate.update_id == update_id)
            .values(status=UpdateStatus.DONE)
        )

    async def forget_before(self, moment: datetime) -> int:
        result = await self._session.execute(
            delete(ProcessedUpdate).where(ProcessedUpdate.claimed_at < moment)
        )
        return rows_affected(result)
