"""Grant topics in the operator console: the list, a topic's card with open, close
and archive, a new topic a field at a time (texts in kk, ru and en) with a preview,
and editing a field. `console.topics_admin` checks every value and the role."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aiogram import F, Router
from aiogram.enums import ContentType
from aiogram.types import CallbackQuery, Message
from aiogram_dialog import Dialog, DialogManager, Window
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import Button, Cancel, Group, Select, SwitchTo
from aiogram_dialog.widgets.text import Format

from bot.dialogs.common import Label, Tr, item_list, texts_of, toast
from bot.dialogs.console_access import actor_of, gated, operator_env, refuse_console, refuse_unless
from bot.dialogs.context import ctx
from bot.dialogs.narrowing import widget_id
from bot.dialogs.states import OperatorTopics as S
from bot.screen_fit import clip
from console import topics_admin
from console.competition import ConsoleError
from console.roles import OPERATOR_ROLES, Forbidden
from core.i18n import Texts
from domain.statuses import TopicStatus
from grants.application_form import format_tenge
from grants.topics import parse_topic_id

VALUES, STEP, TOPIC, FIELD = "values", "step", "topic", "field"
CLOSE_REASON = "close_reason"
CLOSE_EARLY_ID, CLOSE_CONFIRM_ID, UNDO_ID, UNDO_CONFIRM_ID = (
    "t_close_early",
    "t_close_confirm",
    "t_undo",
    "t_undo_confirm",
)
LIST_ID, NEW_ID, CREATE_ID, FIELD_ID, CHOICE_ID = (
    "t_list",
    "t_new",
    "t_create",
    "t_field",
    "t_choice",
)
STATUS_BUTTONS = {
    "t_open": TopicStatus.OPEN,
    "t_close": TopicStatus.CLOSED,
    "t_archive": TopicStatus.ARCHIVED,
}
ROWS = 8
DESCRIPTION_SHOWN = 800


def _choice_label(t: Texts, field: str, value: str) -> str:
    return t.label(f"area.{value}") if field == "area" else t.label(f"topics.grant_type.{value}")


def _shown(t: Texts, manager: DialogManager, field: str, value: Any) -> str:
    if value in (None, ""):
        return t.label("common.not_set")
    if field in topics_admin.CHOICES:
        return _choice_label(t, field, value)
    if field in ("budget_min", "budget_max"):
        return format_tenge(value)
    if field in ("opens_at", "closes_at"):
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
        return ctx(manager).date_time(moment)
    if field.startswith("description_"):
        # Three descriptions of up to 3000 characters share one screen.
        return clip(str(value), DESCRIPTION_SHOWN)
    return str(value)


def _preview(manager: DialogManager, values: dict[str, Any]) -> dict[str, str]:
    t = texts_of(manager)
    return {name: _shown(t, manager, name, values.get(name)) for name in topics_admin.FIELDS}


async def list_getter(dialog_manager: DialogManager, **_kwargs) -> dict[str, Any]:
    store, actor = ctx(dialog_manager).store, actor_of(dialog_manager, OPERATOR_ROLES)
    t = texts_of(dialog_manager)
    topics = await topics_admin.all_topics(store, actor)
    return {
        "topics": [
            (tp.id, f"{t.label(f'topic_admin.status.{tp.status.value}')} · {tp.code}")
            for tp in topics
        ]
    }


async def on_topic(callback: CallbackQuery, _w: Any, manager: DialogManager, item: str) -> None:
    manager.dialog_data[TOPIC] = parse_topic_id(item)
    await manager.switch_to(S.card)


async def card_getter(dialog_manager: DialogManager, **_kwargs) -> dict[str, Any]:
    store, actor, clock = operator_env(dialog_manager)
    t = texts_of(dialog_manager)
    topic = await topics_admin.get(store, actor, dialog_manager.dialog_data[TOPIC] or 0)
    allowed = topics_admin.TOPIC_TRANSITIONS[topic.status]
    closing = await topics_admin.early_closing(store, actor, topic.id)
    closed_early = closing is not None and topic.status == TopicStatus.CLOSED
    can_close = TopicStatus.CLOSED in allowed
    early = topic.closes_at > clock.now()
    return {
        **_preview(dialog_manager, {n: getattr(topic, n) for n in topics_admin.FIELDS}),
        "status": t.label(f"topic_admin.status.{topic.status.value}"),
        "can_open": TopicStatus.OPEN in allowed and not closed_early,
        "can_undo": closed_early,
        "closed_early": closed_early,
        "close_reason": closing.reason if closing else "",
        "planned": _shown(t, dialog_manager, "closes_at", closing.planned_closes_at)
        if closing
        else "",
        # Before its deadline a topic closes only with a reason and a confirmation.
        "can_close": can_close and not early,
        "can_close_early": can_close and early,
        "can_archive": TopicStatus.ARCHIVED in allowed,
        "can_edit": topic.status != TopicStatus.ARCHIVED,
    }


async def on_status(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    c = ctx(manager)
    store, actor, clock = c.store, actor_of(manager, OPERATOR_ROLES), c.clock
    target = STATUS_BUTTONS[widget_id(button)]
    try:
        await topics_admin.change_status(
            store, actor, manager.dialog_data[TOPIC], target, clock.now()
        )
    except (ConsoleError, Forbidden) as exc:
        await refuse_console(callback, manager, exc)
        return
    await store.commit()
    await toast(callback, texts_of(manager)(f"topic_admin.now_{target.value}"))


async def on_close_reason(message: Message, _w: Any, manager: DialogManager) -> None:
    if not message.text:
        await message.answer(texts_of(manager)("input.text_expected"))
        return
    try:
        reason = topics_admin.check_close_reason(message.text)
    except ConsoleError as exc:
        await refuse_console(message, manager, exc)
        return
    manager.dialog_data[CLOSE_REASON] = reason
    await manager.switch_to(S.close_confirm)


async def close_confirm_getter(dialog_manager: DialogManager, **_kwargs) -> dict[str, Any]:
    store, actor, _clock = operator_env(dialog_manager)
    t = texts_of(dialog_manager)
    topic = await topics_admin.get(store, actor, dialog_manager.dialog_data[TOPIC] or 0)
    drafts = await store.early_closings.draft_holders(topic.id)
    return {
        "code": topic.code,
        "closes_at": _shown(t, dialog_manager, "closes_at", topic.closes_at),
        "reason": dialog_manager.dialog_data.get(CLOSE_REASON, ""),
        "drafts": len(drafts),
    }


async def on_close_confirm(callback: CallbackQuery, _b: Button, manager: DialogManager) -> None:
    store, actor, clock = operator_env(manager)
    try:
        await topics_admin.close_early(
            store,
            actor,
            manager.dialog_data[TOPIC],
            manager.dialog_data.get(CLOSE_REASON, ""),
            clock.now(),
        )
    except (ConsoleError, Forbidden) as exc:
        await refuse_console(callback, manager, exc)
        return
    await store.commit()
    manager.dialog_data.pop(CLOSE_REASON, None)
    await toast(callback, texts_of(manager)("rules.closed_early"))
    await manager.switch_to(S.card)


async def on_undo_confirm(callback: CallbackQuery, _b: Button, manager: DialogManager) -> None:
    store, actor, clock = operator_env(manager)
    try:
        await topics_admin.undo_early_closing(
            store, actor, manager.dialog_data[TOPIC], clock.now(), clock.zone
        )
    except (ConsoleError, Forbidden) as exc:
        await refuse_console(callback, manager, exc)
        return
    await store.commit()
    await toast(callback, texts_of(manager)("rules.reopened"))
    await manager.switch_to(S.card)


async def on_new(callback: CallbackQuery, _b: Button, manager: DialogManager) -> None:
    manager.dialog_data[VALUES] = {}
    manager.dialog_data[STEP] = 0
    manager.dialog_data[TOPIC] = None
    await manager.switch_to(S.ask)


def _asked(manager: DialogManager, state) -> str:
    if state == S.ask:
        return topics_admin.FIELDS[manager.dialog_data.get(STEP, 0)]
    return manager.dialog_data.get(FIELD) or topics_admin.FIELDS[0]


async def ask_getter(dialog_manager: DialogManager, **_kwargs) -> dict[str, Any]:
    t = texts_of(dialog_manager)
    field = _asked(dialog_manager, dialog_manager.current_context().state)
    choices = topics_admin.CHOICES.get(field, ())
    step = dialog_manager.dialog_data.get(STEP, 0)
    return {
        "field": t.label(f"topic_admin.field.{field}"),
        "hint": t(f"topic_admin.hint.{field}"),
        "step": step + 1,
        "steps": len(topics_admin.FIELDS),
        "choices": [(c, _choice_label(t, field, c)) for c in choices],
        "has_choices": bool(choices),
    }


async def _accept(event, manager: DialogManager, raw: str) -> None:
    c = ctx(manager)
    store, actor, clock = c.store, actor_of(manager, OPERATOR_ROLES), c.clock
    state = manager.current_context().state
    field = _asked(manager, state)
    try:
        value = topics_admin.parse_field(field, raw, clock.zone)
        if state == S.edit_value and manager.dialog_data.get(TOPIC):
            await topics_admin.edit(
                store, actor, manager.dialog_data[TOPIC], field, value, clock.now()
            )
            await store.commit()
            await manager.switch_to(S.card)
            return
    except (ConsoleError, Forbidden) as exc:
        await refuse_console(event, manager, exc)
        return
    manager.dialog_data.setdefault(VALUES, {})[field] = value
    if state == S.ask and manager.dialog_data[STEP] + 1 < len(topics_admin.FIELDS):
        manager.dialog_data[STEP] += 1
        await manager.switch_to(S.ask)
    else:
        await manager.switch_to(S.preview)


async def on_text(message: Message, _w: Any, manager: DialogManager) -> None:
    if not message.text:
        await message.answer(texts_of(manager)("input.text_expected"))
        return
    field = _asked(manager, manager.current_context().state)
    if field in topics_admin.CHOICES:
        await message.answer(texts_of(manager)("topic_admin.choose"))
        return
    await _accept(message, manager, message.text)


async def on_choice(callback: CallbackQuery, _w: Any, manager: DialogManager, item: str) -> None:
    await _accept(callback, manager, item)


async def preview_getter(dialog_manager: DialogManager, **_kwargs) -> dict[str, Any]:
    return _preview(dialog_manager, dialog_manager.dialog_data.get(VALUES, {}))


async def on_create(callback: CallbackQuery, _b: Button, manager: DialogManager) -> None:
    c = ctx(manager)
    store, actor, clock = c.store, actor_of(manager, OPERATOR_ROLES), c.clock
    try:
        topic_id = await topics_admin.create(
            store, actor, manager.dialog_data.get(VALUES, {}), clock.now()
        )
    except (ConsoleError, Forbidden) as exc:
        await refuse_console(callback, manager, exc)
        return
    await store.commit()
    manager.dialog_data[TOPIC] = topic_id
    manager.dialog_data.pop(VALUES, None)
    await toast(callback, texts_of(manager)("topic_admin.created"))
    await manager.switch_to(S.card)


async def fields_getter(dialog_manager: DialogManager, **_kwargs) -> dict[str, Any]:
    t = texts_of(dialog_manager)
    editing = bool(dialog_manager.dialog_data.get(TOPIC))
    names = [n for n in topics_admin.FIELDS if not (editing and n == "code")]
    return {"fields": [(n, t.label(f"topic_admin.field.{n}")) for n in names]}


async def on_field(callback: CallbackQuery, _w: Any, manager: DialogManager, item: str) -> None:
    if item not in topics_admin.FIELDS:
        return
    manager.dialog_data[FIELD] = item
    await manager.switch_to(S.edit_value)


async def on_edit_back(callback: CallbackQuery, _b: Button, manager: DialogManager) -> None:
    await manager.switch_to(S.card if manager.dialog_data.get(TOPIC) else S.preview)


def _value_window(state, text_key: str) -> Window:
    return Window(
        Tr(text_key),
        MessageInput(on_text, content_types=ContentType.ANY),
        Group(
            Select(
                Format("{item[1]}"),
                id=CHOICE_ID,
                item_id_getter=lambda i: i[0],
                items="choices",
                on_click=on_choice,
            ),
            width=2,
            when=F["has_choices"],
        ),
        Button(Label("common.back"), id="value_back", on_click=on_edit_back)
        if state == S.edit_value
        else SwitchTo(Label("common.back"), id="ask_to_list", state=S.list),
        state=state,
        getter=ask_getter,
    )


def operator_topics_dialog() -> Router:
    dialog = Dialog(
        Window(
            Tr("topic_admin.list"),
            Button(Label("topic_admin.new"), id=NEW_ID, on_click=on_new),
            item_list(LIST_ID, "topics", on_topic, page_id="t_list_page", rows=ROWS),
            Cancel(Label("common.back")),
            state=S.list,
            getter=list_getter,
        ),
        Window(
            Tr("topic_admin.card"),
            Tr("topic_admin.preview_body"),
            Tr("rules.closed_early_note", when=F["closed_early"]),
            Button(Label("topic_admin.open"), id="t_open", on_click=on_status, when=F["can_open"]),
            SwitchTo(
                Label("rules.undo_close"), id=UNDO_ID, state=S.undo_confirm, when=F["can_undo"]
            ),
            Button(
                Label("topic_admin.close"), id="t_close", on_click=on_status, when=F["can_close"]
            ),
            # Early: a reason, then a confirmation, so a second tap on the spot where
            # Open just was never ends a competition.
            SwitchTo(
                Label("topic_admin.close"),
                id=CLOSE_EARLY_ID,
                state=S.close_reason,
                when=F["can_close_early"],
            ),
            Button(
                Label("topic_admin.archive"),
                id="t_archive",
                on_click=on_status,
                when=F["can_archive"],
            ),
            SwitchTo(
                Label("topic_admin.edit"), id="t_edit", state=S.edit_field, when=F["can_edit"]
            ),
            SwitchTo(Label("common.back"), id="card_to_list", state=S.list),
            state=S.card,
            getter=card_getter,
        ),
        Window(
            Tr("rules.ask_close_reason", limit=topics_admin.REASON_LIMIT),
            MessageInput(on_close_reason, content_types=ContentType.ANY),
            SwitchTo(Label("common.back"), id="reason_to_card", state=S.card),
            state=S.close_reason,
        ),
        Window(
            Tr("rules.confirm_close"),
            # Cancel first: where the previous screen's button was, a double tap cancels.
            SwitchTo(Label("common.cancel"), id="close_cancel", state=S.card),
            Button(Label("rules.close_early"), id=CLOSE_CONFIRM_ID, on_click=on_close_confirm),
            state=S.close_confirm,
            getter=close_confirm_getter,
        ),
        Window(
            Tr("rules.confirm_undo"),
            SwitchTo(Label("common.cancel"), id="undo_cancel", state=S.card),
            Button(Label("rules.undo_close"), id=UNDO_CONFIRM_ID, on_click=on_undo_confirm),
            state=S.undo_confirm,
            getter=card_getter,
        ),
        _value_window(S.ask, "topic_admin.ask"),
        Window(
            Tr("topic_admin.preview"),
            Tr("topic_admin.preview_body"),
            Button(Label("topic_admin.create"), id=CREATE_ID, on_click=on_create),
            SwitchTo(Label("topic_admin.edit"), id="p_edit", state=S.edit_field),
            SwitchTo(Label("common.cancel"), id="p_cancel", state=S.list),
            state=S.preview,
            getter=preview_getter,
        ),
        Window(
            Tr("topic_admin.choose_field"),
            Group(
                Select(
                    Format("{item[1]}"),
                    id=FIELD_ID,
                    item_id_getter=lambda i: i[0],
                    items="fields",
                    on_click=on_field,
                ),
                width=2,
            ),
            Button(Label("common.back"), id="fields_back", on_click=on_edit_back),
            state=S.edit_field,
            getter=fields_getter,
        ),
        _value_window(S.edit_value, "topic_admin.ask_edit"),
        name="operator_topics",
        on_start=refuse_unless(OPERATOR_ROLES),
    )
    return gated(dialog, OPERATOR_ROLES)
