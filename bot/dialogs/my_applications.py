"""My applications: the active organisation's applications, each one's details and
history, and what a member may still do with it (continue, withdraw, delete a draft).

Every screen reads the database afresh and every action is re-checked by
`grants.applications` (membership, status, deadline): button data can be forged.
"""

from __future__ import annotations

from typing import Any

from aiogram import F
from aiogram.types import CallbackQuery
from aiogram_dialog import Dialog, DialogManager, ShowMode, Window
from aiogram_dialog.widgets.kbd import Button, Cancel, Row, SwitchTo

from bot.dialogs.application_form import answers_block
from bot.dialogs.common import Label, Tr, fit_list, item_list, refuse, texts_of, toast
from bot.dialogs.context import ctx
from bot.dialogs.start_data import APPLICATION_ID
from bot.dialogs.states import ApplicationForm, MyApplications
from bot.events import button_message
from core.i18n import Texts
from domain.application_status import EDITABLE_STATUSES, ApplicationStatus
from domain.lookup import found
from domain.text_input import shown_name
from grants import applications
from grants.applications import ApplicationClosed, NotYours
from registry.staff import active_organisation_id

SELECTED = "selected"
LIST_ID, CONTINUE_ID, WITHDRAW_ID, DELETE_ID = "apps", "continue", "withdraw", "delete"
CONFIRM_WITHDRAW_ID, CONFIRM_DELETE_ID = "confirm_withdraw", "confirm_delete"
LABEL_LENGTH = 40  # characters of a title on a list button
FULL_TEXT_BUDGET = 3000
DETAILS_PREVIEW = 600
# The history shares the screen with the answers: events past this are counted, not shown.
HISTORY_BUDGET = 600


def _status(t: Texts, status: str) -> str:
    return t.label(f"application.status.{status}")


def _short(text: str) -> str:
    return text if len(text) <= LABEL_LENGTH else text[: LABEL_LENGTH - 1].rstrip() + "…"


async def list_getter(dialog_manager: DialogManager, **_kwargs) -> dict[str, Any]:
    c, t = ctx(dialog_manager), texts_of(dialog_manager)
    store, person = c.store, c.person
    organisation_id = await active_organisation_id(store, person)
    if organisation_id is None:
        return {"has_organisation": False, "has_items": False, "items": [], "organisation": ""}
    items = []
    for application in await applications.of_organisation(store, person, organisation_id):
        topic = found(await store.topics.get(application.topic_id), application.topic_id)
        title = application.title or topic.title(t.locale)
        reference = f" · {application.reference}" if application.reference else ""
        label = f"{_status(t, application.status)} · {_short(title)}{reference}"
        items.append((application.id, label))
    organisation = found(await store.organisations.get(organisation_id), organisation_id)
    return {
        "has_organisation": True,
        "has_items": bool(items),
        "items": items,
        "organisation": organisation.name,
    }


async def on_select(callback: CallbackQuery, _widget: Any, manager: DialogManager, item: str):
    c = ctx(manager)
    try:
        await applications.view(c.store, c.person, int(item))
    except (NotYours, ValueError):
        await refuse(callback, texts_of(manager)("application.not_found"))
        return
    manager.dialog_data[SELECTED] = int(item)
    await manager.switch_to(MyApplications.details)


async def details_getter(dialog_manager: DialogManager, **_kwargs) -> dict[str, Any]:
    c, t = ctx(dialog_manager), texts_of(dialog_manager)
    store, person = c.store, c.person
    application, topic = await applications.view(
        store, person, dialog_manager.dialog_data[SELECTED]
    )
    history = fit_list(
        t,
        [
            t(
                "my_applications.event",
                at=c.date_time(event.at),
                status=_status(t, event.to_status),
                by=shown_name(event.by_name) or "—",
            )
            for event in await store.applications.events(application.id)
        ],
        budget=HISTORY_BUDGET,
    )
    answers = answers_block(t, application, None)
    if len(answers) > FULL_TEXT_BUDGET:
        # A Telegram message holds 4096 characters: long answers are shortened to fit.
        answers = answers_block(t, application, DETAILS_PREVIEW)
    return {
        "status": _status(t, application.status),
        "reference": application.reference or "—",
        "topic": topic.title(t.locale),
        "organisation": application.organisation_name,
        "answers": answers,
        "history": history,
        "deadline": c.date_time(topic.closes_at),
        "editable": application.status in EDITABLE_STATUSES,
        "is_draft": application.status == ApplicationStatus.DRAFT,
        "withdrawable": applications.can_withdraw(application, topic, c.clock.now()),
    }


async def on_continue(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    await manager.start(ApplicationForm.title, data={APPLICATION_ID: manager.dialog_data[SELECTED]})


async def _act(callback: CallbackQuery, manager: DialogManager, action) -> bool:
    """Run a change, commit it, or explain why it was refused."""
    c, t = ctx(manager), texts_of(manager)
    try:
        await action(c.store, c.person, manager.dialog_data[SELECTED])
    except (ApplicationClosed, NotYours) as refusal:
        await refuse(callback, t(refusal.code))
        await manager.switch_to(MyApplications.list)
        return False
    await c.store.commit()
    return True


async def on_withdraw(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    c = ctx(manager)
    now = c.clock.now()

    async def withdraw(store, person, application_id):
        await applications.withdraw(store, person, application_id, now)

    if await _act(callback, manager, withdraw):
        await button_message(callback).answer(texts_of(manager)("my_applications.withdrawn"))
        manager.show_mode = ShowMode.SEND
        await manager.switch_to(MyApplications.details)


async def on_delete(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    if await _act(callback, manager, applications.discard_draft):
        await toast(callback, texts_of(manager)("my_applications.deleted"))
        await manager.switch_to(MyApplications.list)


def my_applications_dialog() -> Dialog:
    back_to_details = SwitchTo(Label("common.back"), id="back", state=MyApplications.details)
    return Dialog(
        Window(
            Tr("my_applications.title", when="has_items"),
            Tr("my_applications.empty", when=~F["has_items"] & F["has_organisation"]),
            Tr("my_applications.no_organisation", when=~F["has_organisation"]),
            item_list(LIST_ID, "items", on_select, page_id="apps_page"),
            Cancel(Label("common.back")),
            state=MyApplications.list,
            getter=list_getter,
        ),
        Window(
            Tr("my_applications.details"),
            Button(
                Label("my_applications.continue"),
                id=CONTINUE_ID,
                on_click=on_continue,
                when="editable",
            ),
            SwitchTo(
                Label("my_applications.withdraw"),
                id=WITHDRAW_ID,
                state=MyApplications.confirm_withdraw,
                when="withdrawable",
            ),
            SwitchTo(
                Label("my_applications.delete"),
                id=DELETE_ID,
                state=MyApplications.confirm_delete,
                when="is_draft",
            ),
            SwitchTo(Label("common.back"), id="back", state=MyApplications.list),
            state=MyApplications.details,
            getter=details_getter,
        ),
        Window(
            Tr("my_applications.confirm_withdraw"),
            Row(
                Button(
                    Label("my_applications.withdraw_yes"),
                    id=CONFIRM_WITHDRAW_ID,
                    on_click=on_withdraw,
                ),
                back_to_details,
            ),
            state=MyApplications.confirm_withdraw,
            getter=details_getter,
        ),
        Window(
            Tr("my_applications.confirm_delete"),
            Row(
                Button(
                    Label("my_applications.delete_yes"), id=CONFIRM_DELETE_ID, on_click=on_delete
                ),
                back_to_details,
            ),
            state=MyApplications.confirm_delete,
            getter=details_getter,
        ),
        name="my_applications",
    )
