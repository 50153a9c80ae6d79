"""Raw updates for tests that send the bot what aiogram cannot read.

`push_and_wait` is the one step a fuzz test needs: it pushes any update to the
running bot and returns once the emulator saw it acknowledged (handled, or set
aside as a dead letter), telling which. Shapes below are the two from issue 14.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from bot.local_world import LocalWorld
from storage.engine import create_engine
from storage.models import DeadLetter

DATE = 1795000000


def text_update(user_id: int, text: str, *, language_code: str = "en", message_id: int = 1):
    """A private-chat text message, in the shape Telegram sends it (no update_id)."""
    update: dict[str, Any] = {
        "message": {
            "message_id": message_id,
            "date": DATE,
            "chat": {"id": user_id, "type": "private", "first_name": "Aigerim"},
            "from": {
                "id": user_id,
                "is_bot": False,
                "first_name": "Aigerim",
                "username": "aigerim_kz",
                "language_code": language_code,
            },
            "text": text,
        }
    }
    if text.startswith("/"):
        command = text.split()[0]
        update["message"]["entities"] = [
            {"type": "bot_command", "offset": 0, "length": len(command)}
        ]
    return update


def forwarded_from_hidden_user_without_name(user_id: int, *, language_code: str = "kk") -> dict:
    """forward_origin of type hidden_user lacking its required sender_user_name."""
    update = text_update(user_id, "Сәлем, маған көмектесіңізші", language_code=language_code)
    update["message"]["forward_origin"] = {"type": "hidden_user", "date": DATE}
    return update


def replying_to_an_empty_story(user_id: int, *, language_code: str = "kk") -> dict:
    """external_reply.story as an empty object: Story needs chat and id."""
    update = text_update(user_id, "Телефоным +7 701 555 12 34", language_code=language_code)
    update["message"]["external_reply"] = {
        "origin": {
            "type": "user",
            "date": DATE,
            "sender_user": {"id": 42, "is_bot": False, "first_name": "Dana"},
        },
        "story": {},
    }
    return update


POISON_SHAPES = {
    "hidden_user_without_sender_user_name": forwarded_from_hidden_user_without_name,
    "external_reply_with_empty_story": replying_to_an_empty_story,
}


@dataclass(frozen=True)
class Acknowledged:
    update_id: int
    dead_letter: DeadLetter | None

    @property
    def handled(self) -> bool:
        return self.dead_letter is None


async def dead_letter_of(world: LocalWorld, update_id: int) -> DeadLetter | None:
    engine = create_engine(world.settings.database_url)
    try:
        async with engine.connect() as connection:
            row = (
                await connection.execute(
                    select(DeadLetter.__table__).where(DeadLetter.update_id == update_id)
                )
            ).first()
    finally:
        await engine.dispose()
    return None if row is None else DeadLetter(**row._asdict())


async def push_and_wait(
    world: LocalWorld, update: dict[str, Any], timeout: float = 10.0
) -> Acknowledged:
    """Push one raw update (any shape) and wait until the bot acknowledged it: its
    offset passed it, or its webhook answered 2xx. Raises TimeoutError if the bot
    never does, which is the failure a fuzz test looks for."""
    assert world.emulator is not None
    pushed = world.emulator.push_raw_updates([copy.deepcopy(update)])[0]
    await world.emulator.settle(world.emulator.bot, [pushed["update_id"]], timeout=timeout)
    return Acknowledged(pushed["update_id"], await dead_letter_of(world, pushed["update_id"]))
