"""Two instances sending at once through one Redis keep the bot's one global rate."""

from __future__ import annotations

import asyncio
import itertools
import uuid

from redis.asyncio import Redis

from bot.shared_budget import SharedGlobalBudget
from delivery.rate_limit import SENDING_METHODS

RATE = 20  # a second, for the whole bot


class SendMessage:
    __api_method__ = "sendMessage"


async def test_two_instances_together_keep_one_global_rate(redis_url):
    """The slots Redis hands out to two instances are 1/RATE apart on its clock,
    whoever asks and however busy the machine: checked on the slots themselves,
    not on when the calls went."""
    clients = [Redis.from_url(redis_url) for _ in range(2)]
    # A key of its own: the fleet test may be sending through the real one meanwhile.
    key = f"test:global-budget:{uuid.uuid4().hex}"
    instances = [SharedGlobalBudget(client, RATE, SENDING_METHODS, key) for client in clients]
    slots: list[float] = []
    for instance in instances:
        reserve = instance._reserve

        async def recorded(*args, reserve=reserve, **kwargs):
            reserved = await reserve(*args, **kwargs)
            slots.append(float(reserved[1]))
            return reserved

        instance._reserve = recorded
    sent = 0

    async def make_request(_bot, _method):
        nonlocal sent
        sent += 1
        return "ok"

    try:
        await asyncio.gather(
            *(instances[n % 2](make_request, None, SendMessage()) for n in range(30))
        )
    finally:
        for client in clients:
            await client.aclose()
    assert sent == 30
    assert len(slots) >= 30  # a call that woke late reserved again
    slots.sort()
    gaps = [later - earlier for earlier, later in itertools.pairwise(slots)]
    assert min(gaps) >= 1 / RATE - 1e-6, min(gaps)


async def test_calls_that_overslept_their_slots_are_spaced_again(redis_url):
    """The event loop held up (a busy process) while several calls wait for their
    slots: they wake together, and without re-spacing would all go at once."""
    import time

    client = Redis.from_url(redis_url)
    budget = SharedGlobalBudget(
        client, RATE, SENDING_METHODS, f"test:global-budget:{uuid.uuid4().hex}"
    )
    sent: list[float] = []
    loop = asyncio.get_running_loop()

    async def make_request(_bot, _method):
        sent.append(loop.time())
        return "ok"

    reserved = 0
    reserve = budget._reserve

    async def counted_reserve(*args, **kwargs):
        nonlocal reserved
        wait = await reserve(*args, **kwargs)
        reserved += 1
        return wait

    budget._reserve = counted_reserve

    async def hold_the_loop():
        # Once every call has its slot (not after a guessed delay: a first connection
        # to Redis may take longer than that), hold the loop while 8 slots go by.
        while reserved < 12:  # noqa: ASYNC110 (the count has no event)
            await asyncio.sleep(0.001)
        time.sleep(8 / RATE)  # noqa: ASYNC251  (the point: blocks the loop while 8 slots go by)

    try:
        await asyncio.gather(
            hold_the_loop(), *(budget(make_request, None, SendMessage()) for _ in range(12))
        )
    finally:
        await client.aclose()
    assert len(sent) == 12
    assert budget.late >= 4  # those whose slots passed while the loop was held
    sent.sort()
    # Without the fresh slots, the 8 that overslept go together; with them, a
    # late wake-up (a loaded machine) may still pair one call with the next.
    interval = 1 / RATE
    busiest = max(sum(1 for t in sent if start <= t < start + interval) for start in sent)
    assert busiest <= 3, [round(t - sent[0], 3) for t in sent]


async def test_calls_that_reach_telegram_bunched_stay_within_its_window(redis_url):
    """Sends paced evenly when they go can arrive together: here the early ones
    are slow on the way (a busy process, a slow connection) and the later ones
    fast, so without the fleet's window guard the first dozen would land at
    once. Two instances; Telegram's window counted at arrival."""
    rate, window, calls = 20, 0.5, 10
    clients = [Redis.from_url(redis_url) for _ in range(2)]
    key = f"test:global-budget:{uuid.uuid4().hex}"
    instances = [
        SharedGlobalBudget(
            client, rate, SENDING_METHODS, key, window_calls=calls, window_seconds=window
        )
        for client in clients
    ]
    arrived: list[float] = []
    loop = asyncio.get_running_loop()
    started = 0

    async def make_request(_bot, _method):
        nonlocal started
        # The k-th call to go takes 0.6 - k/rate seconds to arrive: without a
        # guard, calls 0..12 all arrive 0.6 s after the first went.
        delay = max(0.0, 0.6 - started / rate)
        started += 1
        await asyncio.sleep(delay)
        arrived.append(loop.time())
        return "ok"

    try:
        await asyncio.gather(
            *(instances[n % 2](make_request, None, SendMessage()) for n in range(40))
        )
    finally:
        for client in clients:
            await client.aclose()
    assert len(arrived) == 40
    arrived.sort()
    busiest = max(sum(1 for t in arrived if start <= t < start + window) for start in arrived)
    assert busiest <= calls, busiest
    assert sum(instance.held for instance in instances) > 0  # the guard, not luck, kept it
