"""What the bot says to anything no other handler took."""

from __future__ import annotations

from aiogram import Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram_dialog import DialogManager, ShowMode

from bot.callback_answers import answer_once
from bot.dialogs.support import remember_unhandled_text
from core.clock import Clock
from core.i18n import Texts


async def on_unhandled_message(
    message: Message, t: Texts, dialog_manager: DialogManager, state: FSMContext, clock: Clock
) -> None:
    kept = bool(message.text) and not (message.text or "").startswith("/")
    if kept:
        # Perhaps a question typed before /ask was pressed: /ask offers it.
        await remember_unhandled_text(state, message.text or "", clock.now())
    if dialog_manager.has_context():
        # Inside a dialog whose current step takes buttons only: say so and
        # bring the step back below, so nothing entered so far is lost.
        await message.answer(t("fallback.use_buttons"))
        await dialog_manager.show(ShowMode.SEND)
        return
    hint = t("fallback.hint")
    await message.answer(f"{hint}\n\n{t('drafts.support.kept_for_ask')}" if kept else hint)


async def on_unhandled_callback(callback: CallbackQuery, t: Texts) -> None:
    # A button no handler knows: stale, from an old version, or forged.
    await answer_once(callback, t("errors.button_expired"), alert=True)


def get_router() -> Router:
    router = Router(name="fallback")
    router.message.register(on_unhandled_message)
    router.callback_query.register(on_unhandled_callback)
    return router
