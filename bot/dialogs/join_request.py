"""Asking to join an organisation whose BIN is already registered, or to revive
one that is archived.

The owners (or, for a revival, the operators) are told in their own language,
with buttons the handlers answer after checking the presser again on the server.
"""

from __future__ import annotations

from aiogram.types import CallbackQuery
from aiogram_dialog import DialogManager

from bot.dialogs.common import refuse, texts_of
from bot.events import button_message
from bot.handlers.staff import display_name, join_request_keyboard
from bot.notifications import notify
from bot.revival_notices import tell_operators
from core.i18n import Translator
from registry.organisations import OrganisationError, OrganisationProblem, request_revival
from registry.staff import StaffError, request_to_join
from storage.models import MemberRole
from storage.repositories.people import PersonView
from storage.store import Store


async def send_join_request(
    callback: CallbackQuery, manager: DialogManager, organisation_id: int | None
) -> bool:
    """Record the request and tell every owner; False when there was nothing to send."""
    data = manager.middleware_data
    store: Store = data["store"]
    person: PersonView = data["person"]
    translator: Translator = data["translator"]
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
    default_locale = data["settings"].default_locale
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
        await notify(data["bot"], store, member.telegram_id, text, keyboard)
    await store.commit()  # a blocked owner is marked as such by notify
    await button_message(callback).answer(
        t("registration.join_request_sent", organisation=organisation.name)
    )
    return True


async def send_revival_request(
    callback: CallbackQuery, manager: DialogManager, organisation_id: int | None
) -> bool:
    """Record a request to revive an archived organisation and ask the operators."""
    data = manager.middleware_data
    store: Store = data["store"]
    person: PersonView = data["person"]
    t = texts_of(manager)
    organisation = await store.organisations.get(organisation_id) if organisation_id else None
    if organisation is None:
        await refuse(callback, t("errors.unknown_option"))
        return False
    try:
        request_id = await request_revival(store, person, organisation.id)
    except OrganisationError as error:
        if error.problem == OrganisationProblem.REVIVAL_ALREADY_SENT:
            await refuse(callback, t("erasure.revival_already_sent", name=organisation.name))
        else:
            await refuse(callback, t("errors.unknown_option"))
        return False
    await tell_operators(
        data["bot"], store, data["translator"], data["settings"], person, request_id
    )
    await store.commit()
    await button_message(callback).answer(t("erasure.revival_sent", name=organisation.name))
    return True
