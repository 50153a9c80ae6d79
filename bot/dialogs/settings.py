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
from bot.dialogs.states import SettingsMenu
from delivery.outbox import Category
from delivery.preferences import preferences, toggle

TOGGLE_PREFIX = "toggle_"
CLOSE_BUTTON = "close"


async def settings_getter(dialog_manager: DialogManager, **_kwargs) -> dict[str, Any]:
    data = dialog_manager.middleware_data
    t = texts_of(dialog_manager)
    chosen = await preferences(data["store"], data["person"])
    return {
        f"label_{category.value}": t.label(
            "settings.state_on" if chosen[category] else "settings.state_off",
            name=t.label(f"settings.{category.value}"),
        )
        for category in Category
    }


async def on_toggle(_callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    data = manager.middleware_data
    category = Category(button.widget_id.removeprefix(TOGGLE_PREFIX))
    await toggle(data["store"], data["person"], category)
    await data["store"].commit()


def settings_dialog() -> Dialog:
    toggles = [
        Button(
            Format(f"{{label_{category.value}}}"),
            id=f"{TOGGLE_PREFIX}{category.value}",
            on_click=on_toggle,
        )
        for category in Category
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
