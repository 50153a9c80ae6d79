"""The sender's pacing and pipeline: who goes first, how the grid keeps its rate, how many
rows are held, and what happens to rows claimed but not sent."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from delivery.rate_limit import Grid, Lane, RateLimiter, RateLimits
from delivery.sender import MAX_BATCH, DeliveryEngine
from storage.models import Delivery, DeliveryStatus
from tests.delivery.test_outbox import broadcast_to, received, statuses


def test_a_late_call_is_made_up_within_the_slack_and_not_beyond():
    grid = Grid(rate=10, slack=0.5)  # slots 0.1 s apart, half a slot of slack
    grid.take(100.0)  # after idling: the next slot is half a slot early, no more
    assert round(grid.next - 100.0, 6) == 0.05
    grid.take(100.05)
    assert round(grid.next - 100.0, 6) == 0.15
    grid.take(100.18)  # 0.03 s late, within the slack: the next slot stays on the grid
    assert round(grid.next - 100.0, 6) == 0.25
    grid.take(100.6)  # 0.35 s late: only half a slot is made up
    assert round(grid.next - 100.0, 6) == 0.65


async def test_a_reply_goes_before_the_outbox_calls_already_waiting():
    limiter = RateLimiter(RateLimits(global_per_second=10, interactive_reserve=0.2))
    order: list[str] = []

    async def call(name: str, lane: Lane) -> None:
        await limiter.acquire(lane, None, paid=False)
        order.append(name)

    bulk = [asyncio.create_task(call(f"bulk {n}", Lane.BULK)) for n in range(4)]
    await asyncio.sleep(0)  # the outbox calls are queued first
    reply = asyncio.create_task(call("reply", Lane.INTERACTIVE))
    await asyncio.gather(*bulk, reply)

    # The outbox calls took the slots free at once (after idling, a slot of
    # slack is free too); the reply takes the next one, before the rest.
    assert order == ["bulk 0", "bulk 1", "reply", "bulk 2", "bulk 3"]


async def test_a_429_in_the_outbox_holds_the_outbox_but_not_replies():
    limiter = RateLimiter(RateLimits(global_per_second=1000))
    order: list[str] = []

    async def call(name: str, lane: Lane) -> None:
        await limiter.acquire(lane, None, paid=False)
        order.append(name)

    limiter.pause(Lane.BULK, 0.2)
    bulk = asyncio.create_task(call("bulk", Lane.BULK))
    await asyncio.sleep(0)
    await call("reply", Lane.INTERACTIVE)
    await bulk

    assert order == ["reply", "bulk"]
    assert limiter.pauses == [(Lane.BULK, 0.2)]


async def test_no_more_calls_than_the_window_holds_are_in_flight_or_just_answered():
    # Three calls in any window of 3 ms at most.
    limiter = RateLimiter(RateLimits(global_per_second=1000, window_seconds=0.003, window_calls=3))
    events: list[str] = []

    async def call(name: str) -> None:
        await limiter.acquire(Lane.BULK, None, paid=False)
        events.append(name)

    first = [asyncio.create_task(call(f"call {n}")) for n in range(3)]
    await asyncio.gather(*first)
    fourth = asyncio.create_task(call("call 3"))
    await asyncio.sleep(0.02)  # long past its slot: it waits for an answer, not the clock
    events.append("answer")
    limiter.release(paid=False)
    await fourth

    assert events == ["call 0", "call 1", "call 2", "answer", "call 3"]


async def test_a_cancelled_caller_gives_its_turn_to_the_next():
    limiter = RateLimiter(RateLimits(global_per_second=20))
    order: list[str] = []

    async def call(name: str) -> None:
        await limiter.acquire(Lane.BULK, None, paid=False)
        order.append(name)

    free = [asyncio.create_task(call(name)) for name in ("first", "second")]
    gone = asyncio.create_task(call("gone"))
    last = asyncio.create_task(call("last"))
    await asyncio.gather(*free)  # the slots free at once (one of slack after idling)
    gone.cancel()
    await last

    assert order == ["first", "second", "last"]


def test_batch_and_concurrency_grow_with_the_rate(settings, session_factory, translator, clock):
    def engine(**overrides) -> DeliveryEngine:
        tuned = settings.model_copy(update=overrides)
        return DeliveryEngine(None, session_factory, translator, tuned, clock)  # type: ignore[arg-type]

    slow = engine(
        rate_global_per_second=25,
        rate_interactive_reserve=0.2,
        allow_paid_broadcast=False,
        delivery_batch_size=50,
        delivery_concurrency=16,
    )
    assert (slow.batch_size(), slow.concurrency()) == (50, 16)  # the settings
    paid = engine(
        rate_paid_per_second=1000,
        allow_paid_broadcast=True,
        delivery_batch_size=50,
        delivery_concurrency=16,
    )
    assert (paid.batch_size(), paid.concurrency()) == (250, 100)
    huge = engine(rate_paid_per_second=100_000, allow_paid_broadcast=True, delivery_batch_size=50)
    assert huge.batch_size() == MAX_BATCH


async def test_the_pipeline_claims_batch_after_batch_and_sends_each_row_once(
    emulator, outbox, session_factory, clock
):
    people = range(3001, 3048)
    engine = outbox(delivery_batch_size=5, delivery_concurrency=3, rate_global_per_second=1000)
    await broadcast_to(session_factory, clock, people, emulator)

    report = await engine.drain(budget_seconds=60)

    assert (report.claimed, report.sent) == (len(people), len(people))
    assert set(received(emulator, people).values()) == {1}
    assert await statuses(session_factory) == {"sent": len(people)}


async def test_rows_in_hand_when_stopping_are_given_back_untried(
    emulator, outbox, session_factory, clock
):
    people = range(4001, 4041)
    # Five a second: one send at a time (DeliveryEngine.concurrency).
    engine = outbox(delivery_batch_size=10, delivery_concurrency=1, rate_global_per_second=5)
    await broadcast_to(session_factory, clock, people, emulator)
    deliver = engine._deliver

    async def deliver_then_stop(delivery, recipient):
        outcome = await deliver(delivery, recipient)
        engine.begin_stopping()  # the process is asked to stop after the first send
        return outcome

    engine._deliver = deliver_then_stop  # type: ignore[method-assign]
    report = await engine.drain(budget_seconds=60)

    assert report.sent == 1
    assert sum(received(emulator, people).values()) == 1
    async with session_factory() as session:
        rows = (await session.execute(Delivery.__table__.select())).all()
    waiting = [row for row in rows if row.status == DeliveryStatus.PENDING]
    assert len(waiting) == len(people) - 1
    assert {row.attempts for row in waiting} == {0}  # not counted as tries
    assert not [row for row in rows if row.status == DeliveryStatus.SENDING]


async def test_a_row_whose_lease_ran_short_in_hand_is_not_sent(
    emulator, outbox, session_factory, clock
):
    people = range(5001, 5011)
    engine = outbox(
        delivery_batch_size=10,
        delivery_concurrency=1,
        delivery_lease_seconds=60,
        rate_global_per_second=5,
    )
    await broadcast_to(session_factory, clock, people, emulator)
    deliver = engine._deliver

    async def deliver_slowly(delivery, recipient):
        outcome = await deliver(delivery, recipient)
        clock.set(clock.now() + timedelta(seconds=50))  # a long 429 pause, say
        return outcome

    engine._deliver = deliver_slowly  # type: ignore[method-assign]
    report = await engine.drain(budget_seconds=60)

    # The first row went; the others had under a quarter of their lease left.
    assert report.sent == 1
    assert sum(received(emulator, people).values()) == 1
    assert await statuses(session_factory) == {"sent": 1, "pending": len(people) - 1}
