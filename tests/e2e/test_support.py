"""An NGO asks the operator; an operator answers by replying in the operators' group."""

from __future__ import annotations

import pytest

from storage.models import Role
from tests.e2e.journeys import label, open_menu, texts
from tests.e2e.test_filing import seed_organisation
from tests.seeding import in_database, staff

OPERATOR_CHAT = -1001234567890
ASKER, OPERATOR = 850001, 700101


@pytest.fixture
def settings(settings):
    return settings.model_copy(update={"operator_chat_id": OPERATOR_CHAT})


async def reply_in_group(user, group, to_message, text: str) -> None:
    """The emulator's users cannot reply yet: write the reply update by hand."""
    raw = user._new_message(group.state, {"text": text, "reply_to_message": to_message.raw})
    await user._push({"message": raw}, wait=True, timeout=None)


@pytest.mark.both_modes
async def test_a_question_and_its_answer_make_a_round_trip(world, user_factory):
    asker = user_factory(ASKER, language_code="kk")
    operator = user_factory(OPERATOR, language_code="ru")
    group = world.emulator.group(chat_id=OPERATOR_CHAT, title="Operators")
    await open_menu(asker, "kk")
    await seed_organisation(world, "«Қамқор» <ҚБ>", owner_telegram_id=ASKER)
    await in_database(world.settings.database_url,
                      lambda store: staff(store, OPERATOR, Role.OPERATOR, "Operator"))  # fmt: skip

    await asker.send("/menu")
    await asker.press(label("kk", "menu.support"))
    await asker.press(label("kk", "support.ask"))
    await asker.send_photo(content=b"\x89PNG\r\n\x1a\nfake")
    assert texts("kk")("input.text_expected") in asker.messages()[-2].text
    await asker.send("Грант өтінімін <b>қашан</b> беруге болады?")
    assert texts("kk")("support.sent") in asker.last_message().text

    relayed = [m for m in group.messages() if m.from_bot][-1]
    assert "«Қамқор» <ҚБ>" in relayed.text and "<b>қашан</b>" in relayed.text

    # Operators chatting among themselves get no "private chats only" replies.
    await operator.send("Кто возьмёт?", chat=group)
    assert [m for m in group.messages() if m.from_bot][-1].message_id == relayed.message_id

    await reply_in_group(operator, group, relayed, "С 1 марта, в разделе «Темы».")
    assert (
        texts("ru")("support.answer_sent") in [m for m in group.messages() if m.from_bot][-1].text
    )
    answer = asker.last_message().text
    assert "С 1 марта" in answer and "Оператордың жауабы" in answer

    await asker.send("/ask")
    inbox = asker.last_message().text
    assert "қашан" in inbox and "С 1 марта" in inbox
