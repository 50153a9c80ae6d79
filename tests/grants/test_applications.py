"""An application's life through `grants.applications`, on a real migrated database."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import update

from grants import applications
from grants.applications import (
    ApplicationClosed,
    Incomplete,
    NotEligible,
    NotYours,
    Policy,
)
from grants.eligibility import Ineligible, required_filing_year
from storage.models import GrantTopic, MemberRole
from storage.store import Store
from tests import seeding

AIGERIM, BOLAT, STRANGER = 720001, 720002, 720003
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=seeding.ZONE)
CLOSES_AT = datetime(2026, 12, 1, 18, 0, tzinfo=seeding.ZONE)
POLICY = Policy(
    zone=seeding.ZONE,
    institutional_percent=10,
    filing_year=required_filing_year(NOW, seeding.ZONE, None),
)
ANSWERS = seeding.APPLICATION_ANSWERS


@pytest.fixture
async def world(session_factory):
    """Aigerim owns an organisation that filed on time; Bolat is her colleague."""
    async with session_factory() as session:
        store = Store(session)
        await seeding.topics(store, NOW)
        await session.execute(
            update(GrantTopic)
            .where(GrantTopic.code == "gender-equality")
            .values(closes_at=CLOSES_AT, opens_at=NOW - timedelta(days=5))
        )
        seeded = await seeding.organisation(store, AIGERIM, NOW)
        bolat = await seeding.person(store, BOLAT, "kk", "Bolat")
        await store.memberships.add(seeded.organisation_id, bolat.id, MemberRole.MEMBER)
        await seeding.organisation(store, STRANGER, NOW, bin_="990140004654", name="Other NGO")
        await store.commit()
    return session_factory


async def _draft(store: Store, telegram_id: int = AIGERIM, **answers) -> int:
    person = await store.people.get(telegram_id)
    topic = await store.topics.by_code("gender-equality")
    organisation_id = (await store.memberships.of_person(person.id))[0].organisation_id
    application_id = await applications.start(store, person, organisation_id, topic.id, NOW, POLICY)
    if answers:
        await applications.save(store, person, application_id, NOW, POLICY, **answers)
    return application_id


async def test_a_member_continues_the_draft_another_started(world):
    async with world() as session:
        store = Store(session)
        first = await _draft(store, title="Women leaders")
        again = await _draft(store, BOLAT)
        assert again == first
        bolat = await store.people.get(BOLAT)
        saved = await applications.save(store, bolat, first, NOW, POLICY, beneficiaries=10)
        assert saved.title == "Women leaders"
        assert saved.updated_by_name == "Bolat"


async def test_another_organisation_cannot_see_or_touch_the_draft(world):
    async with world() as session:
        store = Store(session)
        application_id = await _draft(store, **ANSWERS)
        stranger = await store.people.get(STRANGER)
        with pytest.raises(NotYours):
            await applications.view(store, stranger, application_id)
        with pytest.raises(NotYours):
            await applications.save(store, stranger, application_id, NOW, POLICY, title="Mine")
        with pytest.raises(NotYours):
            await applications.submit(store, stranger, application_id, NOW, POLICY)
        with pytest.raises(NotYours):
            await applications.view(store, stranger, 999_999)


@pytest.mark.parametrize(
    ("moment", "accepted"),
    [(CLOSES_AT - timedelta(seconds=1), True), (CLOSES_AT + timedelta(seconds=1), False)],
)
async def test_submission_one_second_around_the_deadline(world, moment, accepted):
    async with world() as session:
        store = Store(session)
        application_id = await _draft(store, **ANSWERS)
        person = await store.people.get(AIGERIM)
        if accepted:
            submission = await applications.submit(store, person, application_id, moment, POLICY)
            assert submission.new
            assert submission.application.reference == "GR-2026-000001"
            assert submission.application.submitted_at == moment
        else:
            with pytest.raises(ApplicationClosed) as refused:
                await applications.submit(store, person, application_id, moment, POLICY)
            assert refused.value.code == "application.deadline_passed"


async def test_submission_is_idempotent(world):
    async with world() as session:
        store = Store(session)
        application_id = await _draft(store, **ANSWERS)
        person = await store.people.get(AIGERIM)
        first = await applications.submit(store, person, application_id, NOW, POLICY)
        second = await applications.submit(store, person, application_id, NOW, POLICY)
        assert first.new and not second.new
        assert second.application.reference == first.application.reference
        events = await store.applications.events(application_id)
        assert [e.to_status for e in events].count("submitted") == 1
        assert events[-1].by_name == "Aigerim"


async def test_an_incomplete_application_lists_what_is_missing(world):
    async with world() as session:
        store = Store(session)
        application_id = await _draft(store, title="Only a title")
        person = await store.people.get(AIGERIM)
        with pytest.raises(Incomplete) as refused:
            await applications.submit(store, person, application_id, NOW, POLICY)
        assert "budget_total" in refused.value.missing
        assert "title" not in refused.value.missing


async def test_a_budget_cut_below_the_institutional_part_is_flagged_and_refused(world):
    async with world() as session:
        store = Store(session)
        application_id = await _draft(store, **ANSWERS)
        person = await store.people.get(AIGERIM)
        # Saved (nothing typed is lost), but no longer submittable.
        cut = await applications.save(
            store, person, application_id, NOW, POLICY, budget_total=4_000_000
        )
        topic = await store.topics.get(cut.topic_id)
        flagged = applications.problems(cut, topic, POLICY)
        assert [field for field, _ in flagged] == ["institutional_amount"]
        with pytest.raises(Incomplete):
            await applications.submit(store, person, application_id, NOW, POLICY)
        await applications.save(
            store, person, application_id, NOW, POLICY, institutional_amount=400_000
        )
        assert (await applications.submit(store, person, application_id, NOW, POLICY)).new


async def test_eligibility_is_checked_again_at_submission(world):
    async with world() as session:
        store = Store(session)
        application_id = await _draft(store, **ANSWERS)
        person = await store.people.get(AIGERIM)
        later = Policy(seeding.ZONE, 10, filing_year=POLICY.filing_year + 1)
        with pytest.raises(NotEligible) as refused:
            await applications.submit(store, person, application_id, NOW, later)
        assert [r.reason for r in refused.value.refusals] == [Ineligible.NO_FILING]


async def test_withdraw_before_the_deadline_only(world):
    async with world() as session:
        store = Store(session)
        application_id = await _draft(store, **ANSWERS)
        person = await store.people.get(AIGERIM)
        await applications.submit(store, person, application_id, NOW, POLICY)
        with pytest.raises(ApplicationClosed):
            await applications.withdraw(
                store, person, application_id, CLOSES_AT + timedelta(seconds=1)
            )
        withdrawn = await applications.withdraw(store, person, application_id, NOW)
        assert withdrawn.status == "withdrawn"
        with pytest.raises(ApplicationClosed):
            await applications.save(store, person, application_id, NOW, POLICY, title="x")


async def test_a_draft_can_be_deleted_but_a_submission_cannot(world):
    async with world() as session:
        store = Store(session)
        application_id = await _draft(store, **ANSWERS)
        person = await store.people.get(AIGERIM)
        await applications.submit(store, person, application_id, NOW, POLICY)
        with pytest.raises(ApplicationClosed):
            await applications.discard_draft(store, person, application_id)
        other = await applications.start(
            store,
            person,
            (await store.applications.get(application_id)).organisation_id,
            (await store.topics.by_code("children-and-youth")).id,
            NOW,
            POLICY,
        )
        assert await applications.discard_draft(store, person, other)
        assert await store.applications.get(other) is None
