"""End-to-end harness: the local Bot API emulator and the real bot, over real HTTP.

Every journey runs twice, once with the bot long-polling and once behind a
webhook that the emulator delivers to. A journey fails when the bot sent a
request Telegram refuses as a bug (`LocalWorld.mistakes`): a callback query
answered twice, a screen too long or empty.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

from bot.local_world import LocalWorld
from emulator import SimulatedUser

MODES = ("polling", "webhook")


@pytest.fixture(params=MODES)
async def world(request, settings) -> AsyncIterator[LocalWorld]:
    world = LocalWorld(settings, webhook=request.param == "webhook")
    await world.start()
    try:
        yield world
    finally:
        await world.stop()
    assert not world.mistakes(), "Telegram would refuse these requests:\n" + "\n".join(
        world.mistakes()
    )


@pytest.fixture
def user_factory(world: LocalWorld) -> Callable[..., SimulatedUser]:
    def make(user_id: int, language_code: str = "ru", first_name: str = "Aigerim") -> SimulatedUser:
        return world.emulator.user(
            user_id=user_id, first_name=first_name, language_code=language_code
        )

    return make
