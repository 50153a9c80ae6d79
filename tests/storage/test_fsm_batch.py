"""An update's dialog-state writes land together after it, or not at all."""

from __future__ import annotations

import pytest
from aiogram.fsm.storage.base import StorageKey
from sqlalchemy import func, select

from storage.fsm import SqlStorage
from storage.models import FsmRecord

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
