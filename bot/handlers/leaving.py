"""The answers to "Leave the organisation?" (asked by bot/leaving.py)."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery

from bot.callback_answers import answer_once
from bot.callbacks import LeaveAction
from bot.events import pressed_on
from bot.leaving import ask_to_leave
from core.clock import Clock
from core.i18n import Texts
from registry import staff
from registry.staff import StaffError
from storage.repositories.people import PersonView
from storage.store import Store


async def on_leave_action(
    callback: CallbackQuery,
    callback_data: LeaveAction,
    store: Store,
    person: PersonView | None,
    t: Texts,
    clock: Clock,
) -> None:
    message = pressed_on(callback)
    organisation_id = callback_data.organisation_id
    if person is None:
        await answer_once(callback, t("staff.not_a_member"), alert=True)
        return
    if callback_data.action == "no":
        await answer_once(callback)
        if message is not None:
            await message.edit_text(t("erasure.stayed"))
        return
    try:
        departure = await staff.departure(store, person, organisation_id)
        if callback_data.action == "pick":
            staff.check_successor(departure, callback_data.successor_id)
            await answer_once(callback)
            if message is not None:
                await message.edit_reply_markup(reply_markup=None)
                await ask_to_leave(message, t, departure, callback_data.successor_id)
            return
        if callback_data.action != "yes":
            await answer_once(callback, t("errors.unknown_option"), alert=True)
            return
        archived = await staff.depart(
            store, person, departure, callback_data.successor_id or None, clock.now()
        )
    except StaffError as error:
        # End the refused attempt's transaction before anything else writes.
        await store.rollback()
        await answer_once(callback, t(error.code), alert=True)
        return
    await store.commit()
    await answer_once(callback)
    if message is not None:
        key = "erasure.left_archived" if archived else "erasure.left"
        await message.edit_text(t(key, organisation=departure.organisation_name))


def get_router() -> Router:
    router = Router(name="leaving")
    router.callback_query.register(on_leave_action, LeaveAction.filter())
    return router
