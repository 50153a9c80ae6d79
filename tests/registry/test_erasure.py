"""Erasure that neither breaks the competition nor keeps the person: every table of the
schema is searched for them afterwards, for an NGO owner, a member, an expert and an
operator; an organisation left with nobody is archived and can be revived."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select

from console import competition, roles, support
from console.revivals import RevivalDecided, decide_revival
from console.roles import acting_as
from delivery.outbox import Kind, enqueue_message, enqueue_text
from domain.statuses import JoinStatus
from registry import directory, organisations, privacy, staff
from storage.models import (
    AuditEntry,
    Base,
    Decision,
    Delivery,
    DeliveryStatus,
    MemberRole,
    Person,
    Role,
    Score,
)
from storage.store import Store
from tests import seeding
from tests.seeding import NOW

OWNER, MEMBER, EXPERT, OPERATOR, ADMIN, NEWCOMER = 861001, 861002, 861003, 861004, 861005, 861006
MARKS = {"relevance": 5, "feasibility": 4, "budget": 4, "impact": 5, "capacity": 4}


@dataclass(frozen=True)
class Someone:
    telegram_id: int
    name: str
    username: str
    # What they typed to the operator, with a phone number and an IIN in it.
    phone: str
    question: str


PEOPLE = {
    "owner": Someone(OWNER, "Жанар Ерасурова", "zhanar_erasure", "+77015550101", ""),
    "member": Someone(MEMBER, "Болат Мембер", "bolat_member", "+77015550202", ""),
    "expert": Someone(EXPERT, "Ерлан Экспертов", "erlan_expert", "+77015550303", ""),
    "operator": Someone(OPERATOR, "Ольга Операторова", "olga_operator", "+77015550404", ""),
}


def question_of(someone: Someone) -> str:
    return f"Помогите: мой телефон {someone.phone}, ИИН 900101{someone.telegram_id}"


async def consent(store: Store, someone: Someone):
    return await seeding.person(
        store, someone.telegram_id, "ru", someone.name, username=someone.username, consented_at=NOW
    )


@pytest.fixture
async def world(store):
    """A competition: the owner's application (written with the member), assigned to the
    expert, scored and decided by the operator; everyone asked the operator a question
    and the outbox holds notices to them and about them."""
    for someone in PEOPLE.values():
        await consent(store, someone)
    await seeding.topics(store, NOW)
    app = await seeding.submitted(
        store, OWNER, bin_="940140000385", name="Erasure NGO", locale="ru", title="Project"
    )
    owner = await store.people.get(OWNER)
    member = await store.people.get(MEMBER)
    # seeding.submitted names its owner; give them back their consented name.
    await consent(store, PEOPLE["owner"])
    await store.memberships.add(app.organisation_id, member.id, MemberRole.MEMBER)
    admin = roles.COMMAND_LINE
    await roles.grant(store, admin, EXPERT, Role.EXPERT, NOW)
    await roles.grant(store, admin, OPERATOR, Role.OPERATOR, NOW)
    operator = acting_as(await store.people.get(OPERATOR), (), roles.OPERATOR_ROLES)
    expert = acting_as(await store.people.get(EXPERT), (), roles.EXPERT_ROLES)
    await competition.mark_complete(store, operator, app.application_id, NOW)
    await competition.assign(store, operator, app.application_id, expert.person_id, NOW)
    await competition.submit_score(store, expert, app.application_id, MARKS, "solid", NOW)
    await competition.decide(
        store, operator, app.application_id, approve=False, amount=None,
        reason="Budget unclear", reveal_at=NOW + timedelta(days=1), required_scores=1, now=NOW,
    )  # fmt: skip
    operator_person = await store.people.get(OPERATOR)
    for key, someone in PEOPLE.items():
        person = await store.people.get(someone.telegram_id)
        thread = await support.ask(store, person, question_of(someone), NOW)
        await support.answer(
            store, thread_id=thread.id, raw_answer=f"Answer to {key}", answered_by=operator_person,
            in_operator_chat=False, admin_ids=(), now=NOW,
        )  # fmt: skip
        # The question shown to another person, naming the asker; the answer sent back.
        await enqueue_text(
            store.session, ADMIN, f"❓ {someone.name} (@{someone.username}): {thread.question}",
            kind=Kind.NOTICE, now=NOW,
        )  # fmt: skip
        await enqueue_text(
            store.session, someone.telegram_id, f"Вы спросили: {thread.question[:300]}",
            kind=Kind.NOTICE, now=NOW,
        )  # fmt: skip
        await enqueue_message(
            store.session, ADMIN, "staff.join_request_notice",
            {"person": someone.name, "organisation": "Erasure NGO"}, kind=Kind.NOTICE, now=NOW,
        )  # fmt: skip
    sent = await store.session.scalars(select(Delivery).where(Delivery.recipient == OWNER))
    for row in sent:  # one of the owner's was sent already
        row.status = DeliveryStatus.SENT
        break
    await store.commit()
    assert owner.id and member.id
    return app


async def leave(store: Store, person, organisation_id: int, successor_id: int | None) -> bool:
    departure = await staff.departure(store, person, organisation_id)
    return await staff.depart(store, person, departure, successor_id, NOW)


def identity(someone: Someone) -> tuple[object, ...]:
    return (someone.telegram_id, someone.name, someone.username, someone.phone)


async def rows_holding(store: Store, *needles: object) -> list[tuple[str, dict]]:
    """Every row of every table of the schema with a value equal to a needle or, as
    text, containing it."""
    found = []
    for table in Base.metadata.sorted_tables:
        for row in (await store.session.execute(select(table))).mappings():
            for value in row.values():
                if value is None:
                    continue
                if any(value == n or str(n) in str(value) for n in needles):
                    found.append((table.name, dict(row)))
                    break
    return found


async def successor_for(store: Store, who: str, organisation_id: int) -> dict[int, int]:
    if who != "owner":
        return {}
    member = await store.people.get(MEMBER)
    return {organisation_id: member.id}


@pytest.mark.parametrize("who", ["owner", "member", "expert", "operator"])
async def test_after_erasure_no_table_holds_the_person(store, world, who):
    someone = PEOPLE[who]
    before = await store.people.get(someone.telegram_id)
    assert await rows_holding(store, *identity(someone))
    assert await rows_holding(store, question_of(someone))
    scores = (await store.session.scalars(select(Score))).all()
    assert len(scores) == 1
    audit_count = len((await store.session.scalars(select(AuditEntry))).all())

    chosen = await successor_for(store, who, world.organisation_id)
    assert await privacy.erase_person(store, someone.telegram_id, NOW, chosen)
    await store.commit()
    store.session.expunge_all()

    assert await rows_holding(store, *identity(someone)) == []
    assert await rows_holding(store, question_of(someone)) == []
    # The competition's results are what they were, and so is the audit log.
    kept = (await store.session.scalars(select(Score))).one()
    assert (kept.relevance, kept.comment) == (5, "solid")
    assert (await store.session.scalars(select(Decision))).one().reason == "Budget unclear"
    assert len((await store.session.scalars(select(AuditEntry))).all()) == audit_count
    pseudonymous = await store.session.get(Person, before.id)
    if who in ("expert", "operator"):
        # Kept by design, with nothing that identifies them.
        assert pseudonymous is not None and pseudonymous.erased_at is not None
        assert pseudonymous.telegram_id == -before.id
        assert (pseudonymous.full_name, pseudonymous.username) == (None, None)
        assert await store.people.get(someone.telegram_id) is None
    else:
        assert pseudonymous is None
    # Nobody else lost anything: the other three are all still there.
    for other, them in PEOPLE.items():
        if other != who:
            assert await rows_holding(store, them.name), other


async def test_an_experts_scores_stay_under_a_pseudonym(store, world):
    expert = await store.people.get(EXPERT)
    plan = await privacy.erasure_plan(store, EXPERT)
    assert plan.pseudonymised and plan.expert and plan.pseudonym_number == expert.id
    assert await privacy.erase_person(store, EXPERT, NOW)
    await store.commit()
    shown = await store.console.active_experts(world.application_id)
    assert [(e.person_id, e.name) for e in shown] == [(expert.id, None)]
    score = await store.console.score(world.application_id, expert.id)
    assert score is not None and sum(score.marks) == 22
    # They can come back as someone new; the pseudonym is not them.
    again = await store.people.add(EXPERT, "ru")
    assert again.id != expert.id and not again.roles


async def test_an_operators_audit_entries_and_decisions_are_pseudonymised(store, world):
    operator = await store.people.get(OPERATOR)
    plan = await privacy.erasure_plan(store, OPERATOR)
    assert plan.pseudonymised and not plan.expert
    assert await privacy.erase_person(store, OPERATOR, NOW)
    await store.commit()
    actors = set((await store.session.scalars(select(AuditEntry.actor))).all())
    assert -operator.id in actors and OPERATOR not in actors
    objects = set((await store.session.scalars(select(AuditEntry.object_id))).all())
    assert str(-operator.id) in objects and str(OPERATOR) not in objects
    decision = (await store.session.scalars(select(Decision))).one()
    assert decision.decided_by == -operator.id


async def test_outbox_rows_naming_or_quoting_them_are_emptied(store, world):
    someone = PEOPLE["member"]
    assert await privacy.erase_person(store, MEMBER, NOW)
    await store.commit()
    rows = (await store.session.scalars(select(Delivery).order_by(Delivery.id))).all()
    emptied = [r for r in rows if r.text is None and r.params is None]
    # To them (the answer, its quote, the notices to the organisation's members) and
    # about them (the two notices to ADMIN): none is left addressed to them.
    assert not [r for r in rows if r.recipient == MEMBER]
    assert len(emptied) >= 4
    assert all(r.status == DeliveryStatus.CANCELLED for r in emptied)
    others = [r for r in rows if r not in emptied]
    assert others and all(someone.name not in (r.text or r.params or "") for r in others)


async def test_the_export_holds_their_questions_and_applications(store, world):
    exported = await privacy.export_person(store, OWNER)
    assert [q["question"] for q in exported["questions_to_operator"]] == [
        question_of(PEOPLE["owner"])
    ]
    assert [m["direction"] for m in exported["questions_to_operator"][0]["messages"]] == [
        "question",
        "answer",
    ]
    written = exported["applications_written"]
    assert [a["title"] for a in written] == ["Project"]
    assert written[0]["reference"] == world.reference
    document = json.dumps(exported, ensure_ascii=False)
    # Not who answered, nor anybody else.
    for other in ("member", "expert", "operator"):
        assert PEOPLE[other].name not in document
        assert str(PEOPLE[other].telegram_id) not in document


async def test_the_last_member_leaving_archives_the_organisation(store, world):
    organisation_id = world.organisation_id
    owner = await store.people.get(OWNER)
    member = await store.people.get(MEMBER)
    with pytest.raises(staff.StaffError):  # the only owner must name a successor
        await leave(store, owner, organisation_id, None)
    assert not await leave(store, owner, organisation_id, member.id)
    assert await store.memberships.role_of(organisation_id, member.id) == MemberRole.OWNER
    # A join request nobody could decide is declined when the last one leaves.
    requester = await seeding.person(store, NEWCOMER, "ru", "Newcomer", consented_at=NOW)
    await staff.request_to_join(store, requester, organisation_id, NOW)
    await store.organisations.update(organisation_id, public_listing=True)
    assert await directory.public_card(store, organisation_id) is not None

    assert await leave(store, member, organisation_id, None)
    await store.commit()
    archived = await store.organisations.get(organisation_id)
    assert archived.archived_at is not None
    assert await directory.public_card(store, organisation_id) is None
    found = await directory.search(store, query=None, region=None, area=None, page=0)
    assert organisation_id not in [o.id for o in found.items]
    assert await store.memberships.pending_join_requests(organisation_id) == []
    # Its records stay for the operator; nobody can ask to join what nobody can approve.
    assert await store.applications.get(world.application_id) is not None
    with pytest.raises(staff.StaffError) as refused:
        await staff.request_to_join(store, requester, organisation_id, NOW)
    assert refused.value.problem == staff.StaffProblem.ORGANISATION_ARCHIVED


async def test_erasing_the_only_member_archives_and_a_newcomer_revives_it(store, world):
    organisation_id = world.organisation_id
    member = await store.people.get(MEMBER)
    await leave(store, member, organisation_id, None)
    plan = await privacy.erasure_plan(store, OWNER)
    assert [d.archives for d in plan.departures] == [True]
    assert await privacy.erase_person(store, OWNER, NOW)
    await store.commit()
    assert (await store.organisations.get(organisation_id)).archived_at is not None

    newcomer = await seeding.person(store, NEWCOMER, "kk", "Newcomer", consented_at=NOW)
    request_id = await organisations.request_revival(store, newcomer, organisation_id)
    with pytest.raises(organisations.OrganisationError):
        await organisations.request_revival(store, newcomer, organisation_id)
    expert = acting_as(await store.people.get(EXPERT), (), roles.EXPERT_ROLES)
    operator = acting_as(await store.people.get(OPERATOR), (), roles.OPERATOR_ROLES)
    assert expert.role == "expert"  # only an operator decides (the bot checks the role)

    request = await decide_revival(store, operator, request_id, True, NOW)
    await store.commit()
    assert request.telegram_id == NEWCOMER
    revived = await store.organisations.get(organisation_id)
    assert revived.archived_at is None
    assert await store.memberships.role_of(organisation_id, newcomer.id) == MemberRole.OWNER
    # With its history: the application is still its own.
    assert [a.id for a in await store.applications.of_organisation(organisation_id)] == [
        world.application_id
    ]
    audit = (
        await store.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "organisation.revive")
        )
    ).one()
    assert (audit.actor, audit.object_id) == (OPERATOR, str(request_id))
    with pytest.raises(RevivalDecided):
        await decide_revival(store, operator, request_id, False, NOW)
    (mine,) = await store.memberships.revival_requests_of(newcomer.id)
    assert mine.status == JoinStatus.APPROVED
    with pytest.raises(organisations.OrganisationError):  # alive again: nothing to revive
        await organisations.request_revival(store, newcomer, organisation_id)
