"""Random sequences of updates from several people: nothing escapes, replies stay bounded.

Hypothesis draws the sequences (seeded by derandomize=True, so CI sees the
same ones every run); each example is a fresh bot and database.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import shutil

from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from bot.local_world import LocalWorld
from emulator import ButtonNotFound

PEOPLE = ((790001, "ru"), (790002, "kk"), (790003, "en"))
REPLY_METHODS = ("sendMessage", "editMessageText", "sendDocument", "sendPhoto")
MAX_REPLIES_PER_UPDATE = 6
_numbers = itertools.count(1)

actions = st.tuples(
    st.integers(0, len(PEOPLE) - 1),
    st.one_of(
        st.sampled_from(["/start", "/menu", "/help", "/cancel", "/delete_me", "/language"]),
        st.tuples(st.just("press"), st.integers(0, 20)),
        st.tuples(st.just("data"), st.text(max_size=80)),
        st.tuples(st.just("text"), st.text(min_size=1, max_size=60)),
        st.just("photo"),
        st.just("edit"),
    ),
)


async def _play(base_settings, database: str, sequence) -> list[int]:
    world = LocalWorld(base_settings.model_copy(update={"database_url": database}))
    await world.start()
    replies = []
    try:
        users = [world.emulator.user(uid, language_code=lang) for uid, lang in PEOPLE]
        for who, action in sequence:
            user = users[who]
            before = sum(1 for c in world.emulator.calls if c.method in REPLY_METHODS)
            if isinstance(action, str) and action.startswith("/"):
                await user.send(action)
            elif action == "photo":
                await user.send_photo()
            elif action == "edit":
                try:
                    await user.edit_last("edited")
                except LookupError:
                    continue
            elif action[0] == "press":
                buttons = [b for m in user.messages()[-1:] for row in m.buttons for b in row]
                if not buttons:
                    continue
                try:
                    await user.press(buttons[action[1] % len(buttons)].text)
                except ButtonNotFound:
                    continue
            elif action[0] == "data":
                try:
                    await user.press_data(action[1])
                except LookupError:
                    continue
            else:
                await user.send(action[1])
            after = sum(1 for c in world.emulator.calls if c.method in REPLY_METHODS)
            replies.append(after - before)
    finally:
        await world.stop()
    return replies


def test_random_update_sequences_keep_the_invariants(
    settings, migrated_template, tmp_path, caplog, figures
):
    caplog.set_level(logging.WARNING)
    seen = {"examples": 0, "updates": 0, "max_replies": 0}

    @hypothesis_settings(
        max_examples=8,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(st.lists(actions, min_size=10, max_size=30))
    def check(sequence):
        path = tmp_path / f"random-{next(_numbers)}.db"
        shutil.copyfile(migrated_template, path)
        replies = asyncio.run(_play(settings, f"sqlite+aiosqlite:///{path}", sequence))
        errors = [
            f"{r.name}: {r.getMessage()}"
            for r in caplog.records
            if r.levelno >= logging.ERROR and not r.name.startswith("sqlalchemy.pool")
        ]
        assert errors == []
        assert all(n <= MAX_REPLIES_PER_UPDATE for n in replies), replies
        seen["examples"] += 1
        seen["updates"] += len(replies)
        seen["max_replies"] = max([seen["max_replies"], *replies])

    check()
    figures("random_updates", **seen, people=len(PEOPLE), unhandled_errors=0)
