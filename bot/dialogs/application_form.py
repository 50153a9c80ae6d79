"""Writing a grant application: one step per field, a summary with an edit button per
field, then submission with a receipt.

The draft lives in the database, not in dialog_data (which keeps only its id):
every answer is saved at once, any member of the organisation may continue it,
and after a restart each screen reads the answers afresh.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aiogram import F
from aiogram.enums import ContentType
from aiogram.types import CallbackQuery, Message
from aiogram_dialog import Dialog, DialogManager, ShowMode, StartMode, Window
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import Button, Group, Row, Select, SwitchTo
from aiogram_dialog.widgets.text import Format

from bot.dialogs.common import Label, Tr, refuse, texts_of, toast
from bot.dialogs.context import ctx
from bot.dialogs.start_data import APPLICATION_ID, ORGANISATION_ID, TOPIC_ID
from bot.dialogs.states import ApplicationForm, MainMenu, MyApplications
from bot.events import button_message
from core.i18n import Html, Texts
from domain.application_status import ApplicationStatus
from domain.grants import max_institutional_amount
from domain.regions import REGIONS
from domain.text_input import shown_name
from grants import application_form as form
from grants import applications
from grants.application_form import FormProblem, format_tenge
from grants.applications import ApplicationClosed, Incomplete, NotEligible, NotYours
from registry.staff import StaffError
from storage.repositories.applications import ApplicationView
from storage.repositories.topics import TopicView

REVIEWING = "reviewing"
STEPS = (*applications.APPLICATION_FIELDS, "attachment")
STATES = dict(zip(STEPS, (s for s in ApplicationForm.__states__[: len(STEPS)]), strict=True))
FIELD_OF_STATE = {state.state: field for field, state in STATES.items()}
TEXT_FIELDS = tuple(form.TEXT_LIMITS)
SUMMARY_PREVIEW = 300  # characters of each long answer on the summary
BACK_ID, CANCEL_ID, SKIP_ID, DONE_ID = "back", "cancel", "skip", "done"
REGION_ID, LANGUAGE_ID, EDIT_ID, FIX_ID = "region", "language", "edit", "fix"
SUBMIT_ID, CONFIRM_ID, REMOVE_FILE_ID = "submit", "confirm", "remove_file"
MY_APPLICATIONS_ID, MENU_ID = "my_applications", "menu"


# ---- context -------------------------------------------------------------


def _now(manager: DialogManager) -> datetime:
    return ctx(manager).clock.now()


def _policy(manager: DialogManager) -> applications.Policy:
    """The settings an application is judged by."""
    c = ctx(manager)
    return applications.Policy(
        zone=c.clock.zone,
        institutional_percent=c.settings.institutional_percent,
        filing_year=c.settings.required_filing_year,
        mci_by_year=c.settings.mci_kzt_by_year,
    )


async def _load(manager: DialogManager) -> tuple[ApplicationView, TopicView]:
    c = ctx(manager)
    return await applications.view(c.store, c.person, manager.dialog_data[APPLICATION_ID])


def refusal_lines(t: Texts, refusals) -> str:
    return "\n".join(
        "• " + t(f"application.ineligible.{r.reason.value}", **r.params) for r in refusals
    )


async def _say(manager: DialogManager, text: str) -> None:
    c = ctx(manager)
    await c.bot.send_message(c.chat_id, text)
    manager.show_mode = ShowMode.SEND


# ---- start and moving between steps --------------------------------------


async def on_start(start_data: Any, manager: DialogManager) -> None:
    c, t = ctx(manager), texts_of(manager)
    store, person, start_data = c.store, c.person, start_data or {}
    try:
        if APPLICATION_ID in start_data:
            application_id = start_data[APPLICATION_ID]
            await applications.view(store, person, application_id)
        else:
            application_id = await applications.start(
                store,
                person,
                start_data.get(ORGANISATION_ID),
                start_data[TOPIC_ID],
                _now(manager),
                _policy(manager),
            )
            await store.commit()
    except NotEligible as refusal:
        await _say(
            manager, t("application.not_eligible", reasons=Html(refusal_lines(t, refusal.refusals)))
        )
        await manager.done()
        return
    except (NotYours, StaffError):
        await _say(manager, t("application.not_found"))
        await manager.done()
        return
    manager.dialog_data[APPLICATION_ID] = application_id
    application, _topic = await _load(manager)
    if application.status not in (ApplicationStatus.DRAFT, ApplicationStatus.INCOMPLETE):
        await _say(manager, t("application.not_editable"))
        await manager.done()
        return
    missing = application.missing_fields()
    if missing:
        await manager.switch_to(STATES[missing[0]])
    else:
        manager.dialog_data[REVIEWING] = True
        await manager.switch_to(ApplicationForm.summary)


def _field(manager: DialogManager) -> str:
    return FIELD_OF_STATE[manager.current_context().state.state]


async def advance(manager: DialogManager, field: str) -> None:
    if manager.dialog_data.get(REVIEWING) or field == STEPS[-1]:
        manager.dialog_data[REVIEWING] = True
        await manager.switch_to(ApplicationForm.summary)
    else:
        await manager.switch_to(STATES[STEPS[STEPS.index(field) + 1]])


async def on_back(_callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    field = _field(manager)
    if manager.dialog_data.get(REVIEWING):
        await manager.switch_to(ApplicationForm.summary)
    elif field == STEPS[0]:
        await manager.done()
    else:
        await manager.switch_to(STATES[STEPS[STEPS.index(field) - 1]])


async def on_cancel(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    await button_message(callback).answer(texts_of(manager)("application.draft_kept"))
    await manager.done()


async def on_edit(_callback: CallbackQuery, _widget: Any, manager: DialogManager, field: str):
    if field in STATES:
        await manager.switch_to(STATES[field])


# ---- answers -------------------------------------------------------------


async def save(event: Message | CallbackQuery, manager: DialogManager, **values) -> bool:
    """Save answers at once; a refusal is explained and the person stays on the step."""
    c, t = ctx(manager), texts_of(manager)
    answer = event.answer if isinstance(event, Message) else button_message(event).answer
    try:
        await applications.save(
            c.store,
            c.person,
            manager.dialog_data[APPLICATION_ID],
            _now(manager),
            _policy(manager),
            **values,
        )
    except FormProblem as problem:
        await answer(t(problem.code, **problem.params))
        return False
    except (ApplicationClosed, NotYours) as closed:
        await answer(t(closed.code))
        await manager.done()
        return False
    await c.store.commit()
    return True


def parse(field: str, text: str, topic: TopicView) -> dict[str, Any]:
    if field in TEXT_FIELDS:
        return {field: form.parse_text(field, text)}
    if field == "beneficiaries":
        return {field: form.parse_beneficiaries(text)}
    if field == "duration_months":
        return {field: form.parse_duration(text, topic)}
    return {field: form.parse_money(text)}


async def on_text(message: Message, _widget: MessageInput, manager: DialogManager) -> None:
    t, field = texts_of(manager), _field(manager)
    if message.text is None:
        await message.answer(t("input.text_expected"))
        return
    _application, topic = await _load(manager)
    try:
        values = parse(field, message.text, topic)
    except FormProblem as problem:
        await message.answer(t(problem.code, **problem.params))
        return
    if await save(message, manager, **values):
        await advance(manager, field)


async def on_file(message: Message, _widget: MessageInput, manager: DialogManager) -> None:
    t, document = texts_of(manager), message.document
    limit_mb = form.MAX_ATTACHMENT_BYTES // (1024 * 1024)
    if document is None:
        await message.answer(t("application.attachment_type", limit_mb=limit_mb))
        return
    attachment = form.Attachment(
        document.file_id,
        document.file_name or "",
        document.file_size or 0,
        document.mime_type or "",
    )
    try:
        form.check_attachment(attachment)
    except FormProblem as problem:
        await message.answer(t(problem.code, **{"limit_mb": limit_mb, **problem.params}))
        return
    if await save(
        message,
        manager,
        attachment_file_id=attachment.file_id,
        attachment_name=attachment.name,
        attachment_size=attachment.size,
        attachment_mime=attachment.mime,
    ):
        await advance(manager, "attachment")


async def on_remove_file(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    fields = ("attachment_file_id", "attachment_name", "attachment_size", "attachment_mime")
    await save(callback, manager, **dict.fromkeys(fields))


async def on_skip(_callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    await advance(manager, _field(manager))


# A region button says what it does: "+almaty" ticks, "-almaty" unticks. A toggle
# would undo itself when the same press is handled twice (Telegram re-sends an
# update a crashed process had handled but not confirmed).
TICK, UNTICK = "+", "-"


async def on_region(callback: CallbackQuery, _widget: Any, manager: DialogManager, item: str):
    application, topic = await _load(manager)
    code = item.lstrip(TICK + UNTICK)
    if code not in form.eligible_regions(topic):
        await toast(callback, texts_of(manager)("application.region_not_eligible"))
        return
    chosen = set(application.regions)
    if item.startswith(UNTICK) or (item == code and code in chosen):  # bare code: a toggle
        chosen.discard(code)
    else:
        chosen.add(code)
    regions = tuple(r for r in REGIONS if r in chosen)
    await save(callback, manager, regions=regions or None)


async def on_regions_done(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    application, _topic = await _load(manager)
    if not application.regions:
        await refuse(callback, texts_of(manager)("application.regions_required"))
        return
    await advance(manager, "regions")


async def on_language(callback: CallbackQuery, _widget: Any, manager: DialogManager, code: str):
    if await save(callback, manager, language=code):
        await advance(manager, "language")


# ---- submission ----------------------------------------------------------


async def on_submit_request(callback: CallbackQuery, _button: Button, manager: DialogManager):
    application, topic = await _load(manager)
    try:
        applications.check_complete(application, topic, _policy(manager))
    except Incomplete:
        await manager.switch_to(ApplicationForm.missing)
        return
    await manager.switch_to(ApplicationForm.confirm_submit)


async def on_confirm(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    c, t = ctx(manager), texts_of(manager)
    store, person = c.store, c.person
    try:
        await applications.submit(
            store, person, manager.dialog_data[APPLICATION_ID], _now(manager), _policy(manager)
        )
    except Incomplete:
        await manager.switch_to(ApplicationForm.missing)
        return
    except NotEligible as refusal:
        await _say(
            manager, t("application.not_eligible", reasons=Html(refusal_lines(t, refusal.refusals)))
        )
        await manager.switch_to(ApplicationForm.summary)
        return
    except (ApplicationClosed, NotYours) as closed:
        # A refusal by a topic closed early is recorded (it can then not be undone).
        await store.commit()
        await _say(manager, t(closed.code))
        await manager.switch_to(ApplicationForm.summary)
        return
    await store.commit()
    await manager.switch_to(ApplicationForm.receipt)


async def on_my_applications(callback: CallbackQuery, _button: Button, manager: DialogManager):
    # The receipt stays in the chat: the next screen comes as a new message below it.
    await manager.start(MyApplications.list, mode=StartMode.RESET_STACK, show_mode=ShowMode.SEND)


async def on_menu(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    await manager.start(MainMenu.main, mode=StartMode.RESET_STACK, show_mode=ShowMode.SEND)


# ---- what the screens show -----------------------------------------------


def _raw_value(application: ApplicationView, field: str) -> Any:
    return application.attachment_name if field == "attachment" else getattr(application, field)


def shown_value(t: Texts, field: str, application: ApplicationView, preview: int | None) -> str:
    """One answer as the person reads it; "not set" when empty."""
    value = _raw_value(application, field)
    if value in (None, ()):
        return t.label("common.not_set")
    if field in TEXT_FIELDS and preview and len(value) > preview:
        return value[:preview].rstrip() + "…"
    if field in ("budget_total", "institutional_amount"):
        return t.label("application.tenge", amount=format_tenge(value))
    if field == "regions":
        return ", ".join(t.label(f"region.{code}") for code in value)
    if field == "language":
        return t.label(f"language.name.{value}")
    return str(value)


def answers_block(t: Texts, application: ApplicationView, preview: int | None) -> Html:
    """Every answer under its name, escaped, as one block of the message."""
    return Html(
        "\n".join(
            t(
                "application.answer",
                number=number,
                name=t.label(f"application.field.{field}"),
                value=shown_value(t, field, application, preview),
            )
            for number, field in enumerate(STEPS, start=1)
        )
    )


async def step_getter(dialog_manager: DialogManager, **_kwargs) -> dict[str, Any]:
    t = texts_of(dialog_manager)
    application, topic = await _load(dialog_manager)
    policy = _policy(dialog_manager)
    field = _field(dialog_manager)
    low, high = form.duration_range(topic)
    total = application.budget_total
    chosen = set(application.regions)
    return {
        "step": STEPS.index(field) + 1,
        "total": len(STEPS),
        "limit": form.TEXT_LIMITS.get(field, 0),
        "min_months": low,
        "count": high,
        "min": format_tenge(topic.budget_min),
        "max": format_tenge(topic.budget_max),
        "percent": policy.institutional_percent,
        "max_amount": format_tenge(
            max_institutional_amount(total, policy.institutional_percent) if total else 0
        ),
        "has_budget": total is not None,
        "limit_mb": form.MAX_ATTACHMENT_BYTES // (1024 * 1024),
        "has_current": _raw_value(application, field) not in (None, ())
        and field not in ("regions", "language"),
        "has_file": application.attachment_name is not None,
        "current": shown_value(t, field, application, None),
        "regions": [
            (f"{UNTICK}{code}", "✅ " + t.label(f"region.{code}"))
            if code in chosen
            else (f"{TICK}{code}", t.label(f"region.{code}"))
            for code in form.eligible_regions(topic)
        ],
        "languages": [
            (code, t.label(f"language.name.{code}")) for code in topic.application_languages
        ],
    }


def problem_lines(t: Texts, application, topic, policy) -> str:
    return "\n".join(
        "⚠️ " + t(problem.code, **problem.params)
        for _field, problem in applications.problems(application, topic, policy)
    )


async def summary_getter(dialog_manager: DialogManager, **_kwargs) -> dict[str, Any]:
    c, t = ctx(dialog_manager), texts_of(dialog_manager)
    application, topic = await _load(dialog_manager)
    policy = _policy(dialog_manager)
    warnings = problem_lines(t, application, topic, policy)
    missing = application.missing_fields()
    to_fix = [*missing, *(f for f, _ in applications.problems(application, topic, policy))]
    return {
        "topic": topic.title(t.locale),
        "organisation": application.organisation_name,
        "answers": answers_block(t, application, SUMMARY_PREVIEW),
        "editor": shown_name(application.updated_by_name) or "—",
        "edited_at": c.date_time(application.updated_at),
        "warnings": Html(warnings),
        "has_warnings": bool(warnings),
        "missing": Html("\n".join("• " + t(f"application.field.{f}") for f in missing)),
        "has_missing": bool(missing),
        "deadline": c.date_time(topic.closes_at),
        "fields": [(f, t.label(f"application.field.{f}")) for f in STEPS],
        "to_fix": [(f, t.label(f"application.field.{f}")) for f in dict.fromkeys(to_fix)],
        "reference": application.reference or "—",
        "budget": t.label("application.tenge", amount=format_tenge(application.budget_total or 0)),
        "submitted_at": c.date_time(application.submitted_at),
        "submitted_by": shown_name(application.submitted_by_name) or "—",
    }


# ---- windows -------------------------------------------------------------


def _nav() -> Row:
    return Row(
        Button(Label("common.back"), id=BACK_ID, on_click=on_back),
        Button(Label("common.cancel"), id=CANCEL_ID, on_click=on_cancel),
    )


def step_window(field: str, *widgets) -> Window:
    # The institutional step can only state its cap once the total budget is known.
    ask_when = "has_budget" if field == "institutional_amount" else None
    return Window(
        Tr("common.step"),
        Tr(f"application.ask.{field}", when=ask_when),
        *widgets,
        Tr("application.current", when="has_current"),
        _nav(),
        state=STATES[field],
        getter=step_getter,
    )


def _choices(widget_id: str, items: str, on_click, width: int = 2) -> Group:
    return Group(
        Select(
            Format("{item[1]}"),
            id=widget_id,
            item_id_getter=lambda item: item[0],
            items=items,
            on_click=on_click,
        ),
        width=width,
    )


def step_windows() -> list[Window]:
    windows = [
        step_window(field, MessageInput(on_text, content_types=ContentType.ANY))
        for field in STEPS[:8]
    ]
    windows[7] = step_window(
        "institutional_amount",
        Tr("application.ask.institutional_no_budget", when=~F["has_budget"]),
        MessageInput(on_text, content_types=ContentType.ANY),
    )
    windows.append(
        step_window(
            "regions",
            _choices(REGION_ID, "regions", on_region),
            Button(Label("common.done"), id=DONE_ID, on_click=on_regions_done),
        )
    )
    windows.append(step_window("language", _choices(LANGUAGE_ID, "languages", on_language)))
    windows.append(
        step_window(
            "attachment",
            MessageInput(on_file, content_types=ContentType.ANY),
            Button(
                Label("application.remove_file"),
                id=REMOVE_FILE_ID,
                on_click=on_remove_file,
                when="has_file",
            ),
            Button(Label("common.skip"), id=SKIP_ID, on_click=on_skip),
        )
    )
    return windows


def application_form_dialog() -> Dialog:
    return Dialog(
        *step_windows(),
        Window(
            Tr("application.summary"),
            Tr("application.warnings", when="has_warnings"),
            _choices(EDIT_ID, "fields", on_edit),
            Button(Label("application.submit"), id=SUBMIT_ID, on_click=on_submit_request),
            Button(Label("application.close"), id=CANCEL_ID, on_click=on_cancel),
            state=ApplicationForm.summary,
            getter=summary_getter,
        ),
        Window(
            Tr("application.missing", when="has_missing"),
            Tr("application.warnings", when="has_warnings"),
            # Reached again after a colleague completed the draft: nothing left to fix.
            Tr("application.nothing_missing", when=~F["has_missing"] & ~F["has_warnings"]),
            _choices(FIX_ID, "to_fix", on_edit),
            SwitchTo(Label("common.back"), id=BACK_ID, state=ApplicationForm.summary),
            state=ApplicationForm.missing,
            getter=summary_getter,
        ),
        Window(
            Tr("application.confirm_submit"),
            Button(Label("application.confirm_submit_yes"), id=CONFIRM_ID, on_click=on_confirm),
            SwitchTo(Label("common.back"), id=BACK_ID, state=ApplicationForm.summary),
            state=ApplicationForm.confirm_submit,
            getter=summary_getter,
        ),
        Window(
            Tr("application.receipt"),
            Button(Label("menu.applications"), id=MY_APPLICATIONS_ID, on_click=on_my_applications),
            Button(Label("common.menu"), id=MENU_ID, on_click=on_menu),
            state=ApplicationForm.receipt,
            getter=summary_getter,
        ),
        on_start=on_start,
        name="application_form",
    )
