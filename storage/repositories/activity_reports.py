"""Annual activity information, filed by an organisation for the NGO database."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import flag_modified

from domain.statuses import ReportStatus
from domain.text_input import shown_name
from storage.models import ActivityProject, ActivityReport, Person

REPORT_NUMBER_FIELDS = (
    "total_beneficiaries",
    "income_state_order",
    "income_state_grants",
    "income_international",
    "income_donations",
    "income_own",
    "staff_count",
    "volunteer_count",
)


@dataclass(frozen=True, slots=True)
class ProjectView:
    id: int
    title: str
    area: str
    region: str
    beneficiaries: int


@dataclass(frozen=True, slots=True)
class ReportView:
    id: int
    organisation_id: int
    year: int
    status: ReportStatus
    total_beneficiaries: int | None
    income_state_order: int | None
    income_state_grants: int | None
    income_international: int | None
    income_donations: int | None
    income_own: int | None
    staff_count: int | None
    volunteer_count: int | None
    projects: tuple[ProjectView, ...]
    updated_at: datetime
    updated_by: int | None
    submitted_at: datetime | None
    submitted_by: int | None

    @property
    def total_income(self) -> int:
        return sum(
            getattr(self, name) or 0 for name in REPORT_NUMBER_FIELDS if name.startswith("income_")
        )

    def missing_fields(self) -> tuple[str, ...]:
        return tuple(name for name in REPORT_NUMBER_FIELDS if getattr(self, name) is None)


def report_view(row: ActivityReport) -> ReportView:
    return ReportView(
        id=row.id,
        organisation_id=row.organisation_id,
        year=row.year,
        status=row.status,
        projects=tuple(
            ProjectView(p.id, p.title, p.area, p.region, p.beneficiaries) for p in row.projects
        ),
        updated_at=row.updated_at,
        updated_by=row.updated_by,
        submitted_at=row.submitted_at,
        submitted_by=row.submitted_by,
        **{name: getattr(row, name) for name in REPORT_NUMBER_FIELDS},
    )


class ActivityReportRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def _row(self, organisation_id: int, year: int) -> ActivityReport | None:
        return await self._session.scalar(
            select(ActivityReport).where(
                ActivityReport.organisation_id == organisation_id, ActivityReport.year == year
            )
        )

    async def get(self, organisation_id: int, year: int) -> ReportView | None:
        row = await self._row(organisation_id, year)
        return report_view(row) if row else None

    async def get_or_create(
        self, organisation_id: int, year: int, person_id: int, when: datetime
    ) -> ReportView:
        row = await self._row(organisation_id, year)
        if row is None:
            row = ActivityReport(
                organisation_id=organisation_id,
                year=year,
                updated_by=person_id,
                created_at=when,
                updated_at=when,
            )
            self._session.add(row)
            await self._session.flush()
            await self._session.refresh(row, ["projects"])
        return report_view(row)

    async def _touch(self, report_id: int, person_id: int, when: datetime) -> ActivityReport:
        # Set explicitly: the column's onupdate would use the wall clock, not the bot's.
        row = await self._session.get(ActivityReport, report_id)
        if row is None:
            raise LookupError(report_id)
        row.updated_by = person_id
        row.updated_at = when
        # An unchanged value would leave the column out of the UPDATE, and onupdate would win.
        flag_modified(row, "updated_at")
        return row

    async def set_field(
        self, report_id: int, name: str, value: int, person_id: int, when: datetime
    ) -> None:
        if name not in REPORT_NUMBER_FIELDS:
            raise ValueError(name)
        row = await self._touch(report_id, person_id, when)
        setattr(row, name, value)
        await self._session.flush()

    async def add_project(
        self,
        report_id: int,
        *,
        title: str,
        area: str,
        region: str,
        beneficiaries: int,
        person_id: int,
        when: datetime,
    ) -> None:
        row = await self._touch(report_id, person_id, when)
        position = await self._session.scalar(
            select(func.coalesce(func.max(ActivityProject.position), 0)).where(
                ActivityProject.report_id == report_id
            )
        )
        self._session.add(
            ActivityProject(
                report_id=report_id,
                position=(position or 0) + 1,
                title=title,
                area=area,
                region=region,
                beneficiaries=beneficiaries,
            )
        )
        await self._session.flush()
        await self._session.refresh(row, ["projects"])

    async def remove_project(
        self, report_id: int, project_id: int, person_id: int, when: datetime
    ) -> bool:
        project = await self._session.get(ActivityProject, project_id)
        if project is None or project.report_id != report_id:
            return False
        await self._session.delete(project)
        row = await self._touch(report_id, person_id, when)
        await self._session.flush()
        await self._session.refresh(row, ["projects"])
        return True

    async def mark_submitted(self, report_id: int, person_id: int, when: datetime) -> None:
        row = await self._touch(report_id, person_id, when)
        row.status = ReportStatus.SUBMITTED
        row.submitted_at = when
        row.submitted_by = person_id
        await self._session.flush()

    async def by_id(self, report_id: int) -> ReportView | None:
        row = await self._session.get(ActivityReport, report_id)
        return report_view(row) if row else None

    async def latest_submitted(self, organisation_id: int) -> ReportView | None:
        row = await self._session.scalar(
            select(ActivityReport)
            .where(
                ActivityReport.organisation_id == organisation_id,
                ActivityReport.status == ReportStatus.SUBMITTED,
            )
            .order_by(ActivityReport.year.desc())
            .limit(1)
        )
        return report_view(row) if row else None

    async def names(self, person_ids: Iterable[int | None]) -> dict[int | None, str | None]:
        """What to call each person in "edited by": their name, else @username, else
        None. Keyed by the optional ids of the rows, so no id (None) simply has none."""
        wanted = {person_id for person_id in person_ids if person_id is not None}
        if not wanted:
            return {}
        rows = await self._session.execute(
            select(Person.id, Person.full_name, Person.username).where(Person.id.in_(wanted))
        )
        return {
            person_id: shown_name(full_name) or (f"@{username}" if username else None)
            for person_id, full_name, username in rows
        }
