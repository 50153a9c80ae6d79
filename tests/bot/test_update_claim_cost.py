"""An update's claim costs as little as its correctness allows: the "done" mark rides
in the transaction that writes the dialog state, and renewing starts only for an
update that runs longer than a heartbeat."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from types import SimpleNamespace

import pytest
from aiogram.fsm.middleware import FSMContextMiddleware
from aiogram.fsm.storage.base import StorageKey
from aiogram.types import Update
from sqlalchemy import event

from bot.app import create_dispatcher
from bot.middlewares import deduplication
from bot.middlewares.database import DatabaseSessionMiddleware, RememberDialogStateReads
from bot.middlewares.deduplication import CLAIM_KEY, UpdateDeduplication
from core.clock import Clock
from storage.fsm import SqlStorage
from storage.models import ProcessedUpdate, UpdateStatus
from tests.helpers import claim_status

BOT = SimpleNamespace(id=123456789)
STACK = StorageKey(bot_id=BOT.id, chat_id=5101, user_id=5101, destiny="aiogd:stack:")


class Chain:
    """The two middlewares as bot.app wires them, around a handler."""

    def __init__(self, session_factory, storage: SqlStorage, clock: Clock | None = None) -> None:
        self.dedup = UpdateDeduplication(session_factory, clock or Clock(), single_process=True)
        self.database = DatabaseSessionMiddleware(session_factory)
        self.storage = storage

    async def __call__(self, handler, update_id: int) -> dict:
        data = {"bot": BOT, "fsm_storage": self.storage}

        async def inner(event, data):
            return await self.database(handler, event, data)

        await self.dedup(inner, Update(update_id=update_id), data)
        return data


def count_commits(engine) -> list[int]:
    commits: list[int] = []
    event.listen(engine.sync_engine, "commit", lambda _connection: commits.append(1))
    return commits


async def test_the_done_mark_shares_the_dialog_state_transaction(engine, session_factory):
    storage = SqlStorage(session_factory)
    commits = count_commits(engine)
    after_handler: list[int] = []

    async def handler(_event, _data):
        await storage.set_data(STACK, {"intents": ["abc"]})
        after_handler.append(len(commits))

    await Chain(session_factory, storage)(handler, 1)
    # The claim committed before the handler; after it, one transaction for both.
    assert len(commits) - after_handler[0] == 1
    assert await claim_status(session_factory, BOT.id, 1) == UpdateStatus.DONE
    assert await storage.get_data(STACK) == {"intents": ["abc"]}


async def test_an_update_without_dialog_state_is_still_marked_done(session_factory):
    storage = SqlStorage(session_factory)

    async def handler(_event, _data):
        return None

    await Chain(session_factory, storage)(handler, 2)
    assert await claim_status(session_factory, BOT.id, 2) == UpdateStatus.DONE


async def test_a_failed_update_is_marked_done_and_its_dialog_state_forgotten(session_factory):
    """As before the fold: Telegram is not asked to send a failed update again."""
    storage = SqlStorage(session_factory)

    async def handler(_event, _data):
        await storage.set_data(STACK, {"intents": ["abc"]})
        raise RuntimeError("the handler failed")

    with pytest.raises(RuntimeError):
        await Chain(session_factory, storage)(handler, 3)
    assert await claim_status(session_factory, BOT.id, 3) == UpdateStatus.DONE
    assert await storage.get_data(STACK) == {}


async def test_a_failed_dialog_state_write_still_marks_the_update_done(session_factory):
    class BrokenStorage(SqlStorage):
        async def write(self, batch, also=None):
            raise RuntimeError("the database went away mid-write")

    storage = BrokenStorage(session_factory)

    async def handler(_event, _data):
        await storage.set_data(STACK, {"intents": ["abc"]})

    with pytest.raises(RuntimeError):
        await Chain(session_factory, storage)(handler, 4)
    assert await claim_status(session_factory, BOT.id, 4) == UpdateStatus.DONE


async def test_a_short_update_starts_no_renewal(session_factory):
    chain = Chain(session_factory, SqlStorage(session_factory))
    seen: list[int] = []

    async def handler(_event, _data):
        seen.append(len(chain.dedup._renewals))

    data = await chain(handler, 5)
    assert seen == [0]
    assert data[CLAIM_KEY].handled is None
    assert not chain.dedup._renewals


class StoppedClock:
    """Time moves only when told, so a renewal before `advance` changes nothing."""

    def __init__(self) -> None:
        self.instant = Clock().now()

    def now(self):
        return self.instant

    def advance(self, delta: timedelta) -> None:
        self.instant += delta


async def test_a_long_update_renews_its_claim_until_it_is_done(monkeypatch, session_factory):
    monkeypatch.setattr(deduplication, "CLAIM_HEARTBEAT", timedelta(seconds=0.02))
    clock = StoppedClock()
    claimed = clock.now()
    chain = Chain(session_factory, SqlStorage(session_factory), clock)
    renewed = []

    async def claim_time():
        async with session_factory() as session:
            row = await session.get(ProcessedUpdate, (BOT.id, 6))
            return row.claimed_at

    async def handler(_event, _data):
        clock.advance(timedelta(seconds=10))
        for _ in range(500):  # until a heartbeat has renewed the claim
            await asyncio.sleep(0.01)
            if await claim_time() != claimed:
                break
        renewed.append(await claim_time())

    data = await chain(handler, 6)
    assert renewed == [claimed + timedelta(seconds=10)]
    assert data[CLAIM_KEY].handled.is_set()
    assert await claim_status(session_factory, BOT.id, 6) == UpdateStatus.DONE
    for _ in range(500):  # the renewal ends by itself once told
        if not chain.dedup._renewals:
            break
        await asyncio.sleep(0.01)
    assert not chain.dedup._renewals


def test_dialog_state_reads_are_remembered_around_aiogram_fsm_middleware(
    settings, translator, session_factory
):
    """aiogram's FSM middleware reads the state first thing: it must find the
    update's memory of reads already open."""
    storage = SqlStorage(session_factory)
    dispatcher = create_dispatcher(settings, translator, session_factory, storage).dispatcher
    kinds = [type(middleware) for middleware in dispatcher.update.outer_middleware]
    position = kinds.index(FSMContextMiddleware)
    assert kinds[position - 1] is RememberDialogStateReads
    assert kinds.count(FSMContextMiddleware) == 1
    assert position < kinds.index(UpdateDeduplication)
