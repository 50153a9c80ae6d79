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
from bot.notifications import notify
from core.clock import Clock
from core.i18n import Texts, Translator
from core.settings import Settings
from domain.lookup import found
from domain.text_input import shown_name
from registry import staff
from registry.staff import INVITE_PREFIX, StaffError
from storage.repositories.memberships import JoinRequestView
from storage.repositories.people import PersonView
from storage.store import Store

TOKEN_KEY = "token"


def display_name(full_name: str | None, username: str | None) -> str:
    """How a person is shown to colleagues: plain text, escaped where it is used, its
    direction isolated so it cannot reorder the sentence it stands in."""
    name = shown_name(full_name)
    username = shown_name(username)
    if username:
        name = f"{name} (@{username})" if name else f"@{username}"
    return name or "—"


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


async def join_by_invite(
    store: Store,
    person: PersonView,
    token: str,
    *,
    clock: Clock,
    bot: Bot,
    translator: Translator,
    settings: Settings,
    t: Texts,
) -> None:
    """Redeem the invite, welcome the newcomer and tell the owners, each in their language.

    Raises StaffError when the invite cannot be used; nothing is written then.
    """
    outcome = await staff.redeem_invite(store, person, token, clock.now())
    await store.commit()
    await bot.send_message(
        person.telegram_id, t("staff.welcome", organisation=outcome.organisation_name)
    )
    fresh = await store.people.get(person.telegram_id) or person
    newcomer = display_name(fresh.full_name, fresh.username)
    for owner in await staff.owners(store, outcome.organisation_id):
        if owner.telegram_id == person.telegram_id:
            continue
        text = translator.get(
            "staff.owner_told_new_member",
            owner.locale or settings.default_locale,
            name=newcomer,
            organisation=outcome.organisation_name,
        )
        await notify(bot, store, owner.telegram_id, text)
    await store.commit()


async def on_invite_link(
    message: Message,
    command: CommandObject,
    store: Store,
    person: PersonView,
    t: Texts,
    clock: Clock,
    bot: Bot,
    translator: Translator,
    settings: Settings,
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
        await join_by_invite(
            store,
            person,
            token,
            clock=clock,
            bot=bot,
            translator=translator,
            settings=settings,
            t=t,
        )
    except StaffError as error:
        await store.rollback()
        await message.answer(t(error.code))
        return
    # A fresh menu, now with the organisation in it.
    await dialog_manager.start(MainMenu.main, mode=StartMode.RESET_STACK)


async def decide_and_tell(
    store: Store,
    owner: PersonView,
    request_id: int,
    approve: bool,
    *,
    clock: Clock,
    bot: Bot,
    translator: Translator,
    settings: Settings,
) -> tuple[JoinRequestView, str]:
    """Decide a join request (ownership re-checked) and tell the requester in their language.

    Returns the request and the organisation's name; raises StaffError.
    """
    request = await staff.decide_join_request(store, owner, request_id, approve, clock.now())
    await store.commit()
    organisation = found(
        await store.organisations.get(request.organisation_id), request.organisation_id
    )
    requester = await store.people.get(request.telegram_id)
    locale = (requester.locale if requester else None) or settings.default_locale
    key = "staff.request_approved" if approve else "staff.request_declined"
    text = translator.get(key, locale, organisation=organisation.name)
    await notify(bot, store, request.telegram_id, text)
    await store.commit()
    return request, organisation.name


async def on_join_decision(
    callback: CallbackQuery,
    callback_data: JoinDecision,
    store: Store,
    person: PersonView,
    t: Texts,
    clock: Clock,
    bot: Bot,
    translator: Translator,
    settings: Settings,
) -> None:
    try:
        request, organisation = await decide_and_tell(
            store,
            person,
            callback_data.request_id,
            callback_data.approve,
            clock=clock,
            bot=bot,
            translator=translator,
            settings=settings,
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
