"""Clock-controlled stories: quiet hours, the 31 March reminders, idempotent planning."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from delivery.outbox import Category, Kind, enqueue_message
from delivery.planner import plan_activity_reminders, plan_all
from storage.models import Delivery, MemberRole, Membership, Organisation
from storage.store import Store
from tests.delivery.conftest import drain_all

ALMATY = ZoneInfo("Asia/Almaty")
MEMBER = 7001


async def an_organisation_with_a_member(session_factory) -> None:
    async with session_factory() as session:
        store = Store(session)
        person = await store.people.add(MEMBER, "kk")
        organisation = Organisation(
            bin="000000000000", name="Shanyrak", search_text="shanyrak", legal_form="public_fund",
            region="almaty_city", description="-", phone="+77010000000", email="a@b.kz",
            founded_year=2015, staff_count=3, volunteer_count=5,
        )  # fmt: skip
        session.add(organisation)
        await session.flush()
        session.add(
            Membership(organisation_id=organisation.id, person_id=person.id, role=MemberRole.OWNER)
        )
        await session.commit()


async def activity_days_planned(session_factory, clock, year: int) -> list[str]:
    """Walk the clock through February to April hour by hour; return the days planned."""
    clock.set(datetime(year, 2, 25, 0, 0, tzinfo=ALMATY))
    while clock.now() < datetime(year, 4, 3, tzinfo=ALMATY):
        async with session_factory() as session:
            await plan_activity_reminders(session, clock.now(), ALMATY)
            await session.commit()
        clock.advance(timedelta(hours=6))
    async with session_factory() as session:
        keys = await session.scalars(select(Delivery.dedupe_key).order_by(Delivery.id))
        return [key.split(":")[2] for key in keys]


async def test_the_31_march_reminders_fire_on_the_right_days(session_factory, clock):
    await an_organisation_with_a_member(session_factory)
    days = await activity_days_planned(session_factory, clock, 2027)
    assert days == [
        "2027-03-01", "2027-03-08", "2027-03-15", "2027-03-22", "2027-03-28",
        "2027-03-29", "2027-03-30",
    ]  # fmt: skip


async def test_planning_twice_creates_no_duplicate(session_factory, clock):
    await an_organisation_with_a_member(session_factory)
    clock.set(datetime(2027, 3, 8, 11, 0, tzinfo=ALMATY))
    first = await plan_all(session_factory, clock.now(), ALMATY, [7, 1])
    second = await plan_all(session_factory, clock.now(), ALMATY, [7, 1])
    async with session_factory() as session:
        rows = await session.scalar(select(func.count()).select_from(Delivery))
    assert (first, second, rows) == (1, 0, 1)


async def test_after_downtime_an_old_reminder_is_skipped_not_flooded(session_factory, clock):
    await an_organisation_with_a_member(session_factory)
    # Down from 1 to 20 March: the 15 March reminder is 5 days old and is not sent now.
    clock.set(datetime(2027, 3, 20, 12, 0, tzinfo=ALMATY))
    assert await plan_all(session_factory, clock.now(), ALMATY, [7, 1]) == 0


async def test_quiet_hours_defer_a_send_to_the_morning(emulator, outbox, session_factory, clock):
    emulator.user(MEMBER)
    engine = outbox()
    clock.set(datetime(2026, 5, 12, 22, 30, tzinfo=ALMATY))
    async with session_factory() as session:
        await enqueue_message(
            session, MEMBER, "delivery.activity_due",
            {"year": 2025, "deadline": "31.03.2026", "days": 3},
            kind=Kind.REMINDER, now=clock.now(),
        )  # fmt: skip
        await session.commit()

    report = await engine.drain_once()
    assert report.claimed == 0
    assert emulator.chat_messages(MEMBER) == []

    clock.set(datetime(2026, 5, 13, 9, 0, tzinfo=ALMATY))
    await drain_all(engine)
    [message] = emulator.chat_messages(MEMBER)
    assert "31.03.2026" in message.text


async def test_a_person_who_turned_reminders_off_gets_none(
    emulator, outbox, session_factory, clock
):
    await an_organisation_with_a_member(session_factory)
    emulator.user(MEMBER)
    async with session_factory() as session:
        person = await Store(session).people.get(MEMBER)
        await Store(session).deliveries.set_opt_out(person.id, Category.REMINDERS, True)
        await session.commit()
    clock.set(datetime(2027, 3, 29, 10, 30, tzinfo=ALMATY))
    await plan_all(session_factory, clock.now(), ALMATY, [7, 1])
    await drain_all(outbox())
    assert emulator.chat_messages(MEMBER) == []
    async with session_factory() as session:
        assert await Store(session).deliveries.counts() == {"cancelled": 1}
