"""Topics closed before their deadline: the reason, the deadline an undo restores,
and whether an application has been refused since. Also who holds drafts on a topic
(told when it closes early or reopens)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.application_status import ApplicationStatus
from domain.competition_rules import EarlyClosing
from storage.models import Application, TopicEarlyClosing
from storage.results import rows_affected


@dataclass(frozen=True, slots=True)
class EarlyClosingView:
    id: int
    topic_id: int
    reason: str
    planned_closes_at: datetime
    closed_at: datetime
    refused_at: datetime | None
    undone_at: datetime | None

    @property
    def rule(self) -> EarlyClosing:
        return EarlyClosing(
            planned_closes_at=self.planned_closes_at,
            refused_since=self.refused_at is not None,
            undone=self.undone_at is not None,
        )


def _view(row: TopicEarlyClosing) -> EarlyClosingView:
    return EarlyClosingView(
        id=row.id,
        topic_id=row.topic_id,
        reason=row.reason,
        planned_closes_at=row.planned_closes_at,
        closed_at=row.closed_at,
        refused_at=row.refused_at,
        undone_at=row.undone_at,
    )


class EarlyClosingRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(
        self,
        topic_id: int,
        *,
        reason: str,
        planned_closes_at: datetime,
        closed_at: datetime,
        closed_by: int | None,
    ) -> int:
        row = TopicEarlyClosing(
            topic_id=topic_id,
            reason=reason,
            planned_closes_at=planned_closes_at,
            closed_at=closed_at,
            closed_by=closed_by,
        )
        self._session.add(row)
        await self._session.flush()
        return row.id

    async def current(self, topic_id: int) -> EarlyClosingView | None:
        """The topic's latest early closing not undone, if any."""
        row = await self._session.scalar(
            select(TopicEarlyClosing)
            .where(TopicEarlyClosing.topic_id == topic_id, TopicEarlyClosing.undone_at.is_(None))
            .order_by(TopicEarlyClosing.id.desc())
            .limit(1)
        )
        return _view(row) if row else None

    async def note_refusal(self, topic_id: int, when: datetime) -> None:
        """An application was refused while the topic stood closed early."""
        await self._session.execute(
            update(TopicEarlyClosing)
            .where(
                TopicEarlyClosing.topic_id == topic_id,
                TopicEarlyClosing.undone_at.is_(None),
                TopicEarlyClosing.refused_at.is_(None),
            )
            .values(refused_at=when)
        )

    async def mark_undone(self, closing_id: int, when: datetime) -> bool:
        result = await self._session.execute(
            update(TopicEarlyClosing)
            .where(
                TopicEarlyClosing.id == closing_id,
                TopicEarlyClosing.undone_at.is_(None),
                TopicEarlyClosing.refused_at.is_(None),
            )
            .values(undone_at=when)
        )
        return rows_affected(result) == 1

    async def draft_holders(self, topic_id: int) -> list[int]:
        """Organisations with a draft application on the topic."""
        rows = await self._session.scalars(
            select(Application.organisation_id)
            .where(
                Application.topic_id == topic_id,
                Application.status == ApplicationStatus.DRAFT,
            )
            .distinct()
            .order_by(Application.organisation_id)
        )
        return list(rows)
