"""Consent, a person's data export, and erasure that leaves no trace of them."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import inspect, text

from registry import privacy, staff
from storage.models import FsmRecord, MemberRole, Role
from storage.store import Store
from tests import seeding

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
TODAY = date(2026, 11, 20)
OWNER_ID = 830001
COLLEAGUE_ID = 830002
REQUESTER_ID = 830003
OWNER_NAME = "Жанар Тестова"
OWNER_USERNAME = "zhanar_test"

ANSWERS = seeding.ORGANISATION_ANSWERS


async def consenting_person(store: Store, telegram_id: int, name: str, username: str):
    return await seeding.person(store, telegram_id, "kk", name, username=username, consented_at=NOW)


@pytest.fixture
async def organisation(store):
    """Owner, a colleague who joined by invite, a pending requester, an open invite."""
    owner = await consenting_person(store, OWNER_ID, OWNER_NAME, OWNER_USERNAME)
    organisation = await seeding.registered(store, owner, TODAY)
    invite = await staff.create_invite(store, owner, organisation.id, NOW)
    colleague = await consenting_person(store, COLLEAGUE_ID, "Болат Сериков", "bolat")
    await staff.redeem_invite(store, colleague, invite.token, NOW)
    await staff.create_invite(store, owner, organisation.id, NOW)
    requester = await consenting_person(store, REQUESTER_ID, "Асель Нурланова", "asel")
    await staff.request_to_join(store, requester, organisation.id, NOW)
    await store.commit()
    return organisation


async def test_consent_is_recorded_with_its_version(store):
    person = await consenting_person(store, OWNER_ID, OWNER_NAME, OWNER_USERNAME)
    assert person.consented
    assert person.consent_version == privacy.CONSENT_VERSION
    assert person.full_name == OWNER_NAME


async def test_the_export_has_their_own_data_and_nobody_elses(store, organisation):
    exported = await privacy.export_person(store, OWNER_ID)
    document = json.dumps(exported, ensure_ascii=False)
    assert exported["full_name"] == OWNER_NAME
    assert exported["username"] == OWNER_USERNAME
    assert exported["consent"]["version"] == privacy.CONSENT_VERSION
    assert exported["organisations"] == [
        {"id": organisation.id, "name": ANSWERS["name"], "role": "owner"}
    ]
    assert len(exported["invites_created"]) == 2
    assert [i["used"] for i in exported["invites_created"]] == [True, False]
    for other in ("Болат", "bolat", str(COLLEAGUE_ID), "Асель", str(REQUESTER_ID)):
        assert other not in document

    requester = await privacy.export_person(store, REQUESTER_ID)
    assert requester["join_requests"] == [
        {
            "organisation_id": organisation.id,
            "organisation_name": ANSWERS["name"],
            "status": "pending",
            "created_at": requester["join_requests"][0]["created_at"],
            "decided_at": None,
        }
    ]
    assert await privacy.export_person(store, 999) == {"telegram_id": 999, "stored": False}


async def rows_mentioning(store: Store, *needles: object) -> list[tuple[str, tuple]]:
    """Every row, in every table, with a value equal to or containing a needle."""
    connection = await store.session.connection()
    tables = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
    found = []
    for table in tables:
        for row in await store.session.execute(text(f'SELECT * FROM "{table}"')):
            for value in row:
                if any(value == n or (str(n) in str(value)) for n in needles if value is not None):
                    found.append((table, tuple(row)))
                    break
    return found


async def test_erase_leaves_no_trace_and_passes_the_organisation_to_whom_they_chose(
    store, organisation
):
    # The owner granted someone a role, and had dialogs open, privately and in a group.
    await store.people.grant_role(COLLEAGUE_ID, Role.EXPERT, granted_by=OWNER_ID)
    store.session.add_all(
        [
            FsmRecord(key=f"fsm:{OWNER_ID}:{OWNER_ID}:default:state", state="Staff:members"),
            FsmRecord(key=f"fsm:{OWNER_ID}:{OWNER_ID}:aiogd:stack::data", data="{}"),
            FsmRecord(
                key="fsm:-1001:-1001:aiogd:context:AbC:data",
                data=json.dumps({"access_settings": {"user_ids": [OWNER_ID]}}),
            ),
            FsmRecord(key=f"fsm:-1001:-1001:aiogd:stack:<{OWNER_ID}>:data", data="{}"),
            FsmRecord(key=f"fsm:{COLLEAGUE_ID}:{COLLEAGUE_ID}:default:state", state="x"),
        ]
    )
    await store.commit()
    assert await rows_mentioning(store, OWNER_ID, OWNER_NAME, OWNER_USERNAME)
    colleague = await store.people.get(COLLEAGUE_ID)

    # The only owner of an organisation with staff must say who takes over.
    with pytest.raises(staff.StaffError) as refused:
        await privacy.erase_person(store, OWNER_ID, NOW)
    assert refused.value.problem == staff.StaffProblem.SUCCESSOR_REQUIRED
    with pytest.raises(staff.StaffError):  # not one of its staff
        await privacy.erase_person(store, OWNER_ID, NOW, {organisation.id: 999})
    await store.rollback()

    assert await privacy.erase_person(store, OWNER_ID, NOW, {organisation.id: colleague.id})
    await store.commit()

    assert await rows_mentioning(store, OWNER_ID, OWNER_NAME, OWNER_USERNAME) == []
    assert (await store.organisations.get(organisation.id)).archived_at is None
    assert await store.memberships.role_of(organisation.id, colleague.id) == MemberRole.OWNER
    # Other people's dialog state is untouched.
    assert await store.session.get(FsmRecord, f"fsm:{COLLEAGUE_ID}:{COLLEAGUE_ID}:default:state")
    assert not await privacy.erase_person(store, OWNER_ID, NOW)


async def test_erasing_a_requester_removes_their_request(store, organisation):
    assert await privacy.erase_person(store, REQUESTER_ID, NOW)
    await store.commit()
    assert await rows_mentioning(store, REQUESTER_ID, "Асель Нурланова", "asel") == []
    assert await store.memberships.pending_join_requests(organisation.id) == []


async def test_a_member_removed_is_kept_in_the_history_and_erased_with_the_person(
    store, organisation
):
    owner = await store.people.get(OWNER_ID)
    colleague = await store.people.get(COLLEAGUE_ID)
    await staff.remove_member(store, owner, organisation.id, colleague.id)
    await store.commit()
    exported = await privacy.export_person(store, COLLEAGUE_ID)
    assert exported["organisations"] == []
    (past,) = exported["past_organisations"]
    assert (past["id"], past["role"]) == (organisation.id, "member")
    assert past["left_at"] is not None
    (spell,) = await store.memberships.staff_spells(colleague.id, organisation.id)
    assert spell.left_at is not None

    await privacy.erase_person(store, COLLEAGUE_ID, NOW)
    await store.commit()
    assert await store.memberships.staff_spells(colleague.id, organisation.id) == []


async def test_erasing_a_newcomer_forgets_the_owners_notice_of_them(store, organisation):
    """The owner was told "Болат Сериков joined": the notice no longer names him."""
    assert await rows_mentioning(store, "Болат Сериков")
    assert await privacy.erase_person(store, COLLEAGUE_ID, NOW)
    await store.commit()
    assert await rows_mentioning(store, COLLEAGUE_ID, "Болат Сериков", "bolat") == []
