"""The yearly activity filing: an overview of every answer, read from the database each time.

Each answer is saved and committed at once, so a filing interrupted anywhere
(even by a restart) resumes with nothing lost. Only the project being added
lives in dialog data until its last answer.
"""

from __future__ import annotations

from typing import Any

from aiogram import F
from aiogram.types import CallbackQuery, InaccessibleMessage, Message
from aiogram_dialog import Dialog, DialogManager, ShowMode, StartMode, Window
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import Button, Group, Row, Select, Start, SwitchTo
from aiogram_dialog.widgets.text import Format

from bot.dialogs.common import Label, Tr, fit_list, refuse, texts_of
from bot.dialogs.context import ctx
from bot.dialogs.inputs import number_refusal, text_refusal
from bot.dialogs.start_data import ORGANISATION_ID, YEAR
from bot.dialogs.states import Filing, MainMenu, Registration
from bot.events import button_message
from core.clock import Clock
from core.i18n import Html, Texts
from core.local_time import local_date, local_date_time
from domain.areas import AREAS
from domain.errors import RuleViolation
from domain.lookup import found
from domain.regions import REGIONS
from domain.text_input import InvalidNumber, plain_id
from domain.text_limits import InvalidText
from registry import activity
from registry.activity import FilingError, FilingProblem
from registry.staff import StaffError, active_organisation_id
from storage.repositories.activity_reports import REPORT_NUMBER_FIELDS, ReportView
from storage.store import Store

FIELD = "field"
PROJECT = "project"

FIELD_SELECT = "field"
AREA_SELECT = "area"
REGION_SELECT = "region"
REMOVE_SELECT = "remove"
SUBMIT_BUTTON = "submit"
CONFIRM_BUTTON = "confirm"


def money(amount: int) -> str:
    return f"{amount:,}".replace(",", " ")


def field_value(t: Texts, field: str, report: ReportView | None) -> str:
    value = getattr(report, field) if report is not None else None
    if value is None:
        return t("common.not_set")
    return (
        t("filing.amount", amount=money(value)) if field in activity.AMOUNT_FIELDS else money(value)
    )


# Start: which organisation, which year


async def on_start(_start_data: Any, manager: DialogManager) -> None:
    c = ctx(manager)
    store, person, clock = c.store, c.person, c.clock
    start = manager.start_data if isinstance(manager.start_data, dict) else {}
    organisation_id = start.get(ORGANISATION_ID)
    if organisation_id is None and person is not None:
        organisation_id = await active_organisation_id(store, person)
    manager.dialog_data[ORGANISATION_ID] = organisation_id
    # Fixed at start, so a filing begun on 31 December stays on the same year.
    manager.dialog_data[YEAR] = start.get(YEAR) or activity.current_year(clock.now(), clock.zone)
    if organisation_id is None:
        await manager.switch_to(Filing.no_organisation)


async def _status(manager: DialogManager) -> activity.FilingStatus:
    c = ctx(manager)
    store, person, clock = c.store, c.person, c.clock
    return await activity.status(
        store,
        person,
        manager.dialog_data[ORGANISATION_ID],
        manager.dialog_data[YEAR],
        clock.now(),
        clock.zone,
    )


# The overview


async def overview_getter(dialog_manager: DialogManager, **_kwargs) -> dict[str, Any]:
    c = ctx(dialog_manager)
    store, clock, t = c.store, c.clock, c.t
    try:
        filing = await _status(dialog_manager)
    except StaffError:
        return {
            "allowed": False,
            "editable": False,
            "locked": False,
            "past_deadline": False,
            "has_projects": False,
        }
    report = filing.report
    organisation = found(
        await store.organisations.get(filing.organisation_id), filing.organisation_id
    )
    lines = [
        t(
            "filing.line",
            label=t.label(f"filing.field.{name}"),
            value=Html(field_value(t, name, report)),
        )
        for name in REPORT_NUMBER_FIELDS
    ]
    projects = [
        t(
            "filing.project_line",
            number=index,
            title=project.title,
            area=t.label(f"area.{project.area}"),
            region=t.label(f"region.{project.region}"),
            beneficiaries=money(project.beneficiaries),
        )
        for index, project in enumerate(report.projects if report else (), start=1)
    ]
    return {
        "allowed": True,
        "editable": not filing.locked,
        "locked": filing.locked,
        # Submitted now, it is late and locked at once: the confirmation says so.
        "past_deadline": clock.now() > filing.deadline,
        "has_projects": bool(projects),
        "name": organisation.name,
        "year": filing.year,
        "deadline": local_date(filing.deadline, clock.zone),
        "state": Html(await _state_line(store, clock, t, filing)),
        "fields": Html("\n".join(lines)),
        "projects": fit_list(t, projects) if projects else t("filing.no_projects_yet"),
        "total_income": money(report.total_income if report else 0),
        "field_buttons": [(t.label(f"filing.field.{name}"), name) for name in REPORT_NUMBER_FIELDS],
    }


async def _state_line(store: Store, clock: Clock, t: Texts, filing: activity.FilingStatus) -> str:
    report = filing.report
    if report is None:
        return t("filing.state.new")
    names = await store.activity_reports.names({report.updated_by, report.submitted_by})
    unknown = t.label("filing.someone")
    lines = []
    if filing.locked:
        lines.append(t("filing.state.locked"))
    if filing.submitted:
        lines.append(
            t(
                "filing.state.late" if filing.late else "filing.state.submitted",
                when=local_date_time(found(report.submitted_at, "the submission time"), clock.zone),
                who=names.get(report.submitted_by) or unknown,
            )
        )
    else:
        lines.append(t("filing.state.draft"))
    lines.append(
        t(
            "filing.state.edited",
            when=local_date_time(report.updated_at, clock.zone),
            who=names.get(report.updated_by) or unknown,
        )
    )
    return "\n".join(lines)


async def on_field(_c: CallbackQuery, _w: Select, manager: DialogManager, field: str) -> None:
    if field not in REPORT_NUMBER_FIELDS:
        return
    manager.dialog_data[FIELD] = field
    await manager.switch_to(Filing.number)


async def on_submit(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    t = ctx(manager).t
    filing = await _status(manager)
    missing = filing.missing()
    if missing:
        names = ", ".join(t.label(f"filing.field.{name}") for name in missing)
        await button_message(callback).answer(t("filing.missing", fields=names))
        manager.show_mode = ShowMode.DELETE_AND_SEND
        return
    await manager.switch_to(Filing.confirm_submit)


# Typed answers


async def number_getter(dialog_manager: DialogManager, **_kwargs) -> dict[str, Any]:
    t = ctx(dialog_manager).t
    field = dialog_manager.dialog_data.get(FIELD) or "project_beneficiaries"
    filing = await _status(dialog_manager)
    current = field_value(t, field, filing.report) if field in REPORT_NUMBER_FIELDS else ""
    title = (dialog_manager.dialog_data.get(PROJECT) or {}).get("title", "")
    question = t(f"filing.ask.{field}", current=Html(current), title=title)
    return {"question": Html(question)}


def _read_number(field: str, raw: str) -> int:
    return activity.read_report_number(
        field if field in REPORT_NUMBER_FIELDS else "total_beneficiaries", raw
    )


def _refusal(t: Texts, error: RuleViolation | FilingError) -> str:
    if isinstance(error, InvalidText):
        return text_refusal(t, error)
    if isinstance(error, InvalidNumber):
        return number_refusal(t, error)
    params = dict(getattr(error, "params", {}))
    if "max" in params:
        params["max"] = money(int(params["max"]))
    return t(f"filing.error.{error.code}", **params)


async def _refuse_and_ask_again(
    message: Message | InaccessibleMessage,
    manager: DialogManager,
    error: RuleViolation | FilingError,
    *,
    roll_back: Store | None = None,
) -> None:
    await refuse(message, _refusal(texts_of(manager), error), roll_back=roll_back)
    # The question again, below the refusal; the step and every answer stay.
    manager.show_mode = ShowMode.DELETE_AND_SEND


async def _save(message: Message | InaccessibleMessage, manager: DialogManager, action) -> bool:
    """Run one use case and commit it; a locked filing or a lost membership ends the step."""
    c = ctx(manager)
    store, person, clock, t = c.store, c.person, c.clock, c.t
    data = manager.dialog_data
    try:
        await action(
            store, person, data[ORGANISATION_ID], data[YEAR], now=clock.now(), zone=clock.zone
        )
    except (RuleViolation, InvalidText) as error:
        await _refuse_and_ask_again(message, manager, error, roll_back=store)
        return False
    except FilingError as error:
        await _refuse_and_ask_again(message, manager, error, roll_back=store)
        if error.problem == FilingProblem.LOCKED:
            await manager.switch_to(Filing.overview)
        return False
    except StaffError as error:
        await refuse(message, t(f"filing.error.{error.code}"), roll_back=store)
        await manager.done()
        return False
    await store.commit()
    return True


async def on_number(message: Message, _widget: MessageInput, manager: DialogManager) -> None:
    if not message.text:
        await message.answer(texts_of(manager)("input.text_expected"))
        manager.show_mode = ShowMode.DELETE_AND_SEND
        return
    field = manager.dialog_data.get(FIELD)
    if field not in REPORT_NUMBER_FIELDS:
        await manager.switch_to(Filing.overview)
        return
    try:
        value = _read_number(field, message.text)
    except (RuleViolation, FilingError) as error:
        await _refuse_and_ask_again(message, manager, error)
        return

    async def save(store, person, organisation_id, year, *, now, zone):
        await activity.set_number(store, person, organisation_id, year, field, value, now, zone)

    if await _save(message, manager, save):
        manager.show_mode = ShowMode.DELETE_AND_SEND
        await manager.switch_to(Filing.overview)


# Adding a project: title, area, region, beneficiaries


async def on_title(message: Message, _widget: MessageInput, manager: DialogManager) -> None:
    if not message.text:
        await message.answer(texts_of(manager)("input.text_expected"))
        manager.show_mode = ShowMode.DELETE_AND_SEND
        return
    try:
        title = activity.clean_project_title(message.text)
    except InvalidText as error:
        await _refuse_and_ask_again(message, manager, error)
        return
    manager.dialog_data[PROJECT] = {"title": title}
    manager.show_mode = ShowMode.DELETE_AND_SEND
    await manager.switch_to(Filing.project_area)


async def on_area(_c: CallbackQuery, _w: Select, manager: DialogManager, area: str) -> None:
    if area in AREAS and PROJECT in manager.dialog_data:
        manager.dialog_data[PROJECT]["area"] = area
        await manager.switch_to(Filing.project_region)


async def on_region(_c: CallbackQuery, _w: Select, manager: DialogManager, region: str) -> None:
    if region in REGIONS and PROJECT in manager.dialog_data:
        manager.dialog_data[PROJECT]["region"] = region
        manager.dialog_data[FIELD] = "project_beneficiaries"
        await manager.switch_to(Filing.project_beneficiaries)


async def on_beneficiaries(message: Message, _widget: MessageInput, manager: DialogManager) -> None:
    if not message.text:
        await message.answer(texts_of(manager)("input.text_expected"))
        manager.show_mode = ShowMode.DELETE_AND_SEND
        return
    try:
        beneficiaries = _read_number("total_beneficiaries", message.text)
    except (RuleViolation, FilingError) as error:
        await _refuse_and_ask_again(message, manager, error)
        return
    project = manager.dialog_data.get(PROJECT) or {}
    if set(project) != {"title", "area", "region"}:
        await manager.switch_to(Filing.project_title)
        return

    async def save(store, person, organisation_id, year, *, now, zone):
        await activity.add_project(
            store,
            person,
            organisation_id,
            year,
            **project,
            beneficiaries=beneficiaries,
            now=now,
            zone=zone,
        )

    if await _save(message, manager, save):
        manager.dialog_data.pop(PROJECT, None)
        manager.show_mode = ShowMode.DELETE_AND_SEND
        await manager.switch_to(Filing.overview)


def choices_getter(prefix: str, codes: tuple[str, ...]):
    async def getter(dialog_manager: DialogManager, **_kwargs) -> dict[str, Any]:
        t = texts_of(dialog_manager)
        title = (dialog_manager.dialog_data.get(PROJECT) or {}).get("title", "")
        return {"title": title, "choices": [(t.label(f"{prefix}.{code}"), code) for code in codes]}

    return getter


# Removing a project


async def projects_getter(dialog_manager: DialogManager, **_kwargs) -> dict[str, Any]:
    filing = await _status(dialog_manager)
    projects = filing.report.projects if filing.report else ()
    return {"projects": [(f"🗑 {p.title[:40]}", str(p.id)) for p in projects]}


async def on_remove(callback: CallbackQuery, _w: Select, manager: DialogManager, item: str) -> None:
    project_id = plain_id(item)
    if project_id is None:
        return

    async def save(store, person, organisation_id, year, *, now, zone):
        await activity.remove_project(store, person, organisation_id, year, project_id, now, zone)

    if await _save(button_message(callback), manager, save):
        await manager.switch_to(Filing.overview)


# Submitting


async def on_confirm(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    async def save(store, person, organisation_id, year, *, now, zone):
        await activity.submit(store, person, organisation_id, year, now, zone)

    if await _save(button_message(callback), manager, save):
        await manager.switch_to(Filing.receipt)


async def receipt_getter(dialog_manager: DialogManager, **_kwargs) -> dict[str, Any]:
    c = ctx(dialog_manager)
    store, clock, t = c.store, c.clock, c.t
    filing = await _status(dialog_manager)
    report = found(filing.report, "the submitted filing")
    organisation = found(
        await store.organisations.get(filing.organisation_id), filing.organisation_id
    )
    names = await store.activity_reports.names({report.submitted_by})
    return {
        "name": organisation.name,
        "year": filing.year,
        "when": local_date_time(found(report.submitted_at, "the submission time"), clock.zone),
        "who": names.get(report.submitted_by) or t.label("filing.someone"),
        "projects_count": len(report.projects),
        "beneficiaries": money(report.total_beneficiaries or 0),
        "total_income": money(report.total_income),
        "late": filing.late,
        "locked": filing.locked,
    }


# The filing is opened from a command or from the card; the menu is the one safe way out.
TO_MENU = Start(Label("common.menu"), id="menu", state=MainMenu.main, mode=StartMode.RESET_STACK)
BACK_TO_OVERVIEW = SwitchTo(Label("common.back"), id="back", state=Filing.overview)


def filing_dialog() -> Dialog:
    choices: dict[str, Any] = {"item_id_getter": lambda item: item[1], "items": "choices"}
    return Dialog(
        Window(
            Tr("filing.overview", when=F["allowed"]),
            Tr("filing.locked_hint", when=F["locked"]),
            Tr("filing.not_a_member", when=~F["allowed"]),
            Group(
                Select(
                    Format("{item[0]}"),
                    id=FIELD_SELECT,
                    item_id_getter=lambda item: item[1],
                    items="field_buttons",
                    on_click=on_field,
                ),
                width=2,
                when=F["editable"],
            ),
            Row(
                SwitchTo(Label("filing.add_project"), id="add", state=Filing.project_title),
                SwitchTo(
                    Label("filing.remove_project"),
                    id="remove_list",
                    state=Filing.projects,
                    when=F["has_projects"],
                ),
                when=F["editable"],
            ),
            Button(
                Label("filing.submit"), id=SUBMIT_BUTTON, on_click=on_submit, when=F["editable"]
            ),
            TO_MENU,
            state=Filing.overview,
            getter=overview_getter,
        ),
        Window(
            Tr("filing.ask_number"),
            MessageInput(on_number),
            BACK_TO_OVERVIEW,
            state=Filing.number,
            getter=number_getter,
        ),
        Window(
            Tr("filing.ask.project_title"),
            MessageInput(on_title),
            BACK_TO_OVERVIEW,
            state=Filing.project_title,
        ),
        Window(
            Tr("filing.ask.project_area"),
            Group(
                Select(Format("{item[0]}"), id=AREA_SELECT, on_click=on_area, **choices), width=2
            ),
            BACK_TO_OVERVIEW,
            MessageInput(_buttons_only),
            state=Filing.project_area,
            getter=choices_getter("area", AREAS),
        ),
        Window(
            Tr("filing.ask.project_region"),
            Group(
                Select(Format("{item[0]}"), id=REGION_SELECT, on_click=on_region, **choices),
                width=2,
            ),
            BACK_TO_OVERVIEW,
            MessageInput(_buttons_only),
            state=Filing.project_region,
            getter=choices_getter("region", REGIONS),
        ),
        Window(
            Tr("filing.ask_number"),
            MessageInput(on_beneficiaries),
            BACK_TO_OVERVIEW,
            state=Filing.project_beneficiaries,
            getter=number_getter,
        ),
        Window(
            Tr("filing.choose_project_to_remove"),
            Group(
                Select(
                    Format("{item[0]}"),
                    id=REMOVE_SELECT,
                    item_id_getter=lambda item: item[1],
                    items="projects",
                    on_click=on_remove,
                ),
                width=1,
            ),
            BACK_TO_OVERVIEW,
            state=Filing.projects,
            getter=projects_getter,
        ),
        Window(
            Tr("drafts.filing.confirm_in_time", when=~F["past_deadline"]),
            Tr("drafts.filing.confirm_late", when=F["past_deadline"]),
            Row(
                Button(Label("common.yes"), id=CONFIRM_BUTTON, on_click=on_confirm),
                SwitchTo(Label("common.no"), id="no", state=Filing.overview),
            ),
            state=Filing.confirm_submit,
            getter=overview_getter,
        ),
        Window(
            Tr("filing.receipt"),
            Tr("filing.receipt_late", when=F["late"]),
            Tr("drafts.filing.receipt_locked", when=F["locked"]),
            SwitchTo(Label("filing.back_to_filing"), id="to_overview", state=Filing.overview),
            TO_MENU,
            state=Filing.receipt,
            getter=receipt_getter,
        ),
        Window(
            Tr("filing.no_organisation"),
            Start(Label("menu.register"), id="register", state=Registration.bin),
            TO_MENU,
            state=Filing.no_organisation,
        ),
        on_start=on_start,
        name="filing",
    )


async def _buttons_only(message: Message, _widget: MessageInput, manager: DialogManager) -> None:
    await message.answer(texts_of(manager)("input.choose_button"))
    manager.show_mode = ShowMode.DELETE_AND_SEND
