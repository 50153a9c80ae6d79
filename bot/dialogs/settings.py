"""/settings: turn reminders, new-topic alerts and announcements on or off.

Status changes of one's own applications and notices caused by someone's action
cannot be turned off: they are part of a conversation the person is in.
"""

from __future__ import annotations

from typing import Any

from aiogram.types import CallbackQuery
from aiogram_dialog import Dialog, DialogManager, Window
from aiogram_dialog.widgets.kbd import Button, Cancel
from aiogram_dialog.widgets.text import Format

from bot.dialogs.common import Label, Tr, texts_of
from bot.dialogs.context import ctx
from bot.dialogs.narrowing import widget_id
from bot.dialogs.states import SettingsMenu
from delivery.outbox import Category
from delivery.preferences import preferences, switch

# Each category has two buttons, one shown at a time: "on_x" turns it on, "off_x"
# off. A toggle would undo itself when Telegram re-sends a press after a crash.
ON_PREFIX, OFF_PREFIX = "on_", "off_"
CLOSE_BUTTON = "close"


async def settings_getter(dialog_manager: DialogManager, **_kwargs) -> dict[str, Any]:
    c = ctx(dialog_manager)
    t = texts_of(dialog_manager)
    chosen = await preferences(c.store, c.person)
    shown: dict[str, Any] = {}
    for category in Category:
        shown[f"label_{category.value}"] = t.label(
            "settings.state_on" if chosen[category] else "settings.state_off",
            name=t.label(f"settings.{category.value}"),
        )
        shown[f"is_on_{category.value}"] = chosen[category]
        shown[f"is_off_{category.value}"] = not chosen[category]
    return shown


async def on_switch(_callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    c = ctx(manager)
    pressed = widget_id(button)
    on = pressed.startswith(ON_PREFIX)
    category = Category(pressed.removeprefix(ON_PREFIX if on else OFF_PREFIX))
    await switch(c.store, c.person, category, on=on)
    await c.store.commit()


def settings_dialog() -> Dialog:
    toggles = [
        Button(
            Format(f"{{label_{category.value}}}"),
            id=f"{prefix}{category.value}",
            on_click=on_switch,
            # The "off" button shows while it is on, and the other way round.
            when=f"is_{'on' if prefix == OFF_PREFIX else 'off'}_{category.value}",
        )
        for category in Category
        for prefix in (OFF_PREFIX, ON_PREFIX)
    ]
    return Dialog(
        Window(
            Tr("settings.title"),
            *toggles,
            Cancel(Label("common.done"), id=CLOSE_BUTTON),
            state=SettingsMenu.main,
            getter=settings_getter,
        ),
        name="settings",
    )
