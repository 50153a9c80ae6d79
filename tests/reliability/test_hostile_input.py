"""Odd and hostile input: old buttons, forged callbacks, groups, channels, media, injection.

Every case must end without an unhandled error, without a 400 from Telegram's
entity parser (the emulator parses every HTML message like Telegram does), and
with the user's own text shown literally.
"""

from __future__ import annotations

import logging

from tests.e2e.journeys import (
    BIN_DARYN,
    open_menu,
    register_organisation,
    texts,
)

OWNER = 760001
STRANGER = 760002
CHANNEL = -1007600000001
GROUP = -7600001


def problems(world, caplog) -> list[str]:
    """Unhandled errors, apologies and entity-parse refusals seen so far."""
    found = [
        f"{r.name}: {r.getMessage()}"
        for r in caplog.records
        # Garbage-collected pool connections are reported apart (docs/RELIABILITY.md).
        if r.levelno >= logging.ERROR and not r.name.startswith("sqlalchemy.pool")
    ]
    found += [
        f"{c.method}: {c.error}"
        for c in world.emulator.calls
        if c.status == 400 and "parse entities" in str(c.error)
    ]
    return found


def apologies(user, lang: str) -> int:
    generic = texts(lang)("errors.generic")
    return sum(1 for m in user.messages() if m.text == generic)


async def test_old_buttons_and_forged_callbacks_get_a_polite_answer(polling_world, caplog, figures):
    world = polling_world
    owner = world.emulator.user(OWNER, language_code="en")
    await open_menu(owner, "en")
    menu = next(m for m in reversed(owner.messages()) if m.buttons)
    old_data = [b.callback_data for row in menu.buttons for b in row if b.callback_data]
    await register_organisation(owner, "en")
    # A button on a message the dialog has moved on from.
    before = len(owner.messages())
    for data in old_data:
        await owner.press_data(data)
    assert owner.messages()[before:] or owner.last_callback_answer is not None
    forged = [
        "jr:999999:1",  # a join request that does not exist
        "jr:1:1",  # a join request of another organisation (or none)
        "jr:abc:zz",  # malformed fields
        "exp:organisations:xlsx",  # an export without the operator role
        "pv:erase",
        "pv:successor:1:999",  # a successor who is not on the staff
        "lv:yes:1:0",  # leaving an organisation without naming a successor
        "lv:pick:1:999",
        "lv:yes:zz",
        "rv:1:1",  # reviving an organisation without the operator role
        "rv:abc:1",
        "lang:xx",
        "\x00\x1d\x1d",
        "0123456789abcdef\x1dwidget:1",  # an aiogram-dialog intent that never existed
        "x" * 65,  # over Telegram's 64 bytes
        "é" * 40,  # 80 bytes of UTF-8
        "y" * 10_000,
        "",
    ]
    stranger = world.emulator.user(STRANGER, language_code="kk")
    await open_menu(stranger, "kk")
    for data in forged:
        await stranger.press_data(data)
        await owner.press_data(data)
    assert problems(world, caplog) == []
    assert apologies(owner, "en") == 0 and apologies(stranger, "kk") == 0
    # Nothing forged made the stranger a member, nor gave them an export.
    assert not any(m.document for m in stranger.messages())
    figures(
        "hostile_callbacks",
        forged_callbacks=2 * len(forged),
        old_buttons=len(old_data),
        unhandled_errors=0,
    )


async def test_injection_and_odd_text_is_shown_literally(polling_world, caplog, figures):
    world = polling_world
    owner = world.emulator.user(OWNER, language_code="ru")
    name = "<b>x</b><script>alert(1)</script> &amp; </i> *bold* _it_ [a](http://e.kz)"
    await register_organisation(owner, "ru", bin=BIN_DARYN, name=name)
    shown = [m.text for m in owner.messages() if m.text and name in m.text]
    assert shown, "the organisation name is shown literally"
    odd = [
        "x" * 4096,
        "a\u200b\u200c\u200d\u2060b",  # zero-width characters
        "\u202eالعربية\u202c עברית",  # right-to-left with an override
        "👨‍👩‍👧‍👦🇰🇿" * 50,
        "</b></i></code><a href='javascript:alert(1)'>",
        "&lt;&#x3c;&#60;&",
    ]
    for text in odd:
        await owner.send(text)
    await owner.edit_last("edited <b>text</b>")
    await owner.send_photo(caption="<i>caption</i>")
    await owner.send_sticker()
    await owner.send_document(file_name="<x>.pdf", caption="</b>")
    # Groups and channels: the bot must stay quiet and unhurt.
    group = world.emulator.group(GROUP, title="<b>NGO</b> chat")
    await owner.send("/start", chat=group)
    await owner.send("<b>hi</b>", chat=group)
    await world.emulator.send_update(
        {
            "channel_post": {
                "message_id": 1,
                "date": 1795000000,
                "chat": {"id": CHANNEL, "type": "channel", "title": "News"},
                "text": "/start",
            }
        }
    )
    await world.emulator.send_update(
        {
            "edited_channel_post": {
                "message_id": 1,
                "date": 1795000000,
                "edit_date": 1795000001,
                "chat": {"id": CHANNEL, "type": "channel", "title": "News"},
                "text": "<i>",
            }
        }
    )
    assert problems(world, caplog) == []
    assert apologies(owner, "ru") == 0
    assert world.emulator.chat_messages(CHANNEL) == [] or all(
        not m.from_bot for m in world.emulator.chat_messages(CHANNEL)
    )
    # The bot still answers afterwards.
    await owner.send("/start")
    assert owner.last_message().buttons
    bot_messages = [
        c for c in world.emulator.calls if c.method in ("sendMessage", "editMessageText")
    ]
    figures(
        "hostile_text",
        injection_fields=1,
        odd_texts=len(odd),
        media_where_text_expected=3,
        group_and_channel_updates=4,
        bot_messages_parsed=len(bot_messages),
        entity_parse_refusals=0,
        unhandled_errors=0,
    )
