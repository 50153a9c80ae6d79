"""Invite deep links (/start join_<token>) and owners' answers to join requests."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import CommandObject, CommandStart
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder
from aiogram_dialog import DialogManager, StartMode

from bot.callback_answers import answer_once
from bot.callbacks import JoinDecision
from bot.dialogs.states import MainMenu, Staff
from bot.events import pressed_on
from bot.handlers.language import send_language_picker
from core.clock import Clock
from core.i18n import Texts, Translator
from domain.lookup import found
from registry import staff
from registry.staff import INVITE_PREFIX, OwnerButtons, StaffError, display_name
from storage.repositories.memberships import JoinRequestView
from storage.repositories.people import PersonView
from storage.store import Store

TOKEN_KEY = "token"


def join_request_keyboard(t: Texts, request_id: int) -> InlineKeyboardMarkup:
    """[Approve] [Decline] under a join request sent to an owner."""
    builder = InlineKeyboardBuilder()
    builder.button(
        text=t.label("staff.approve"),
        callback_data=JoinDecision(request_id=request_id, approve=True),
    )
    builder.button(
        text=t.label("staff.decline"),
        callback_data=JoinDecision(request_id=request_id, approve=False),
    )
    return builder.as_markup()


def owner_buttons(translator: Translator, default_locale: str) -> OwnerButtons:
    """The join request's buttons in each owner's language, for the use case to queue."""

    def buttons(request_id: int, locale: str | None) -> InlineKeyboardMarkup:
        return join_request_keyboard(translator.for_locale(locale or default_locale), request_id)

    return buttons


async def join_by_invite(
    store: Store, person: PersonView, token: str, *, clock: Clock, bot: Bot, t: Texts
) -> None:
    """Redeem the invite (the owners are told in the same transaction) and welcome the
    newcomer.

    Raises StaffError when the invite cannot be used; nothing is written then.
    """
    outcome = await staff.redeem_invite(store, person, token, clock.now())
    await store.commit()
    await bot.send_message(
        person.telegram_id, t("staff.welcome", organisation=outcome.organisation_name)
    )


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
                Staff.join, data={TOKEN_KEY: token}, mode=StartMode.RESET_STACK
            )
            return
        await join_by_invite(store, person, token, clock=clock, bot=bot, t=t)
    except StaffError as error:
        await store.rollback()
        await message.answer(t(error.code))
        return
    # A fresh menu, now with the organisation in it.
    await dialog_manager.start(MainMenu.main, mode=StartMode.RESET_STACK)


async def decide_and_tell(
    store: Store, owner: PersonView, request_id: int, approve: bool, *, clock: Clock
) -> tuple[JoinRequestView, str]:
    """Decide a join request (ownership re-checked; the requester is told in the same
    transaction) and commit. Returns the request and the organisation's name; raises
    StaffError."""
    request = await staff.decide_join_request(store, owner, request_id, approve, clock.now())
    await store.commit()
    organisation = found(
        await store.organisations.get(request.organisation_id), request.organisation_id
    )
    return request, organisation.name


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
