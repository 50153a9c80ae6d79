"""Award rounds and the organisations' applications to them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.statuses import AwardRoundStatus
from storage.models import AwardApplication, AwardRound, Organisation


@dataclass(frozen=True, slots=True)
class AwardRoundView:
    id: int
    title_kk: str
    title_ru: str
    title_en: str
    directions: tuple[str, ...]
    opens_at: datetime
    closes_at: datetime
    status: AwardRoundStatus

    def title(self, locale: str) -> str:
        return getattr(self, f"title_{locale}", None) or self.title_ru

    def accepts(self, now: datetime) -> bool:
        return self.status == AwardRoundStatus.OPEN and self.opens_at <= now < self.closes_at


@dataclass(frozen=True, slots=True)
class AwardApplicationView:
    id: int
    round_id: int
    organisation_id: int
    organisation_name: str
    organisation_bin: str
    organisation_region: str
    direction: str | None
    project_description: str
    results: str
    evidence_url: str
    submitted_at: datetime
    updated_at: datetime
    winner: bool


def round_view(row: AwardRound) -> AwardRoundView:
    return AwardRoundView(
        id=row.id,
        title_kk=row.title_kk,
        title_ru=row.title_ru,
        title_en=row.title_en,
        directions=tuple(row.directions.split()),
        opens_at=row.opens_at,
        closes_at=row.closes_at,
        status=row.status,
    )


def _application_view(row: AwardApplication, organisation: Organisation) -> AwardApplicationView:
    return AwardApplicationView(
        id=row.id,
        round_id=row.round_id,
        organisation_id=row.organisation_id,
        organisation_name=organisation.name,
        organisation_bin=organisation.bin,
        organisation_region=organisation.region,
        direction=row.direction,
        project_description=row.project_description,
        results=row.results,
        evidence_url=row.evidence_url,
        submitted_at=row.submitted_at,
        updated_at=row.updated_at,
        winner=row.winner,
    )


class AwardRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add_round(
        self,
        *,
        titles: dict[str, str],
        directions: tuple[str, ...],
        opens_at: datetime,
        closes_at: datetime,
        created_by: int | None,
        created_at: datetime,
    ) -> AwardRoundView:
        row = AwardRound(
            title_kk=titles["kk"],
            title_ru=titles["ru"],
            title_en=titles["en"],
            directions=" ".join(directions),
            opens_at=opens_at,
            closes_at=closes_at,
            status=AwardRoundStatus.OPEN,
            created_by=created_by,
            created_at=created_at,
        )
        self._session.add(row)
        await self._session.flush()
        return round_view(row)

    async def get_round(self, round_id: int) -> AwardRoundView | None:
        row = await self._session.get(AwardRound, round_id)
        return round_view(row) if row else None

    async def rounds(self) -> list[AwardRoundView]:
        rows = await self._session.scalars(
            select(AwardRound).order_by(AwardRound.opens_at.desc(), AwardRound.id.desc())
        )
        return [round_view(row) for row in rows]

    async def accepting_rounds(self, now: datetime) -> list[AwardRoundView]:
        rows = await self._session.scalars(
            select(AwardRound)
            .where(
                AwardRound.status == AwardRoundStatus.OPEN,
                AwardRound.opens_at <= now,
                AwardRound.closes_at > now,
            )
            .order_by(AwardRound.closes_at, AwardRound.id)
        )
        return [round_view(row) for row in rows]

    async def set_round_status(self, round_id: int, status: AwardRoundStatus) -> None:
        row = await self._session.get(AwardRound, round_id)
        if row is None:
            raise LookupError(round_id)
        row.status = status
        await self._session.flush()

    def _select_applications(self) -> Select[AwardApplication, Organisation]:
        return select(AwardApplication, Organisation).join(
            Organisation, Organisation.id == AwardApplication.organisation_id
        )

    async def application(self, application_id: int) -> AwardApplicationView | None:
        found = (
            await self._session.execute(
                self._select_applications().where(AwardApplication.id == application_id)
            )
        ).first()
        return _application_view(*found) if found else None

    async def application_of(
        self, round_id: int, organisation_id: int
    ) -> AwardApplicationView | None:
        found = (
            await self._session.execute(
                self._select_applications().where(
                    AwardApplication.round_id == round_id,
                    AwardApplication.organisation_id == organisation_id,
                )
            )
        ).first()
        return _application_view(*found) if found else None

    async def applications(
        self, round_id: int | None = None, *, region: str | None = None, year: int | None = None
    ) -> list[AwardApplicationView]:
        query = (
            select(AwardApplication, Organisation, AwardRound.opens_at)
            .join(Organisation, Organisation.id == AwardApplication.organisation_id)
            .join(AwardRound, AwardRound.id == AwardApplication.round_id)
        )
        if round_id is not None:
            query = query.where(AwardApplication.round_id == round_id)
        if region:
            query = query.where(Organisation.region == region)
        rows = await self._session.execute(
            query.order_by(AwardRound.opens_at, AwardApplication.submitted_at, AwardApplication.id)
        )
        return [
            _application_view(application, organisation)
            for application, organisation, opens_at in rows
            if year is None or opens_at.year == year
        ]

    async def save_application(
        self,
        *,
        round_id: int,
        organisation_id: int,
        direction: str | None,
        project_description: str,
        results: str,
        evidence_url: str,
        person_id: int,
        when: datetime,
    ) -> tuple[AwardApplicationView, bool]:
        """Create or replace the organisation's application; True when it is new."""
        row = await self._session.scalar(
            select(AwardApplication).where(
                AwardApplication.round_id == round_id,
                AwardApplication.organisation_id == organisation_id,
            )
        )
        created = row is None
        if row is None:
            row = AwardApplication(
                round_id=round_id, organisation_id=organisation_id, submitted_at=when
            )
            self._session.add(row)
        row.direction = direction
        row.project_description = project_description
        row.results = results
        row.evidence_url = evidence_url
        row.submitted_by = person_id
        row.updated_at = when
        await self._session.flush()
        view = await self.application(row.id)
        assert view is not None
        return view, created

    async def set_winner(
        self, application_id: int, winner: bool, person_id: int | None, when: datetime
    ) -> None:
        row = await self._session.get(AwardApplication, application_id)
        if row is None:
            raise LookupError(application_id)
        row.winner = winner
        row.decided_by = person_id
        row.decided_at = when
        await self._session.flush()
