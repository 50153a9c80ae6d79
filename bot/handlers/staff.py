"""Invite deep links (/start join_<token>) and owners' answers to join requests."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import CommandObject, CommandStart
from aiogram.types import CallbackQuery, Message
from aiogram_dialog import DialogManager, StartMode

from bot.callback_answers import answer_once
from bot.callbacks import JoinDecision
from bot.dialogs.start_data import INVITE_TOKEN
from bot.dialogs.states import MainMenu, Staff
from bot.events import pressed_on
from bot.joining import decide_and_tell, join_by_invite
from bot.language_picker import send_language_picker
from core.clock import Clock
from core.i18n import Texts
from registry import staff
from registry.staff import INVITE_PREFIX, StaffError, display_name
from storage.repositories.people import PersonView
from storage.store import Store


async def on_invite_link(
    message: Message,
    command: CommandObject,
    store: Store,
    person: PersonView,
    t: Texts,
    clock: Clock,
    bot: Bot,
    dialog_manager: DialogManager,
) -> None:
    token = (command.args or "").removeprefix(INVITE_PREFIX)  # "": an unknown invite
    if person.locale is None:
        # The picker's answer leads to the menu; the link works again once a language is set.
        await message.answer(t("staff.invite_language_first"))
        await send_language_picker(message, t)
        return
    try:
        await staff.peek_invite(store, token, clock.now())
        if not person.consented:
            # Consent comes first; the Staff dialog's join step redeems the invite after it.
            await dialog_manager.start(
                Staff.join, data={INVITE_TOKEN: token}, mode=StartMode.RESET_STACK
            )
            return
        await join_by_invite(store, person, token, clock=clock, bot=bot, t=t)
    except StaffError as error:
        await store.rollback()
        await message.answer(t(error.code))
        return
    # A fresh menu, now with the organisation in it.
    await dialog_manager.start(MainMenu.main, mode=StartMode.RESET_STACK)


async def on_join_decision(
    callback: CallbackQuery,
    callback_data: JoinDecision,
    store: Store,
    person: PersonView,
    t: Texts,
    clock: Clock,
) -> None:
    try:
        request, organisation = await decide_and_tell(
            store, person, callback_data.request_id, callback_data.approve, clock=clock
        )
    except StaffError as error:
        # End the refused attempt's transaction: the dialog storage writes next.
        await store.rollback()
        await answer_once(callback, t(error.code), alert=True)
        return
    key = "staff.owner_approved" if callback_data.approve else "staff.owner_declined"
    name = display_name(request.full_name, None)
    message = pressed_on(callback)
    if message is not None:
        await message.edit_text(t(key, name=name, organisation=organisation))
    await answer_once(callback)


def get_router() -> Router:
    router = Router(name="staff")
    router.message.register(
        on_invite_link,
        CommandStart(deep_link=True, magic=F.args.startswith(INVITE_PREFIX)),
    )
    router.callback_query.register(on_join_decision, JoinDecision.filter())
    return router
