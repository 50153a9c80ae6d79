"""Asking to join an organisation whose BIN is already registered.

The owners are told in their own language, with buttons the staff handlers
answer (bot/handlers/staff.py checks ownership again on the server).
"""

from __future__ import annotations

from aiogram.types import CallbackQuery
from aiogram_dialog import DialogManager

from bot.dialogs.common import refuse, texts_of
from bot.dialogs.context import ctx
from bot.events import button_message
from bot.joining import display_name, join_request_keyboard
from bot.notifications import notify
from core.i18n import Translator
from registry.staff import StaffError, request_to_join
from storage.models import MemberRole
from storage.repositories.people import PersonView
from storage.store import Store


async def send_join_request(
    callback: CallbackQuery, manager: DialogManager, organisation_id: int | None
) -> bool:
    """Record the request and tell every owner; False when there was nothing to send."""
    c = ctx(manager)
    store: Store = c.store
    person: PersonView = c.person
    translator: Translator = c.translator
    t = texts_of(manager)
    organisation = await store.organisations.get(organisation_id) if organisation_id else None
    if organisation is None:
        await refuse(callback, t("errors.unknown_option"))
        return False
    try:
        request_id = await request_to_join(store, person, organisation.id)
    except StaffError as error:
        await refuse(callback, t(f"registration.{error.problem.value}"))
        return False
    await store.commit()
    default_locale = c.settings.default_locale
    for member in await store.memberships.members(organisation.id):
        if member.role != MemberRole.OWNER:
            continue
        # The owner reads it in their own language, not the requester's.
        owner_texts = translator.for_locale(member.locale or default_locale)
        text = owner_texts(
            "staff.join_request_notice",
            person=display_name(person.full_name, person.username),
            organisation=organisation.name,
        )
        keyboard = join_request_keyboard(owner_texts, request_id)
        await notify(c.bot, store, member.telegram_id, text, keyboard)
    await store.commit()  # a blocked owner is marked as such by notify
    await button_message(callback).answer(
        t("registration.join_request_sent", organisation=organisation.name)
    )
    return True
