"""/broadcast (operators and admins) and the buttons under a broadcast's live progress
message: pause, resume, cancel. The role is checked on every press, and again by the
use case; the scheduler job `update_broadcasts` edits the same message as it runs."""

from __future__ import annotations

import contextlib
from datetime import datetime

from aiogram import Bot, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram_dialog import DialogManager, StartMode

from bot.callback_answers import answer_once
from bot.dialogs.states import Broadcast as BroadcastStates
from console import broadcasts
from console.roles import OPERATOR_ROLES, Forbidden, acting_as, may
from core.clock import Clock
from core.i18n import Texts
from core.settings import Settings
from domain.statuses import BroadcastStatus
from storage.repositories.broadcasts import BroadcastView
from storage.repositories.people import PersonView
from storage.store import Store


class BroadcastAction(CallbackData, prefix="bc"):
    action: str
    id: int


ACTIONS = {"pause": broadcasts.pause, "resume": broadcasts.resume, "cancel": broadcasts.cancel}


def _duration(seconds: int | None) -> str:
    if seconds is None:
        return "—"
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02}:{seconds:02}" if hours else f"{minutes}:{seconds:02}"


def render_progress(
    t: Texts, broadcast: BroadcastView, progress: broadcasts.Progress
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The progress message and its buttons (none once it is over)."""
    finished = broadcast.status in (BroadcastStatus.DONE, BroadcastStatus.CANCELLED)
    text = t(
        "broadcast.report" if finished else "broadcast.progress",
        id=broadcast.id,
        status=t.label(f"broadcast.status.{broadcast.status.value}"),
        total=broadcast.recipients,
        sent=progress.sent,
        failed=progress.failed,
        blocked=progress.blocked,
        skipped=progress.skipped,
        remaining=progress.remaining,
        eta=_duration(progress.eta_seconds),
    )
    if finished:
        return text, None
    first = "pause" if broadcast.status == BroadcastStatus.RUNNING else "resume"
    buttons = [
        InlineKeyboardButton(
            text=t.label(f"broadcast.{action}"),
            callback_data=BroadcastAction(action=action, id=broadcast.id).pack(),
        )
        for action in (first, "cancel")
    ]
    return text, InlineKeyboardMarkup(inline_keyboard=[buttons])


async def send_progress(
    bot: Bot, store: Store, t: Texts, broadcast: BroadcastView, now: datetime, *, chat_id: int
) -> None:
    """Post the live progress message and remember it; the caller commits."""
    progress = await broadcasts.progress(store, broadcast, now)
    text, markup = render_progress(t, broadcast, progress)
    message = await bot.send_message(chat_id, text, reply_markup=markup)
    await store.broadcasts.set_progress_message(broadcast.id, chat_id, message.message_id)


async def edit_progress(
    bot: Bot, store: Store, t: Texts, broadcast: BroadcastView, now: datetime
) -> None:
    if broadcast.progress_chat_id is None or broadcast.progress_message_id is None:
        return
    progress = await broadcasts.progress(store, broadcast, now)
    text, markup = render_progress(t, broadcast, progress)
    # "message is not modified" (nothing changed) or deleted by the operator: nothing to do.
    with contextlib.suppress(TelegramBadRequest):
        await bot.edit_message_text(
            text,
            chat_id=broadcast.progress_chat_id,
            message_id=broadcast.progress_message_id,
            reply_markup=markup,
        )


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
