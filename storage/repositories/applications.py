"""Grant applications and their status history."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from domain.application_status import ApplicationStatus, ensure_transition
from storage.models import Application, ApplicationEvent, Organisation, Person, ReferenceCounter
from storage.results import rows_affected

# Fields an applicant writes, in the order the dialog asks for them.
APPLICATION_FIELDS = (
    "title",
    "problem",
    "activities",
    "results",
    "beneficiaries",
    "duration_months",
    "budget_total",
    "institutional_amount",
    "regions",
    "language",
)
ATTACHMENT_FIELDS = ("attachment_file_id", "attachment_name", "attachment_size", "attachment_mime")


@dataclass(frozen=True, slots=True)
class ApplicationView:
    id: int
    organisation_id: int
    organisation_name: str
    topic_id: int
    status: ApplicationStatus
    reference: str | None
    title: str | None
    problem: str | None
    activities: str | None
    results: str | None
    beneficiaries: int | None
    duration_months: int | None
    budget_total: int | None
    institutional_amount: int | None
    regions: tuple[str, ...]
    language: str | None
    attachment_file_id: str | None
    attachment_name: str | None
    attachment_size: int | None
    attachment_mime: str | None
    updated_at: datetime
    updated_by_name: str | None
    submitted_at: datetime | None
    decision_note: str | None
    submitted_by_name: str | None = None

    def missing_fields(self) -> tuple[str, ...]:
        return tuple(name for name in APPLICATION_FIELDS if getattr(self, name) in (None, ()))


@dataclass(frozen=True, slots=True)
class ApplicationEventView:
    from_status: ApplicationStatus | None
    to_status: ApplicationStatus
    at: datetime
    by_name: str | None
    note: str | None


_Submitter = aliased(Person)


def _view(
    row: Application, organisation_name: str, editor: str | None, submitter: str | None = None
) -> ApplicationView:
    return ApplicationView(
        id=row.id,
        organisation_id=row.organisation_id,
        organisation_name=organisation_name,
        topic_id=row.topic_id,
        status=row.status,
        reference=row.reference,
        title=row.title,
        problem=row.problem,
        activities=row.activities,
        results=row.results,
        beneficiaries=row.beneficiaries,
        duration_months=row.duration_months,
        budget_total=row.budget_total,
        institutional_amount=row.institutional_amount,
        regions=tuple(row.regions.split()) if row.regions else (),
        language=row.language,
        attachment_file_id=row.attachment_file_id,
        attachment_name=row.attachment_name,
        attachment_size=row.attachment_size,
        attachment_mime=row.attachment_mime,
        updated_at=row.updated_at,
        updated_by_name=editor,
        submitted_at=row.submitted_at,
        decision_note=row.decision_note,
        submitted_by_name=submitter,
    )


class ApplicationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def _select(self) -> Select[Application, str, str | None, str | None]:
        return (
            select(Application, Organisation.name, Person.full_name, _Submitter.full_name)
            .join(Organisation, Organisation.id == Application.organisation_id)
            .outerjoin(Person, Person.id == Application.updated_by)
            .outerjoin(_Submitter, _Submitter.id == Application.submitted_by)
        )

    async def get(self, application_id: int) -> ApplicationView | None:
        found = (
            await self._session.execute(self._select().where(Application.id == application_id))
        ).first()
        return _view(*found) if found else None

    async def written_by(self, person_id: int) -> list[ApplicationView]:
        """Applications the person started, last edited or submitted (their data export)."""
        rows = await self._session.execute(
            self._select()
            .where(
                (Application.created_by == person_id)
                | (Application.updated_by == person_id)
                | (Application.submitted_by == person_id)
            )
            .order_by(Application.created_at, Application.id)
        )
        return [_view(*row) for row in rows]

    async def of_organisation(self, organisation_id: int) -> list[ApplicationView]:
        rows = await self._session.execute(
            self._select()
            .where(Application.organisation_id == organisation_id)
            .order_by(Application.updated_at.desc(), Application.id.desc())
        )
        return [_view(*row) for row in rows]

    async def count_for_topic(
        self, organisation_id: int, topic_id: int, statuses: Collection[ApplicationStatus]
    ) -> int:
        return (
            await self._session.scalar(
                select(func.count(Application.id)).where(
                    Application.organisation_id == organisation_id,
                    Application.topic_id == topic_id,
                    Application.status.in_(statuses),
                )
            )
            or 0
        )

    async def add_draft(self, organisation_id: int, topic_id: int, person_id: int) -> int:
        row = Application(
            organisation_id=organisation_id,
            topic_id=topic_id,
            status=ApplicationStatus.DRAFT,
            created_by=person_id,
            updated_by=person_id,
        )
        self._session.add(row)
        await self._session.flush()
        self._session.add(
            ApplicationEvent(
                application_id=row.id,
                from_status=None,
                to_status=ApplicationStatus.DRAFT,
                by=person_id,
            )
        )
        await self._session.flush()
        return row.id

    async def set_fields(
        self, application_id: int, person_id: int, when: datetime, **values: Any
    ) -> None:
        unknown = set(values) - set(APPLICATION_FIELDS) - set(ATTACHMENT_FIELDS)
        if unknown:
            raise ValueError(f"unknown application fields: {sorted(unknown)}")
        if "regions" in values and values["regions"] is not None:
            values["regions"] = " ".join(values["regions"])
        await self._session.execute(
            update(Application)
            .where(Application.id == application_id)
            .values(**values, updated_by=person_id, updated_at=when)
        )

    async def change_status(
        self,
        application_id: int,
        *,
        expected: ApplicationStatus,
        target: ApplicationStatus,
        person_id: int | None,
        when: datetime,
        note: str | None = None,
        **values: Any,
    ) -> bool:
        """Compare-and-set: only one of two racing changes wins; False for the loser.

        A move the status rules don't allow raises InvalidTransition: the callers
        check it first, and this keeps a new caller from writing one by mistake.
        """
        # Members already; a value from a form or a test ("submitted") becomes one.
        expected, target = ApplicationStatus(expected), ApplicationStatus(target)
        ensure_transition(expected, target)
        result = await self._session.execute(
            update(Application)
            .where(Application.id == application_id, Application.status == expected)
            .values(status=target, status_changed_at=when, **values)
        )
        if rows_affected(result) != 1:
            return False
        self._session.add(
            ApplicationEvent(
                application_id=application_id,
                from_status=expected,
                to_status=target,
                at=when,
                by=person_id,
                note=note,
            )
        )
        await self._session.flush()
        return True

    async def next_reference_sequence(self, year: int) -> int:
        """The next number of the year, atomic on SQLite and PostgreSQL alike."""
        dialect = self._session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = (
            insert(ReferenceCounter)
            .values(year=year, last=1)
            .on_conflict_do_update(
                index_elements=["year"], set_={"last": ReferenceCounter.last + 1}
            )
            .returning(ReferenceCounter.last)
        )
        return (await self._session.execute(statement)).scalar_one()

    async def delete_draft(self, application_id: int) -> bool:
        row = await self._session.get(Application, application_id)
        if row is None or row.status != ApplicationStatus.DRAFT:
            return False
        await self._session.delete(row)
        await self._session.flush()
        return True

    async def set_reference(self, application_id: int, reference: str) -> None:
        await self._session.execute(
            update(Application).where(Application.id == application_id).values(reference=reference)
        )

    async def events(self, application_id: int) -> list[ApplicationEventView]:
        rows = await self._session.execute(
            select(ApplicationEvent, Person.full_name)
            .outerjoin(Person, Person.id == ApplicationEvent.by)
            .where(ApplicationEvent.application_id == application_id)
            .order_by(ApplicationEvent.at, ApplicationEvent.id)
        )
        return [
            ApplicationEventView(event.from_status, event.to_status, event.at, name, event.note)
            for event, name in rows
        ]
