"""Stories of the outbox meeting Telegram's bad days: floods, blocks, outages."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from delivery.outbox import enqueue_broadcast
from emulator import Faults, RateLimits
from storage.models import DeliveryStatus
from storage.store import Store
from tests.delivery.conftest import TIME_FACTOR, drain_all

BROADCAST_TEXT = "Announcement: <b>forum on 1 June</b>"


async def broadcast_to(session_factory, clock, recipients, emulator=None) -> int:
    for chat_id in recipients if emulator is not None else ():
        emulator.user(chat_id)  # people who have a chat with the bot
    async with session_factory() as session:
        broadcast_id = await enqueue_broadcast(
            session, recipients, now=clock.now(), text=BROADCAST_TEXT
        )
        await session.commit()
    return broadcast_id


def received(emulator, chat_ids) -> Counter:
    """How many copies of the broadcast each chat shows."""
    return Counter(
        {
            chat_id: sum(1 for m in emulator.chat_messages(chat_id) if m.text and "forum" in m.text)
            for chat_id in chat_ids
        }
    )


async def statuses(session_factory) -> dict[str, int]:
    async with session_factory() as session:
        return await Store(session).deliveries.counts()


async def test_a_flood_wait_is_obeyed_and_nothing_is_lost_or_repeated(
    emulator, outbox, session_factory, clock
):
    people = range(1001, 1061)
    emulator.set_faults(Faults(seed=3, burst_429_rate=0.08, burst_length=2, burst_retry_after=1))
    engine = outbox()
    await broadcast_to(session_factory, clock, people, emulator)

    await drain_all(engine)

    assert set(received(emulator, people).values()) == {1}
    floods = [c for c in emulator.calls_of("sendMessage") if c.status == 429]
    assert floods, "the seed should inject some 429s"
    sends = [c.timestamp for c in emulator.calls_of("sendMessage")]
    for flood in floods:
        # Requests already on the wire may land just after; none is started in the pause.
        inside = [t for t in sends if flood.timestamp + 0.2 < t < flood.timestamp + 0.95]
        assert not inside, f"sent {len(inside)} during a retry_after pause"
    assert await statuses(session_factory) == {"sent": len(people)}


async def test_a_person_who_blocked_the_bot_is_marked_and_skipped(
    emulator, outbox, session_factory, clock
):
    from storage.store import Store

    async with session_factory() as session:
        store = Store(session)
        for telegram_id in (2001, 2002):
            await store.people.add(telegram_id, "ru")
        await store.commit()
    emulator.user(2002).block()
    engine = outbox()
    await broadcast_to(session_factory, clock, [2001, 2002], emulator)
    await drain_all(engine)

    async with session_factory() as session:
        store = Store(session)
        assert (await store.people.get(2002)).blocked_bot
        assert not (await store.people.get(2001)).blocked_bot
    assert await statuses(session_factory) == {"sent": 1, "blocked": 1}

    # The next announcement is not even attempted for the blocked person.
    attempts_before = len(emulator.calls_of("sendMessage"))
    await broadcast_to(session_factory, clock, [2001, 2002], emulator)
    await drain_all(engine)
    assert len(emulator.calls_of("sendMessage")) == attempts_before + 1
    assert await statuses(session_factory) == {"sent": 2, "blocked": 2}


async def test_server_errors_and_dropped_connections_are_retried(
    emulator, outbox, session_factory, clock
):
    people = range(3001, 3041)
    emulator.set_faults(Faults(seed=11, error_rate=0.15, drop_rate=0.1, drop_mode="before"))
    engine = outbox()
    await broadcast_to(session_factory, clock, people, emulator)

    await drain_all(engine)

    kinds = Counter(f.kind for f in emulator.faults)
    assert kinds["error_500"] + kinds["error_502"] > 0 and kinds["drop_before"] > 0
    assert set(received(emulator, people).values()) == {1}
    assert await statuses(session_factory) == {"sent": len(people)}


async def test_a_chat_that_does_not_exist_is_recorded_not_retried(
    emulator, outbox, session_factory, clock
):
    engine = outbox()
    await broadcast_to(session_factory, clock, [4001])  # no such chat
    await drain_all(engine)
    from sqlalchemy import select

    from storage.models import Delivery

    async with session_factory() as session:
        row = await session.scalar(select(Delivery))
    assert row.status == DeliveryStatus.FAILED
    assert row.attempts == 1
    assert "chat not found" in row.last_error


async def test_a_final_failure_keeps_its_reason(emulator, outbox, session_factory, clock):
    emulator.set_faults(Faults(seed=1, error_rate=1.0, error_statuses=(500,)))
    engine = outbox(delivery_max_attempts=3)
    await broadcast_to(session_factory, clock, [5001], emulator)
    await drain_all(engine)
    from sqlalchemy import select

    from storage.models import Delivery

    async with session_factory() as session:
        row = await session.scalar(select(Delivery))
    assert row.status == DeliveryStatus.FAILED
    assert row.attempts == 3
    assert "gave up after 3 attempts" in row.last_error


@pytest.mark.slow
async def test_a_broadcast_to_2000_people_keeps_within_every_limit(
    emulator, outbox, session_factory, clock
):
    emulator.set_rate_limits(RateLimits(time_factor=TIME_FACTOR, mode="record"))
    people = range(100_000, 102_000)
    engine = outbox()
    await broadcast_to(session_factory, clock, people, emulator)

    await drain_all(engine)

    # Within every limit, and everyone once. How fast (the share of the budget a
    # broadcast uses) is measured by `python -m bench.broadcast`, not timed here.
    assert emulator.violations == []
    assert set(received(emulator, people).values()) == {1}


@pytest.mark.slow
async def test_replies_overtake_the_broadcast_waiting_behind_them(
    emulator, outbox, session_factory, clock
):
    """A reply sent while a broadcast drains is answered before the outbox calls that
    were waiting for a turn: between a reply being asked for and the emulator
    receiving it, only the calls already in flight or already given a slot arrive.
    Counted on the emulator's record of calls, not timed; the latency figure is in
    `python -m bench.replies_during_broadcast`."""
    emulator.set_rate_limits(RateLimits(time_factor=TIME_FACTOR, mode="record"))
    engine = outbox()
    settings = engine.settings
    chatting = emulator.user(99, first_name="Dana")
    await chatting.send("hi", wait=False)  # so the reply chat exists

    await broadcast_to(session_factory, clock, range(200_000, 202_000), emulator)
    broadcast = asyncio.create_task(drain_all(engine))
    while len(emulator.calls_of("sendMessage")) < 100:  # noqa: ASYNC110 (the record has no event)
        await asyncio.sleep(0.01)
    overtaken = []
    for n in range(10):
        asked_at = len(emulator.calls)
        await engine.bot.send_message(99, f"reply {n}")
        arrived_at = next(
            i
            for i, call in enumerate(emulator.calls)
            if i >= asked_at and call.params.get("text") == f"reply {n}"
        )
        overtaken.append(arrived_at - asked_at)
        await asyncio.sleep(0.12)  # a person types; within the per-chat rate
    assert not broadcast.done(), "the broadcast should still be running"
    await broadcast

    # A waiting outbox call never goes first: at most the calls already given a slot
    # in this window arrive first, where a queue in arrival order would put a reply
    # behind every one of the outbox's senders waiting for a turn (32 and more).
    window = int(settings.rate_global_per_second * settings.rate_window_seconds)
    assert max(overtaken) <= window, overtaken
    print(f"outbox calls arriving between a reply's request and the reply: {overtaken}")
    assert emulator.violations == []


async def test_a_row_whose_lease_runs_short_while_waiting_for_a_turn_is_given_back(
    emulator, outbox, session_factory, clock
):
    """A claimed row waits for its turn (the limiter, the shared budget, a 429
    pause) past its lease: another instance may already have claimed and sent
    it, so it is not sent here but given back, and goes once, later."""
    from datetime import timedelta

    from aiogram.client.session.middlewares.base import BaseRequestMiddleware

    engine = outbox(delivery_lease_seconds=60)
    waits = {"left": 1}

    class SlowTurn(BaseRequestMiddleware):
        """The first send's turn comes 50 s after it was claimed (of a 60 s lease)."""

        async def __call__(self, make_request, bot, method):
            if waits["left"]:
                waits["left"] -= 1
                clock.set(clock.now() + timedelta(seconds=50))
            return await make_request(bot, method)

    # Between the limiter (outer) and the last-moment check (innermost).
    engine.bot.session.middleware._middlewares.insert(1, SlowTurn())
    await broadcast_to(session_factory, clock, [3001], emulator)
    report = await engine.drain(budget_seconds=60)
    assert report.sent == 0
    assert emulator.calls_of("sendMessage") == []
    assert await statuses(session_factory) == {"pending": 1}

    await drain_all(engine)
    assert received(emulator, [3001]) == Counter({3001: 1})
    async with session_factory() as session:
        rows = await Store(session).deliveries.counts()
    assert rows == {"sent": 1}
