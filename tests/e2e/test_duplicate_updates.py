"""Telegram re-sends an update after a crash or a slow webhook: it is handled once."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.middlewares.deduplication import CLAIM_LEASE, CLAIM_POLL_SECONDS
from storage.engine import create_engine
from storage.models import ProcessedUpdate, UpdateStatus

AIGERIM = 730001


def _text_update(update_id: int, user_id: int, text: str, message_id: int) -> dict:
    return {
        "update_id": update_id,
        "message": {
            "message_id": message_id,
            "date": 1795000000,
            "chat": {"id": user_id, "type": "private", "first_name": "Aigerim"},
            "from": {
                "id": user_id,
                "is_bot": False,
                "first_name": "Aigerim",
                "language_code": "en",
            },
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(text)}],
        },
    }


@pytest.mark.both_modes
async def test_the_same_update_id_twice_is_answered_once(world, user_factory):
    user = user_factory(AIGERIM, language_code="en")
    await user.send("/start")
    await user.press("English")
    before = len(user.messages())
    update = _text_update(900_001, AIGERIM, "/help", message_id=9001)
    await world.emulator.send_update(update)
    await world.emulator.send_update(update)
    helps = [m for m in user.messages()[before:] if "What I can do" in (m.text or "")]
    assert len(helps) == 1


@pytest.mark.both_modes
async def test_an_abandoned_claim_is_taken_over(world, user_factory):
    """A claim left "processing" by a process that died is handled after its lease."""
    user = user_factory(AIGERIM, language_code="en")
    await user.send("/start")
    await user.press("English")
    engine = create_engine(world.settings.database_url)
    try:
        async with engine.begin() as connection:
            bot_id = int(world.emulator.config.token.split(":")[0])
            await connection.execute(
                ProcessedUpdate.__table__.insert().values(
                    bot_id=bot_id,
                    update_id=900_002,
                    status=UpdateStatus.PROCESSING,
                    claimed_at=world.clock.now() - timedelta(minutes=10),
                )
            )
        before = len(user.messages())
        await world.emulator.send_update(_text_update(900_002, AIGERIM, "/help", message_id=9002))
        assert any("What I can do" in (m.text or "") for m in user.messages()[before:])
        async with engine.connect() as connection:
            status = await connection.scalar(
                select(ProcessedUpdate.status).where(ProcessedUpdate.update_id == 900_002)
            )
        assert status == UpdateStatus.DONE
    finally:
        await engine.dispose()


async def test_a_fresh_claim_of_a_crashed_poller_is_taken_over_at_once(world, user_factory):
    """Polling runs one process at a time: a claim of another process means that
    process died mid-update, and a restart must not wait for the lease to answer.
    Behind a webhook another instance may still be working on it: the copy waits,
    and takes the update over once the claim has gone unrenewed for the lease."""
    user = user_factory(AIGERIM, language_code="en")
    await user.send("/start")
    await user.press("English")
    engine = create_engine(world.settings.database_url)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                ProcessedUpdate.__table__.insert().values(
                    bot_id=int(world.emulator.config.token.split(":")[0]),
                    update_id=900_003,
                    status=UpdateStatus.PROCESSING,
                    claimed_by="a-dead-process",
                    claimed_at=world.clock.now(),
                )
            )
    finally:
        await engine.dispose()
    before = len(user.messages())
    update = _text_update(900_003, AIGERIM, "/help", message_id=9003)

    def answered() -> bool:
        return any("What I can do" in (m.text or "") for m in user.messages()[before:])

    if world.webhook:
        await world.emulator.send_update(update, wait=False)
        await asyncio.sleep(2 * CLAIM_POLL_SECONDS)
        assert not answered()
        world.clock.advance(CLAIM_LEASE)
        await world.emulator.wait_idle()
    else:
        await world.emulator.send_update(update)
    assert answered()
