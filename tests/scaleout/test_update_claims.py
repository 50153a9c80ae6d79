"""Behind a webhook a copy of an update can reach a second instance while the
first still handles it, or after the first died: the copy must neither act twice
nor be answered "done" for an update nobody finished."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from types import SimpleNamespace

import pytest
from aiogram.types import Update

from bot.middlewares import deduplication
from bot.middlewares.deduplication import UpdateDeduplication
from core.clock import Clock
from storage.models import ProcessedUpdate, UpdateStatus
from tests.helpers import claim_status

BOT = SimpleNamespace(id=123456789)


@pytest.fixture(autouse=True)
def short_lease(monkeypatch):
    """The real lease is 30 s; the same rules at a fiftieth of it."""
    monkeypatch.setattr(deduplication, "CLAIM_LEASE", timedelta(seconds=0.6))
    monkeypatch.setattr(deduplication, "CLAIM_HEARTBEAT", timedelta(seconds=0.2))
    monkeypatch.setattr(deduplication, "CLAIM_POLL_SECONDS", 0.05)


def instance(session_factory) -> UpdateDeduplication:
    return UpdateDeduplication(session_factory, Clock(), single_process=False)


async def test_a_slow_update_keeps_its_claim_and_the_copy_is_skipped(session_factory):
    handled: list[str] = []

    def handler(name: str, seconds: float):
        async def handle(_event, _data):
            handled.append(name)
            await asyncio.sleep(seconds)
            return name

        return handle

    update = Update(update_id=1)
    first = asyncio.create_task(
        instance(session_factory)(handler("first", 1.5), update, {"bot": BOT})
    )
    await asyncio.sleep(0.2)
    # Arrives while the first is at it, and is still waiting after a whole lease:
    # the first renews its claim, so it is not taken for dead.
    copy = await instance(session_factory)(handler("copy", 0), update, {"bot": BOT})
    assert await first == "first"
    assert copy is None
    assert handled == ["first"]
    assert await claim_status(session_factory, BOT.id, 1) == UpdateStatus.DONE


async def test_the_copy_of_an_update_whose_instance_died_is_handled(session_factory):
    """A claim nobody renews (its process was killed) is taken over after the lease,
    not answered "done": Telegram would never send that update again."""
    clock = Clock()
    async with session_factory() as session:
        session.add(
            ProcessedUpdate(
                bot_id=BOT.id,
                update_id=2,
                status=UpdateStatus.PROCESSING,
                claimed_by="a-killed-instance",
                claimed_at=clock.now(),
            )
        )
        await session.commit()

    async def handle(_event, _data):
        return "handled"

    result = await instance(session_factory)(handle, Update(update_id=2), {"bot": BOT})
    assert result == "handled"
    assert await claim_status(session_factory, BOT.id, 2) == UpdateStatus.DONE


async def test_a_copy_of_a_finished_update_is_skipped_at_once(session_factory):
    calls = 0

    async def handle(_event, _data):
        nonlocal calls
        calls += 1

    update = Update(update_id=3)
    await instance(session_factory)(handle, update, {"bot": BOT})
    await instance(session_factory)(handle, update, {"bot": BOT})
    assert calls == 1
