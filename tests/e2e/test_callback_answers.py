"""A button press gets one answer: the toast, when a handler showed one.

Telegram refuses a second answer to a callback query; aiogram-dialog answers
every press after its handler, so a toast used to be followed by a refused one.
The harness fails any journey with a refused request (`LocalWorld.mistakes`).
"""

from __future__ import annotations

import pytest
from aiogram.exceptions import TelegramBadRequest

from bot.app import create_bot
from tests.e2e.journeys import label, open_menu, texts
from tests.e2e.test_filing import seed_organisation

ASEL = 741001


def answers_to(world, query_id: str) -> list:
    return [
        call
        for call in world.emulator.calls_of("answerCallbackQuery")
        if str(call.params.get("callback_query_id")) == query_id
    ]


async def test_a_refusal_toast_is_the_only_answer_to_its_press(world, user_factory):
    organisation_id = await seed_organisation(world, "«Қамқор»")
    user = user_factory(ASEL, language_code="en")
    await open_menu(user, "en")
    await user.press(label("en", "menu.directory"))
    card = next(b for row in user.last_message().buttons for b in row if "«Қамқор»" in b.text)
    forged = card.callback_data.removesuffix(str(organisation_id)) + "999999"
    await user.press_data(forged)

    toast = user.last_callback_answer
    assert toast.text == texts("en")("directory.not_listed")
    answers = answers_to(world, toast.callback_query_id)
    assert [call.ok for call in answers] == [True]


async def test_a_second_answer_is_refused_and_named_as_the_bots_mistake(world, user_factory):
    user = user_factory(ASEL, language_code="en")
    await open_menu(user, "en")
    await user.press(label("en", "menu.directory"))
    query_id = user.last_callback_answer.callback_query_id
    assert world.mistakes() == []

    bot = create_bot(world.settings)
    try:
        with pytest.raises(TelegramBadRequest, match="query ID is invalid"):
            await bot.answer_callback_query(query_id)
    finally:
        await bot.session.close()
    assert [mistake.split(":")[0] for mistake in world.mistakes()] == ["answerCallbackQuery"]
    world.emulator.calls.clear()  # the harness would fail this journey for it
