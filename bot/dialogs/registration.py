"""Registering an organisation: the BIN first, then one step per field, then a summary.

Answers live in dialog_data, which the database FSM storage keeps, so a
registration interrupted by a restart resumes where it stopped. Every answer is
also kept as the person's registration draft (registry.registration_drafts): a
registration left by Cancel, /start or another command is offered again, to
continue or to start over, the next time it is opened. A step answered before
(after Back, or an edit from the summary) shows the earlier answer with a button
to keep it.
"""

from __future__ import annotations

from typing import Any

from aiogram import F
from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, Message
from aiogram_dialog import Data, Dialog, DialogManager, ShowMode, Window
from aiogram_dialog.widgets.kbd import Button, Cancel, Group, Row, Select, SwitchTo

from bot.callback_answers import answer_once
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
    preset_areas,
    show_contact_button,
)
from bot.dialogs.states import Consent, OrganisationCard, Registration
from bot.events import button_message
from bot.screen_fit import clip
from domain.errors import RuleViolation
from registry import registration_drafts as drafts
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
KEEP_ID = "keep"
CONTINUE_ID = "continue"
START_OVER_ID = "start_over"
# An earlier answer shown on its step: a description may be long.
EARLIER_ANSWER_SHOWN = 300


def answers_of(manager: DialogManager) -> dict[str, Any]:
    return manager.dialog_data.setdefault(ANSWERS, {})


async def go_to(event: Message | CallbackQuery, manager: DialogManager, field: str) -> None:
    if field == "phone":
        await show_contact_button(event, manager)
    if field == "areas" and "areas" in answers_of(manager):
        await preset_areas(manager, answers_of(manager)["areas"] or ())
    await manager.switch_to(getattr(Registration, field))


async def keep_draft(manager: DialogManager) -> None:
    """Every answer is saved at once: leaving the registration loses nothing typed."""
    c = ctx(manager)
    reviewing = bool(manager.dialog_data.get(REVIEWING))
    await drafts.keep(c.store, c.person, answers_of(manager), reviewing, c.clock.now())
    await c.store.commit()


async def on_start(_start_data: Any, manager: DialogManager) -> None:
    person = ctx(manager).maybe_person
    if person is None or not person.consented:
        # Personal data (who registers, their name shown to co-workers) needs consent first.
        await manager.start(Consent.ask)
        return
    if await drafts.unfinished(ctx(manager).store, person) is not None:
        await manager.switch_to(Registration.resume)


async def on_continue(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    c = ctx(manager)
    draft = await drafts.unfinished(c.store, c.person)
    if draft is None:
        await manager.switch_to(Registration.bin)
        return
    manager.dialog_data[ANSWERS] = dict(draft.answers)
    field = drafts.next_field(draft.answers)
    if draft.reviewing or field is None:
        manager.dialog_data[REVIEWING] = True
        await manager.switch_to(Registration.summary)
        return
    await go_to(callback, manager, field)


async def on_start_over(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    c = ctx(manager)
    await drafts.discard(c.store, c.person)
    await c.store.commit()
    manager.dialog_data.pop(ANSWERS, None)
    manager.dialog_data.pop(REVIEWING, None)
    await manager.switch_to(Registration.bin)


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
        await keep_draft(manager)
        await manager.switch_to(Registration.summary)
        return
    await keep_draft(manager)
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
    if answers_of(manager):
        # Nothing is thrown away: the menu offers to continue.
        await answer_once(callback, texts_of(manager)("drafts.registration.kept"), alert=True)


async def on_keep(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    field = step_name(manager)
    answers = answers_of(manager)
    if field not in FIELDS or field not in answers:
        return
    if field == "phone":
        await hide_contact_button(callback, manager)
    await on_value(callback, manager, field, answers[field])


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
    await drafts.discard(store, person)
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


async def step_getter(dialog_manager: DialogManager, **kwargs) -> dict[str, Any]:
    """The field's own data, and the answer given to it before, if any."""
    data = await field_getter(dialog_manager, **kwargs)
    field, answers = data["field"], answers_of(dialog_manager)
    earlier = ""
    if field in answers:
        shown = details(texts_of(dialog_manager), answers)[field]
        earlier = clip(str(shown), EARLIER_ANSWER_SHOWN)
    return {**data, "has_answer": field in answers, "answer": earlier}


async def resume_getter(dialog_manager: DialogManager, **_kwargs) -> dict[str, Any]:
    draft = await drafts.unfinished(ctx(dialog_manager).store, ctx(dialog_manager).maybe_person)
    answers = draft.answers if draft else {}
    t = texts_of(dialog_manager)
    return {
        "name": answers.get("name") or answers.get("bin") or t.label("common.not_set"),
        "answered": len(answers),
        "total": len(FIELDS),
    }


async def taken_getter(dialog_manager: DialogManager, **_kwargs) -> dict[str, Any]:
    return {"name": dialog_manager.dialog_data.get(TAKEN_NAME, "")}


def field_window(field: str) -> Window:
    return Window(
        Tr("common.step", step=FIELDS.index(field) + 1, total=len(FIELDS)),
        FieldPrompt(),
        Tr("drafts.registration.your_answer", when=F["has_answer"]),
        *field_inputs(on_value),
        Button(Label("drafts.registration.keep"), id=KEEP_ID, on_click=on_keep, when="has_answer"),
        Row(
            Button(Label("common.back"), id=BACK_ID, on_click=on_back),
            Cancel(Label("common.cancel"), on_click=on_cancel),
        ),
        state=getattr(Registration, field),
        getter=step_getter,
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
                Cancel(Label("common.cancel"), on_click=on_cancel),
            ),
            state=Registration.summary,
            getter=summary_getter,
        ),
        Window(
            Tr("drafts.registration.resume"),
            Button(Label("drafts.registration.continue"), id=CONTINUE_ID, on_click=on_continue),
            Button(
                Label("drafts.registration.start_over"), id=START_OVER_ID, on_click=on_start_over
            ),
            Cancel(Label("common.back")),
            state=Registration.resume,
            getter=resume_getter,
        ),
        on_start=on_start,
        on_process_result=on_process_result,
        name="registration",
    )
