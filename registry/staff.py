"""Who may act for an organisation: owners, members, invites and join requests."""

from __future__ import annotations

import enum
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from delivery.notices import tell
from domain.lookup import found
from domain.statuses import JoinStatus
from domain.text_input import shown_name
from storage.models import MemberRole
from storage.repositories.memberships import InviteView, JoinRequestView, MemberView
from storage.repositories.people import PersonView
from storage.store import Store

INVITE_LIFETIME = timedelta(days=7)
INVITE_PREFIX = "join_"

# The [Approve] [Decline] buttons under a join request, for (request id, the owner's
# locale): the bot builds them, since their data is its own (bot/handlers/staff.py).
OwnerButtons = Callable[[int, str | None], Any]


class StaffProblem(enum.StrEnum):
    NOT_A_MEMBER = "not_a_member"
    NOT_THE_OWNER = "not_the_owner"
    INVITE_UNKNOWN = "invite_unknown"
    INVITE_USED = "invite_used"
    INVITE_EXPIRED = "invite_expired"
    INVITE_REVOKED = "invite_revoked"
    ALREADY_MEMBER = "already_member"
    REQUEST_ALREADY_SENT = "request_already_sent"
    REQUEST_DECIDED = "request_decided"
    LAST_OWNER = "last_owner"
    UNKNOWN_MEMBER = "unknown_member"
    SUCCESSOR_REQUIRED = "successor_required"
    ORGANISATION_ARCHIVED = "organisation_archived"


class StaffError(Exception):
    def __init__(self, problem: StaffProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem

    @property
    def code(self) -> str:
        return f"staff.{self.problem.value}"


@dataclass(frozen=True, slots=True)
class JoinOutcome:
    organisation_id: int
    organisation_name: str


@dataclass(frozen=True, slots=True)
class StaffOverview:
    """What one person may see of an organisation's staff: owners see everything."""

    organisation_id: int
    organisation_name: str
    viewer_role: MemberRole
    members: tuple[MemberView, ...]
    pending_requests: tuple[JoinRequestView, ...]
    open_invites: tuple[InviteView, ...]

    @property
    def viewer_is_owner(self) -> bool:
        return self.viewer_role == MemberRole.OWNER


def display_name(full_name: str | None, username: str | None) -> str:
    """How a person is shown to colleagues: plain text, escaped where it is used, its
    direction isolated so it cannot reorder the sentence it stands in."""
    name = shown_name(full_name)
    username = shown_name(username)
    if username:
        name = f"{name} (@{username})" if name else f"@{username}"
    return name or "—"


@dataclass(frozen=True, slots=True)
class Departure:
    """What someone leaving an organisation (or erasing their data) leaves behind.

    `candidates` are the other members, longest-serving first; an owner who is the
    only owner must choose one of them to take over. Nobody left: it is archived."""

    organisation_id: int
    organisation_name: str
    candidates: tuple[MemberView, ...]
    needs_successor: bool

    @property
    def archives(self) -> bool:
        return not self.candidates


async def require_member(store: Store, person: PersonView, organisation_id: int) -> MemberRole:
    role = await store.memberships.role_of(organisation_id, person.id)
    if role is None:
        raise StaffError(StaffProblem.NOT_A_MEMBER)
    return role


async def require_owner(store: Store, person: PersonView, organisation_id: int) -> None:
    if await require_member(store, person, organisation_id) != MemberRole.OWNER:
        raise StaffError(StaffProblem.NOT_THE_OWNER)


async def create_invite(
    store: Store, person: PersonView, organisation_id: int, now: datetime
) -> InviteView:
    await require_owner(store, person, organisation_id)
    # 24 random bytes: unguessable, and the deep-link payload stays under 64 characters.
    token = secrets.token_urlsafe(24)
    return await store.memberships.add_invite(
        organisation_id, token, created_by=person.id, expires_at=now + INVITE_LIFETIME
    )


def invite_payload(invite: InviteView) -> str:
    return f"{INVITE_PREFIX}{invite.token}"


async def peek_invite(store: Store, token: str, now: datetime) -> JoinOutcome:
    """The organisation an invite leads to, refusing one that can no longer be used."""
    invite = _usable(await store.memberships.invite_by_token(token), now)
    organisation = found(await store.organisations.get(invite.organisation_id), "organisation")
    return JoinOutcome(organisation.id, organisation.name)


def _usable(invite: InviteView | None, now: datetime) -> InviteView:
    if invite is None:
        raise StaffError(StaffProblem.INVITE_UNKNOWN)
    if invite.revoked_at is not None:
        raise StaffError(StaffProblem.INVITE_REVOKED)
    if invite.used_at is not None:
        raise StaffError(StaffProblem.INVITE_USED)
    if invite.expires_at <= now:
        raise StaffError(StaffProblem.INVITE_EXPIRED)
    return invite


async def revoke_invite(
    store: Store, person: PersonView, organisation_id: int, invite_id: int, now: datetime
) -> bool:
    await require_owner(store, person, organisation_id)
    return await store.memberships.revoke_invite(organisation_id, invite_id, now)


async def redeem_invite(store: Store, person: PersonView, token: str, now: datetime) -> JoinOutcome:
    invite = _usable(await store.memberships.invite_by_token(token, for_update=True), now)
    if await store.memberships.role_of(invite.organisation_id, person.id) is not None:
        raise StaffError(StaffProblem.ALREADY_MEMBER)
    if not await store.memberships.use_invite(invite.id, person.id, now):
        raise StaffError(StaffProblem.INVITE_USED)
    await store.memberships.add(invite.organisation_id, person.id, MemberRole.MEMBER)
    await store.people.set_active_organisation(person.telegram_id, invite.organisation_id)
    organisation = found(await store.organisations.get(invite.organisation_id), "organisation")
    fresh = await store.people.get(person.telegram_id) or person
    for owner in await owners(store, organisation.id):
        if owner.telegram_id != person.telegram_id:
            await tell(
                store,
                owner.telegram_id,
                "staff.owner_told_new_member",
                {
                    "name": display_name(fresh.full_name, fresh.username),
                    "organisation": organisation.name,
                },
                now,
                about=person.telegram_id,
            )
    return JoinOutcome(organisation.id, organisation.name)


async def request_to_join(
    store: Store,
    person: PersonView,
    organisation_id: int,
    now: datetime,
    buttons: OwnerButtons | None = None,
) -> int:
    """Record the request and tell every owner, with `buttons` to decide it."""
    organisation = await store.organisations.get(organisation_id)
    if organisation is not None and organisation.archived_at is not None:
        # Nobody is left to approve it: an archived organisation is revived instead.
        raise StaffError(StaffProblem.ORGANISATION_ARCHIVED)
    if await store.memberships.role_of(organisation_id, person.id) is not None:
        raise StaffError(StaffProblem.ALREADY_MEMBER)
    if await store.memberships.pending_join_request(organisation_id, person.id) is not None:
        raise StaffError(StaffProblem.REQUEST_ALREADY_SENT)
    request_id = await store.memberships.add_join_request(organisation_id, person.id)
    organisation = found(await store.organisations.get(organisation_id), organisation_id)
    for owner in await owners(store, organisation_id):
        await tell(
            store,
            owner.telegram_id,
            "staff.join_request_notice",
            {
                "person": display_name(person.full_name, person.username),
                "organisation": organisation.name,
            },
            now,
            reply_markup=buttons(request_id, owner.locale) if buttons else None,
            about=person.telegram_id,
        )
    return request_id


async def decide_join_request(
    store: Store, owner: PersonView, request_id: int, approve: bool, now: datetime
) -> JoinRequestView:
    """Returns the request as it was and tells the requester; raises when it is not the
    owner's to decide."""
    request = await store.memberships.join_request(request_id)
    if request is None:
        raise StaffError(StaffProblem.REQUEST_DECIDED)
    await require_owner(store, owner, request.organisation_id)
    status = JoinStatus.APPROVED if approve else JoinStatus.DECLINED
    if not await store.memberships.decide_join_request(request_id, status, owner.id, now):
        raise StaffError(StaffProblem.REQUEST_DECIDED)
    if (
        approve
        and await store.memberships.role_of(request.organisation_id, request.person_id) is None
    ):
        await store.memberships.add(request.organisation_id, request.person_id, MemberRole.MEMBER)
        await store.people.set_active_organisation(request.telegram_id, request.organisation_id)
    organisation = found(
        await store.organisations.get(request.organisation_id), request.organisation_id
    )
    key = "staff.request_approved" if approve else "staff.request_declined"
    await tell(store, request.telegram_id, key, {"organisation": organisation.name}, now)
    return request


async def remove_member(
    store: Store, owner: PersonView, organisation_id: int, person_id: int
) -> None:
    await require_owner(store, owner, organisation_id)
    if person_id == owner.id:
        raise StaffError(StaffProblem.LAST_OWNER)
    if not await store.memberships.remove(organisation_id, person_id):
        raise StaffError(StaffProblem.UNKNOWN_MEMBER)


async def transfer_ownership(
    store: Store, owner: PersonView, organisation_id: int, person_id: int
) -> None:
    await require_owner(store, owner, organisation_id)
    if person_id == owner.id or await store.memberships.role_of(organisation_id, person_id) is None:
        raise StaffError(StaffProblem.UNKNOWN_MEMBER)
    await store.memberships.set_role(organisation_id, person_id, MemberRole.OWNER)
    await store.memberships.set_role(organisation_id, owner.id, MemberRole.MEMBER)


async def switch_active(store: Store, person: PersonView, organisation_id: int) -> None:
    await require_member(store, person, organisation_id)
    await store.people.set_active_organisation(person.telegram_id, organisation_id)


async def active_organisation_id(store: Store, person: PersonView) -> int | None:
    """The organisation the person acts for now: their choice, else their only one."""
    memberships = await store.memberships.of_person(person.id)
    ids = {m.organisation_id for m in memberships}
    if person.active_organisation_id in ids:
        return person.active_organisation_id
    return memberships[0].organisation_id if memberships else None


async def staff_overview(
    store: Store, person: PersonView, organisation_id: int, now: datetime
) -> StaffOverview:
    """Members for any member; join requests and open invites for owners only."""
    role = await require_member(store, person, organisation_id)
    organisation = found(await store.organisations.get(organisation_id), organisation_id)
    is_owner = role == MemberRole.OWNER
    requests = await store.memberships.pending_join_requests(organisation_id) if is_owner else []
    invites = await store.memberships.open_invites(organisation_id, now) if is_owner else []
    return StaffOverview(
        organisation_id=organisation_id,
        organisation_name=organisation.name,
        viewer_role=role,
        members=tuple(await store.memberships.members(organisation_id)),
        pending_requests=tuple(requests),
        open_invites=tuple(invites),
    )


async def owners(store: Store, organisation_id: int) -> list[MemberView]:
    """Who to tell about a newcomer or a join request."""
    return [
        m for m in await store.memberships.members(organisation_id) if m.role == MemberRole.OWNER
    ]


async def departure(store: Store, person: PersonView, organisation_id: int) -> Departure:
    role = await require_member(store, person, organisation_id)
    organisation = found(await store.organisations.get(organisation_id), organisation_id)
    others = sorted(
        (m for m in await store.memberships.members(organisation_id) if m.person_id != person.id),
        key=lambda m: (m.joined_at, m.person_id),
    )
    other_owner = any(m.role == MemberRole.OWNER for m in others)
    return Departure(
        organisation_id=organisation_id,
        organisation_name=organisation.name,
        candidates=tuple(others),
        needs_successor=role == MemberRole.OWNER and bool(others) and not other_owner,
    )


def check_successor(departure: Departure, successor_id: int | None) -> None:
    """The owner's choice must be one of the other members (StaffError otherwise)."""
    if departure.needs_successor and successor_id not in {
        m.person_id for m in departure.candidates
    }:
        raise StaffError(StaffProblem.SUCCESSOR_REQUIRED)


async def depart(
    store: Store, person: PersonView, departure: Departure, successor_id: int | None, now: datetime
) -> bool:
    """Hand over (when they must), leave, and archive the organisation when nobody is left.
    Returns True when it was archived."""
    check_successor(departure, successor_id)
    organisation_id = departure.organisation_id
    if departure.needs_successor and successor_id is not None:
        await store.memberships.set_role(organisation_id, successor_id, MemberRole.OWNER)
    await store.memberships.remove(organisation_id, person.id)
    return await archive_if_empty(store, organisation_id, now)


async def archive_if_empty(store: Store, organisation_id: int, now: datetime) -> bool:
    """Nobody works for it any more: out of the directory, its records kept for the
    operator, and whoever registers its BIN again may ask to revive it."""
    if await store.memberships.members(organisation_id):
        return False
    await store.organisations.set_archived(organisation_id, now)
    await store.memberships.close_doors(organisation_id, now)
    return True
