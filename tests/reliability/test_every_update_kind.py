"""Updates of every kind the Bot API documents, about a third of them malformed,
at one running bot (polling, SQLite): 300 drawn by hypothesis from aiogram's own
schema (`tests/bot_api_corpus.py`). Invariants:

- every update is acknowledged: none is left for the next poll to bring back;
- no exception escapes: nothing is logged at ERROR level;
- an update is set aside as a dead letter exactly when aiogram's eager
  `Update.model_validate` refuses it, so the dead letters counted equal the
  malformed updates sent.
"""

from __future__ import annotations

import asyncio
import json
import logging

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from sqlalchemy import func, select

from bot.local_world import LocalWorld
from emulator import EmulatorConfig
from storage.engine import create_engine
from storage.models import DeadLetter
from tests.bot_api_corpus import raw_updates
from tests.e2e.raw_updates import push_and_wait

EXAMPLES = 300

pytestmark = [pytest.mark.slow, pytest.mark.sqlite_only("a fuzz run; one database is enough")]


async def dead_letters_stored(world: LocalWorld) -> int:
    engine = create_engine(world.settings.database_url)
    try:
        async with engine.connect() as connection:
            return (await connection.execute(select(func.count()).select_from(DeadLetter))).one()[0]
    finally:
        await engine.dispose()


def test_every_kind_of_update_is_handled_or_set_aside(settings, caplog, figures):
    caplog.set_level(logging.WARNING)
    loop = asyncio.new_event_loop()
    # Every kind reaches the bot, asked for or not (an older or careless server).
    world = LocalWorld(
        settings, emulator_config=EmulatorConfig(webhook_timeout=60.0, honour_allowed_updates=False)
    )
    loop.run_until_complete(world.start())
    sent = {"malformed": 0, "readable": 0}
    kinds: set[str] = set()

    @hypothesis_settings(
        max_examples=EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(raw_updates(malformed_share=0.35))
    def check(drawn: tuple[dict, bool]) -> None:
        update, malformed = drawn
        update.pop("update_id", None)  # numbered by the emulator, in order, as Telegram does
        kinds.update(key for key in update if key != "update_id")
        caplog.clear()  # this example's log only
        acknowledged = loop.run_until_complete(push_and_wait(world, update))
        sent["malformed" if malformed else "readable"] += 1
        assert acknowledged.handled is not malformed, json.dumps(update)
        errors = [
            r.getMessage()
            for r in caplog.records
            if r.levelno >= logging.ERROR and not r.name.startswith("sqlalchemy.pool")
        ]
        assert errors == [], (errors, json.dumps(update))

    try:
        check()
        stored = loop.run_until_complete(dead_letters_stored(world))
        unacknowledged = list(world.emulator.bot.pending)
    finally:
        loop.run_until_complete(world.stop())
        loop.close()
    figures("every_update_kind", kinds=len(kinds), dead_letters=stored, **sent)
    assert sum(sent.values()) == EXAMPLES
    assert stored == sent["malformed"] > 0
    assert unacknowledged == []
