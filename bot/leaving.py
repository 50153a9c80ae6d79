"""Leaving an organisation, asked in plain messages (the staff dialog's "Leave" sends
the first): an only owner picks who takes over, the longest-serving offered first;
the last one to leave is told it will be archived. Answered in bot/handlers/leaving.py."""

from __future__ import annotations

from aiogram.types import InaccessibleMessage, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import LeaveAction
from bot.handlers.staff import display_name
from core.i18n import Texts
from registry.staff import Departure


async def ask_to_leave(
    message: Message | InaccessibleMessage,
    t: Texts,
    departure: Departure,
    successor_id: int | None = None,
) -> None:
    organisation_id = departure.organisation_id
    name = departure.organisation_name
    builder = InlineKeyboardBuilder()
    chosen = next((m for m in departure.candidates if m.person_id == successor_id), None)
    if departure.needs_successor and chosen is None:
        for member in departure.candidates:
            builder.button(
                text=display_name(member.full_name, member.username),
                callback_data=LeaveAction(
                    action="pick", organisation_id=organisation_id, successor_id=member.person_id
                ),
            )
        builder.button(
            text=t.label("common.cancel"),
            callback_data=LeaveAction(action="no", organisation_id=organisation_id),
        )
        builder.adjust(1)
        await message.answer(
            t("erasure.choose_successor", organisation=name), reply_markup=builder.as_markup()
        )
        return
    if chosen is not None:
        text = t(
            "erasure.leave_question_handover",
            organisation=name,
            successor=display_name(chosen.full_name, chosen.username),
        )
    elif departure.archives:
        text = t("erasure.leave_question_last", organisation=name)
    else:
        text = t("erasure.leave_question", organisation=name)
    builder.button(
        text=t.label("erasure.leave_yes"),
        callback_data=LeaveAction(
            action="yes", organisation_id=organisation_id, successor_id=successor_id or 0
        ),
    )
    builder.button(
        text=t.label("common.cancel"),
        callback_data=LeaveAction(action="no", organisation_id=organisation_id),
    )
    builder.adjust(1)
    await message.answer(text, reply_markup=builder.as_markup())
