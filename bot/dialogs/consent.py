"""Consent to personal-data processing, asked before any feature keeps personal data.

Start it with `manager.start(Consent.ask)`; it ends with {"consented": True}
or {"consented": False}, which the starting dialog reads in on_process_result.
"""

from __future__ import annotations

from aiogram.types import CallbackQuery
from aiogram_dialog import Dialog, DialogManager, ShowMode, Window
from aiogram_dialog.widgets.kbd import Button, Row

from bot.dialogs.common import Label, Tr, texts_of
from bot.dialogs.context import ctx
from bot.dialogs.states import Consent
from bot.events import button_message
from registry.privacy import give_consent

AGREE_ID = "agree"
DECLINE_ID = "decline"
RESULT_KEY = "consented"


async def on_agree(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    c = ctx(manager)
    store, clock = c.store, c.clock
    user = callback.from_user
    await give_consent(store, user.id, user.full_name, user.username, clock.now())
    await store.commit()
    await manager.done({RESULT_KEY: True})


async def on_decline(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    await button_message(callback).answer(texts_of(manager)("consent.declined"))
    await manager.done({RESULT_KEY: False}, show_mode=ShowMode.SEND)


def consent_dialog() -> Dialog:
    return Dialog(
        Window(
            Tr("consent.text"),
            Row(
                Button(Label("consent.agree"), id=AGREE_ID, on_click=on_agree),
                Button(Label("consent.decline"), id=DECLINE_ID, on_click=on_decline),
            ),
            state=Consent.ask,
        ),
        name="consent",
    )
