"""Joining an organisation's staff: an invite redeemed, a join request decided. Both
the staff handlers (invite links, owners' buttons) and the Staff and Registration
dialogs do these. Whoever else is told is told by the use case (registry.staff), in
the same transaction; here only the person pressing is answered."""

from __future__ import annotations

from aiogram import Bot
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import JoinDecision
from core.clock import Clock
from core.i18n import Texts, Translator
from domain.lookup import found
from registry import staff
from registry.staff import OwnerButtons
from storage.repositories.memberships import JoinRequestView
from storage.repositories.people import PersonView
from storage.store import Store


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
