"""/broadcast (operators and admins) and the buttons under a broadcast's live progress
message: pause, resume, cancel. The role is checked on every press, and again by the
use case; the scheduler job `update_broadcasts` edits the same message as it runs."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram_dialog import DialogManager, StartMode

from bot.broadcast_progress import BroadcastAction, edit_progress
from bot.callback_answers import answer_once
from bot.dialogs.states import Broadcast as BroadcastStates
from console import broadcasts
from console.roles import OPERATOR_ROLES, Forbidden, acting_as, may
from core.clock import Clock
from core.i18n import Texts
from core.settings import Settings
from storage.repositories.people import PersonView
from storage.store import Store

ACTIONS = {"pause": broadcasts.pause, "resume": broadcasts.resume, "cancel": broadcasts.cancel}


async def on_broadcast(
    message: Message,
    person: PersonView | None,
    settings: Settings,
    t: Texts,
    dialog_manager: DialogManager,
) -> None:
    if not may(person, settings.admin_ids, OPERATOR_ROLES):
        await message.answer(t("console.forbidden"))
        return
    await dialog_manager.start(BroadcastStates.text, mode=StartMode.RESET_STACK)


async def on_action(
    callback: CallbackQuery,
    callback_data: BroadcastAction,
    person: PersonView | None,
    settings: Settings,
    store: Store,
    t: Texts,
    clock: Clock,
    bot: Bot,
) -> None:
    use_case = ACTIONS.get(callback_data.action)
    try:
        actor = acting_as(person, settings.admin_ids, OPERATOR_ROLES)
    except Forbidden:
        await answer_once(callback, t("console.forbidden"), alert=True)
        return
    if use_case is None:
        await answer_once(callback)
        return
    now = clock.now()
    changed = await use_case(store, actor, callback_data.id, now)
    await store.commit()
    broadcast = await store.broadcasts.get(callback_data.id)
    if broadcast is not None:
        await edit_progress(bot, store, t, broadcast, now)
    key = f"broadcast.did.{callback_data.action}" if changed else "broadcast.unchanged"
    await answer_once(callback, t.label(key))


def get_router() -> Router:
    router = Router(name="broadcast")
    router.message.register(on_broadcast, Command("broadcast"))
    router.callback_query.register(on_action, BroadcastAction.filter())
    return router
