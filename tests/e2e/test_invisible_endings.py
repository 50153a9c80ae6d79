"""Text ending in the invisible characters aiogram-dialog uses to carry a reply
keyboard button's data (soft hyphen, zero-width joiners, U+2060-U+2064, musical
formatting marks) is read as text: an organisation's name, a question, a line
typed at the menu get their usual reply, not the apology."""

from __future__ import annotations

import pytest
from aiogram_dialog.utils import REPLY_CALLBACK_SYMBOLS

from tests.e2e.journeys import BIN_KAMKOR, agree_if_asked, label, open_menu, texts
from tests.e2e.test_support import OPERATOR_CHAT

NAMI = 880001
SHY, WJ, ZWNJ, ZWJ = "\u00ad", "\u2060", "\u200c", "\u200d"
# Two or more of them at the end: aiogram-dialog decodes each pair as a byte.
ENDINGS = [
    "",
    SHY * 2,  # decodes to "w"
    ZWNJ + ZWJ + WJ,  # an odd count
    "\U0001d17a" * 2,  # byte 255, no UTF-8 at all
    "\u2064\u2061" + SHY * 2,  # two bytes
    REPLY_CALLBACK_SYMBOLS,  # all sixteen
]


@pytest.fixture
def settings(settings):
    return settings.model_copy(update={"operator_chat_id": OPERATOR_CHAT})


def apologised(user, lang: str) -> bool:
    return any(texts(lang)("errors.generic") in (m.text or "") for m in user.messages())


@pytest.mark.parametrize("world", ["polling"], indirect=True)
@pytest.mark.parametrize("ending", ENDINGS, ids=range(len(ENDINGS)))
async def test_plain_text_at_the_menu(user_factory, ending):
    user = user_factory(NAMI, language_code="en")
    await open_menu(user, "en")
    before = len(user.messages())
    await user.send("hello, what is this?" + ending)
    # The menu's answer to text it has no use for: the menu again, below it.
    reply = user.messages()[before:]
    assert reply and reply[-1].from_bot and "Main menu" in reply[-1].text
    assert not apologised(user, "en")


@pytest.mark.parametrize("world", ["polling"], indirect=True)
@pytest.mark.parametrize("ending", ENDINGS, ids=range(len(ENDINGS)))
async def test_an_organisation_name(user_factory, ending):
    user = user_factory(NAMI, language_code="ru")
    await open_menu(user, "ru")
    await user.press(label("ru", "menu.register"))
    await agree_if_asked(user, "ru")
    await user.send(BIN_KAMKOR)
    await user.send("Камкор" + ending)
    assert label("ru", "common.step", step=3, total=14) in user.last_message().text
    assert not apologised(user, "ru")


@pytest.mark.parametrize("world", ["polling"], indirect=True)
@pytest.mark.parametrize("ending", ENDINGS, ids=range(len(ENDINGS)))
async def test_a_question_to_the_operator(world, user_factory, ending):
    user = user_factory(NAMI, language_code="kk")
    world.emulator.group(chat_id=OPERATOR_CHAT, title="Operators")
    await open_menu(user, "kk")
    await user.send("/ask")
    await user.press(label("kk", "support.ask"))
    await user.send("Грант өтінімін қашан беруге болады?" + ending)
    assert texts("kk")("support.sent") in user.last_message().text
    assert not apologised(user, "kk")
