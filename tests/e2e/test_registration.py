"""Registering an NGO through the emulator, in each language: mistakes, edits, restarts."""

from __future__ import annotations

import re

import pytest

from bot.callbacks import JoinDecision
from tests.e2e.journeys import (
    BIN_DARYN,
    BIN_KAMKOR,
    agree_if_asked,
    label,
    open_menu,
    plain,
    register_organisation,
    texts,
)

AIGERIM = 720001
BOLAT = 720002
# Each language once, the delivery modes alternating, to keep the suite fast.
WORLD_AND_LANG = pytest.mark.parametrize(
    ("transport", "lang"), [("polling", "kk"), ("webhook", "ru"), ("polling", "en")]
)
TAG = re.compile(r"<[^>]+>")
NAME = "Қамқор <b>& Co</b>"


def recent_texts(user, count: int = 4) -> list[str]:
    return [m.text or "" for m in user.messages()[-count:]]


def told(user, lang: str, key: str, **params) -> bool:
    """Whether one of the latest messages is exactly this catalog text."""
    expected = plain(lang, key, **params)
    return any(expected == text for text in recent_texts(user))


def last_text(user) -> str:
    """The text of the screen the person is on: the latest message with buttons."""
    return next(m for m in reversed(user.messages()) if m.buttons).text


@WORLD_AND_LANG
async def test_register_with_mistakes_edit_and_save(user_factory, lang):
    user = user_factory(AIGERIM, language_code=lang)
    await open_menu(user, lang)
    await user.press(label(lang, "menu.register"))
    assert "/delete_me" in last_text(user)  # the consent text comes first
    await user.press(label(lang, "consent.agree"))
    assert label(lang, "common.step", step=1, total=14) in last_text(user)

    await user.send("9401 4000 0386")
    assert told(user, lang, "rule.bin.check_digit")
    await user.send("9401-4000-0385")

    await user.send_photo()
    assert told(user, lang, "input.text_expected")
    await user.send(NAME)
    assert label(lang, "common.step", step=3, total=14) in last_text(user)
    await user.press(label(lang, "common.skip"))
    await user.press(label(lang, "legal_form.public_foundation"))
    await user.press(label(lang, "region.north_kazakhstan"))
    await user.press(label(lang, "common.done"))
    assert user.last_callback_answer.text == texts(lang)("rule.choice.none_chosen")
    await user.press(label(lang, "area.health"))
    await user.press(label(lang, "area.education"))
    await user.press(label(lang, "common.done"))

    await user.send("x" * 1001)
    assert told(user, lang, "input.too_long", count=1001, limit=1000)
    await user.send("Біз балаларға көмектесеміз.")

    await user.send("12345")
    assert told(user, lang, "rule.phone.length")
    await user.share_contact(phone_number="77017654321")
    assert told(user, lang, "field.phone_received", phone="+77017654321")
    await user.send("info@ngo.kz")
    await user.send("ngo.kz")
    await user.send("1985")
    assert told(user, lang, "rule.organisation.founded_too_early", min=1991, max=2026) or told(
        user, lang, "rule.organisation.founded_too_early", min=1991, max=2027
    )
    await user.send("2012")
    await user.send("много" if lang == "ru" else "many")
    assert told(user, lang, "input.number.count.not_a_number")
    await user.send("²")
    assert told(user, lang, "input.number.count.not_a_number")
    await user.send("7 ₸")
    assert told(user, lang, "input.number.count.wrong_unit")
    await user.send("7 адам" if lang == "kk" else "7")
    await user.send("30")
    await user.press(label(lang, "common.no"))

    summary = last_text(user)
    for value in (NAME, "940140000385", "+77017654321", "https://ngo.kz", "2012"):
        assert value in summary
    assert label(lang, "region.north_kazakhstan") in summary

    await user.press(label(lang, "field.edit.name"))
    await user.send("Қамқор қоры")
    summary = last_text(user)
    assert "Қамқор қоры" in summary and "+77017654321" in summary

    await user.press(label(lang, "registration.save"))
    assert told(user, lang, "registration.saved", name="Қамқор қоры", bin=BIN_KAMKOR)
    card = last_text(user)
    assert "Қамқор қоры" in card and label(lang, "area.health") in card
    assert any(
        b.text == label(lang, "organisation.file")
        for row in user.last_message().buttons
        for b in row
    )

    await user.send("/org")
    assert "Қамқор қоры" in last_text(user)


@pytest.mark.parametrize(
    ("transport", "owner_lang", "lang"),
    [("webhook", "kk", "ru"), ("polling", "ru", "en"), ("webhook", "en", "kk")],
)
async def test_a_registered_bin_leads_to_a_join_request(user_factory, owner_lang, lang):
    owner = user_factory(AIGERIM, language_code=owner_lang)
    await register_organisation(owner, owner_lang, bin=BIN_DARYN, name="Дарын")

    user = user_factory(BOLAT, language_code=lang, first_name="Bolat")
    await open_menu(user, lang)
    await user.press(label(lang, "menu.register"))
    await agree_if_asked(user, lang)
    await user.send(BIN_DARYN)
    assert plain(lang, "registration.bin_taken", name="Дарын") in last_text(user)
    await user.press(label(lang, "registration.send_join_request"))
    assert told(user, lang, "registration.join_request_sent", organisation="Дарын")

    notice = owner.last_message()
    assert notice.text == plain(
        owner_lang, "staff.join_request_notice", person="Bolat", organisation="Дарын"
    )
    buttons = [b for row in notice.buttons for b in row]
    assert [b.text for b in buttons] == [
        label(owner_lang, "staff.approve"),
        label(owner_lang, "staff.decline"),
    ]
    decision = JoinDecision.unpack(buttons[0].callback_data)
    assert decision.approve is True

    # Asking twice is explained, not duplicated.
    await user.send("/menu")
    await user.press(label(lang, "menu.register"))
    await user.send(BIN_DARYN)
    await user.press(label(lang, "registration.send_join_request"))
    assert user.last_callback_answer.text == texts(lang)("registration.request_already_sent")


@WORLD_AND_LANG
async def test_registration_survives_a_restart(world, user_factory, lang):
    user = user_factory(AIGERIM, language_code=lang)
    await open_menu(user, lang)
    await user.press(label(lang, "menu.register"))
    await agree_if_asked(user, lang)
    await user.send(BIN_KAMKOR)
    await user.send(NAME)
    await user.press(label(lang, "common.skip"))
    await user.press(label(lang, "legal_form.private_institution"))

    await world.restart_bot()

    await user.press(label(lang, "region.shymkent"))
    await user.press(label(lang, "common.back"))
    await user.press(label(lang, "common.back"))
    await user.press(label(lang, "common.back"))
    assert label(lang, "common.step", step=3, total=14) in last_text(user)
    await user.press(label(lang, "common.skip"))
    await user.press(label(lang, "legal_form.private_institution"))
    await user.press(label(lang, "region.shymkent"))
    await user.press(label(lang, "area.culture"))
    await user.press(label(lang, "common.done"))
    await user.send("Театр үйірмесі.")
    await user.send("8 (701) 000-11-22")
    await user.send("hello@teatr.kz")
    await user.press(label(lang, "common.skip"))
    await user.send("2019")
    await user.send("0")
    await user.send("12")
    await user.press(label(lang, "common.yes"))

    summary = last_text(user)
    for value in (
        NAME,
        BIN_KAMKOR,
        "+77010001122",
        label(lang, "region.shymkent"),
        label(lang, "legal_form.private_institution"),
    ):
        assert value in summary
    await user.press(label(lang, "registration.save"))
    assert NAME in last_text(user)


async def test_journey_helper_registers_quickly(user_factory):
    user = user_factory(AIGERIM, language_code="en")
    await register_organisation(user, "en", name="Daryn")
    assert "Daryn" in last_text(user)


async def test_a_right_to_left_override_in_a_telegram_name_cannot_disguise_a_join_request(
    user_factory,
):
    """ "Support" + U+202E + "etis.zk-knab" would show as "Supportbank-kz.site" in the
    owner's notice; the override is dropped when the name is kept."""
    owner = user_factory(AIGERIM, language_code="ru")
    await register_organisation(owner, "ru", bin=BIN_DARYN, name="Дарын")

    user = user_factory(BOLAT, language_code="ru", first_name="Support\u202eetis.zk-knab")
    await open_menu(user, "ru")
    await user.press(label("ru", "menu.register"))
    await agree_if_asked(user, "ru")
    await user.send(BIN_DARYN)
    await user.press(label("ru", "registration.send_join_request"))

    notice = owner.last_message().text
    assert "\u202e" not in notice
    assert notice == plain(
        "ru", "staff.join_request_notice", person="Supportetis.zk-knab", organisation="Дарын"
    )
