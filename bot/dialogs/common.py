"""Widgets shared by the dialogs: translated text and button labels."""

from __future__ import annotations

from typing import Any

from aiogram_dialog.api.protocols import DialogManager
from aiogram_dialog.widgets.common import WhenCondition
from aiogram_dialog.widgets.text import Text

from bot.i18n import Texts


def texts_of(manager: DialogManager) -> Texts:
    return manager.middleware_data["t"]


class Tr(Text):
    """A message text from the catalog; getter values are HTML-escaped."""

    def __init__(self, key: str, when: WhenCondition = None, **params: Any) -> None:
        super().__init__(when=when)
        self.key = key
        self.params = params

    async def _render_text(self, data: dict, manager: DialogManager) -> str:
        return texts_of(manager)(self.key, **{**data, **self.params})


class Label(Tr):
    """A button label from the catalog: plain text, nothing escaped."""

    async def _render_text(self, data: dict, manager: DialogManager) -> str:
        return texts_of(manager).label(self.key, **{**data, **self.params})
