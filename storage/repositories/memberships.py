"""Who works for which organisation; invites and join requests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.competition_rules import StaffSpell
from domain.statuses import JoinStatus
from storage.models import (
    Invite,
    JoinRequest,
    MemberRole,
    Membership,
    MembershipHistory,
    Organisation,
    Person,
    RevivalRequest,
)
from storage.results import rows_affected
from storage.types import utcnow


@dataclass(frozen=True, slots=True)
class MemberView:
    person_id: int
    telegram_id: int
    full_name: str | None
    username: str | None
    locale: str | None
    role: MemberRole
    joined_at: datetime


@dataclass(frozen=True, slots=True)
class MembershipView:
    organisation_id: int
    organisation_name: str
    role: MemberRole


@dataclass(frozen=True, slots=True)
class PastMembershipView:
    organisation_id: int
    organisation_name: str
    role: MemberRole
    joined_at: datetime
    left_at: datetime


@dataclass(frozen=True, slots=True)
class InviteView:
    id: int
    token: str
    organisation_id: int
    expires_at: datetime
    used_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True, slots=True)
class JoinRequestView:
    id: int
    organisation_id: int
    person_id: int
    telegram_id: int
    full_name: str | None
    status: JoinStatus
    created_at: datetime


@dataclass(frozen=True, slots=True)
class RevivalRequestView:
    id: int
    organisation_id: int
    organisation_name: str
    organisation_bin: str
    person_id: int
    telegram_id: int
    locale: str | None
    status: JoinStatus
    created_at: datetime
    decided_at: datetime | None


@dataclass(frozen=True, slots=True)
class OwnJoinRequestView:
    """A join request as its author sees it: nobody else's data (not who decided)."""

    organisation_id: int
    organisation_name: str
    status: JoinStatus
    created_at: datetime
    decided_at: datetime | None


@dataclass(frozen=True, slots=True)
class OwnInviteView:
    """An invite as its creator sees it: not who used it."""

    organisation_id: int
    organisation_name: str
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None
    revoked_at: datetime | None


def _invite_view(row: Invite) -> InviteView:
    return InviteView(
        id=row.id,
        token=row.token,
        organisation_id=row.organisation_id,
        expires_at=row.expires_at,
        used_at=row.used_at,
        revoked_at=row.revoked_at,
    )


class MembershipRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, organisation_id: int, person_id: int, role: MemberRole) -> None:
        self._session.add(
            Membership(organisation_id=organisation_id, person_id=person_id, role=role)
        )
        await self._session.flush()

    async def role_of(self, organisation_id: int, person_id: int) -> MemberRole | None:
        return await self._session.scalar(
            select(Membership.role).where(
                Membership.organisation_id == organisation_id, Membership.person_id == person_id
            )
        )

    async def set_role(self, organisation_id: int, person_id: int, role: MemberRole) -> None:
        await self._session.execute(
            update(Membership)
            .where(Membership.organisation_id == organisation_id, Membership.person_id == person_id)
            .values(role=role)
        )

    async def remove(
        self, organisation_id: int, person_id: int, when: datetime | None = None
    ) -> bool:
        """Ends the membership; it is kept in the history (an expert who was on the staff
        in the past year may not score the organisation's applications)."""
        ended = await self._session.scalar(
            select(Membership).where(
                Membership.organisation_id == organisation_id, Membership.person_id == person_id
            )
        )
        if ended is not None:
            self._session.add(
                MembershipHistory(
                    organisation_id=organisation_id,
                    person_id=person_id,
                    role=ended.role,
                    joined_at=ended.joined_at,
                    left_at=when or utcnow(),
                )
            )
        result = await self._session.execute(
            delete(Membership).where(
                Membership.organisation_id == organisation_id, Membership.person_id == person_id
            )
        )
        await self._session.execute(
            update(Person)
            .where(Person.id == person_id, Person.active_organisation_id == organisation_id)
            .values(active_organisation_id=None)
        )
        return bool(rows_affected(result))

    async def members(self, organisation_id: int) -> list[MemberView]:
        rows = await self._session.execute(
            select(Membership, Person)
            .join(Person, Person.id == Membership.person_id)
            .where(Membership.organisation_id == organisation_id)
            .order_by(Membership.role.desc(), Membership.joined_at, Membership.id)
        )
        return [
            MemberView(
                person_id=person.id,
                telegram_id=person.telegram_id,
                full_name=person.full_name,
                username=person.username,
                locale=person.locale,
                role=membership.role,
                joined_at=membership.joined_at,
            )
            for membership, person in rows
        ]

    async def staff_spells(self, person_id: int, organisation_id: int) -> list[StaffSpell]:
        """Every time the person was on the organisation's staff: now, and in the past."""
        current = await self._session.scalars(
            select(Membership.joined_at).where(
                Membership.organisation_id == organisation_id, Membership.person_id == person_id
            )
        )
        past = await self._session.execute(
            select(MembershipHistory.joined_at, MembershipHistory.left_at).where(
                MembershipHistory.organisation_id == organisation_id,
                MembershipHistory.person_id == person_id,
            )
        )
        return [StaffSpell(joined, None) for joined in current] + [
            StaffSpell(joined, left) for joined, left in past
        ]

    async def past_of_person(self, person_id: int) -> list[PastMembershipView]:
        """The organisations the person has left, for their own data export."""
        rows = await self._session.execute(
            select(MembershipHistory, Organisation.name)
            .join(Organisation, Organisation.id == MembershipHistory.organisation_id)
            .where(MembershipHistory.person_id == person_id)
            .order_by(MembershipHistory.left_at, MembershipHistory.id)
        )
        return [
            PastMembershipView(h.organisation_id, name, h.role, h.joined_at, h.left_at)
            for h, name in rows
        ]

    async def of_person(self, person_id: int) -> list[MembershipView]:
        rows = await self._session.execute(
            select(Membership.organisation_id, Organisation.name, Membership.role)
            .join(Organisation, Organisation.id == Membership.organisation_id)
            .where(Membership.person_id == person_id)
            .order_by(Organisation.name)
        )
        return [MembershipView(org_id, name, role) for org_id, name, role in rows]

    # invites

    async def add_invite(
        self, organisation_id: int, token: str, created_by: int, expires_at: datetime
    ) -> InviteView:
        row = Invite(
            organisation_id=organisation_id,
            token=token,
            created_by=created_by,
            expires_at=expires_at,
        )
        self._session.add(row)
        await self._session.flush()
        return _invite_view(row)

    async def invite_by_token(self, token: str, *, for_update: bool = False) -> InviteView | None:
        statement = select(Invite).where(Invite.token == token)
        if for_update:
            statement = statement.with_for_update()
        row = await self._session.scalar(statement)
        return _invite_view(row) if row else None

    async def use_invite(self, invite_id: int, person_id: int, when: datetime) -> bool:
        """Marks the invite used; False when somebody else used it first."""
        result = await self._session.execute(
            update(Invite)
            .where(Invite.id == invite_id, Invite.used_at.is_(None), Invite.revoked_at.is_(None))
            .values(used_at=when, used_by=person_id)
        )
        return rows_affected(result) == 1

    async def revoke_invite(self, organisation_id: int, invite_id: int, when: datetime) -> bool:
        result = await self._session.execute(
            update(Invite)
            .where(
                Invite.id == invite_id,
                Invite.organisation_id == organisation_id,
                Invite.used_at.is_(None),
                Invite.revoked_at.is_(None),
            )
            .values(revoked_at=when)
        )
        return rows_affected(result) == 1

    async def open_invites(self, organisation_id: int, now: datetime) -> list[InviteView]:
        rows = await self._session.scalars(
            select(Invite)
            .where(
                Invite.organisation_id == organisation_id,
                Invite.used_at.is_(None),
                Invite.revoked_at.is_(None),
                Invite.expires_at > now,
            )
            .order_by(Invite.created_at)
        )
        return [_invite_view(r) for r in rows]

    # join requests

    async def add_join_request(self, organisation_id: int, person_id: int) -> int:
        row = JoinRequest(organisation_id=organisation_id, person_id=person_id)
        self._session.add(row)
        await self._session.flush()
        return row.id

    async def pending_join_request(self, organisation_id: int, person_id: int) -> int | None:
        return await self._session.scalar(
            select(JoinRequest.id).where(
                JoinRequest.organisation_id == organisation_id,
                JoinRequest.person_id == person_id,
                JoinRequest.status == JoinStatus.PENDING,
            )
        )

    async def join_request(self, request_id: int) -> JoinRequestView | None:
        row = await self._session.execute(
            select(JoinRequest, Person)
            .join(Person, Person.id == JoinRequest.person_id)
            .where(JoinRequest.id == request_id)
        )
        found = row.first()
        if found is None:
            return None
        request, person = found
        return JoinRequestView(
            id=request.id,
            organisation_id=request.organisation_id,
            person_id=person.id,
            telegram_id=person.telegram_id,
            full_name=person.full_name,
            status=request.status,
            created_at=request.created_at,
        )

    async def pending_join_requests(self, organisation_id: int) -> list[JoinRequestView]:
        rows = await self._session.execute(
            select(JoinRequest, Person)
            .join(Person, Person.id == JoinRequest.person_id)
            .where(
                JoinRequest.organisation_id == organisation_id,
                JoinRequest.status == JoinStatus.PENDING,
            )
            .order_by(JoinRequest.created_at)
        )
        return [
            JoinRequestView(
                id=r.id,
                organisation_id=r.organisation_id,
                person_id=p.id,
                telegram_id=p.telegram_id,
                full_name=p.full_name,
                status=r.status,
                created_at=r.created_at,
            )
            for r, p in rows
        ]

    async def decide_join_request(
        self, request_id: int, status: JoinStatus, decided_by: int, when: datetime
    ) -> bool:
        result = await self._session.execute(
            update(JoinRequest)
            .where(JoinRequest.id == request_id, JoinRequest.status == JoinStatus.PENDING)
            .values(status=status, decided_by=decided_by, decided_at=when)
        )
        return rows_affected(result) == 1

    # a person's own records, for their data export

    async def join_requests_of(self, person_id: int) -> list[OwnJoinRequestView]:
        rows = await self._session.execute(
            select(JoinRequest, Organisation.name)
            .join(Organisation, Organisation.id == JoinRequest.organisation_id)
            .where(JoinRequest.person_id == person_id)
            .order_by(JoinRequest.created_at, JoinRequest.id)
        )
        return [
            OwnJoinRequestView(r.organisation_id, name, r.status, r.created_at, r.decided_at)
            for r, name in rows
        ]

    async def invites_created_by(self, person_id: int) -> list[OwnInviteView]:
        rows = await self._session.execute(
            select(Invite, Organisation.name)
            .join(Organisation, Organisation.id == Invite.organisation_id)
            .where(Invite.created_by == person_id)
            .order_by(Invite.created_at, Invite.id)
        )
        return [
            OwnInviteView(
                i.organisation_id, name, i.created_at, i.expires_at, i.used_at, i.revoked_at
            )
            for i, name in rows
        ]

    # an archived organisation: what nobody can act on any more, and its revival

    async def close_doors(self, organisation_id: int, when: datetime) -> None:
        """Nobody is left to decide: pending join requests are declined, open invites
        revoked."""
        await self._session.execute(
            update(JoinRequest)
            .where(
                JoinRequest.organisation_id == organisation_id,
                JoinRequest.status == JoinStatus.PENDING,
            )
            .values(status=JoinStatus.DECLINED, decided_at=when)
        )
        await self._session.execute(
            update(Invite)
            .where(
                Invite.organisation_id == organisation_id,
                Invite.used_at.is_(None),
                Invite.revoked_at.is_(None),
            )
            .values(revoked_at=when)
        )

    async def add_revival_request(self, organisation_id: int, person_id: int) -> int:
        row = RevivalRequest(organisation_id=organisation_id, person_id=person_id)
        self._session.add(row)
        await self._session.flush()
        return row.id

    async def pending_revival_request(self, organisation_id: int, person_id: int) -> int | None:
        return await self._session.scalar(
            select(RevivalRequest.id).where(
                RevivalRequest.organisation_id == organisation_id,
                RevivalRequest.person_id == person_id,
                RevivalRequest.status == JoinStatus.PENDING,
            )
        )

    async def revival_request(self, request_id: int) -> RevivalRequestView | None:
        rows = await self._revival_requests(RevivalRequest.id == request_id)
        return rows[0] if rows else None

    async def revival_requests_of(self, person_id: int) -> list[RevivalRequestView]:
        return await self._revival_requests(RevivalRequest.person_id == person_id)

    async def _revival_requests(self, condition: Any) -> list[RevivalRequestView]:
        rows = await self._session.execute(
            select(RevivalRequest, Person, Organisation)
            .join(Person, Person.id == RevivalRequest.person_id)
            .join(Organisation, Organisation.id == RevivalRequest.organisation_id)
            .where(condition)
            .order_by(RevivalRequest.created_at, RevivalRequest.id)
        )
        return [
            RevivalRequestView(
                id=r.id,
                organisation_id=o.id,
                organisation_name=o.name,
                organisation_bin=o.bin,
                person_id=p.id,
                telegram_id=p.telegram_id,
                locale=p.locale,
                status=r.status,
                created_at=r.created_at,
                decided_at=r.decided_at,
            )
            for r, p, o in rows
        ]

    async def decide_revival_request(
        self, request_id: int, status: JoinStatus, decided_by: int, when: datetime
    ) -> bool:
        result = await self._session.execute(
            update(RevivalRequest)
            .where(RevivalRequest.id == request_id, RevivalRequest.status == JoinStatus.PENDING)
            .values(status=status, decided_by=decided_by, decided_at=when)
        )
        return rows_affected(result) == 1

    async def decline_other_revivals(
        self, organisation_id: int, decided_by: int, when: datetime
    ) -> None:
        await self._session.execute(
            update(RevivalRequest)
            .where(
                RevivalRequest.organisation_id == organisation_id,
                RevivalRequest.status == JoinStatus.PENDING,
            )
            .values(status=JoinStatus.DECLINED, decided_by=decided_by, decided_at=when)
        )
