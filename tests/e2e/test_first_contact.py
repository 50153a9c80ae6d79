"""A person meets the bot for the first time, through the emulator, in each language."""

from __future__ import annotations

import pytest

AIGERIM = 710001
BOLAT = 710002

GREETING = {
    "kk": "Сәлеметсіз бе",
    "ru": "Здравствуйте",
    "en": "Hello",
}
LANGUAGE_BUTTON = {"kk": "Қазақша", "ru": "Русский", "en": "English"}
MENU_TITLE = {"kk": "Басты мәзір", "ru": "Главное меню", "en": "Main menu"}
HELP_TITLE = {"kk": "Мен не істей аламын", "ru": "Что я умею", "en": "What I can do"}


@pytest.mark.both_modes
@pytest.mark.parametrize("locale", ["kk", "ru", "en"])
async def test_start_pick_language_then_help(user_factory, locale):
    # Telegram says the phone is in English; the choice in the picker wins.
    user = user_factory(AIGERIM, language_code="en")
    await user.send("/start")
    picker = user.last_message()
    assert [b.text for row in picker.buttons for b in row] == ["Қазақша", "Русский", "English"]

    await user.press(LANGUAGE_BUTTON[locale])
    texts = [m.text for m in user.messages()]
    assert any(GREETING[locale] in text for text in texts)
    assert MENU_TITLE[locale] in user.last_message().text

    await user.send("/help")
    assert HELP_TITLE[locale] in user.last_message().text


async def test_language_switches_from_the_menu(user_factory):
    user = user_factory(AIGERIM, language_code="ru")
    await user.send("/start")
    await user.press("Русский")
    await user.press("🌐 Язык")
    await user.press("English")
    assert "Main menu" in user.last_message().text
    await user.send("/menu")
    assert "Main menu" in user.last_message().text


async def test_cancel_leaves_the_menu_dialog(user_factory):
    user = user_factory(AIGERIM, language_code="en")
    await user.send("/start")
    await user.press("English")
    await user.send("/cancel")
    assert "Cancelled" in user.last_message().text
    await user.send("/cancel")
    assert "nothing to cancel" in user.last_message().text


async def test_unknown_text_and_media_get_a_hint(user_factory):
    user = user_factory(BOLAT, language_code="kk-KZ")
    await user.send("сәлем, бұл не?")
    assert "түсінбедім" in user.last_message().text
    await user.send_photo(content=b"\x89PNG\r\n\x1a\nfake")
    assert "түсінбедім" in user.last_message().text


async def test_forged_callbacks_get_a_polite_refusal(user_factory):
    user = user_factory(AIGERIM, language_code="en")
    await user.send("/start")
    await user.press_data("lang:xx")
    assert "not available" in user.last_callback_answer.text
    await user.press_data("no-such-button")
    assert "expired" in user.last_callback_answer.text
    # The bot still works afterwards.
    await user.press("English")
    assert "Main menu" in user.last_message().text


async def test_group_chat_is_asked_to_write_privately(world, user_factory):
    user = user_factory(AIGERIM, language_code="en")
    group = world.emulator.group(chat_id=-1001234567, title="NGO network")
    await user.send("/start", chat=group)
    replies = [m for m in world.emulator.chat_messages(group.chat_id) if m.from_bot]
    assert replies and "private chats" in replies[-1].text


async def test_dialog_state_survives_a_restart(world, user_factory):
    user = user_factory(AIGERIM, language_code="en")
    await user.send("/start")
    await user.press("English")
    menu = user.last_message()
    await world.restart_bot()
    await user.press("❓ Help", message=menu)
    assert "What I can do" in "\n".join(m.text for m in user.messages()[-2:])


async def test_commands_are_published_per_language(world):
    calls = [c for c in world.emulator.calls if c.method == "setMyCommands"]
    languages = {c.params.get("language_code") for c in calls}
    assert {None, "kk", "ru", "en"} <= languages
