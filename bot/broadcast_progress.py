"""A broadcast's live progress message: posted when it starts, edited as it runs (by
the scheduler's `update_broadcasts`), its buttons answered by bot/handlers/broadcast.py."""

from __future__ import annotations

import contextlib
from datetime import datetime

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from console import broadcasts
from core.i18n import Texts
from domain.statuses import BroadcastStatus
from storage.repositories.broadcasts import BroadcastView
from storage.store import Store


class BroadcastAction(CallbackData, prefix="bc"):
    action: str
    id: int


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
