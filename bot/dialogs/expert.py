"""An expert's desk: the applications assigned to them, and for each either a
declared conflict of interest or five marks from 1 to 5 with a comment.

`console.competition` re-checks the assignment on every read and write: an id
from a forged button opens nothing that is not the expert's own.
"""

from __future__ import annotations

from typing import Any

from aiogram import F, Router
from aiogram.enums import ContentType
from aiogram.types import CallbackQuery, Message
from aiogram_dialog import Dialog, DialogManager, Window
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import Button, Cancel, Group, Select, SwitchTo
from aiogram_dialog.widgets.text import Format

from bot.dialogs.application_form import answers_block
from bot.dialogs.common import Label, Tr, item_list, refuse, texts_of, toast
from bot.dialogs.console_access import actor_of, gated, refuse_console, refuse_unless
from bot.dialogs.context import ctx
from bot.dialogs.states import ExpertDesk as S
from console import competition
from console.competition import ConsoleError
from console.roles import EXPERT_ROLES, Forbidden
from core.i18n import Html
from domain.lookup import found
from grants.topics import parse_topic_id
from storage.repositories.console import CRITERIA

APPLICATION, MARKS, COMMENT = "application", "marks", "comment"
LIST_ID, MARK_ID, CONFLICT_ID, SCORE_ID, SUBMIT_ID = (
    "x_apps",
    "x_mark",
    "conflict",
    "score",
    "submit",
)
DETAILS_BUDGET = 3000
ROWS = 8


async def list_getter(dialog_manager: DialogManager, **_kwargs) -> dict[str, Any]:
    store, actor = ctx(dialog_manager).store, actor_of(dialog_manager, EXPERT_ROLES)
    rows = [
        (
            item.application_id,
            f"{'✅' if scored else '⏳'} {item.reference or '—'} · {item.title or '—'}",
        )
        for item, scored in await competition.my_assignments(store, actor)
    ]
    return {"items": rows, "none": not rows}


async def on_open(callback: CallbackQuery, _w: Any, manager: DialogManager, item: str) -> None:
    store, actor = ctx(manager).store, actor_of(manager, EXPERT_ROLES)
    application_id = parse_topic_id(item) or 0
    try:
        await competition.application_for_expert(store, actor, application_id)
    except (ConsoleError, Forbidden) as exc:
        await refuse_console(callback, manager, exc)
        return
    manager.dialog_data[APPLICATION] = application_id
    await manager.switch_to(S.application)


async def application_getter(dialog_manager: DialogManager, **_kwargs) -> dict[str, Any]:
    store, actor = ctx(dialog_manager).store, actor_of(dialog_manager, EXPERT_ROLES)
    t = texts_of(dialog_manager)
    application_id = dialog_manager.dialog_data[APPLICATION]
    application, topic = await competition.application_for_expert(store, actor, application_id)
    answers = answers_block(t, application, None)
    if len(answers) > DETAILS_BUDGET:
        answers = answers_block(t, application, 400)
    score = await store.console.score(application_id, found(actor.person_id, "the expert"))
    return {
        "reference": application.reference or "—",
        "organisation": application.organisation_name,
        "topic": topic.title(t.locale),
        "answers": answers,
        "scored": score is not None,
        "total": sum(score.marks) if score else 0,
    }


def _criterion(manager: DialogManager) -> str | None:
    marks = manager.dialog_data.get(MARKS, {})
    return next((name for name in CRITERIA if name not in marks), None)


async def on_start_scoring(callback: CallbackQuery, _b: Button, manager: DialogManager) -> None:
    manager.dialog_data[MARKS] = {}
    await manager.switch_to(S.mark)


async def mark_getter(dialog_manager: DialogManager, **_kwargs) -> dict[str, Any]:
    t = texts_of(dialog_manager)
    criterion = _criterion(dialog_manager) or CRITERIA[-1]
    return {
        "criterion": t.label(f"console.criterion.{criterion}"),
        "step": CRITERIA.index(criterion) + 1,
        "steps": len(CRITERIA),
        "marks": [(m, str(m)) for m in range(competition.MIN_MARK, competition.MAX_MARK + 1)],
    }


async def on_mark(callback: CallbackQuery, _w: Any, manager: DialogManager, item: str) -> None:
    criterion = _criterion(manager)
    try:
        mark = competition.check_mark(int(item))
    except (ValueError, ConsoleError):
        await refuse(
            callback,
            texts_of(manager)(
                "console.mark_range", low=competition.MIN_MARK, high=competition.MAX_MARK
            ),
        )
        return
    if criterion is None:
        return
    manager.dialog_data.setdefault(MARKS, {})[criterion] = mark
    if _criterion(manager) is None:
        await manager.switch_to(S.comment)


async def on_comment(message: Message, _w: Any, manager: DialogManager) -> None:
    t = texts_of(manager)
    if not message.text:
        await message.answer(t("input.text_expected"))
        return
    try:
        manager.dialog_data[COMMENT] = competition.check_comment(message.text)
    except ConsoleError as exc:
        await refuse_console(message, manager, exc)
        return
    await manager.switch_to(S.confirm_score)


async def confirm_getter(dialog_manager: DialogManager, **_kwargs) -> dict[str, Any]:
    t = texts_of(dialog_manager)
    marks = dialog_manager.dialog_data.get(MARKS, {})
    lines = "\n".join(
        t(
            "console.mark_line",
            criterion=t.label(f"console.criterion.{name}"),
            mark=marks.get(name, "—"),
        )
        for name in CRITERIA
    )
    return {"marks": Html(lines), "comment": dialog_manager.dialog_data.get(COMMENT, "")}


async def on_submit(callback: CallbackQuery, _b: Button, manager: DialogManager) -> None:
    c = ctx(manager)
    store, actor, clock = c.store, actor_of(manager, EXPERT_ROLES), c.clock
    data = manager.dialog_data
    try:
        await competition.submit_score(
            store, actor, data[APPLICATION], data.get(MARKS, {}), data.get(COMMENT, ""), clock.now()
        )
    except (ConsoleError, Forbidden) as exc:
        await refuse_console(callback, manager, exc)
        return
    await store.commit()
    data.pop(MARKS, None)
    data.pop(COMMENT, None)
    await toast(callback, texts_of(manager)("console.score_saved"))
    await manager.switch_to(S.list)


async def on_conflict(callback: CallbackQuery, _b: Button, manager: DialogManager) -> None:
    c = ctx(manager)
    store, actor, clock = c.store, actor_of(manager, EXPERT_ROLES), c.clock
    try:
        await competition.declare_conflict(
            store, actor, manager.dialog_data[APPLICATION], clock.now()
        )
    except (ConsoleError, Forbidden) as exc:
        await refuse_console(callback, manager, exc)
        return
    await store.commit()
    await toast(callback, texts_of(manager)("console.conflict_declared"))
    await manager.switch_to(S.list)


def expert_dialog() -> Router:
    to_application = SwitchTo(Label("common.back"), id="to_app", state=S.application)
    dialog = Dialog(
        Window(
            Tr("expert.list"),
            Tr("expert.nothing", when=F["none"]),
            item_list(LIST_ID, "items", on_open, page_id="x_apps_page", rows=ROWS),
            Cancel(Label("common.menu")),
            state=S.list,
            getter=list_getter,
        ),
        Window(
            Tr("expert.application"),
            Tr("expert.already_scored", when=F["scored"]),
            Button(Label("expert.score"), id=SCORE_ID, on_click=on_start_scoring),
            SwitchTo(
                Label("expert.conflict"),
                id=CONFLICT_ID,
                state=S.confirm_conflict,
                when=~F["scored"],
            ),
            SwitchTo(Label("common.back"), id="to_list", state=S.list),
            state=S.application,
            getter=application_getter,
        ),
        Window(
            Tr("expert.confirm_conflict"),
            Button(Label("expert.conflict_confirm"), id="conflict_yes", on_click=on_conflict),
            to_application,
            state=S.confirm_conflict,
        ),
        Window(
            Tr("expert.ask_mark"),
            Group(
                Select(
                    Format("{item[1]}"),
                    id=MARK_ID,
                    item_id_getter=lambda i: i[0],
                    items="marks",
                    on_click=on_mark,
                ),
                width=5,
            ),
            to_application,
            state=S.mark,
            getter=mark_getter,
        ),
        Window(
            Tr("expert.ask_comment", limit=competition.COMMENT_LIMIT),
            MessageInput(on_comment, content_types=ContentType.ANY),
            to_application,
            state=S.comment,
        ),
        Window(
            Tr("expert.confirm_score"),
            Button(Label("expert.submit_score"), id=SUBMIT_ID, on_click=on_submit),
            to_application,
            state=S.confirm_score,
            getter=confirm_getter,
        ),
        name="expert_desk",
        on_start=refuse_unless(EXPERT_ROLES),
    )
    return gated(dialog, EXPERT_ROLES)
