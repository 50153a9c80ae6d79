"""The organisation card: its details, this year's filing, and the ways to change them.

Every screen reloads the organisation for a member only, so a person removed
meanwhile (or a forged button) sees nothing of it.
"""

from __future__ import annotations

from typing import Any

from aiogram import F
from aiogram.types import CallbackQuery
from aiogram_dialog import Dialog, DialogManager, ShowMode, Window
from aiogram_dialog.widgets.kbd import Button, Cancel, Column, Group, Row, Select, Start, SwitchTo
from aiogram_dialog.widgets.text import Format

from bot.dialogs.common import Label, Tr, refuse, texts_of
from bot.dialogs.context import ctx
from bot.dialogs.organisation_fields import (
    FIELD_KEY,
    FieldPrompt,
    ItemLabel,
    details,
    field_getter,
    field_inputs,
    hide_contact_button,
    local_today,
    preset_areas,
    show_contact_button,
)
from bot.dialogs.start_data import ORGANISATION_ID
from bot.dialogs.states import Filing, OrganisationCard, Registration, Staff
from bot.events import button_message
from core.i18n import Html, Texts
from domain.text_input import shown_name
from registry import activity
from registry.forms import EDITABLE_FIELDS
from registry.organisations import OrganisationError, organisation_for, update_field
from registry.staff import StaffError, active_organisation_id, switch_active
from storage.store import Store

FILING_ID = "filing"
STAFF_ID = "staff"
EDIT_ID = "edit"
SWITCH_ID = "switch"
REGISTER_ID = "register"
FIELD_SELECT_ID = "edit_field"
ORGANISATION_SELECT_ID = "organisation"
BACK_ID = "back"


async def filing_line(t: Texts, store: Store, organisation_id: int, manager: DialogManager) -> str:
    clock = ctx(manager).clock
    now = clock.now()
    person = ctx(manager).person
    year = activity.current_year(now, clock.zone)
    state = await activity.status(store, person, organisation_id, year, now, clock.zone)
    report = state.report
    if state.submitted and report is not None and report.submitted_at is not None:
        members = {m.person_id: m for m in await store.memberships.members(organisation_id)}
        by = members.get(report.submitted_by) if report.submitted_by is not None else None
        who = (shown_name(by.full_name) if by else None) or t.label("common.not_set")
        return t(
            "organisation.filed",
            year=state.year,
            date=ctx(manager).date(report.submitted_at),
            person=who,
        )
    deadline = ctx(manager).date(state.deadline)
    days = (state.deadline.astimezone(clock.zone).date() - now.astimezone(clock.zone).date()).days
    if days < 0:
        return t("organisation.filing_overdue", year=state.year, date=deadline)
    return t.plural("organisation.filing_due", days, year=state.year, date=deadline)


async def card_getter(dialog_manager: DialogManager, **_kwargs) -> dict[str, Any]:
    c = ctx(dialog_manager)
    store, person, t = c.store, c.person, texts_of(dialog_manager)
    organisation_id = await active_organisation_id(store, person)
    if organisation_id is None:
        return {"found": False, "several": False}
    organisation = await organisation_for(store, person, organisation_id)
    dialog_manager.dialog_data[ORGANISATION_ID] = organisation.id
    memberships = await store.memberships.of_person(person.id)
    filing = await filing_line(t, store, organisation.id, dialog_manager)
    return {
        **details(t, {f: getattr(organisation, f) for f in ("bin", *EDITABLE_FIELDS)}),
        "found": True,
        "several": len(memberships) > 1,
        "filing": Html(filing),
    }


async def switch_getter(dialog_manager: DialogManager, **_kwargs) -> dict[str, Any]:
    c = ctx(dialog_manager)
    memberships = await c.store.memberships.of_person(c.person.id)
    return {"organisations": [(m.organisation_id, m.organisation_name) for m in memberships]}


async def start_with_organisation(callback: CallbackQuery, button: Button, manager: DialogManager):
    state = Filing.overview if button.widget_id == FILING_ID else Staff.members
    await manager.start(state, data={ORGANISATION_ID: manager.dialog_data[ORGANISATION_ID]})


async def on_switch(callback: CallbackQuery, _widget: Any, manager: DialogManager, item: int):
    store = ctx(manager).store
    try:
        await switch_active(store, ctx(manager).person, item)
    except StaffError:
        await refuse(callback, texts_of(manager)("organisation.not_a_member"))
        return
    await store.commit()
    await manager.switch_to(OrganisationCard.card)


async def on_choose_field(callback: CallbackQuery, _widget: Any, manager: DialogManager, field):
    if field not in EDITABLE_FIELDS:
        return
    manager.dialog_data[FIELD_KEY] = field
    if field == "areas":
        c = ctx(manager)
        organisation = await c.store.organisations.get(manager.dialog_data[ORGANISATION_ID])
        await preset_areas(manager, organisation.areas if organisation else ())
    if field == "phone":
        await show_contact_button(callback, manager)
    await manager.switch_to(OrganisationCard.edit_value)


async def on_value(event, manager: DialogManager, field: str, value: Any) -> None:
    c, t = ctx(manager), texts_of(manager)
    store = c.store
    message = button_message(event) if isinstance(event, CallbackQuery) else event
    try:
        await update_field(
            store,
            c.person,
            manager.dialog_data[ORGANISATION_ID],
            field,
            value,
            local_today(manager),
        )
    except (StaffError, OrganisationError):
        await message.answer(t("organisation.not_a_member"))
        await manager.done()
        return
    await store.commit()
    await message.answer(t("organisation.field_saved", field=t.label(f"field.edit.{field}")))
    manager.show_mode = ShowMode.SEND
    await manager.switch_to(OrganisationCard.card)


async def on_edit_back(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    await hide_contact_button(callback, manager)
    await manager.switch_to(OrganisationCard.edit_field)


def organisation_dialog() -> Dialog:
    return Dialog(
        Window(
            Tr("organisation.card", when=F["found"]),
            Tr("organisation.details", when=F["found"]),
            Format("\n{filing}", when=F["found"]),
            Tr("organisation.none", when=~F["found"]),
            Row(
                Button(Label("organisation.file"), id=FILING_ID, on_click=start_with_organisation),
                Button(Label("organisation.staff"), id=STAFF_ID, on_click=start_with_organisation),
                when=F["found"],
            ),
            Row(
                SwitchTo(Label("organisation.edit"), id=EDIT_ID, state=OrganisationCard.edit_field),
                SwitchTo(
                    Label("organisation.switch"),
                    id=SWITCH_ID,
                    state=OrganisationCard.switch,
                    when=F["several"],
                ),
                when=F["found"],
            ),
            Start(Label("organisation.register_another"), id=REGISTER_ID, state=Registration.bin),
            Cancel(Label("common.menu")),
            state=OrganisationCard.card,
            getter=card_getter,
        ),
        Window(
            Tr("organisation.choose_organisation"),
            Column(
                Select(
                    Format("{item[1]}"),
                    id=ORGANISATION_SELECT_ID,
                    items="organisations",
                    item_id_getter=lambda item: item[0],
                    type_factory=int,
                    on_click=on_switch,
                )
            ),
            SwitchTo(Label("common.back"), id=BACK_ID, state=OrganisationCard.card),
            state=OrganisationCard.switch,
            getter=switch_getter,
        ),
        Window(
            Tr("organisation.choose_field"),
            Group(
                Select(
                    ItemLabel("field.edit"),
                    id=FIELD_SELECT_ID,
                    item_id_getter=str,
                    items=list(EDITABLE_FIELDS),
                    on_click=on_choose_field,
                ),
                width=2,
            ),
            SwitchTo(Label("common.back"), id=BACK_ID, state=OrganisationCard.card),
            state=OrganisationCard.edit_field,
        ),
        Window(
            FieldPrompt(),
            *field_inputs(on_value),
            Button(Label("common.back"), id=BACK_ID, on_click=on_edit_back),
            state=OrganisationCard.edit_value,
            getter=field_getter,
        ),
        name="organisation",
    )
