"""An update's dialog-state writes land together after it, or not at all."""

from __future__ import annotations

from datetime import timedelta

import pytest
from aiogram.fsm.storage.base import StorageKey
from sqlalchemy import event, func, select, update

from storage.fsm import REFRESH_UNCHANGED_AFTER, SqlStorage
from storage.models import FsmRecord
from storage.types import utcnow

STACK = StorageKey(bot_id=1, chat_id=5101, user_id=5101, destiny="aiogd:stack:")
CONTEXT = StorageKey(bot_id=1, chat_id=5101, user_id=5101, destiny="aiogd:context:abc")
OTHER = StorageKey(bot_id=1, chat_id=5101, user_id=5101, destiny="aiogd:context:def")


async def test_writes_wait_for_the_end_of_the_update_and_reads_see_them(session_factory):
    storage = SqlStorage(session_factory)
    outside = SqlStorage(session_factory)  # another process's view: no batch
    await storage.set_data(CONTEXT, {"state": "Registration:summary"})
    async with storage.batch() as batch:
        await storage.set_data(CONTEXT, {})
        await storage.set_data(OTHER, {"state": "MainMenu:main"})
        await storage.set_data(STACK, {"intents": ["def"]})
        # The update sees its own writes at once ...
        assert await storage.get_data(CONTEXT) == {}
        assert await storage.get_data(STACK) == {"intents": ["def"]}
        # ... nobody else does until it has finished.
        assert await outside.get_data(CONTEXT) == {"state": "Registration:summary"}
        assert await outside.get_data(STACK) == {}
    await storage.write(batch)
    assert await outside.get_data(CONTEXT) == {}
    assert await outside.get_data(OTHER) == {"state": "MainMenu:main"}
    assert await outside.get_data(STACK) == {"intents": ["def"]}


async def test_a_failed_update_leaves_the_dialog_as_it_was(session_factory):
    """aiogram-dialog closing a dialog removes its context, then saves the stack; a
    failure in between used to leave a stack naming a context that was gone."""
    storage = SqlStorage(session_factory)
    await storage.set_data(CONTEXT, {"state": "Registration:summary"})
    await storage.set_data(STACK, {"intents": ["abc"]})
    with pytest.raises(RuntimeError):
        async with storage.batch():
            await storage.set_data(CONTEXT, {})
            raise RuntimeError("sendMessage failed before the stack was saved")
    assert await storage.get_data(CONTEXT) == {"state": "Registration:summary"}
    assert await storage.get_data(STACK) == {"intents": ["abc"]}


async def test_a_cleared_state_leaves_no_row(session_factory):
    storage = SqlStorage(session_factory)
    key = StorageKey(bot_id=1, chat_id=5101, user_id=5101)
    await storage.set_state(key, "Form:name")
    assert await storage.get_state(key) == "Form:name"
    await storage.set_state(key, None)
    async with session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(FsmRecord)) == 0


async def test_a_forged_key_with_a_nul_is_simply_not_there(session_factory):
    """A forged callback's intent id becomes part of the key; PostgreSQL refuses NUL."""
    storage = SqlStorage(session_factory)
    forged = StorageKey(bot_id=1, chat_id=5101, user_id=5101, destiny="aiogd:context:\x00x")
    assert await storage.get_data(forged) == {}
    async with storage.batch():
        assert await storage.get_data(forged) == {}


PLAIN = StorageKey(bot_id=1, chat_id=5101, user_id=5101)


def count_statements(engine) -> list[str]:
    statements: list[str] = []
    event.listen(
        engine.sync_engine,
        "before_cursor_execute",
        lambda _c, _cur, statement, *_: statements.append(statement),
    )
    return statements


async def test_the_plain_state_read_brings_the_dialog_stack_along(engine, session_factory):
    """aiogram reads a chat's plain state first, aiogram-dialog its stack next: one read."""
    storage = SqlStorage(session_factory)
    await storage.set_data(STACK, {"intents": ["abc"]})
    statements = count_statements(engine)
    async with storage.remembering_reads():
        assert await storage.get_state(PLAIN) is None
        async with storage.batch():
            assert await storage.get_data(STACK) == {"intents": ["abc"]}
            assert await storage.get_state(PLAIN) is None
    assert len(statements) == 1


async def test_remembered_reads_follow_the_update_own_writes(session_factory):
    storage = SqlStorage(session_factory)
    await storage.set_data(STACK, {"intents": ["abc"]})
    async with storage.remembering_reads():
        await storage.get_state(PLAIN)
        async with storage.batch() as batch:
            await storage.set_data(STACK, {"intents": ["def"]})
            assert await storage.get_data(STACK) == {"intents": ["def"]}
        await storage.write(batch)
        assert await storage.get_data(STACK) == {"intents": ["def"]}
        # Written at once outside a batch (an error handler resetting the dialog).
        await storage.set_data(STACK, {})
        assert await storage.get_data(STACK) == {}
        await storage.set_state(PLAIN, "Form:name")
        assert await storage.get_state(PLAIN) == "Form:name"


async def test_a_failed_update_remembers_the_rows_as_they_are(session_factory):
    storage = SqlStorage(session_factory)
    await storage.set_data(STACK, {"intents": ["abc"]})
    async with storage.remembering_reads():
        await storage.get_state(PLAIN)
        with pytest.raises(RuntimeError):
            async with storage.batch():
                await storage.set_data(STACK, {})
                raise RuntimeError("the handler failed")
        assert await storage.get_data(STACK) == {"intents": ["abc"]}


async def test_reads_are_forgotten_after_the_update(session_factory):
    storage = SqlStorage(session_factory)
    outside = SqlStorage(session_factory)
    async with storage.remembering_reads():
        assert await storage.get_data(STACK) == {}
    await outside.set_data(STACK, {"intents": ["abc"]})
    assert await storage.get_data(STACK) == {"intents": ["abc"]}
    async with storage.remembering_reads():
        assert await storage.get_data(STACK) == {"intents": ["abc"]}


async def test_a_group_chat_state_read_fetches_only_itself(engine, session_factory):
    """A group's stack is another key (aiogram-dialog names it after the user)."""
    storage = SqlStorage(session_factory)
    group = StorageKey(bot_id=1, chat_id=-100, user_id=5101)
    statements = count_statements(engine)
    async with storage.remembering_reads():
        assert await storage.get_state(group) is None
    assert len(statements) == 1
    assert "IN" not in statements[0]


async def stack_row_time(session_factory):
    async with session_factory() as session:
        return await session.scalar(
            select(FsmRecord.updated_at).where(FsmRecord.key.like("%stack%"))
        )


async def test_an_unchanged_dialog_state_is_not_written_again(engine, session_factory):
    """aiogram-dialog saves its stack after every update, changed or not."""
    storage = SqlStorage(session_factory)
    await storage.set_data(STACK, {"intents": ["abc"]})
    written_at = await stack_row_time(session_factory)
    statements = count_statements(engine)
    async with storage.remembering_reads():
        await storage.get_state(PLAIN)
        async with storage.batch() as batch:
            await storage.set_data(STACK, {"intents": ["abc"]})
            await storage.set_state(PLAIN, None)  # no row, and none wanted
        await storage.write(batch)
    assert len(statements) == 1  # the read
    assert await stack_row_time(session_factory) == written_at


async def test_a_changed_dialog_state_is_written(session_factory):
    storage = SqlStorage(session_factory)
    await storage.set_data(STACK, {"intents": ["abc"]})
    async with storage.remembering_reads():
        await storage.get_state(PLAIN)
        async with storage.batch() as batch:
            await storage.set_data(STACK, {"intents": ["abc", "def"]})
        await storage.write(batch)
        assert await storage.get_data(STACK) == {"intents": ["abc", "def"]}
    assert await storage.get_data(STACK) == {"intents": ["abc", "def"]}


async def test_an_old_unchanged_dialog_state_is_written_to_stay_clear_of_pruning(
    session_factory,
):
    storage = SqlStorage(session_factory)
    await storage.set_data(STACK, {"intents": ["abc"]})
    long_ago = utcnow() - REFRESH_UNCHANGED_AFTER - timedelta(minutes=1)
    async with session_factory() as session:
        await session.execute(update(FsmRecord).values(updated_at=long_ago))
        await session.commit()
    async with storage.remembering_reads():
        await storage.get_state(PLAIN)
        async with storage.batch() as batch:
            await storage.set_data(STACK, {"intents": ["abc"]})
        await storage.write(batch)
    assert await stack_row_time(session_factory) > long_ago + timedelta(minutes=1)
