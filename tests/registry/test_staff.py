"""Who may act for an organisation: invites, join requests, members and ownership."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from registry import organisations, staff
from registry.staff import StaffError, StaffProblem
from storage.models import JoinStatus, MemberRole
from storage.store import Store
from tests import seeding

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
TODAY = date(2026, 11, 20)
OWNER_ID = 820001
COLLEAGUE_ID = 820002
SECOND_ID = 820003
STRANGER_ID = 820004

ANSWERS = seeding.ORGANISATION_ANSWERS


async def person(store: Store, telegram_id: int):
    return await seeding.person(store, telegram_id, "ru", f"Person {telegram_id}", consented_at=NOW)


@pytest.fixture
async def organisation(store):
    owner = await person(store, OWNER_ID)
    return await seeding.registered(store, owner, TODAY)


async def refusal(call) -> StaffProblem:
    with pytest.raises(StaffError) as caught:
        await call
    return caught.value.problem


async def test_an_invite_is_used_once(store, organisation):
    owner = await store.people.get(OWNER_ID)
    invite = await staff.create_invite(store, owner, organisation.id, NOW)
    assert staff.invite_payload(invite).startswith("join_")
    assert len(staff.invite_payload(invite)) <= 64
    assert invite.expires_at == NOW + timedelta(days=7)

    colleague = await person(store, COLLEAGUE_ID)
    joined = await staff.redeem_invite(store, colleague, invite.token, NOW)
    assert joined.organisation_name == ANSWERS["name"]
    assert await store.memberships.role_of(organisation.id, colleague.id) == MemberRole.MEMBER
    assert (await store.people.get(COLLEAGUE_ID)).active_organisation_id == organisation.id

    second = await person(store, SECOND_ID)
    assert await refusal(staff.redeem_invite(store, second, invite.token, NOW)) == (
        StaffProblem.INVITE_USED
    )
    assert await store.memberships.role_of(organisation.id, second.id) is None


async def test_an_invite_expires_after_seven_days(store, organisation):
    owner = await store.people.get(OWNER_ID)
    invite = await staff.create_invite(store, owner, organisation.id, NOW)
    colleague = await person(store, COLLEAGUE_ID)
    later = NOW + timedelta(days=7, seconds=1)
    assert await refusal(staff.redeem_invite(store, colleague, invite.token, later)) == (
        StaffProblem.INVITE_EXPIRED
    )
    assert await refusal(staff.peek_invite(store, invite.token, later)) == (
        StaffProblem.INVITE_EXPIRED
    )
    assert await store.memberships.open_invites(organisation.id, later) == []


async def test_a_revoked_invite_is_refused(store, organisation):
    owner = await store.people.get(OWNER_ID)
    invite = await staff.create_invite(store, owner, organisation.id, NOW)
    assert await staff.revoke_invite(store, owner, organisation.id, invite.id, NOW)
    colleague = await person(store, COLLEAGUE_ID)
    assert await refusal(staff.redeem_invite(store, colleague, invite.token, NOW)) == (
        StaffProblem.INVITE_REVOKED
    )
    assert await refusal(staff.redeem_invite(store, colleague, "no-such-token", NOW)) == (
        StaffProblem.INVITE_UNKNOWN
    )


async def test_only_an_owner_invites_and_revokes(store, organisation):
    owner = await store.people.get(OWNER_ID)
    invite = await staff.create_invite(store, owner, organisation.id, NOW)
    stranger = await person(store, STRANGER_ID)
    assert await refusal(staff.create_invite(store, stranger, organisation.id, NOW)) == (
        StaffProblem.NOT_A_MEMBER
    )
    assert await refusal(staff.revoke_invite(store, stranger, organisation.id, invite.id, NOW)) == (
        StaffProblem.NOT_A_MEMBER
    )
    colleague = await person(store, COLLEAGUE_ID)
    await staff.redeem_invite(store, colleague, invite.token, NOW)
    colleague = await store.people.get(COLLEAGUE_ID)
    assert await refusal(staff.create_invite(store, colleague, organisation.id, NOW)) == (
        StaffProblem.NOT_THE_OWNER
    )


async def test_a_join_request_is_decided_by_an_owner_only(store, organisation):
    requester = await person(store, COLLEAGUE_ID)
    request_id = await staff.request_to_join(store, requester, organisation.id, NOW)
    assert await refusal(staff.request_to_join(store, requester, organisation.id, NOW)) == (
        StaffProblem.REQUEST_ALREADY_SENT
    )
    # A forged decision from someone who is not the owner changes nothing.
    stranger = await person(store, STRANGER_ID)
    assert await refusal(staff.decide_join_request(store, stranger, request_id, True, NOW)) == (
        StaffProblem.NOT_A_MEMBER
    )
    assert await refusal(staff.decide_join_request(store, requester, request_id, True, NOW)) == (
        StaffProblem.NOT_A_MEMBER
    )
    assert await store.memberships.role_of(organisation.id, requester.id) is None

    owner = await store.people.get(OWNER_ID)
    decided = await staff.decide_join_request(store, owner, request_id, True, NOW)
    assert decided.telegram_id == COLLEAGUE_ID
    assert await store.memberships.role_of(organisation.id, requester.id) == MemberRole.MEMBER
    assert (await store.memberships.join_request(request_id)).status == JoinStatus.APPROVED
    # Pressing again (or the other button) is refused: it is decided.
    assert await refusal(staff.decide_join_request(store, owner, request_id, False, NOW)) == (
        StaffProblem.REQUEST_DECIDED
    )
    assert await refusal(staff.request_to_join(store, requester, organisation.id, NOW)) == (
        StaffProblem.ALREADY_MEMBER
    )


async def test_a_declined_request_adds_nobody(store, organisation):
    requester = await person(store, COLLEAGUE_ID)
    request_id = await staff.request_to_join(store, requester, organisation.id, NOW)
    owner = await store.people.get(OWNER_ID)
    await staff.decide_join_request(store, owner, request_id, False, NOW)
    assert await store.memberships.role_of(organisation.id, requester.id) is None
    assert await refusal(staff.decide_join_request(store, owner, 999_999, True, NOW)) == (
        StaffProblem.REQUEST_DECIDED
    )


async def join(store, organisation, telegram_id: int):
    owner = await store.people.get(OWNER_ID)
    invite = await staff.create_invite(store, owner, organisation.id, NOW)
    newcomer = await person(store, telegram_id)
    await staff.redeem_invite(store, newcomer, invite.token, NOW)
    return await store.people.get(telegram_id)


async def test_ownership_passes_and_the_old_owner_stays_a_member(store, organisation):
    colleague = await join(store, organisation, COLLEAGUE_ID)
    owner = await store.people.get(OWNER_ID)
    assert await refusal(staff.transfer_ownership(store, owner, organisation.id, owner.id)) == (
        StaffProblem.UNKNOWN_MEMBER
    )
    assert await refusal(staff.transfer_ownership(store, colleague, organisation.id, owner.id)) == (
        StaffProblem.NOT_THE_OWNER
    )
    await staff.transfer_ownership(store, owner, organisation.id, colleague.id)
    assert await store.memberships.role_of(organisation.id, colleague.id) == MemberRole.OWNER
    assert await store.memberships.role_of(organisation.id, owner.id) == MemberRole.MEMBER
    stranger = await person(store, STRANGER_ID)
    assert await refusal(staff.transfer_ownership(store, owner, organisation.id, stranger.id)) == (
        StaffProblem.NOT_THE_OWNER
    )


async def test_remove_a_member(store, organisation):
    colleague = await join(store, organisation, COLLEAGUE_ID)
    second = await join(store, organisation, SECOND_ID)
    owner = await store.people.get(OWNER_ID)
    assert await refusal(staff.remove_member(store, colleague, organisation.id, second.id)) == (
        StaffProblem.NOT_THE_OWNER
    )
    assert await refusal(staff.remove_member(store, owner, organisation.id, owner.id)) == (
        StaffProblem.LAST_OWNER
    )
    await staff.remove_member(store, owner, organisation.id, second.id)
    assert await store.memberships.role_of(organisation.id, second.id) is None
    assert (await store.people.get(SECOND_ID)).active_organisation_id is None
    assert await refusal(staff.remove_member(store, owner, organisation.id, second.id)) == (
        StaffProblem.UNKNOWN_MEMBER
    )


async def test_the_overview_shows_requests_and_invites_to_owners_only(store, organisation):
    colleague = await join(store, organisation, COLLEAGUE_ID)
    owner = await store.people.get(OWNER_ID)
    await staff.create_invite(store, owner, organisation.id, NOW)
    requester = await person(store, SECOND_ID)
    await staff.request_to_join(store, requester, organisation.id, NOW)

    seen_by_owner = await staff.staff_overview(store, owner, organisation.id, NOW)
    assert seen_by_owner.viewer_is_owner
    assert [m.telegram_id for m in seen_by_owner.members] == [OWNER_ID, COLLEAGUE_ID]
    assert len(seen_by_owner.pending_requests) == 1
    assert len(seen_by_owner.open_invites) == 1

    seen_by_colleague = await staff.staff_overview(store, colleague, organisation.id, NOW)
    assert not seen_by_colleague.viewer_is_owner
    assert seen_by_colleague.pending_requests == ()
    assert seen_by_colleague.open_invites == ()
    stranger = await person(store, STRANGER_ID)
    assert await refusal(staff.staff_overview(store, stranger, organisation.id, NOW)) == (
        StaffProblem.NOT_A_MEMBER
    )
    assert [o.telegram_id for o in await staff.owners(store, organisation.id)] == [OWNER_ID]


async def test_a_consultant_switches_between_organisations(store, organisation):
    consultant = await join(store, organisation, COLLEAGUE_ID)
    other = await organisations.register(
        store, consultant, {**ANSWERS, "bin": "990140004654", "name": "Second"}, TODAY
    )
    consultant = await store.people.get(COLLEAGUE_ID)
    assert await staff.active_organisation_id(store, consultant) == other.id
    await staff.switch_active(store, consultant, organisation.id)
    consultant = await store.people.get(COLLEAGUE_ID)
    assert await staff.active_organisation_id(store, consultant) == organisation.id
    stranger = await person(store, STRANGER_ID)
    assert await refusal(staff.switch_active(store, stranger, organisation.id)) == (
        StaffProblem.NOT_A_MEMBER
    )
