"""One update aiogram cannot read stops nobody else (issue 14).

Telegram has sent shapes aiogram's models reject. Read as one batch, such an
update failed the whole getUpdates answer: the offset never moved and nobody was
answered again, even after a restart; behind a webhook it got a 500 on every
retry. Now it is a dead letter: kept redacted, counted, logged once, answered.
"""

from __future__ import annotations

import json
import logging

import aiohttp
import pytest

from bot.local_world import LocalWorld
from bot.metrics import METRICS
from tests.e2e.journeys import open_menu, texts
from tests.e2e.raw_updates import POISON_SHAPES, dead_letter_of, push_and_wait, text_update

AIGERIM, POISONED, DANA = 740001, 740002, 740003
PERSONAL = ("Aigerim", "aigerim_kz", "Dana", "Сәлем", "+7 701 555 12 34", "Телефон")

# Both transports: the batch breaks in polling, the retries in the webhook.
pytestmark = [pytest.mark.both_modes, pytest.mark.parametrize("shape", sorted(POISON_SHAPES))]


def sent_to(world, chat_id: int) -> list[str]:
    return [
        call.params["text"]
        for call in world.emulator.calls_of("sendMessage")
        if call.ok and int(call.params.get("chat_id")) == chat_id
    ]


def dead_letter_warnings(caplog) -> list[logging.LogRecord]:
    return [
        record
        for record in caplog.records
        if record.name == "bot.dead_letters" and record.levelno == logging.WARNING
    ]


async def send_batch(world, shape: str) -> list[dict]:
    """Good, poison, good: queued together, so polling gets them in one answer."""
    for person, language in ((AIGERIM, "en"), (POISONED, "kk"), (DANA, "ru")):
        world.emulator.user(person, first_name="Aigerim", language_code=language)
    batch = world.emulator.push_raw_updates(
        [
            text_update(AIGERIM, "/start"),
            POISON_SHAPES[shape](POISONED, language_code="kk"),
            text_update(DANA, "/start", language_code="ru"),
        ]
    )
    await world.emulator.settle(world.emulator.bot, [update["update_id"] for update in batch])
    return batch


async def test_the_neighbours_of_a_poison_update_are_answered(world, shape, caplog):
    caplog.set_level(logging.INFO)
    counted = METRICS.dead_letters.value(type="message")
    _, poison, _ = await send_batch(world, shape)

    assert sent_to(world, AIGERIM) and sent_to(world, DANA)
    assert sent_to(world, POISONED) == [texts("kk")("dead_letters.send_again")]
    assert METRICS.dead_letters.value(type="message") == counted + 1
    warnings = dead_letter_warnings(caplog)
    assert len(warnings) == 1 and warnings[0].update_id == poison["update_id"]
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]
    logged = " ".join(f"{record.getMessage()} {record.__dict__}" for record in caplog.records)
    assert not [word for word in PERSONAL if word in logged]


async def test_the_language_a_person_chose_beats_telegrams(world, shape):
    person = world.emulator.user(POISONED, first_name="Aigerim", language_code="kk")
    await open_menu(person, "en")
    await push_and_wait(world, POISON_SHAPES[shape](POISONED, language_code="kk"))
    assert sent_to(world, POISONED)[-1] == texts("en")("dead_letters.send_again")


async def test_the_poison_update_is_acknowledged_at_once(world, shape):
    _, poison, _ = await send_batch(world, shape)
    poison_id = poison["update_id"]
    if world.webhook:
        answers = [d.status for d in world.emulator.deliveries if d.update_id == poison_id]
        assert answers == [200]
        return
    # The poll after the batch is recorded once answered: one more update answers it.
    await push_and_wait(world, text_update(DANA, "/help", language_code="ru", message_id=2))
    polls = world.emulator.calls_of("getUpdates")
    assert sum(poison in (poll.result or []) for poll in polls) == 1
    returned = next(
        i
        for i, poll in enumerate(polls)
        if any(update["update_id"] == poison_id for update in poll.result or [])
    )
    assert int(polls[returned + 1].params["offset"]) > poison_id


async def test_the_dead_letter_keeps_the_shape_and_no_personal_text(world, shape):
    _, poison, _ = await send_batch(world, shape)
    letter = await dead_letter_of(world, poison["update_id"])
    assert letter is not None
    assert letter.kind == "message"
    assert ("sender_user_name" if "hidden" in shape else "story") in letter.error
    payload = json.loads(letter.payload)
    assert payload["message"]["chat"] == {
        "id": POISONED,
        "type": "private",
        "first_name": "<redacted>",
    }
    assert payload["message"]["from"]["language_code"] == "kk"
    assert not [word for word in PERSONAL if word in letter.payload + letter.error]


async def test_a_restart_or_a_second_copy_does_not_bring_it_back(world, shape, caplog):
    _, poison, _ = await send_batch(world, shape)
    calls_before_restart = len(world.emulator.calls)
    await world.restart_bot()
    await world.emulator.wait_idle()
    since_restart = world.emulator.calls[calls_before_restart:]
    fetched = [u for c in since_restart if c.method == "getUpdates" for u in c.result or []]
    assert all(update["update_id"] != poison["update_id"] for update in fetched)
    # Telegram may send it again (a crash before the offset was confirmed).
    copy = await push_and_wait(world, poison)
    assert copy.dead_letter is not None
    await world.emulator.wait_idle()
    assert len(sent_to(world, POISONED)) == 1
    assert len(dead_letter_warnings(caplog)) == 1


async def test_metrics_show_the_dead_letter(world, shape):
    if not world.webhook:
        pytest.skip("/metrics is served beside the webhook")
    await send_batch(world, shape)
    url = f"http://{world.settings.webhook_listen}/metrics"
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        exposition = await response.text()
    assert 'ngo_bot_dead_letters_total{type="message"}' in exposition


@pytest.mark.parametrize("webhook", [False, True], ids=["polling", "webhook"])
async def test_updates_handled_as_tasks_are_read_one_by_one_too(settings, webhook, shape):
    """As in production: polling hands each update to a task, the webhook answers
    before handling (the other tests handle one update at a time, to know when)."""
    world = LocalWorld(settings.model_copy(update={"concurrent_updates": True}), webhook=webhook)
    await world.start()
    try:
        await send_batch(world, shape)
        # Handled in tasks, a reply may follow a pause in the bot's requests.
        await world.emulator.wait_idle(quiet=1.0)
        assert sent_to(world, AIGERIM) and sent_to(world, DANA)
        assert sent_to(world, POISONED) == [texts("kk")("dead_letters.send_again")]
    finally:
        await world.stop()
