"""Dialog intent ids: no two dialogs opened in the same second share one.

aiogram-dialog's own ids collide once in 100 for two dialogs opened in the
same second; the registration opens the consent dialog in the same update, so
about one registration in a hundred lost its answers (see bot/dialogs/intent_ids).
"""

from __future__ import annotations

import random

from aiogram.fsm.state import State, StatesGroup
from aiogram_dialog.api.entities import stack as aiogd_stack

from bot.dialogs import intent_ids
from tests.e2e.journeys import BIN_KAMKOR, label, open_menu

FROZEN_SECOND = 1_795_000_000.0


class Steps(StatesGroup):
    one = State()


def test_a_full_stack_opened_in_one_second_has_distinct_ids(monkeypatch):
    intent_ids.install()
    monkeypatch.setattr(intent_ids.time, "time", lambda: FROZEN_SECOND)
    monkeypatch.setattr(aiogd_stack.time, "time", lambda: FROZEN_SECOND)
    dialogs = aiogd_stack.Stack()
    # The stack's own limit: 100 dialogs, all opened within the frozen second.
    # aiogram-dialog's ids would need 100 distinct picks out of 100 (p ~ 1e-42).
    ids = [dialogs.push(Steps.one, None).id for _ in range(100)]
    assert len(set(ids)) == len(ids)


def test_ids_stay_short_enough_for_callback_data():
    intent_ids.install()
    # The id prefixes every button's callback data (64 bytes at most).
    assert max(len(intent_ids.new_id()) for _ in range(1000)) <= 8


async def test_registration_keeps_its_answers_when_the_random_part_repeats(settings, monkeypatch):
    """The defect made deterministic: aiogram-dialog's random part always the same.

    With aiogram-dialog's ids the registration and the consent it opens get the same
    id, agreeing closes both, and the person lands on the main menu.
    """
    from bot.local_world import LocalWorld

    monkeypatch.setattr(random, "randint", lambda low, _high: low)
    world = LocalWorld(settings)
    await world.start()
    try:
        user = world.emulator.user(731001, language_code="en")
        await open_menu(user, "en")
        await user.press(label("en", "menu.register"))
        await user.press(label("en", "consent.agree"))
        screen = next(m for m in reversed(user.messages()) if m.buttons).text
        assert label("en", "common.step", step=1, total=14) in screen
        await user.send(BIN_KAMKOR)
        screen = next(m for m in reversed(user.messages()) if m.buttons).text
        assert label("en", "common.step", step=2, total=14) in screen
    finally:
        await world.stop()
