"""The operator composes a broadcast to one region, previews it, confirms it, pauses,
resumes and cancels; the NGO in that region gets it in its language, the other not."""

from __future__ import annotations

from functools import partial

import pytest

from bot.broadcast_progress import edit_progress
from scheduler.jobs import update_broadcasts
from storage.models import Role
from tests import seeding
from tests.e2e.journeys import label, outbox, outbox_by_hand, texts
from tests.seeding import NOW, in_database, staff

OPERATOR, ALMATY_NGO, ASTANA_NGO = 780001, 780002, 780003
RU, KK = "Форум НКО 1 июня <b>не жирный</b>", "ҮЕҰ форумы 1 маусымда"


@pytest.fixture
def settings(settings):
    return outbox_by_hand(settings)


@pytest.fixture
async def seeded(world):
    world.clock.set(NOW)

    async def seed(store):
        await staff(store, OPERATOR, Role.OPERATOR, "Operator", locale="en")
        await seeding.organisation(
            store, ALMATY_NGO, NOW, bin_="940140000385", name="Qamqor", region="almaty",
            owner_locale="kk",
        )  # fmt: skip
        await seeding.organisation(
            store, ASTANA_NGO, NOW, bin_="990140004654", name="Daryn", region="astana",
            owner_locale="ru",
        )  # fmt: skip

    await in_database(world.settings.database_url, seed)


async def compose(operator, region: str) -> None:
    await operator.send("/broadcast")
    assert "Russian" in operator.last_message().text
    await operator.send(RU)
    assert "Kazakh" in operator.last_message().text
    await operator.send(KK)
    await operator.press(label("en", "common.skip"))  # no English: falls back to Russian
    await operator.send_sticker()
    assert any("is expected" in m.text for m in operator.messages()[-2:])
    await operator.press(label("en", "common.skip"))
    await operator.press(label("en", "broadcast.segment.region"))
    await operator.press(label("en", "common.done"))
    assert operator.last_callback_answer.text == label("en", "broadcast.choose_one")
    await operator.press(label("en", f"region.{region}"))
    await operator.press("✅ " + label("en", f"region.{region}"))  # ticked: pressing it again
    await operator.press(label("en", f"region.{region}"))
    await operator.press(label("en", "common.done"))


def preview_for(locale: str) -> str:
    return texts("en")(f"broadcast.preview_for.{locale}")


def got(user, text: str) -> bool:
    return any(m.text == text for m in user.messages())


@pytest.mark.both_modes
async def test_a_regional_broadcast_reaches_that_region_in_its_language(
    world, seeded, user_factory
):
    operator = user_factory(OPERATOR, "en")
    almaty = user_factory(ALMATY_NGO, "kk")
    astana = user_factory(ASTANA_NGO, "ru")
    for user in (operator, almaty, astana):
        await user.send("/start")

    await compose(operator, "almaty")
    shown = [m.text for m in operator.messages()[-3:]]
    # The operator reads English; there is no English text, so English readers get Russian.
    assert shown[0] == f"{preview_for('en')}\n{texts('en')('broadcast.preview_fallback')}"
    assert shown[1] == RU
    assert "Recipients: 1" in shown[2]
    assert "Almaty" in shown[2]

    await operator.press(label("en", "broadcast.send"))
    progress = operator.last_message()
    assert "Broadcast #" in progress.text and "Remaining: 1" in progress.text

    # A forged press by someone without the role changes nothing.
    pause_data = progress.buttons[0][0].callback_data
    await astana.press_data(pause_data)
    assert astana.last_callback_answer.text == texts("ru")("console.forbidden")
    assert "running" in progress_text(operator)

    async with outbox(world) as engine:
        await operator.press(label("en", "broadcast.pause"))
        assert "paused" in operator.last_message().text
        assert (await engine.drain_once()).claimed == 0
        assert not got(almaty, KK)

        await operator.press(label("en", "broadcast.resume"))
        assert (await engine.drain_once()).sent == 1
        await update_broadcasts(engine, partial(edit_progress, engine.bot))
        await world.emulator.wait_idle()

    assert got(almaty, KK)
    assert not got(astana, RU) and not got(astana, KK)
    report = progress_text(operator)
    assert "is over: done" in report and "Sent: 1 / 1" in report


def progress_text(operator) -> str:
    return next(m.text for m in reversed(operator.messages()) if "Broadcast #" in (m.text or ""))


async def test_a_cancelled_broadcast_sends_nothing(world, seeded, user_factory):
    operator = user_factory(OPERATOR, "en")
    astana = user_factory(ASTANA_NGO, "ru")
    for user in (operator, astana):
        await user.send("/start")

    await compose(operator, "astana")
    await operator.press(label("en", "broadcast.send"))
    await operator.press(label("en", "broadcast.cancel"))
    assert "is over: cancelled" in progress_text(operator)
    async with outbox(world) as engine:
        assert (await engine.drain_once()).claimed == 0
    assert not got(astana, RU)


async def test_the_operator_previews_each_language_before_sending(world, seeded, user_factory):
    operator = user_factory(OPERATOR, "en")
    almaty = user_factory(ALMATY_NGO, "kk")
    for user in (operator, almaty):
        await user.send("/start")
    await compose(operator, "almaty")

    for locale, text in (("kk", KK), ("ru", RU), ("en", RU)):
        await operator.press(label("en", f"broadcast.preview.{locale}"))
        heading, preview, confirm = (m.text for m in operator.messages()[-3:])
        assert heading.split("\n")[0] == preview_for(locale)
        fallback = texts("en")("broadcast.preview_fallback") in heading
        assert fallback == (locale == "en"), locale
        assert preview == text, locale
        assert "Recipients: 1" in confirm  # the confirm step is below, ready to send

    # Previews go to the operator alone: nobody else got anything yet.
    assert not got(almaty, KK)
    await operator.press(label("en", "broadcast.send"))
    assert "Broadcast #" in operator.last_message().text
