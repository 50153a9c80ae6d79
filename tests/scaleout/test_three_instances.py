"""Three bot processes on PostgreSQL and Redis, one webhook address, the emulator
as Telegram: people's journeys, deadline reminders planned by every instance's
clock, a broadcast, the global rate limit, and one instance killed mid-run."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from sqlalchemy import func, select

from bot.local_world import free_port
from delivery.outbox import enqueue_broadcast
from domain.deadlines import at_local
from emulator import Emulator, EmulatorConfig, RateLimits
from storage.engine import create_engine, create_session_factory
from storage.models import (
    Application,
    Delivery,
    DeliveryStatus,
    GrantTopic,
    MemberRole,
    Membership,
    Organisation,
    TopicStatus,
)
from storage.store import Store
from tests.scaleout.fleet import RoundRobinProxy, start_instance, wait_healthy

pytestmark = pytest.mark.slow

INSTANCES = 3
JOURNEY_USERS = range(760001, 760011)  # 10 people
BROADCAST_RECIPIENTS = range(770001, 770001 + 2000)
ORGANISATIONS = 60
MEMBERS_PER_ORGANISATION = 3  # 180 people, each due two deadline reminders
# The emulator's limits and the bot's, 2 times Telegram's. The bot paces 25 of
# Telegram's 30 a second in Redis, and the fleet's window guard there keeps sends
# that reach the emulator late together (a busy process) at 30 in any window.
# Pacing alone, with 4 busy processes on two cores and another test beside them,
# once let 7 calls over the emulator's limit.
SPEED_UP = 2
BROADCAST_TEXT = "Приём заявок на гранты открыт"
ZONE = ZoneInfo("Asia/Almaty")  # the instances' TIMEZONE (the default)
REMINDER_DAYS = (7, 1)  # REMINDER_DAYS_BEFORE (the default)
# A step of a journey may wait for an instance that died holding the person's
# Redis lock (60 s) before another instance can take the update over.
STEP_TIMEOUT = 180


def fleet_env(emulator: Emulator, database_url: str, redis_url: str, webhook_url: str) -> dict:
    return {
        "BOT_TOKEN": emulator.config.token,
        "TELEGRAM_API_URL": emulator.base_url,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "WEBHOOK_URL": webhook_url,
        "WEBHOOK_SECRET": "fleet-secret",
        # Answer the webhook only once the update is handled, so an instance
        # killed mid-update makes Telegram re-send it to another.
        "CONCURRENT_UPDATES": "false",
        "RATE_GLOBAL_PER_SECOND": str(25 * SPEED_UP),
        "RATE_PER_CHAT_PER_SECOND": str(1 * SPEED_UP),
        # The emulator's window, sped up too: the fleet's window guard in Redis
        # counts Telegram's 30 calls in it.
        "RATE_WINDOW_SECONDS": str(1 / SPEED_UP),
        "QUIET_HOURS_START": "00:00",
        "QUIET_HOURS_END": "00:00",
        "DELIVERY_LEASE_SECONDS": "5",
        "LOG_LEVEL": "WARNING",
    }


async def test_three_instances_behind_one_webhook(postgres_database_url, redis_url, tmp_path):
    emulator = Emulator(
        EmulatorConfig(
            webhook_timeout=60.0,
            settle_timeout=STEP_TIMEOUT,
            require_user_start=False,
            rate_limits=RateLimits(time_factor=SPEED_UP),
        )
    )
    await emulator.start(host="127.0.0.1", port=0)
    ports = [free_port() for _ in range(INSTANCES)]
    proxy = await RoundRobinProxy(ports).start()
    env = fleet_env(emulator, postgres_database_url, redis_url, proxy.url)
    engine = create_engine(postgres_database_url)
    sessions = create_session_factory(engine)
    # Due deadline reminders are in the database before the instances start, so
    # all three clocks plan them at once when they start (and every minute after).
    members, topics = await seed_due_reminders(sessions, datetime.now(UTC))
    for member in members:
        emulator.user(member, language_code="ru")
    instances = [await start_instance(env, port, tmp_path) for port in ports]
    try:
        await asyncio.gather(*(wait_healthy(instance) for instance in instances))

        # 1. Concurrent journeys spread over the three instances, while the three
        # schedulers plan and send the reminders.
        await asyncio.gather(*(first_contact(emulator, user_id) for user_id in JOURNEY_USERS))
        assert all(proxy.served.get(port) for port in ports), proxy.served
        await wait_until_sent(engine, timeout=120)

        # Each person got each reminder exactly once: one row per (topic, person)
        # in the outbox, sent, and one message in their chat.
        reminders = await reminder_rows(engine)
        assert len(reminders) == len(members) * len(topics)
        assert {status for _key, status, _attempts in reminders} == {DeliveryStatus.SENT}
        received = Counter(
            (call.params["chat_id"], title)
            for call in sent_messages(emulator)
            for title in topics
            if title in call.params["text"]
        )
        expected = {(member, title): 1 for member in members for title in topics}
        assert dict(received) == expected
        assert emulator.violations == []
        sent_by = [await sent_ok(instance.port) for instance in instances]
        assert sum(sent_by) >= len(members) * len(topics)
        assert sum(1 for sent in sent_by if sent) >= 2, sent_by  # the work was shared

        # 2. A broadcast and people's updates in flight; one instance is killed in
        # the middle of both. Nothing is lost.
        for recipient in BROADCAST_RECIPIENTS:
            emulator.user(recipient, language_code="ru")
        async with sessions() as session:
            broadcast_id = await enqueue_broadcast(
                session, BROADCAST_RECIPIENTS, now=datetime.now(UTC), text=BROADCAST_TEXT
            )
            await session.commit()
        killed = asyncio.Event()
        journeys = asyncio.gather(
            *(keep_busy(emulator, user_id, killed) for user_id in JOURNEY_USERS)
        )
        victim = instances[0]
        cut_off = await kill_mid_run(victim, proxy, engine, broadcast_id)
        killed.set()
        rounds = await journeys  # every step of every journey was answered
        await wait_until_sent(engine, timeout=180)

        # The updates the victim was handling were handled again elsewhere.
        assert cut_off, "the victim was handling no update when it died"
        acknowledged = {d.update_id for d in emulator.deliveries if d.status == 200}
        assert {update_id for _port, update_id in cut_off} <= acknowledged

        # Every recipient got the broadcast. At least once, not exactly once: the
        # rows the victim had sent but not yet recorded when it died are sent
        # again after their lease. The sender promises that window is at most
        # one batch (DELIVERY_BATCH_SIZE, 50), and only rows taken over.
        got = Counter(
            call.params["chat_id"]
            for call in sent_messages(emulator)
            if BROADCAST_TEXT in call.params["text"]
        )
        assert set(got) == set(BROADCAST_RECIPIENTS)
        twice = {recipient for recipient, times in got.items() if times > 1}
        assert max(got.values()) <= 2
        assert len(twice) <= 50, len(twice)
        statuses = await broadcast_statuses(engine, broadcast_id)
        assert set(statuses.values()) == {DeliveryStatus.SENT}
        taken_over = await taken_over_rows(engine, broadcast_id)
        assert twice <= taken_over, twice - taken_over
        assert emulator.violations == []
        print(
            f"\nfleet: reminders {len(reminders)}, broadcast {len(BROADCAST_RECIPIENTS)}, "
            f"journey rounds {sum(rounds)}, updates cut off by the kill {len(cut_off)}, "
            f"broadcast rows taken over "
            f"{len(taken_over)}, recipients reached twice {len(twice)}, "
            f"sends per instance before the kill {sent_by}"
        )
    finally:
        await engine.dispose()
        for instance in instances:
            await instance.stop()
        await proxy.stop()
        await emulator.stop()


# -- seeding --------------------------------------------------------------------------


async def seed_due_reminders(sessions, now: datetime) -> tuple[list[int], list[str]]:
    """Organisations with members and a draft on each of two open topics, whose
    closing days are 7 and 1 days after a reminder moment within the last day:
    each member is due one reminder per topic now. Returns (members, topic titles)."""
    local = now.astimezone(ZONE)
    # Reminders go out at 10:00 local on their day; before 10:00, yesterday's are due.
    base = local.date() if local.time() >= time(10, 0) else local.date() - timedelta(days=1)
    topics = []
    members = []
    async with sessions() as session:
        store = Store(session)
        for number, days in enumerate(REMINDER_DAYS, start=1):
            title = f"Тема флота {number}"
            topic = GrantTopic(
                code=f"fleet-{number}",
                title_kk=f"Флот тақырыбы {number}",
                title_ru=title,
                title_en=f"Fleet topic {number}",
                description_kk="-",
                description_ru="-",
                description_en="-",
                area="education",
                grant_type="small",
                budget_min=1_000_000,
                budget_max=5_000_000,
                opens_at=now - timedelta(days=10),  # no new-topic alerts: long open
                closes_at=at_local(base + timedelta(days=days), time(18, 0), ZONE),
                status=TopicStatus.OPEN,
                published=True,
            )
            session.add(topic)
            topics.append((topic, title))
        await session.flush()
        for index in range(ORGANISATIONS):
            organisation = Organisation(
                bin=f"{990000000000 + index}", name=f"Fleet {index}", search_text=f"fleet {index}",
                legal_form="public_fund", region="almaty_city", description="-",
                phone="+77010000000", email="fleet@example.kz",
                # Founded this year: no report on last year is due, whatever the date.
                founded_year=local.year, staff_count=3, volunteer_count=5,
            )  # fmt: skip
            session.add(organisation)
            await session.flush()
            for seat in range(MEMBERS_PER_ORGANISATION):
                telegram_id = 780001 + index * MEMBERS_PER_ORGANISATION + seat
                person = await store.people.add(telegram_id, "ru")
                role = MemberRole.OWNER if seat == 0 else MemberRole.MEMBER
                session.add(
                    Membership(organisation_id=organisation.id, person_id=person.id, role=role)
                )
                members.append(telegram_id)
            for topic, _title in topics:
                session.add(Application(organisation_id=organisation.id, topic_id=topic.id))
        await session.commit()
    return members, [title for _topic, title in topics]


# -- people ---------------------------------------------------------------------------


async def first_contact(emulator: Emulator, user_id: int) -> None:
    """/start, the language, the menu, help."""
    user = emulator.user(user_id, language_code="ru")
    await step(user, lambda: user.send("/start", wait=False), "Choose your language")
    await step(user, lambda: user.press("Русский", wait=False), "Главное меню")
    await step(user, lambda: user.send("/help", wait=False), "Что я умею")


async def keep_busy(emulator: Emulator, user_id: int, killed: asyncio.Event) -> int:
    """Menu and help, again and again, until an instance was killed and twice after."""
    user = emulator.user(user_id)
    rounds = after = 0
    while after < 2:
        await step(user, lambda: user.send("/menu", wait=False), "Главное меню")
        await step(user, lambda: user.send("/help", wait=False), "Что я умею")
        rounds += 1
        after += killed.is_set()
    return rounds


async def step(user, act, expected: str) -> None:
    """Act (without waiting) and wait for a new message of the bot containing `expected`.

    Not `send(wait=True)`: that waits for the whole emulator to go quiet, which
    it does not while a broadcast is going out.
    """
    before = len(user.messages())
    await act()
    try:
        async with asyncio.timeout(STEP_TIMEOUT):
            while not any(expected in m.text for m in user.messages()[before:]):  # noqa: ASYNC110
                await asyncio.sleep(0.05)
    except TimeoutError:
        last = user.last_message()
        raise AssertionError(
            f"{user.user_id}: no answer with {expected!r}; last: {last and last.text!r}"
        ) from None


# -- the kill -------------------------------------------------------------------------


async def kill_mid_run(victim, proxy: RoundRobinProxy, engine, broadcast_id: int) -> list:
    """SIGKILL `victim` once a tenth of the broadcast is out and it is handling
    an update; returns the updates it was handling."""
    async with asyncio.timeout(120):
        while True:
            sent = (await broadcast_counts(engine, broadcast_id)).get(DeliveryStatus.SENT, 0)
            if sent >= len(BROADCAST_RECIPIENTS) // 10 and proxy.in_flight.get(victim.port):
                break
            await asyncio.sleep(0.005)
    remaining = len(BROADCAST_RECIPIENTS) - sent
    await victim.kill()
    assert remaining > len(BROADCAST_RECIPIENTS) // 2, "the broadcast was nearly done already"
    async with asyncio.timeout(10):
        while not any(port == victim.port for port, _update_id in proxy.cut_off):  # noqa: ASYNC110
            await asyncio.sleep(0.01)
    return [entry for entry in proxy.cut_off if entry[0] == victim.port]


# -- what happened --------------------------------------------------------------------


def sent_messages(emulator: Emulator) -> list:
    return [call for call in emulator.calls_of("sendMessage") if call.ok]


async def sent_ok(port: int) -> float:
    """ngo_bot_sends_total{result="ok"} from one instance's /metrics."""
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"http://127.0.0.1:{port}/metrics") as response,
    ):
        text = await response.text()
    for line in text.splitlines():
        if line.startswith('ngo_bot_sends_total{result="ok"} '):
            return float(line.split()[-1])
    return 0


async def wait_until_sent(engine, timeout: float) -> None:
    waiting = (DeliveryStatus.PENDING, DeliveryStatus.SENDING)
    statement = select(func.count()).where(Delivery.status.in_(waiting))
    async with asyncio.timeout(timeout):
        while True:
            async with engine.connect() as connection:
                if not (await connection.execute(statement)).scalar_one():
                    return
            await asyncio.sleep(0.5)


async def reminder_rows(engine) -> list[tuple[str, DeliveryStatus, int]]:
    async with engine.connect() as connection:
        rows = await connection.execute(
            select(Delivery.dedupe_key, Delivery.status, Delivery.attempts).where(
                Delivery.dedupe_key.like("topic-deadline:%")
            )
        )
        return [tuple(row) for row in rows]


async def broadcast_counts(engine, broadcast_id: int) -> dict[str, int]:
    async with engine.connect() as connection:
        rows = await connection.execute(
            select(Delivery.status, func.count())
            .where(Delivery.broadcast_id == broadcast_id)
            .group_by(Delivery.status)
        )
        return {status: count for status, count in rows}


async def broadcast_statuses(engine, broadcast_id: int) -> dict[int, DeliveryStatus]:
    async with engine.connect() as connection:
        rows = await connection.execute(
            select(Delivery.recipient, Delivery.status).where(Delivery.broadcast_id == broadcast_id)
        )
        return dict(tuple(row) for row in rows)


async def taken_over_rows(engine, broadcast_id: int) -> set[int]:
    """Recipients whose row was claimed more than once (a lease ran out)."""
    async with engine.connect() as connection:
        rows = await connection.scalars(
            select(Delivery.recipient).where(
                Delivery.broadcast_id == broadcast_id, Delivery.attempts > 1
            )
        )
        return set(rows)
