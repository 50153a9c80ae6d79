"""Operator broadcasts: the records, who a segment reaches, and pausing their outbox rows."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.application_status import ApplicationStatus
from domain.statuses import BroadcastStatus, DeliveryStatus, ReportStatus
from storage.models import (
    ActivityReport,
    Application,
    Broadcast,
    Delivery,
    DeliveryOptOut,
    Membership,
    Organisation,
    OrganisationArea,
    Person,
    RoleGrant,
)
from storage.results import rows_affected

ANNOUNCEMENTS = "announcements"  # delivery.outbox.Category.ANNOUNCEMENTS
MEMBER_ROLES = ("owner", "member")


@dataclass(frozen=True, slots=True)
class BroadcastView:
    id: int
    created_by: int
    texts: dict[str, str]
    photo_file_id: str | None
    document_file_id: str | None
    segment: dict[str, Any]
    status: BroadcastStatus
    outbox_id: int | None
    recipients: int
    progress_chat_id: int | None
    progress_message_id: int | None
    started_at: datetime | None
    finished_at: datetime | None


def _view(row: Broadcast) -> BroadcastView:
    texts = {"kk": row.text_kk, "ru": row.text_ru, "en": row.text_en}
    return BroadcastView(
        id=row.id,
        created_by=row.created_by,
        texts={code: text for code, text in texts.items() if text},
        photo_file_id=row.photo_file_id,
        document_file_id=row.document_file_id,
        segment=json.loads(row.segment),
        status=row.status,
        outbox_id=row.outbox_id,
        recipients=row.recipients,
        progress_chat_id=row.progress_chat_id,
        progress_message_id=row.progress_message_id,
        started_at=row.started_at,
        finished_at=row.finished_at,
    )


class BroadcastRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(
        self,
        *,
        created_by: int,
        texts: dict[str, str],
        photo_file_id: str | None,
        document_file_id: str | None,
        segment: dict[str, Any],
        status: BroadcastStatus,
        outbox_id: int | None,
        recipients: int,
        at: datetime,
    ) -> BroadcastView:
        row = Broadcast(
            created_by=created_by,
            text_kk=texts.get("kk"),
            text_ru=texts.get("ru"),
            text_en=texts.get("en"),
            photo_file_id=photo_file_id,
            document_file_id=document_file_id,
            segment=json.dumps(segment, ensure_ascii=False, sort_keys=True),
            status=status,
            outbox_id=outbox_id,
            recipients=recipients,
            created_at=at,
            started_at=at if status == BroadcastStatus.RUNNING else None,
        )
        self._session.add(row)
        await self._session.flush()
        return _view(row)

    async def get(self, broadcast_id: int) -> BroadcastView | None:
        row = await self._session.get(Broadcast, broadcast_id)
        return None if row is None else _view(row)

    async def active(self) -> list[BroadcastView]:
        rows = await self._session.scalars(
            select(Broadcast)
            .where(Broadcast.status.in_([BroadcastStatus.RUNNING, BroadcastStatus.PAUSED]))
            .order_by(Broadcast.id)
        )
        return [_view(row) for row in rows]

    async def set_status(
        self,
        broadcast_id: int,
        status: BroadcastStatus,
        *,
        expected: tuple[BroadcastStatus, ...],
        finished_at: datetime | None = None,
    ) -> bool:
        """Move to `status` only from one of `expected`; False when it was elsewhere."""
        values: dict[str, Any] = {"status": status}
        if finished_at is not None:
            values["finished_at"] = finished_at
        result = await self._session.execute(
            update(Broadcast)
            .where(Broadcast.id == broadcast_id, Broadcast.status.in_(expected))
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return bool(rows_affected(result))

    async def set_progress_message(self, broadcast_id: int, chat_id: int, message_id: int) -> None:
        await self._session.execute(
            update(Broadcast)
            .where(Broadcast.id == broadcast_id)
            .values(progress_chat_id=chat_id, progress_message_id=message_id)
            .execution_options(synchronize_session=False)
        )

    async def move_rows(
        self, outbox_id: int, from_status: DeliveryStatus, to_status: DeliveryStatus
    ) -> int:
        """Pause, resume or cancel the rows not taken yet (a row being sent finishes)."""
        result = await self._session.execute(
            update(Delivery)
            .where(Delivery.broadcast_id == outbox_id, Delivery.status == from_status)
            .values(status=to_status)
            .execution_options(synchronize_session=False)
        )
        return rows_affected(result)

    async def audience(self, segment: dict[str, Any]) -> list[tuple[int, str | None]]:
        """(telegram id, locale) of the people a segment reaches, without those who
        blocked the bot or turned announcements off."""
        kind = segment.get("kind", "all")
        values = list(segment.get("values") or [])
        members = select(Membership.person_id).join(
            Organisation, Organisation.id == Membership.organisation_id
        )
        statement = select(Person.telegram_id, Person.locale).where(
            Person.blocked_bot_at.is_(None),
            ~exists().where(
                DeliveryOptOut.person_id == Person.id, DeliveryOptOut.category == ANNOUNCEMENTS
            ),
        )
        if kind == "all":
            pass
        elif kind == "language":
            statement = statement.where(Person.locale.in_(values))
        elif kind == "role":
            member_roles = [v for v in values if v in MEMBER_ROLES]
            staff_roles = [v for v in values if v not in MEMBER_ROLES]
            statement = statement.where(
                Person.id.in_(
                    select(Membership.person_id)
                    .where(Membership.role.in_(member_roles))
                    .union(select(RoleGrant.person_id).where(RoleGrant.role.in_(staff_roles)))
                )
            )
        else:
            if kind == "region":
                members = members.where(Organisation.region.in_(values))
            elif kind == "area":
                members = members.join(
                    OrganisationArea, OrganisationArea.organisation_id == Organisation.id
                ).where(OrganisationArea.area.in_(values))
            elif kind == "draft":
                members = members.where(
                    Organisation.id.in_(
                        select(Application.organisation_id).where(
                            Application.topic_id.in_([int(v) for v in values]),
                            Application.status == ApplicationStatus.DRAFT,
                        )
                    )
                )
            elif kind == "not_filed":
                year = int(values[0])
                filed = select(ActivityReport.organisation_id).where(
                    ActivityReport.year == year, ActivityReport.status == ReportStatus.SUBMITTED
                )
                members = members.where(
                    Organisation.founded_year <= year, Organisation.id.not_in(filed)
                )
            else:
                raise ValueError(f"unknown segment {kind!r}")
            statement = statement.where(Person.id.in_(members))
        rows = await self._session.execute(statement.order_by(Person.telegram_id))
        return [(telegram_id, locale) for telegram_id, locale in rows]
