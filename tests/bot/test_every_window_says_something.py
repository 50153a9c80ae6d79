"""Every window of every dialog has a text, whoever reaches it.

Telegram refuses an empty message ("400 message text is empty"), and a person
whose window is refused is stuck with an apology. A window reached by someone
it was not meant for (a stale button, a forged callback) or with nothing to
show gets getter data with every flag off; rendered so, in each language, no
window may come out empty.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from aiogram.fsm.state import State
from aiogram_dialog import Dialog

from bot.app import private_chat_router
from core.i18n import Translator

TRANSLATOR = Translator()


@dataclass
class _Context:
    state: State


class NobodysManager:
    """What a window's text may ask of the manager: the translator, the state, empty data."""

    def __init__(self, locale: str, state: State) -> None:
        self.middleware_data: dict[str, Any] = {"t": TRANSLATOR.for_locale(locale)}
        self.dialog_data: dict[str, Any] = {}
        self.start_data: dict[str, Any] = {}
        self._state = state

    def current_context(self) -> _Context:
        return _Context(self._state)

    def is_preview(self) -> bool:
        return False


def dialogs(router) -> list[Dialog]:
    found = [router] if isinstance(router, Dialog) else []
    for sub in router.sub_routers:
        found += dialogs(sub)
    return found


WINDOWS = [
    (state, window)
    for dialog in dialogs(private_chat_router())
    for state, window in dialog.windows.items()
]


def test_the_walk_finds_every_dialog():
    assert len(WINDOWS) > 80
    assert any(state.state == "Staff:invites" for state, _window in WINDOWS)


@pytest.mark.parametrize("locale", ["kk", "ru", "en"])
async def test_no_window_is_empty_for_someone_it_has_nothing_for(locale):
    empty = []
    for state, window in WINDOWS:
        try:
            text = await window.text.render_text({}, NobodysManager(locale, state))
        except KeyError:
            continue  # a Format of a value its getter always gives: it renders that
        if not text.strip():
            empty.append(state.state)
    assert empty == []
