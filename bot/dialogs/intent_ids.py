"""Intent ids that do not collide.

aiogram-dialog 2 names every dialog it opens (an "intent") by the current
second plus one of 100 random numbers (`aiogram_dialog.api.entities.stack.
new_int_id`). Two dialogs opened in the same second, such as the registration
and the consent it opens at once, get the same id once in 100. The stack then
holds one id twice; closing the inner dialog deletes the context the outer one
still needs, and the person is thrown back to the main menu with their
answers gone ("Stack is broken ... resetting", then UnknownIntent).

This module keeps the same shape (the second, then a number above it, in the
same base-62 alphabet) but takes the number from a counter that starts at a
random point in each process. Within one process no two intents opened in the
same second share an id until 2**20 of them were opened in that second; two
processes collide only if their counters meet in the same second. The id grows
from 6 to 8 characters, which the callback data of every button can afford
(tests/locales and the emulator check the 64-byte limit).
"""

from __future__ import annotations

import itertools
import secrets
import time

from aiogram_dialog.api.entities import stack

SLOTS = 2**20
_SECOND_SPAN = 100_000_000  # aiogram-dialog keeps the second modulo this
_counter = itertools.count(secrets.randbelow(SLOTS))


def new_int_id() -> int:
    return int(time.time()) % _SECOND_SPAN + (next(_counter) % SLOTS) * _SECOND_SPAN


def new_id() -> str:
    return stack.id_to_str(new_int_id())


def install() -> None:
    """Make aiogram-dialog use these ids for every intent it opens (idempotent).

    `Stack.push` looks `new_id` up in its module at each call, so replacing the
    module's function is enough; stack ids (a private chat's is always "") keep
    aiogram-dialog's own default.
    """
    stack.new_id = new_id
