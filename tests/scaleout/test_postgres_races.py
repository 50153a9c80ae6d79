"""Two instances racing on PostgreSQL: each pair of engines below is two bot
processes with their own connection pools, so the database alone decides."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from delivery.outbox import Kind
from delivery.planner import plan_all
from grants import applications
from scheduler.jobs import first_instance_to, plan_deliveries
from storage.engine import create_engine, create_session_factory
from storage.models import ApplicationEvent, Delivery, GrantTopic, MemberRole, Organisation
from storage.repositories.deliveries import DeliveryRepository, NewDelivery
from storage.store import Store
from tests import seeding
from tests.grants.test_applications import ANSWERS, CLOSES_AT, NOW, POLICY

AIGERIM, BOLAT = 740001, 740002
CLAIM_AT = datetime(2026, 11, 20, 5, 0, tzinfo=UTC)
ALMATY = ZoneInfo("Asia/Almaty")
# An hour after the 8 March reminder on the activity information went out.
REMINDER_DUE = datetime(2027, 3, 8, 11, 0, tzinfo=ALMATY)


@pytest.fixture
async def two_instances(postgres_database_url):
    engines = [create_engine(postgres_database_url) for _ in range(2)]
    yield [create_session_factory(engine) for engine in engines]
    for engine in engines:
        await engine.dispose()


async def _draft_ready_to_submit(sessions) -> int:
    async with sessions() as session:
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
        aigerim = await store.people.get(AIGERIM)
        topic = await store.topics.by_code("gender-equality")
        application_id = await applications.start(
            store, aigerim, seeded.organisation_id, topic.id, NOW, POLICY
        )
        await applications.save(store, aigerim, application_id, NOW, POLICY, **ANSWERS)
        await store.commit()
    return application_id


async def test_two_colleagues_submitting_at_once_give_one_submission(two_instances):
    application_id = await _draft_ready_to_submit(two_instances[0])
    start = asyncio.Barrier(2)

    async def submit(sessions, telegram_id: int):
        async with sessions() as session:
            store = Store(session)
            person = await store.people.get(telegram_id)
            await start.wait()
            submission = await applications.submit(store, person, application_id, NOW, POLICY)
            await store.commit()
            return submission

    results = await asyncio.gather(
        submit(two_instances[0], AIGERIM), submit(two_instances[1], BOLAT)
    )
    assert sorted(result.new for result in results) == [False, True]
    assert {result.application.reference for result in results} != {None}
    async with two_instances[0]() as session:
        events = (
            await session.scalars(
                select(ApplicationEvent.to_status).where(
                    ApplicationEvent.application_id == application_id
                )
            )
        ).all()
    assert events.count("submitted") == 1


async def _queue(sessions, count: int) -> None:
    async with sessions() as session:
        await DeliveryRepository(session).add_many(
            [
                NewDelivery(recipient=900000 + n, kind=Kind.BROADCAST, next_attempt_at=CLAIM_AT)
                for n in range(count)
            ]
        )
        await session.commit()


async def _claim(sessions, token: str, limit: int) -> list[int]:
    async with sessions() as session:
        claimed = await DeliveryRepository(session).claim(
            CLAIM_AT, limit=limit, token=token, lease_until=CLAIM_AT + timedelta(minutes=5)
        )
        await session.commit()
    return [delivery.id for delivery in claimed]


async def test_a_claim_in_progress_is_skipped_not_waited_for(two_instances):
    await _queue(two_instances[0], 10)
    async with two_instances[0]() as holding:
        first = await DeliveryRepository(holding).claim(
            CLAIM_AT, limit=100, token="first", lease_until=CLAIM_AT + timedelta(minutes=5)
        )
        # The first instance has not committed: its rows are locked, and the
        # second skips them at once instead of waiting or taking them too.
        async with asyncio.timeout(5):
            second = await _claim(two_instances[1], "second", 100)
        await holding.commit()
    assert len(first) == 10
    assert second == []


async def test_two_instances_draining_one_outbox_claim_each_delivery_once(two_instances):
    await _queue(two_instances[0], 60)

    async def drain(sessions, token: str) -> list[int]:
        taken: list[int] = []
        while batch := await _claim(sessions, token, 7):
            taken += batch
        return taken

    first, second = await asyncio.gather(
        drain(two_instances[0], "first"), drain(two_instances[1], "second")
    )
    assert not set(first) & set(second)
    assert len(first) + len(second) == 60


async def _organisation_with_members(sessions, members: range) -> None:
    async with sessions() as session:
        store = Store(session)
        organisation = Organisation(
            bin="000000000000", name="Shanyrak", search_text="shanyrak", legal_form="public_fund",
            region="almaty_city", description="-", phone="+77010000000", email="a@b.kz",
            founded_year=2015, staff_count=3, volunteer_count=5,
        )  # fmt: skip
        session.add(organisation)
        await session.flush()
        for telegram_id in members:
            person = await store.people.add(telegram_id, "kk")
            await store.memberships.add(organisation.id, person.id, MemberRole.MEMBER)
        await session.commit()


async def _deliveries(sessions) -> list[str]:
    async with sessions() as session:
        return list(await session.scalars(select(Delivery.dedupe_key)))


async def test_two_instances_planning_at_once_plan_each_reminder_once(two_instances):
    """Without any lock: the unique dedupe key alone keeps a reminder single."""
    members = range(741001, 741041)
    await _organisation_with_members(two_instances[0], members)
    start = asyncio.Barrier(2)

    async def plan(sessions) -> int:
        await start.wait()
        return await plan_all(sessions, REMINDER_DUE, ALMATY, [7, 1])

    planned = await asyncio.gather(*(plan(sessions) for sessions in two_instances))
    keys = await _deliveries(two_instances[0])
    assert sum(planned) == len(keys) == len(members)  # the 8 March reminder, once each


async def test_the_planning_job_runs_in_one_instance_at_a_time(two_instances):
    members = range(742001, 742041)
    await _organisation_with_members(two_instances[0], members)
    async with two_instances[1]() as holding:
        # The other instance is planning (it holds the lock): this round is skipped.
        assert await first_instance_to(holding, "plan_deliveries")
        assert await plan_deliveries(two_instances[0], lambda: REMINDER_DUE, ALMATY, [7, 1]) == 0
        await holding.rollback()
    assert await _deliveries(two_instances[0]) == []
    planned = await asyncio.gather(
        *(
            plan_deliveries(sessions, lambda: REMINDER_DUE, ALMATY, [7, 1])
            for sessions in two_instances
        )
    )
    assert sorted(planned) == [0, len(members)]
    assert len(await _deliveries(two_instances[0])) == len(members)
