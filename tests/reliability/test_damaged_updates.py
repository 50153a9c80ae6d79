"""Damaged updates, drawn by hypothesis, at one running bot; invariants:

- every update is acknowledged (handled or set aside as a dead letter) within
  the emulator's settle time: none stops the bot;
- after each, a good /start from someone else is still answered.

A damage takes a private message, a button press or one of issue 14's shapes
and, at one place in its JSON, empties an object, drops a key, or puts a value
of the wrong type: the kind of update issue 14 found in the wild. One world serves every example (a
fresh one each would cost seconds), on its own event loop.
"""

from __future__ import annotations

import asyncio
import copy
from typing import Any

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from bot.local_world import LocalWorld
from tests.e2e.raw_updates import POISON_SHAPES, push_and_wait, text_update

SENDER, WITNESS = 760001, 760002
EXAMPLES = 25
WRONG_VALUES = [{}, [], None, "", 0, -1, True, "x" * 5000, {"type": "unknown"}]


def button_press(user_id: int) -> dict[str, Any]:
    message = text_update(user_id, "menu")["message"]
    message["from"] = {"id": 1, "is_bot": True, "first_name": "Bot"}
    return {
        "callback_query": {
            "id": "4242",
            "from": {"id": user_id, "is_bot": False, "first_name": "A", "language_code": "en"},
            "chat_instance": "77",
            "message": message,
            "data": "menu:main",
        }
    }


BASES = [
    text_update(SENDER, "/start"),
    button_press(SENDER),
    POISON_SHAPES["external_reply_with_empty_story"](SENDER),
]


def paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths(item, (*prefix, key))
    return found


def damaged(base: dict, where: tuple, change: int) -> dict:
    update = copy.deepcopy(base)
    parent = update
    for key in where[:-1]:
        parent = parent[key]
    if change == len(WRONG_VALUES):
        del parent[where[-1]]
    else:
        parent[where[-1]] = copy.deepcopy(WRONG_VALUES[change])
    return update


@st.composite
def damaged_updates(draw) -> dict:
    base = draw(st.sampled_from(BASES))
    where = draw(st.sampled_from(paths(base)))
    return damaged(base, where, draw(st.integers(0, len(WRONG_VALUES))))


def answers_to(world: LocalWorld, chat_id: int) -> int:
    return sum(
        1
        for call in world.emulator.calls
        if call.ok
        and call.method in ("sendMessage", "editMessageText")
        and str(call.params.get("chat_id")) == str(chat_id)
    )


@pytest.mark.parametrize("webhook", [False, True], ids=["polling", "webhook"])
def test_no_damaged_update_stops_the_bot(settings, webhook, figures):
    loop = asyncio.new_event_loop()
    world = LocalWorld(settings, webhook=webhook)
    loop.run_until_complete(world.start())
    witness = world.emulator.user(WITNESS, language_code="en")
    world.emulator.user(SENDER, language_code="en")
    outcomes = {"handled": 0, "dead_letter": 0}

    @hypothesis_settings(
        max_examples=EXAMPLES,
        derandomize=True,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(damaged_updates())
    def check(update: dict) -> None:
        acknowledged = loop.run_until_complete(push_and_wait(world, update))
        outcomes["handled" if acknowledged.handled else "dead_letter"] += 1
        before = answers_to(world, WITNESS)
        loop.run_until_complete(witness.send("/start"))
        assert answers_to(world, WITNESS) > before

    try:
        check()
    finally:
        loop.run_until_complete(world.stop())
        loop.close()
    figures(
        "damaged_updates",
        **{f"{'webhook' if webhook else 'polling'}_{k}": v for k, v in outcomes.items()},
    )
    assert outcomes["dead_letter"] > 0
