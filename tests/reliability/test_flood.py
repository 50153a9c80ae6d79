"""Per-user flood control: one notice a window, the rest dropped before the database."""

from __future__ import annotations

import time

from sqlalchemy import func, select

from bot.local_world import LocalWorld
from bot.middlewares.flood import WINDOW_SECONDS, FloodControl
from storage.engine import create_engine
from storage.models import ProcessedUpdate
from tests.e2e.journeys import open_menu, texts

FLOODER = 740001
NEIGHBOUR = 740002
LIMIT = 10


def test_a_window_allows_the_limit_then_one_notice_then_silence(translator):
    clock = [100.0]
    flood = FloodControl(3, translator, "ru", now=lambda: clock[0])
    verdicts = [flood.allows(1) for _ in range(6)]
    assert verdicts == [(True, False)] * 3 + [(False, True)] + [(False, False)] * 2
    assert flood.allows(2) == (True, False)  # another person is not affected
    clock[0] += WINDOW_SECONDS
    assert flood.allows(1) == (True, False)  # a new minute, a clean slate


async def test_a_flooder_gets_one_notice_and_cannot_slow_others(settings, figures):
    world = LocalWorld(settings.model_copy(update={"flood_updates_per_minute": LIMIT}))
    await world.start()
    try:
        flooder = world.emulator.user(FLOODER, language_code="en")
        neighbour = world.emulator.user(NEIGHBOUR, language_code="kk")
        sent = 3 * LIMIT
        for n in range(sent):
            await flooder.send(f"spam {n}", wait=False)
        await world.emulator.wait_idle()
        started = time.monotonic()
        await open_menu(neighbour, "kk")
        neighbour_seconds = time.monotonic() - started
        notice = texts("en")("reliability.slow_down")
        notices = [m for m in flooder.messages() if m.text == notice]
        assert len(notices) == 1
        assert neighbour.last_message().buttons, "the neighbour reached the main menu"
        engine = create_engine(world.settings.database_url)
        try:
            async with engine.connect() as connection:
                claims = await connection.scalar(select(func.count()).select_from(ProcessedUpdate))
        finally:
            await engine.dispose()
        # Only the updates within the limit reached the database (plus the neighbour's).
        assert claims <= LIMIT + 2
        figures(
            "flood",
            limit_per_minute=LIMIT,
            updates_sent=sent,
            notices=len(notices),
            dropped_before_database=sent - LIMIT,
            database_claims=claims,
            neighbour_menu_seconds=round(neighbour_seconds, 2),
        )
    finally:
        await world.stop()
