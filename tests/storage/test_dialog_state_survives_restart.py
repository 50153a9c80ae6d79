"""FSM and dialog state written before a restart is read back after it."""

from __future__ import annotations

from aiogram.fsm.storage.base import StorageKey

from storage import migrate
from storage.engine import create_engine, create_session_factory
from storage.fsm import SqlStorage

KEY = StorageKey(bot_id=1, chat_id=5001, user_id=5001, destiny="aiogd:stack")


async def test_state_and_data_survive_a_new_engine(empty_database_url):
    engine = create_engine(empty_database_url)
    await migrate.upgrade(engine)
    storage = SqlStorage(create_session_factory(engine))
    await storage.set_state(KEY, "Registration:bin")
    await storage.set_data(KEY, {"answers": {"name": "Қамқор"}, "step": 3})
    await storage.close()
    await engine.dispose()

    engine = create_engine(empty_database_url)
    storage = SqlStorage(create_session_factory(engine))
    try:
        assert await storage.get_state(KEY) == "Registration:bin"
        assert await storage.get_data(KEY) == {"answers": {"name": "Қамқор"}, "step": 3}
        other = StorageKey(bot_id=1, chat_id=5001, user_id=5001, destiny="default")
        assert await storage.get_data(other) == {}
        await storage.set_data(KEY, {})
        assert await storage.get_data(KEY) == {}
        await storage.set_state(KEY, None)
        assert await storage.get_state(KEY) is None
    finally:
        await engine.dispose()
