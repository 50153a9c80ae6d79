"""/award_rounds: the operator opens an award round (titles, directions, dates) and
records the winners, who are told in their own language. Every step re-checks the role."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from aiogram import F
from aiogram.enums import ContentType
from aiogram.types import CallbackQuery, Message
from aiogram_dialog import Dialog, DialogManager, ShowMode, Window
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import Button, Cancel, Column, Multiselect, SwitchTo
from aiogram_dialog.widgets.text import Format

from bot.dialogs.awards import refusal
from bot.dialogs.common import (
    LONG_ANSWER_SHOWN,
    WEBSITE_SHOWN,
    Label,
    Tr,
    item_list,
    refuse,
    texts_of,
    toast,
)
from bot.dialogs.context import ctx
from bot.dialogs.narrowing import multiselect
from bot.dialogs.states import AwardRounds
from bot.screen_fit import clip
from console import awards
from console.awards import AwardError
from console.roles import OPERATOR_ROLES, Actor, Forbidden, acting_as
from core.local_time import DATE_FORMAT
from domain.areas import AREAS
from domain.errors import RuleViolation
from domain.text_input import plain_id

ROUND = "round"
APPLICATION = "application"
OPENS = "opens"
CLOSES = "closes"
TITLE_STATES = {"title_kk": "title_ru", "title_ru": "title_en", "title_en": "directions"}
ROUND_SELECT = "op_round"
APPLICATION_SELECT = "op_award_app"
DIRECTIONS_SELECT = "op_directions"
ROUND_PAGES, APPLICATION_PAGES = "op_round_pages", "op_award_app_pages"


def actor_of(manager: DialogManager) -> Actor | None:
    c = ctx(manager)
    try:
        return acting_as(c.maybe_person, c.settings.admin_ids, OPERATOR_ROLES)
    except Forbidden:
        return None


async def _refuse_forbidden(event: CallbackQuery | Message, manager: DialogManager) -> None:
    text = texts_of(manager)("awards.forbidden")
    await refuse(event, text)
    await manager.done()


async def list_getter(dialog_manager: DialogManager, **_kwargs) -> dict[str, Any]:
    actor = actor_of(dialog_manager)
    t = texts_of(dialog_manager)
    store = ctx(dialog_manager).store
    found = await awards.all_rounds(store, actor) if actor else []
    return {"rounds": [(str(r.id), r.title(t.locale)) for r in found]}


async def on_round(callback: CallbackQuery, _w: Any, manager: DialogManager, item_id: str) -> None:
    if plain_id(item_id) is None:
        return
    manager.dialog_data[ROUND] = plain_id(item_id)
    await manager.switch_to(AwardRounds.round)


def title_input(locale: str) -> MessageInput:
    async def on_title(message: Message, _widget: MessageInput, manager: DialogManager) -> None:
        t = texts_of(manager)
        manager.show_mode = ShowMode.DELETE_AND_SEND
        if actor_of(manager) is None:
            await _refuse_forbidden(message, manager)
            return
        if not message.text:
            await message.answer(t("input.text_expected"))
            return
        try:
            manager.dialog_data[f"title_{locale}"] = awards.clean_text(
                message.text, awards.TITLE_LIMIT
            )
        except RuleViolation as error:
            await message.answer(refusal(t, error))
            return
        await manager.switch_to(getattr(AwardRounds, TITLE_STATES[f"title_{locale}"]))

    return MessageInput(on_title, content_types=ContentType.ANY)


def directions_getter_factory():
    async def getter(dialog_manager: DialogManager, **_kwargs) -> dict[str, Any]:
        t = texts_of(dialog_manager)
        return {"areas": [(code, t.label(f"area.{code}")) for code in AREAS]}

    return getter


def date_input(key: str, next_state) -> MessageInput:
    async def on_date(message: Message, _widget: MessageInput, manager: DialogManager) -> None:
        t = texts_of(manager)
        manager.show_mode = ShowMode.DELETE_AND_SEND
        if actor_of(manager) is None:
            await _refuse_forbidden(message, manager)
            return
        try:
            day = datetime.strptime((message.text or "").strip(), DATE_FORMAT).date()
        except ValueError:
            await message.answer(t("awards.op.date_expected"))
            return
        manager.dialog_data[key] = day.isoformat()
        if OPENS not in manager.dialog_data:
            # The closing date reached without an opening one (an old button): ask for it.
            await manager.switch_to(AwardRounds.opens)
            return
        await manager.switch_to(next_state)

    return MessageInput(on_date, content_types=ContentType.ANY)


def _bounds(manager: DialogManager) -> tuple[datetime, datetime]:
    zone = ctx(manager).clock.zone
    opens = datetime.combine(
        datetime.fromisoformat(manager.dialog_data[OPENS]).date(), time(0, 0), zone
    )
    closes_day = datetime.fromisoformat(manager.dialog_data[CLOSES]).date()
    # Applications are taken to the end of the closing day, in Kazakhstan's time.
    closes = datetime.combine(closes_day + timedelta(days=1), time(0, 0), zone)
    return opens, closes


async def confirm_getter(dialog_manager: DialogManager, **_kwargs) -> dict[str, Any]:
    t = texts_of(dialog_manager)
    data = dialog_manager.dialog_data
    chosen = multiselect(dialog_manager, DIRECTIONS_SELECT).get_checked()
    opens, closes = _bounds(dialog_manager)
    return {
        "title_kk": data.get("title_kk", ""),
        "title_ru": data.get("title_ru", ""),
        "title_en": data.get("title_en", ""),
        "directions": ", ".join(t.label(f"area.{d}") for d in chosen) or "—",
        "opens": ctx(dialog_manager).date_time(opens),
        "closes": ctx(dialog_manager).date_time(closes - timedelta(minutes=1)),
    }


async def on_open_round(callback: CallbackQuery, _b: Button, manager: DialogManager) -> None:
    actor = actor_of(manager)
    if actor is None:
        await _refuse_forbidden(callback, manager)
        return
    c = ctx(manager)
    store, clock = c.store, c.clock
    opens, closes = _bounds(manager)
    data = manager.dialog_data
    try:
        created = await awards.open_round(
            store, actor,
            titles={locale: data.get(f"title_{locale}", "") for locale in awards.LOCALES},
            directions=tuple(multiselect(manager, DIRECTIONS_SELECT).get_checked()),
            opens_at=opens, closes_at=closes, now=clock.now(),
        )  # fmt: skip
    except (AwardError, RuleViolation) as error:
        await refuse(callback, refusal(texts_of(manager), error), roll_back=store)
        return
    await store.commit()
    data[ROUND] = created.id
    await manager.switch_to(AwardRounds.round)


async def round_getter(dialog_manager: DialogManager, **_kwargs) -> dict[str, Any]:
    actor = actor_of(dialog_manager)
    t = texts_of(dialog_manager)
    c = ctx(dialog_manager)
    store = c.store
    if actor is None:
        return {"title": "", "closes": "", "count": 0, "applications": []}
    try:
        found, items = await awards.round_applications(
            store, actor, dialog_manager.dialog_data.get(ROUND, 0)
        )
    except AwardError:
        return {"title": "", "closes": "", "count": 0, "applications": []}
    return {
        "title": found.title(t.locale),
        "closes": c.date_time(found.closes_at),
        "count": len(items),
        "applications": [
            (str(a.id), ("🏆 " if a.winner else "") + a.organisation_name[:50]) for a in items
        ],
    }


async def on_application(_c: CallbackQuery, _w: Any, manager: DialogManager, item_id: str) -> None:
    if plain_id(item_id) is None:
        return
    manager.dialog_data[APPLICATION] = plain_id(item_id)
    await manager.switch_to(AwardRounds.application)


async def application_getter(dialog_manager: DialogManager, **_kwargs) -> dict[str, Any]:
    t = texts_of(dialog_manager)
    store = ctx(dialog_manager).store
    found = None
    if actor_of(dialog_manager) is not None:
        found = await awards.awards(store).application(
            dialog_manager.dialog_data.get(APPLICATION, 0)
        )
    if found is None:
        return {"organisation": "", "region": "", "direction": "", "description": "",
                "results": "", "evidence": "", "winner": False, "not_winner": False}  # fmt: skip
    return {
        "organisation": found.organisation_name,
        "region": t.label(f"region.{found.organisation_region}"),
        "direction": t.label(f"area.{found.direction}") if found.direction else "—",
        "description": clip(found.project_description, LONG_ANSWER_SHOWN),
        "results": clip(found.results, LONG_ANSWER_SHOWN),
        "evidence": clip(found.evidence_url, WEBSITE_SHOWN),
        "winner": found.winner,
        "not_winner": not found.winner,
    }


async def on_winner(callback: CallbackQuery, _b: Button, manager: DialogManager) -> None:
    actor = actor_of(manager)
    if actor is None:
        await _refuse_forbidden(callback, manager)
        return
    c = ctx(manager)
    store, clock = c.store, c.clock
    try:
        await awards.record_winner(
            store, actor, manager.dialog_data.get(APPLICATION, 0), clock.now()
        )
    except AwardError as error:
        await refuse(callback, refusal(texts_of(manager), error))
        return
    await store.commit()
    await toast(callback, texts_of(manager).label("awards.op.winner_recorded"))


def _prompt(key: str, state, back_state, widget) -> Window:
    return Window(
        Tr(key),
        widget,
        SwitchTo(Label("common.back"), id="back", state=back_state),
        state=state,
    )


def award_rounds_dialog() -> Dialog:
    return Dialog(
        Window(
            Tr("awards.op.rounds"),
            item_list(ROUND_SELECT, "rounds", on_round, page_id=ROUND_PAGES),
            SwitchTo(Label("awards.op.new_round"), id="new", state=AwardRounds.title_kk),
            Cancel(Label("common.menu")),
            state=AwardRounds.list,
            getter=list_getter,
        ),
        _prompt(
            "awards.op.ask_title_kk", AwardRounds.title_kk, AwardRounds.list, title_input("kk")
        ),
        _prompt(
            "awards.op.ask_title_ru", AwardRounds.title_ru, AwardRounds.title_kk, title_input("ru")
        ),
        _prompt(
            "awards.op.ask_title_en", AwardRounds.title_en, AwardRounds.title_ru, title_input("en")
        ),
        Window(
            Tr("awards.op.ask_directions"),
            Column(
                Multiselect(
                    Format("✓ {item[1]}"),
                    Format("{item[1]}"),
                    id=DIRECTIONS_SELECT,
                    item_id_getter=lambda i: i[0],
                    items="areas",
                )
            ),
            SwitchTo(Label("common.done"), id="done", state=AwardRounds.opens),
            SwitchTo(Label("common.back"), id="back", state=AwardRounds.title_en),
            state=AwardRounds.directions,
            getter=directions_getter_factory(),
        ),
        _prompt(
            "awards.op.ask_opens",
            AwardRounds.opens,
            AwardRounds.directions,
            date_input(OPENS, AwardRounds.closes),
        ),
        _prompt(
            "awards.op.ask_closes",
            AwardRounds.closes,
            AwardRounds.opens,
            date_input(CLOSES, AwardRounds.confirm),
        ),
        Window(
            Tr("awards.op.confirm"),
            Button(Label("awards.op.open"), id="open", on_click=on_open_round),
            SwitchTo(Label("common.back"), id="back", state=AwardRounds.closes),
            state=AwardRounds.confirm,
            getter=confirm_getter,
        ),
        Window(
            Tr("awards.op.round"),
            item_list(
                APPLICATION_SELECT, "applications", on_application, page_id=APPLICATION_PAGES
            ),
            SwitchTo(Label("common.back"), id="back", state=AwardRounds.list),
            state=AwardRounds.round,
            getter=round_getter,
        ),
        Window(
            Tr("awards.op.application"),
            Tr("awards.op.is_winner", when=F["winner"]),
            Button(
                Label("awards.op.mark_winner"),
                id="winner",
                on_click=on_winner,
                when=F["not_winner"],
            ),
            SwitchTo(Label("common.back"), id="back", state=AwardRounds.round),
            state=AwardRounds.application,
            getter=application_getter,
        ),
        name="award_rounds",
    )
