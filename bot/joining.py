"""Joining an organisation's staff: an invite redeemed, a join request decided, and who
is told, each in their own language. Both the staff handlers (invite links, owners'
buttons) and the Staff and Registration dialogs do these."""

from __future__ import annotations

from aiogram import Bot
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import JoinDecision
from bot.notifications import notify
from core.clock import Clock
from core.i18n import Texts, Translator
from core.settings import Settings
from domain.lookup import found
from domain.text_input import shown_name
from registry import staff
from storage.repositories.memberships import JoinRequestView
from storage.repositories.people import PersonView
from storage.store import Store


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
