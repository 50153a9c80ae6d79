"""The main menu. Later features add their entries here."""

from __future__ import annotations

from aiogram.types import CallbackQuery
from aiogram_dialog import Dialog, DialogManager, ShowMode, Window
from aiogram_dialog.widgets.kbd import Button, Row

from bot.dialogs.common import Label, Tr, texts_of
from bot.dialogs.states import MainMenu
from bot.handlers.language import send_language_picker

LANGUAGE_BUTTON = "language"
HELP_BUTTON = "help"


async def on_language(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    await send_language_picker(callback.message, texts_of(manager))
    manager.show_mode = ShowMode.NO_UPDATE


async def on_help(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    await callback.message.answer(texts_of(manager)("help.text"))
    # Keep the menu as the latest message, below the help, so it stays in reach.
    manager.show_mode = ShowMode.DELETE_AND_SEND


def main_menu_dialog() -> Dialog:
    return Dialog(
        Window(
            Tr("menu.title"),
            Row(
                Button(Label("menu.language"), id=LANGUAGE_BUTTON, on_click=on_language),
                Button(Label("menu.help"), id=HELP_BUTTON, on_click=on_help),
            ),
            state=MainMenu.main,
        ),
        name="main_menu",
    )
