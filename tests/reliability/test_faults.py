"""A mixed load at a 10% injected 5xx rate: nothing lost, nothing doubled, no one unanswered."""

from __future__ import annotations

import asyncio
import logging
import sqlite3

from sqlalchemy.engine import make_url

from bot.local_world import LocalWorld
from emulator import Faults
from tests.e2e.journeys import register_organisation

SEED = 20261127
USERS = 4
BINS = ["940140000385", "990140004654", "000740001307", "010140002106"]
SEND_METHODS = frozenset({"sendMessage", "editMessageText", "answerCallbackQuery"})


async def test_registrations_at_ten_percent_faults_lose_and_double_nothing(
    settings, caplog, figures
):
    caplog.set_level(logging.WARNING)
    world = LocalWorld(settings)
    await world.start()
    try:
        world.emulator.set_faults(Faults(seed=SEED, error_rate=0.1, methods=SEND_METHODS))
        users = [
            world.emulator.user(780001 + n, language_code=("ru", "kk", "en", "ru")[n])
            for n in range(USERS)
        ]
        await asyncio.gather(
            *(
                register_organisation(user, lang, bin=BINS[n], name=f"Fund {n}")
                for n, (user, lang) in enumerate(zip(users, ("ru", "kk", "en", "ru"), strict=True))
            )
        )
        faults = len(world.emulator.faults)
        calls = len([c for c in world.emulator.calls if c.method in SEND_METHODS])
    finally:
        await world.stop()
    with sqlite3.connect(make_url(world.settings.database_url).database) as db:
        names = sorted(row[0] for row in db.execute("SELECT name FROM organisations"))
    unhandled = [
        r.getMessage()
        for r in caplog.records
        if r.levelno >= logging.ERROR and not r.name.startswith("sqlalchemy.pool")
    ]
    figures(
        "faults",
        seed=SEED,
        users=USERS,
        send_calls=calls,
        faults_injected=faults,
        organisations_expected=USERS,
        organisations_saved=len(names),
        lost=USERS - len(set(names)),
        doubled=len(names) - len(set(names)),
        unhandled_errors=len(unhandled),
    )
    assert faults > 0
    assert names == [f"Fund {n}" for n in range(USERS)]
    assert unhandled == []
