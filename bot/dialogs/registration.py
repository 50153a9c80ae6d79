"""Registering an organisation: the BIN first, then one step per field, then a summary.

Answers live in dialog_data, which the database FSM storage keeps, so a
registration interrupted by a restart resumes where it stopped.
"""

from __future__ import annotations

from typing import Any

from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, Message
from aiogram_dialog import Data, Dialog, DialogManager, ShowMode, Window
from aiogram_dialog.widgets.kbd import Button, Cancel, Group, Row, Select, SwitchTo

from bot.dialogs.common import Label, Tr, refuse, texts_of
from bot.dialogs.context import ctx
from bot.dialogs.join_request import send_join_request, send_revival_request
from bot.dialogs.narrowing import step_name
from bot.dialogs.organisation_fields import (
    FieldPrompt,
    ItemLabel,
    details,
    field_getter,
    field_inputs,
    hide_contact_button,
    local_today,
    show_contact_button,
)
from bot.dialogs.states import Consent, OrganisationCard, Registration
from bot.events import button_message
from domain.errors import RuleViolation
from registry.forms import FIELDS
from registry.organisations import OrganisationError, find_by_bin, register
from storage.repositories.organisations import OrganisationView

ANSWERS = "answers"
REVIEWING = "reviewing"
TAKEN_ID = "taken_id"
TAKEN_NAME = "taken_name"
EDIT_ID = "edit"
SAVE_ID = "save"
BACK_ID = "back"
JOIN_ID = "join"
BIN_BACK_ID = "bin_back"
REVIVE_ID = "revive"
ARCHIVED_BACK_ID = "archived_back"


def answers_of(manager: DialogManager) -> dict[str, Any]:
    return manager.dialog_data.setdefault(ANSWERS, {})


async def go_to(event: Message | CallbackQuery, manager: DialogManager, field: str) -> None:
    if field == "phone":
        await show_contact_button(event, manager)
    await manager.switch_to(getattr(Registration, field))


async def on_start(_start_data: Any, manager: DialogManager) -> None:
    person = ctx(manager).maybe_person
    if person is None or not person.consented:
        # Personal data (who registers, their name shown to co-workers) needs consent first.
        await manager.start(Consent.ask)


async def on_process_result(_start_data: Data, result: Any, manager: DialogManager) -> None:
    if not (isinstance(result, dict) and result.get("consented")):
        await manager.done()


async def on_value(event, manager: DialogManager, field: str, value: Any) -> None:
    if field == "bin":
        taken = await find_by_bin(ctx(manager).store, value)
        if taken is not None:
            manager.dialog_data[TAKEN_ID] = taken.id
            manager.dialog_data[TAKEN_NAME] = taken.name
            await manager.switch_to(taken_state(taken))
            return
    answers_of(manager)[field] = value
    if manager.dialog_data.get(REVIEWING) or field == FIELDS[-1]:
        manager.dialog_data[REVIEWING] = True
        await manager.switch_to(Registration.summary)
        return
    await go_to(event, manager, FIELDS[FIELDS.index(field) + 1])


async def on_back(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    field = step_name(manager)
    if field == "phone":
        await hide_contact_button(callback, manager)
    if manager.dialog_data.get(REVIEWING):
        await manager.switch_to(Registration.summary)
    elif field == FIELDS[0]:
        await manager.done()
    else:
        await go_to(callback, manager, FIELDS[FIELDS.index(field) - 1])


async def on_cancel(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    await hide_contact_button(callback, manager)


async def on_edit(callback: CallbackQuery, _widget: Any, manager: DialogManager, field: str):
    if field in FIELDS:
        await go_to(callback, manager, field)


async def on_save(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    c, t = ctx(manager), texts_of(manager)
    store, person = c.store, c.person
    try:
        organisation = await register(store, person, answers_of(manager), local_today(manager))
    except OrganisationError as error:
        manager.dialog_data[TAKEN_NAME] = error.params.get("name", "")
        taken = await find_by_bin(store, answers_of(manager)["bin"])
        manager.dialog_data[TAKEN_ID] = taken.id if taken else None
        await manager.switch_to(taken_state(taken))
        return
    except (KeyError, RuleViolation):
        await refuse(callback, t("registration.incomplete"))
        return
    await store.commit()
    await button_message(callback).answer(
        t("registration.saved", name=organisation.name, bin=organisation.bin)
    )
    # The card takes the registration's place on the stack, above the main menu.
    await manager.done(show_mode=ShowMode.NO_UPDATE)
    await manager.start(OrganisationCard.card, show_mode=ShowMode.SEND)


def taken_state(taken: OrganisationView | None) -> State:
    """A join request for a living organisation; a revival request for an archived one."""
    if taken is not None and taken.archived_at is not None:
        return Registration.bin_archived
    return Registration.bin_taken


async def on_revive(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    if await send_revival_request(callback, manager, manager.dialog_data.get(TAKEN_ID)):
        await manager.done()


async def on_join(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    if await send_join_request(callback, manager, manager.dialog_data.get(TAKEN_ID)):
        await manager.done()


async def summary_getter(dialog_manager: DialogManager, **_kwargs) -> dict[str, Any]:
    return details(texts_of(dialog_manager), answers_of(dialog_manager))


async def taken_getter(dialog_manager: DialogManager, **_kwargs) -> dict[str, Any]:
    return {"name": dialog_manager.dialog_data.get(TAKEN_NAME, "")}


def field_window(field: str) -> Window:
    return Window(
        Tr("common.step", step=FIELDS.index(field) + 1, total=len(FIELDS)),
        FieldPrompt(),
        *field_inputs(on_value),
        Row(
            Button(Label("common.back"), id=BACK_ID, on_click=on_back),
            Cancel(Label("common.cancel"), on_click=on_cancel),
        ),
        state=getattr(Registration, field),
        getter=field_getter,
    )


def registration_dialog() -> Dialog:
    return Dialog(
        *(field_window(field) for field in FIELDS),
        Window(
            Tr("registration.bin_taken"),
            Button(Label("registration.send_join_request"), id=JOIN_ID, on_click=on_join),
            SwitchTo(Label("common.back"), id=BIN_BACK_ID, state=Registration.bin),
            state=Registration.bin_taken,
            getter=taken_getter,
        ),
        Window(
            Tr("erasure.bin_archived"),
            Button(Label("erasure.revive_button"), id=REVIVE_ID, on_click=on_revive),
            SwitchTo(Label("common.back"), id=ARCHIVED_BACK_ID, state=Registration.bin),
            state=Registration.bin_archived,
            getter=taken_getter,
        ),
        Window(
            Tr("registration.summary"),
            Tr("organisation.details"),
            Group(
                Select(
                    ItemLabel("field.edit"),
                    id=EDIT_ID,
                    item_id_getter=str,
                    items=list(FIELDS),
                    on_click=on_edit,
                ),
                width=2,
            ),
            Row(
                Button(Label("registration.save"), id=SAVE_ID, on_click=on_save),
                Cancel(Label("common.cancel")),
            ),
            state=Registration.summary,
            getter=summary_getter,
        ),
        on_start=on_start,
        on_process_result=on_process_result,
        name="registration",
    )
