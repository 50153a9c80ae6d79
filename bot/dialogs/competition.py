"""The competition, topic by topic: the compliance check of submitted applications,
expert assignment, the scores' summary and the committee's decision.

Every screen reads afresh and every action goes through `console.competition`,
which re-checks the role, the application's status and the expert's conflicts.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aiogram import F, Router
from aiogram.enums import ContentType
from aiogram.types import CallbackQuery, Message
from aiogram_dialog import Dialog, DialogManager, Window
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import Back, Button, Cancel, Row, SwitchTo
from aiogram_dialog.widgets.text import Format

from bot.dialogs.application_form import answers_block
from bot.dialogs.common import LIST_BUDGET, Label, Tr, fit_list, item_list, texts_of, toast
from bot.dialogs.console_access import actor_of, gated, operator_env, refuse_console, refuse_unless
from bot.dialogs.context import ctx
from bot.dialogs.inputs import number_refusal
from bot.dialogs.states import OperatorCompetition as S
from console import competition
from console.competition import ConsoleError
from console.roles import OPERATOR_ROLES, Forbidden
from core.i18n import Html, Texts
from core.local_time import DATE_TIME_FORMAT
from delivery.sender import render_params
from domain.application_status import ApplicationStatus
from domain.lookup import found
from domain.text_input import (
    InvalidNumber,
    clean_text,
    has_visible_character,
    read_money,
    shown_name,
)
from grants.application_form import format_tenge
from grants.topics import parse_topic_id

TOPIC, APPLICATION, APPROVE, AMOUNT, REASON = "topic", "application", "approve", "amount", "reason"
REVEAL_AT = "reveal_at"
CONFIRM_ID = "confirm_decision"
TOPICS_ID, QUEUE_ID, EXPERTS_ID = "c_topics", "c_apps", "c_experts"
COMPLETE_ID, INCOMPLETE_ID, ASSIGN_ID = "complete", "incomplete", "assign"
APPROVE_ID, REJECT_ID, SUMMARY_ID = "approve", "reject", "summary"
REVEAL_NOW_ID, REVEAL_LATER_ID = "reveal_now", "reveal_later"
WORK_STATUSES = (
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.UNDER_REVIEW,
    ApplicationStatus.INCOMPLETE,
    ApplicationStatus.APPROVED,
    ApplicationStatus.REJECTED,
)
DETAILS_BUDGET = 2500
ROWS = 8


def _required_scores(manager: DialogManager) -> int:
    return int(ctx(manager).settings.min_sent_scores)


def _status(t: Texts, status: str) -> str:
    return t.label(f"application.status.{status}")


async def topics_getter(dialog_manager: DialogManager, **_kwargs) -> dict[str, Any]:
    store = ctx(dialog_manager).store
    counts = await store.console.topics_with(WORK_STATUSES)
    return {"topics": [(c.topic_id, f"{c.code} ({c.count})") for c in counts], "none": not counts}


async def on_topic(callback: CallbackQuery, _w: Any, manager: DialogManager, item: str) -> None:
    topic_id = parse_topic_id(item)
    if topic_id is None:
        return
    manager.dialog_data[TOPIC] = topic_id
    await manager.switch_to(S.queue)


async def queue_getter(dialog_manager: DialogManager, **_kwargs) -> dict[str, Any]:
    store = ctx(dialog_manager).store
    t = texts_of(dialog_manager)
    items = await store.console.queue(dialog_manager.dialog_data[TOPIC], WORK_STATUSES)
    rows = [
        (i.application_id, f"{_status(t, i.status)} · {i.reference or '—'} · {i.organisation_name}")
        for i in items
    ]
    topic = found(await store.topics.get(dialog_manager.dialog_data[TOPIC]), "the topic")
    return {"items": rows, "topic": topic.title(t.locale), "none": not rows}


async def on_application(callback: CallbackQuery, _w: Any, manager: DialogManager, item: str):
    application_id = parse_topic_id(item)
    store, actor = ctx(manager).store, actor_of(manager, OPERATOR_ROLES)
    try:
        await competition.application_for_operator(store, actor, application_id or 0)
    except (ConsoleError, Forbidden) as exc:
        await refuse_console(callback, manager, exc)
        return
    manager.dialog_data[APPLICATION] = application_id
    await manager.switch_to(S.application)


def expert_name(t: Texts, person_id: int, name: str | None) -> str:
    """The name they consented to us keeping; without consent only a number of ours,
    never their Telegram id or profile name."""
    return shown_name(name) or t.label("console.expert_unnamed", number=person_id)


async def application_getter(dialog_manager: DialogManager, **_kwargs) -> dict[str, Any]:
    store, actor = ctx(dialog_manager).store, actor_of(dialog_manager, OPERATOR_ROLES)
    t = texts_of(dialog_manager)
    application_id = dialog_manager.dialog_data[APPLICATION]
    application, topic = await competition.application_for_operator(store, actor, application_id)
    experts = await store.console.active_experts(application_id)
    scores = {s.expert_id: s for s in await store.console.scores_of(application_id)}
    expert_lines = "\n".join(
        t(
            "console.expert_line",
            name=expert_name(t, e.person_id, e.name),
            score=f"{sum(scores[e.person_id].marks)}/25" if e.person_id in scores else "—",
        )
        for e in experts
    )
    decision = await store.console.decision(application_id)
    decision_text = ""
    if decision is not None:
        decision_text = t(
            "console.decision_approve"
            if decision.outcome == "approve"
            else "console.decision_reject",
            amount=format_tenge(decision.amount or 0),
            reason=decision.reason or "",
            reveal_at=ctx(dialog_manager).date_time(decision.reveal_at),
        )
    answers = answers_block(t, application, None)
    if len(answers) > DETAILS_BUDGET:
        answers = answers_block(t, application, 300)
    under_review = application.status == ApplicationStatus.UNDER_REVIEW
    return {
        "reference": application.reference or "—",
        "organisation": application.organisation_name,
        "topic": topic.title(t.locale),
        "status": _status(t, application.status),
        "answers": answers,
        "experts": Html(expert_lines or t("console.no_experts")),
        "expert_count": len(experts),
        "decision": Html(decision_text),
        "submitted": application.status == ApplicationStatus.SUBMITTED,
        "can_assign": under_review and decision is None,
        "can_decide": under_review and decision is None,
        "needs_experts": under_review and len(experts) < competition.MIN_EXPERTS,
    }


async def on_complete(callback: CallbackQuery, _b: Button, manager: DialogManager) -> None:
    c = ctx(manager)
    store, actor, clock = c.store, actor_of(manager, OPERATOR_ROLES), c.clock
    try:
        await competition.mark_complete(store, actor, manager.dialog_data[APPLICATION], clock.now())
    except (ConsoleError, Forbidden) as exc:
        await refuse_console(callback, manager, exc)
        return
    await store.commit()
    await toast(callback, texts_of(manager)("console.marked_complete"))


async def on_incomplete_reason(message: Message, _w: Any, manager: DialogManager) -> None:
    c = ctx(manager)
    store, actor, clock = c.store, actor_of(manager, OPERATOR_ROLES), c.clock
    if not message.text:
        await message.answer(texts_of(manager)("input.text_expected"))
        return
    try:
        await competition.mark_incomplete(
            store, actor, manager.dialog_data[APPLICATION], message.text, clock.now()
        )
    except (ConsoleError, Forbidden) as exc:
        await refuse_console(message, manager, exc)
        return
    await store.commit()
    await message.answer(texts_of(manager)("console.marked_incomplete"))
    await manager.switch_to(S.application)


async def experts_getter(dialog_manager: DialogManager, **_kwargs) -> dict[str, Any]:
    store, actor, clock = operator_env(dialog_manager)
    t = texts_of(dialog_manager)
    found = await competition.candidates(
        store, actor, dialog_manager.dialog_data[APPLICATION], clock.now()
    )
    free = [
        (c.person_id, expert_name(t, c.person_id, c.name))
        for c in found
        if not c.assigned and not c.conflicted
    ]
    conflicted = ", ".join(expert_name(t, c.person_id, c.name) for c in found if c.conflicted)
    return {
        "experts": free,
        "none": not free,
        "conflicted": conflicted or t.label("common.not_set"),
    }


async def on_expert(callback: CallbackQuery, _w: Any, manager: DialogManager, item: str) -> None:
    c = ctx(manager)
    store, actor, clock = c.store, actor_of(manager, OPERATOR_ROLES), c.clock
    try:
        await competition.assign(
            store, actor, manager.dialog_data[APPLICATION], parse_topic_id(item) or 0, clock.now()
        )
    except (ConsoleError, Forbidden) as exc:
        # The refusal's audit entry, if the use case wrote one, is kept.
        await store.commit()
        await refuse_console(callback, manager, exc)
        return
    await store.commit()
    await toast(callback, texts_of(manager)("console.assigned"))
    await manager.switch_to(S.application)


async def on_decide(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    store, actor, _clock = operator_env(manager)
    try:
        await competition.check_ready(
            store, actor, manager.dialog_data[APPLICATION], _required_scores(manager)
        )
    except (ConsoleError, Forbidden) as exc:
        await refuse_console(callback, manager, exc)
        return
    manager.dialog_data[APPROVE] = button.widget_id == APPROVE_ID
    await manager.switch_to(S.amount if manager.dialog_data[APPROVE] else S.reject_reason)


async def on_amount(message: Message, _w: Any, manager: DialogManager) -> None:
    t = texts_of(manager)
    try:
        amount = read_money(message.text or "")
    except InvalidNumber as refusal:
        await message.answer(number_refusal(t, refusal))
        return
    store, actor, _clock = operator_env(manager)
    application, topic = await competition.application_for_operator(
        store, actor, manager.dialog_data[APPLICATION]
    )
    try:
        competition.check_amount(amount, application, topic)
    except ConsoleError as exc:
        await refuse_console(message, manager, exc)
        return
    manager.dialog_data[AMOUNT] = amount
    await manager.switch_to(S.reveal)


async def on_reject_reason(message: Message, _w: Any, manager: DialogManager) -> None:
    t = texts_of(manager)
    reason = clean_text(message.text or "")
    if not has_visible_character(reason):
        await message.answer(t("input.text_expected"))
        return
    if len(reason) > competition.REASON_LIMIT:
        await message.answer(
            t.plural("console.reason_too_long", len(reason), limit=competition.REASON_LIMIT)
        )
        return
    manager.dialog_data[REASON] = reason
    await manager.switch_to(S.reveal)


def _reveal_at(manager: DialogManager) -> datetime | None:
    moment = manager.dialog_data.get(REVEAL_AT)
    return datetime.fromisoformat(moment) if moment else None


async def confirm_getter(dialog_manager: DialogManager, **_kwargs) -> dict[str, Any]:
    """The notice exactly as the organisation's members will receive it, in each of
    their languages, and the amount, before anything is decided."""
    store, actor, _clock = operator_env(dialog_manager)
    data, t = dialog_manager.dialog_data, texts_of(dialog_manager)
    translator = ctx(dialog_manager).translator
    default = ctx(dialog_manager).settings.default_locale
    try:
        notice = await competition.decision_notice(
            store,
            actor,
            data[APPLICATION],
            approve=data[APPROVE],
            amount=data.get(AMOUNT),
            reason=data.get(REASON),
            required_scores=_required_scores(dialog_manager),
        )
    except ConsoleError as refusal:
        # Decided or changed meanwhile: say why, and offer nothing to confirm.
        return {"ready": False, "refusal": t(refusal.code, **refusal.params), "approve": False}
    application, _topic = await competition.application_for_operator(
        store, actor, data[APPLICATION]
    )
    members = await store.memberships.members(application.organisation_id)
    locales = list(dict.fromkeys(m.locale or default for m in members)) or [t.locale]
    texts = "\n\n".join(
        translator.get(notice.key, locale, **render_params(notice.params, locale, translator))
        for locale in locales
    )
    reveal_at = _reveal_at(dialog_manager)
    return {
        "ready": True,
        "notice": Html(texts),
        "approve": data[APPROVE],
        "amount": format_tenge(notice.amount or 0),
        "when": (
            ctx(dialog_manager).date_time(reveal_at) if reveal_at else t.label("rules.decision_now")
        ),
    }


async def _decide(event, manager: DialogManager) -> bool:
    store, actor, clock = operator_env(manager)
    data = manager.dialog_data
    try:
        await competition.decide(
            store,
            actor,
            data[APPLICATION],
            approve=data[APPROVE],
            amount=data.get(AMOUNT),
            reason=data.get(REASON),
            reveal_at=_reveal_at(manager),
            required_scores=_required_scores(manager),
            now=clock.now(),
        )
    except (ConsoleError, Forbidden) as exc:
        # The refusal's audit entry, if the use case wrote one, is kept.
        await store.commit()
        await refuse_console(event, manager, exc)
        return False
    await store.commit()
    for key in (AMOUNT, REASON, REVEAL_AT):
        data.pop(key, None)
    await manager.switch_to(S.application)
    return True


async def on_reveal_now(callback: CallbackQuery, _b: Button, manager: DialogManager) -> None:
    manager.dialog_data.pop(REVEAL_AT, None)
    await manager.switch_to(S.confirm)


async def on_confirm(callback: CallbackQuery, _b: Button, manager: DialogManager) -> None:
    reveal_at = _reveal_at(manager)
    if not await _decide(callback, manager):
        return
    t = texts_of(manager)
    if reveal_at is None:
        await toast(callback, t("console.decision_revealed"))
    else:
        await toast(callback, t("console.decision_scheduled", at=ctx(manager).date_time(reveal_at)))


async def on_reveal_time(message: Message, _w: Any, manager: DialogManager) -> None:
    clock = ctx(manager).clock
    try:
        local = datetime.strptime((message.text or "").strip(), DATE_TIME_FORMAT)
    except ValueError:
        await message.answer(texts_of(manager)("console.time_expected"))
        return
    moment = local.replace(tzinfo=clock.zone)
    if moment <= clock.now():
        await message.answer(texts_of(manager)("console.time_in_past"))
        return
    manager.dialog_data[REVEAL_AT] = moment.isoformat()
    await manager.switch_to(S.confirm)


async def summary_getter(dialog_manager: DialogManager, **_kwargs) -> dict[str, Any]:
    store, actor = ctx(dialog_manager).store, actor_of(dialog_manager, OPERATOR_ROLES)
    t = texts_of(dialog_manager)
    rows = await competition.summary(store, actor, dialog_manager.dialog_data[TOPIC])
    scored = [
        t(
            "console.summary_line",
            reference=r.item.reference or "—",
            organisation=r.item.organisation_name,
            mean=f"{r.mean:.2f}",
            spread=f"{r.spread:.2f}",
            scores=r.scores,
            experts=r.experts,
        )
        for r in rows
        if r.mean is not None
    ]
    unscored = [
        t(
            "console.unscored_line",
            reference=r.item.reference or "—",
            organisation=r.item.organisation_name,
            scores=r.scores,
            experts=r.experts,
        )
        for r in rows
        if r.unscored
    ]
    return {
        # Two lists on one screen: each gets half of a list's share.
        "scored": fit_list(t, scored, budget=LIST_BUDGET // 2) if scored else t("console.nothing"),
        "unscored": (
            fit_list(t, unscored, budget=LIST_BUDGET // 2) if unscored else t("console.nothing")
        ),
    }


def competition_dialog() -> Router:
    back = SwitchTo(Label("common.back"), id="to_app", state=S.application)
    dialog = Dialog(
        Window(
            Tr("console.competition.topics"),
            Tr("console.nothing", when=F["none"]),
            item_list(TOPICS_ID, "topics", on_topic, page_id="c_topics_page", rows=ROWS),
            Cancel(Label("common.back")),
            state=S.topics,
            getter=topics_getter,
        ),
        Window(
            Tr("console.competition.queue"),
            Tr("console.nothing", when=F["none"]),
            item_list(QUEUE_ID, "items", on_application, page_id="c_apps_page", rows=ROWS),
            SwitchTo(Label("console.summary"), id=SUMMARY_ID, state=S.summary),
            SwitchTo(Label("common.back"), id="to_topics", state=S.topics),
            state=S.queue,
            getter=queue_getter,
        ),
        Window(
            Tr("console.application"),
            Tr("console.needs_experts", when=F["needs_experts"], count=competition.MIN_EXPERTS),
            Row(
                Button(Label("console.complete"), id=COMPLETE_ID, on_click=on_complete),
                SwitchTo(Label("console.incomplete"), id=INCOMPLETE_ID, state=S.incomplete_reason),
                when=F["submitted"],
            ),
            SwitchTo(Label("console.assign"), id=ASSIGN_ID, state=S.experts, when=F["can_assign"]),
            Row(
                Button(Label("console.approve"), id=APPROVE_ID, on_click=on_decide),
                Button(Label("console.reject"), id=REJECT_ID, on_click=on_decide),
                when=F["can_decide"],
            ),
            SwitchTo(Label("common.back"), id="to_queue", state=S.queue),
            state=S.application,
            getter=application_getter,
        ),
        Window(
            Tr("console.ask_incomplete_reason", limit=competition.REASON_LIMIT),
            MessageInput(on_incomplete_reason, content_types=ContentType.ANY),
            back,
            state=S.incomplete_reason,
        ),
        Window(
            Tr("console.choose_expert"),
            Tr("console.no_free_experts", when=F["none"]),
            item_list(EXPERTS_ID, "experts", on_expert, page_id="c_experts_page", rows=ROWS),
            back,
            state=S.experts,
            getter=experts_getter,
        ),
        Window(
            Tr("console.ask_amount"),
            MessageInput(on_amount, content_types=ContentType.ANY),
            back,
            state=S.amount,
        ),
        Window(
            Tr("console.ask_reject_reason", limit=competition.REASON_LIMIT),
            MessageInput(on_reject_reason, content_types=ContentType.ANY),
            back,
            state=S.reject_reason,
        ),
        Window(
            Tr("console.ask_reveal"),
            Button(Label("console.reveal_now"), id=REVEAL_NOW_ID, on_click=on_reveal_now),
            SwitchTo(Label("console.reveal_later"), id=REVEAL_LATER_ID, state=S.reveal_time),
            back,
            state=S.reveal,
        ),
        Window(
            Tr("console.ask_reveal_time"),
            MessageInput(on_reveal_time, content_types=ContentType.ANY),
            Back(Label("common.back")),
            state=S.reveal_time,
        ),
        Window(
            Tr("rules.confirm_approve", when=F["ready"] & F["approve"]),
            Tr("rules.confirm_reject", when=F["ready"] & ~F["approve"]),
            Format("{refusal}", when=~F["ready"]),
            # Cancel first: a double tap on "Now" lands on it, never on the decision.
            SwitchTo(Label("common.cancel"), id="confirm_cancel", state=S.application),
            Button(
                Label("rules.confirm_decision"),
                id=CONFIRM_ID,
                on_click=on_confirm,
                when=F["ready"],
            ),
            state=S.confirm,
            getter=confirm_getter,
        ),
        Window(
            Tr("console.summary_text"),
            SwitchTo(Label("common.back"), id="summary_back", state=S.queue),
            state=S.summary,
            getter=summary_getter,
        ),
        name="operator_competition",
        on_start=refuse_unless(OPERATOR_ROLES),
    )
    return gated(dialog, OPERATOR_ROLES)
