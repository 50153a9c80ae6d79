"""The audit log of operator, expert and admin actions. Entries are only ever added."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditEntry


@dataclass(frozen=True, slots=True)
class AuditEntryView:
    id: int
    actor: int
    role: str
    action: str
    object_type: str
    object_id: str | None
    before: str | None
    after: str | None
    at: datetime


def _view(row: AuditEntry) -> AuditEntryView:
    return AuditEntryView(
        id=row.id,
        actor=row.actor,
        role=row.role,
        action=row.action,
        object_type=row.object_type,
        object_id=row.object_id,
        before=row.before,
        after=row.after,
        at=row.at,
    )


class AuditRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(
        self,
        *,
        actor: int,
        role: str,
        action: str,
        object_type: str,
        object_id: str | None,
        before: str | None,
        after: str | None,
        at: datetime,
    ) -> int:
        row = AuditEntry(
            actor=actor,
            role=role,
            action=action,
            object_type=object_type,
            object_id=object_id,
            before=before,
            after=after,
            at=at,
        )
        self._session.add(row)
        await self._session.flush()
        return row.id

    async def latest(
        self, limit: int = 50, *, object_type: str | None = None, object_id: str | None = None
    ) -> list[AuditEntryView]:
        query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        if object_type is not None:
            query = query.where(AuditEntry.object_type == object_type)
        if object_id is not None:
            query = query.where(AuditEntry.object_id == object_id)
        return [_view(row) for row in await self._session.scalars(query.limit(limit))]

    async def objects_of(self, action: str, object_type: str) -> set[str]:
        """The ids of every object `action` was ever done to."""
        rows = await self._session.scalars(
            select(AuditEntry.object_id)
            .distinct()
            .where(AuditEntry.action == action, AuditEntry.object_type == object_type)
        )
        return {object_id for object_id in rows if object_id is not None}
