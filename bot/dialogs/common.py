"""Widgets and gestures shared by the dialogs: translated text, button labels, toasts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aiogram.types import CallbackQuery, InaccessibleMessage, Message
from aiogram_dialog.api.protocols import DialogManager
from aiogram_dialog.widgets.common import WhenCondition
from aiogram_dialog.widgets.kbd import ScrollingGroup, Select
from aiogram_dialog.widgets.text import Format, Text

from bot.callback_answers import answer_once
from bot.dialogs.context import texts_of
from bot.screen_fit import MAX_TEXT, clip, fit_lines, visible_length
from core.i18n import Html, Texts
from storage.store import Store

# A list of what people typed gets this much of a screen (Telegram takes 4096
# characters); the rest of the window is our own text around it.
LIST_BUDGET = 3000
# A website may be 2048 characters long; a card shows the start of a longer one,
# so the answers after it still fit in the card.
WEBSITE_SHOWN = 300
# Two answers of up to 2000 characters each (an award application's project and
# results) share a screen: each shows this much.
LONG_ANSWER_SHOWN = 1500


def fit_list(
    t: Texts, lines: Sequence[str], *, budget: int = LIST_BUDGET, separator: str = "\n"
) -> Html:
    """Rendered lines of a list, as many as fit in a screen, then "… and N more"."""
    return Html(fit_lines(lines, budget, lambda count: t.plural("screens.more", count), separator))


def fit_value(t: Texts, key: str, data: dict[str, Any], field: str) -> dict[str, Any]:
    """`data` with its `field` (a value as typed) shortened to what room the message `key`
    leaves it in a screen."""
    room = MAX_TEXT - visible_length(t(key, **{**data, field: ""}))
    return {**data, field: clip(data[field], room)}


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


def item_list(
    widget_id: str, items: str, on_click, *, page_id: str, rows: int = 8
) -> ScrollingGroup:
    """One button a row for (id, label) pairs in the getter's `items`, paged when long."""
    return ScrollingGroup(
        Select(
            Format("{item[1]}"),
            id=widget_id,
            item_id_getter=lambda item: item[0],
            items=items,
            on_click=on_click,
        ),
        id=page_id,
        width=1,
        height=rows,
        hide_on_single_page=True,
    )


async def toast(callback: CallbackQuery, text: str) -> None:
    """A short notice over the chat after a button; the dialog then leaves the query alone."""
    await answer_once(callback, text)


async def refuse(
    event: CallbackQuery | Message | InaccessibleMessage,
    text: str,
    *,
    roll_back: Store | None = None,
) -> None:
    """A refusal: an alert over the chat for a button, a reply for typed text.

    `roll_back`: the store of the refused attempt, whose transaction ends first, so
    that what the dialog storage writes next is not written with a half-done change.
    """
    if roll_back is not None:
        await roll_back.rollback()
    if isinstance(event, CallbackQuery):
        await answer_once(event, text, alert=True)
    else:
        await event.answer(text)
