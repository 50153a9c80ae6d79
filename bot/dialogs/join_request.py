"""Asking to join an organisation whose BIN is already registered, or to revive
one that is archived.

The owners (or, for a revival, the operators) are told in their own language,
with buttons the handlers answer after checking the presser again on the server.
"""

from __future__ import annotations

from aiogram.types import CallbackQuery
from aiogram_dialog import DialogManager

from bot.dialogs.common import refuse, texts_of
from bot.dialogs.context import ctx
from bot.events import button_message
from bot.joining import owner_buttons
from bot.revival_notices import tell_operators
from registry.organisations import OrganisationError, OrganisationProblem, request_revival
from registry.staff import StaffError, request_to_join
from storage.repositories.people import PersonView
from storage.store import Store


async def send_join_request(
    callback: CallbackQuery, manager: DialogManager, organisation_id: int | None
) -> bool:
    """Record the request and tell every owner; False when there was nothing to send."""
    c = ctx(manager)
    store: Store = c.store
    person: PersonView = c.person
    t = texts_of(manager)
    organisation = await store.organisations.get(organisation_id) if organisation_id else None
    if organisation is None:
        await refuse(callback, t("errors.unknown_option"))
        return False
    try:
        await request_to_join(
            store,
            person,
            organisation.id,
            c.clock.now(),
            owner_buttons(c.translator, c.settings.default_locale),
        )
    except StaffError as error:
        await refuse(callback, t(f"registration.{error.problem.value}"))
        return False
    await store.commit()
    await button_message(callback).answer(
        t("registration.join_request_sent", organisation=organisation.name)
    )
    return True


async def send_revival_request(
    callback: CallbackQuery, manager: DialogManager, organisation_id: int | None
) -> bool:
    """Record a request to revive an archived organisation and ask the operators."""
    c = ctx(manager)
    store: Store = c.store
    person: PersonView = c.person
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
    await tell_operators(store, c.translator, c.settings, person, request_id, c.clock.now())
    await store.commit()
    await button_message(callback).answer(t("erasure.revival_sent", name=organisation.name))
    return True
