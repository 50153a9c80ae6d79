"""The operator's and experts' side of a competition: assignments, conflicts of
interest, scores and decisions."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.application_status import ApplicationStatus
from domain.statuses import AssignmentStatus, DecisionOutcome
from storage.models import (
    Application,
    Decision,
    ExpertAssignment,
    ExpertConflict,
    GrantTopic,
    Organisation,
    Person,
    Role,
    RoleGrant,
    Score,
)
from storage.results import rows_affected

CRITERIA = ("relevance", "feasibility", "budget", "impact", "capacity")


@dataclass(frozen=True, slots=True)
class QueueItem:
    application_id: int
    reference: str | None
    title: str | None
    organisation_id: int
    organisation_name: str
    topic_id: int
    status: str


@dataclass(frozen=True, slots=True)
class TopicCount:
    topic_id: int
    code: str
    count: int


@dataclass(frozen=True, slots=True)
class ExpertView:
    person_id: int
    telegram_id: int
    name: str | None


@dataclass(frozen=True, slots=True)
class ScoreView:
    application_id: int
    expert_id: int
    relevance: int
    feasibility: int
    budget: int
    impact: int
    capacity: int
    comment: str
    scored_at: datetime

    @property
    def marks(self) -> tuple[int, ...]:
        return tuple(getattr(self, name) for name in CRITERIA)


@dataclass(frozen=True, slots=True)
class DecisionView:
    application_id: int
    outcome: DecisionOutcome
    amount: int | None
    reason: str | None
    decided_by: int | None
    decided_at: datetime
    reveal_at: datetime
    revealed_at: datetime | None


def _queue_item(row: Application, organisation_name: str) -> QueueItem:
    return QueueItem(
        application_id=row.id,
        reference=row.reference,
        title=row.title,
        organisation_id=row.organisation_id,
        organisation_name=organisation_name,
        topic_id=row.topic_id,
        status=row.status,
    )


def _score(row: Score) -> ScoreView:
    return ScoreView(
        application_id=row.application_id,
        expert_id=row.expert_id,
        comment=row.comment,
        scored_at=row.scored_at,
        **{name: getattr(row, name) for name in CRITERIA},
    )


def _decision(row: Decision) -> DecisionView:
    return DecisionView(
        application_id=row.application_id,
        outcome=row.outcome,
        amount=row.amount,
        reason=row.reason,
        decided_by=row.decided_by,
        decided_at=row.decided_at,
        reveal_at=row.reveal_at,
        revealed_at=row.revealed_at,
    )


class ConsoleRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    # -- queues ---------------------------------------------------------------------

    async def topics_with(self, statuses: Collection[ApplicationStatus]) -> list[TopicCount]:
        """Topics that have applications in these statuses, with how many."""
        rows = await self._session.execute(
            select(GrantTopic.id, GrantTopic.code, func.count(Application.id))
            .join(Application, Application.topic_id == GrantTopic.id)
            .where(Application.status.in_(statuses))
            .group_by(GrantTopic.id, GrantTopic.code)
            .order_by(GrantTopic.code)
        )
        return [TopicCount(topic_id, code, count) for topic_id, code, count in rows]

    async def queue(
        self, topic_id: int, statuses: Collection[ApplicationStatus]
    ) -> list[QueueItem]:
        rows = await self._session.execute(
            select(Application, Organisation.name)
            .join(Organisation, Organisation.id == Application.organisation_id)
            .where(Application.topic_id == topic_id, Application.status.in_(statuses))
            .order_by(Application.submitted_at, Application.id)
        )
        return [_queue_item(row, name) for row, name in rows]

    async def item(self, application_id: int) -> QueueItem | None:
        found = (
            await self._session.execute(
                select(Application, Organisation.name)
                .join(Organisation, Organisation.id == Application.organisation_id)
                .where(Application.id == application_id)
            )
        ).first()
        return _queue_item(*found) if found else None

    # -- experts and assignments ---------------------------------------------------

    async def experts(self) -> list[ExpertView]:
        rows = await self._session.execute(
            select(Person.id, Person.telegram_id, Person.full_name)
            .join(RoleGrant, RoleGrant.person_id == Person.id)
            .where(RoleGrant.role == Role.EXPERT)
            .order_by(Person.full_name, Person.id)
        )
        return [ExpertView(*row) for row in rows]

    async def assignment_status(
        self, application_id: int, expert_id: int
    ) -> AssignmentStatus | None:
        return await self._session.scalar(
            select(ExpertAssignment.status).where(
                ExpertAssignment.application_id == application_id,
                ExpertAssignment.expert_id == expert_id,
            )
        )

    async def assign(
        self, application_id: int, expert_id: int, assigned_by: int, when: datetime
    ) -> None:
        self._session.add(
            ExpertAssignment(
                application_id=application_id,
                expert_id=expert_id,
                assigned_by=assigned_by,
                assigned_at=when,
            )
        )
        await self._session.flush()

    async def unassign(self, application_id: int, expert_id: int) -> bool:
        row = await self._session.scalar(
            select(ExpertAssignment).where(
                ExpertAssignment.application_id == application_id,
                ExpertAssignment.expert_id == expert_id,
                ExpertAssignment.status == AssignmentStatus.ACTIVE,
            )
        )
        if row is None:
            return False
        await self._session.delete(row)
        await self._session.flush()
        return True

    async def active_experts(self, application_id: int) -> list[ExpertView]:
        rows = await self._session.execute(
            select(Person.id, Person.telegram_id, Person.full_name)
            .join(ExpertAssignment, ExpertAssignment.expert_id == Person.id)
            .where(
                ExpertAssignment.application_id == application_id,
                ExpertAssignment.status == AssignmentStatus.ACTIVE,
            )
            .order_by(ExpertAssignment.assigned_at, ExpertAssignment.id)
        )
        return [ExpertView(*row) for row in rows]

    async def has_any_assignment(self, application_id: int) -> bool:
        """Whether any expert holds or held the application (a conflict included)."""
        found = await self._session.scalar(
            select(ExpertAssignment.id)
            .where(ExpertAssignment.application_id == application_id)
            .limit(1)
        )
        return found is not None

    async def assigned_to(self, expert_id: int) -> list[QueueItem]:
        """The applications an expert is to score (active assignments, still under review)."""
        rows = await self._session.execute(
            select(Application, Organisation.name)
            .join(Organisation, Organisation.id == Application.organisation_id)
            .join(ExpertAssignment, ExpertAssignment.application_id == Application.id)
            .where(
                ExpertAssignment.expert_id == expert_id,
                ExpertAssignment.status == AssignmentStatus.ACTIVE,
                Application.status == ApplicationStatus.UNDER_REVIEW,
            )
            .order_by(ExpertAssignment.assigned_at, Application.id)
        )
        return [_queue_item(row, name) for row, name in rows]

    async def mark_conflict(self, application_id: int, expert_id: int) -> bool:
        result = await self._session.execute(
            update(ExpertAssignment)
            .where(
                ExpertAssignment.application_id == application_id,
                ExpertAssignment.expert_id == expert_id,
                ExpertAssignment.status == AssignmentStatus.ACTIVE,
            )
            .values(status=AssignmentStatus.CONFLICT)
        )
        return rows_affected(result) == 1

    # -- conflicts of interest -----------------------------------------------------

    async def add_conflict(
        self, expert_id: int, organisation_id: int, application_id: int, when: datetime
    ) -> None:
        if await self.has_conflict(expert_id, organisation_id):
            return
        self._session.add(
            ExpertConflict(
                expert_id=expert_id,
                organisation_id=organisation_id,
                application_id=application_id,
                declared_at=when,
            )
        )
        await self._session.flush()

    async def has_conflict(self, expert_id: int, organisation_id: int) -> bool:
        found = await self._session.scalar(
            select(ExpertConflict.id).where(
                ExpertConflict.expert_id == expert_id,
                ExpertConflict.organisation_id == organisation_id,
            )
        )
        return found is not None

    # -- scores ----------------------------------------------------------------------

    async def score(self, application_id: int, expert_id: int) -> ScoreView | None:
        row = await self._session.scalar(
            select(Score).where(
                Score.application_id == application_id, Score.expert_id == expert_id
            )
        )
        return _score(row) if row else None

    async def save_score(
        self,
        application_id: int,
        expert_id: int,
        marks: dict[str, int],
        comment: str,
        when: datetime,
    ) -> None:
        row = await self._session.scalar(
            select(Score).where(
                Score.application_id == application_id, Score.expert_id == expert_id
            )
        )
        if row is None:
            row = Score(application_id=application_id, expert_id=expert_id)
            self._session.add(row)
        for name in CRITERIA:
            setattr(row, name, marks[name])
        row.comment = comment
        row.scored_at = when
        await self._session.flush()

    async def scores_of(self, application_id: int) -> list[ScoreView]:
        rows = await self._session.scalars(
            select(Score).where(Score.application_id == application_id).order_by(Score.id)
        )
        return [_score(row) for row in rows]

    # -- decisions -------------------------------------------------------------------

    async def decision(self, application_id: int) -> DecisionView | None:
        row = await self._session.scalar(
            select(Decision).where(Decision.application_id == application_id)
        )
        return _decision(row) if row else None

    async def add_decision(
        self,
        application_id: int,
        *,
        outcome: DecisionOutcome,
        amount: int | None,
        reason: str | None,
        decided_by: int,
        decided_at: datetime,
        reveal_at: datetime,
    ) -> None:
        self._session.add(
            Decision(
                application_id=application_id,
                outcome=outcome,
                amount=amount,
                reason=reason,
                decided_by=decided_by,
                decided_at=decided_at,
                reveal_at=reveal_at,
            )
        )
        await self._session.flush()

    async def due_decisions(self, now: datetime) -> list[DecisionView]:
        rows = await self._session.scalars(
            select(Decision)
            .where(Decision.revealed_at.is_(None), Decision.reveal_at <= now)
            .order_by(Decision.reveal_at, Decision.id)
        )
        return [_decision(row) for row in rows]

    async def mark_revealed(self, application_id: int, when: datetime) -> bool:
        """Compare-and-set, so two clocks never reveal one decision twice."""
        result = await self._session.execute(
            update(Decision)
            .where(Decision.application_id == application_id, Decision.revealed_at.is_(None))
            .values(revealed_at=when)
        )
        return rows_affected(result) == 1
