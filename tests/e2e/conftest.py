"""End-to-end harness: the local Bot API emulator and the real bot, over real HTTP.

Journeys run with the bot long-polling. The few marked `both_modes` (the
parity journeys: first contact, a whole competition, a restart mid-dialog,
duplicate and abandoned updates, a notice to another person) run a second time
behind a webhook that the emulator delivers to, so the two transports are
compared on the same stories without starting every bot twice.
A journey fails when the bot sent a request Telegram refuses as a bug
(`LocalWorld.mistakes`): a callback query answered twice, a screen too long or empty.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

from bot.local_world import LocalWorld
from emulator import SimulatedUser

MODES = ("polling", "webhook")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    chosen = any(
        "transport" in marker.args[0] for marker in metafunc.definition.iter_markers("parametrize")
    )  # a journey that alternates the transports itself
    if "world" in metafunc.fixturenames and not chosen:
        both = metafunc.definition.get_closest_marker("both_modes") is not None
        metafunc.parametrize("transport", MODES if both else MODES[:1])


@pytest.fixture
async def world(transport: str, settings) -> AsyncIterator[LocalWorld]:
    world = LocalWorld(settings, webhook=transport == "webhook")
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
