"""/awards: an organisation applies to an award round with a successful social project.

The answers live in dialog data until the last step, so nothing typed is lost if
a step is refused; the application is editable until the round closes.
"""

from __future__ import annotations

from typing import Any

from aiogram import F
from aiogram.enums import ContentType
from aiogram.types import CallbackQuery, Message
from aiogram_dialog import Dialog, DialogManager, ShowMode, Window
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import Button, Cancel, Start, SwitchTo

from bot.dialogs.common import (
    LONG_ANSWER_SHOWN,
    WEBSITE_SHOWN,
    Label,
    Tr,
    item_list,
    refuse,
    texts_of,
)
from bot.dialogs.context import ctx
from bot.dialogs.narrowing import step_name
from bot.dialogs.states import AwardsApply, Registration
from bot.screen_fit import clip
from console import awards
from console.awards import AwardError
from core.i18n import Texts
from domain.areas import AREAS
from domain.errors import RuleViolation
from domain.text_input import plain_id
from registry.staff import StaffError, active_organisation_id

ROUND = "round"
DIRECTION = "direction"
DESCRIPTION = "description"
RESULTS = "results"
EVIDENCE = "evidence"
SAVED = "saved"
ANSWERS = (DIRECTION, DESCRIPTION, RESULTS, EVIDENCE)

ROUND_SELECT = "award_round"
DIRECTION_SELECT = "award_direction"
ROUND_PAGES, DIRECTION_PAGES = "award_round_pages", "award_direction_pages"


def refusal(t: Texts, error: AwardError | StaffError | RuleViolation) -> str:
    if isinstance(error, RuleViolation):
        if error.code == "text.too_long":
            return t("input.too_long", **error.params)
        return t(f"rule.{error.code}", **error.params)
    return t(error.code)


async def rounds_getter(dialog_manager: DialogManager, **_kwargs) -> dict[str, Any]:
    c = ctx(dialog_manager)
    store, clock = c.store, c.clock
    t = texts_of(dialog_manager)
    found = await awards.accepting_rounds(store, clock.now())
    return {
        "rounds": [(str(r.id), r.title(t.locale)) for r in found],
        "any": bool(found),
        "none": not found,
    }


async def on_round(_c: CallbackQuery, _w: Any, manager: DialogManager, item_id: str) -> None:
    round_id = plain_id(item_id)
    if round_id is None:
        return
    manager.dialog_data.clear()
    manager.dialog_data[ROUND] = round_id
    await manager.switch_to(AwardsApply.card)


async def card_getter(dialog_manager: DialogManager, **_kwargs) -> dict[str, Any]:
    c = ctx(dialog_manager)
    store, person, clock = c.store, c.person, c.clock
    t = texts_of(dialog_manager)
    found = await awards.awards(store).get_round(dialog_manager.dialog_data.get(ROUND, 0))
    organisation_id = await active_organisation_id(store, person)
    if found is None or organisation_id is None:
        return {"title": "", "closes": "", "directions": "", "applied": False,
                "not_applied": True, "accepts": False, "winner": False, "saved": False}  # fmt: skip
    own = await awards.own_application(store, person, found.id, organisation_id)
    return {
        "title": found.title(t.locale),
        "closes": c.date_time(found.closes_at),
        "directions": ", ".join(t.label(f"area.{d}") for d in found.directions) or "—",
        "applied": own is not None,
        "not_applied": own is None,
        "submitted": c.date_time(own.updated_at) if own else "",
        "winner": bool(own and own.winner),
        "accepts": found.accepts(clock.now()),
        "saved": dialog_manager.dialog_data.pop(SAVED, False),
    }


async def on_apply(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    c = ctx(manager)
    store, person, clock = c.store, c.person, c.clock
    round_id = manager.dialog_data.get(ROUND, 0)
    try:
        found = await awards.round_for_applicant(store, round_id, clock.now())
        organisation_id = await active_organisation_id(store, person)
        own = await awards.own_application(store, person, round_id, organisation_id or 0)
    except (AwardError, StaffError) as error:
        await refuse(callback, refusal(texts_of(manager), error))
        return
    if own is not None:
        manager.dialog_data.update({DIRECTION: own.direction, DESCRIPTION: own.project_description,
                                    RESULTS: own.results, EVIDENCE: own.evidence_url})  # fmt: skip
    await manager.switch_to(AwardsApply.direction if found.directions else AwardsApply.description)


async def directions_getter(dialog_manager: DialogManager, **_kwargs) -> dict[str, Any]:
    store = ctx(dialog_manager).store
    t = texts_of(dialog_manager)
    found = await awards.awards(store).get_round(dialog_manager.dialog_data.get(ROUND, 0))
    codes = found.directions if found else ()
    return {"directions": [(code, t.label(f"area.{code}")) for code in codes]}


async def on_direction(_c: CallbackQuery, _w: Any, manager: DialogManager, item_id: str) -> None:
    manager.dialog_data[DIRECTION] = item_id
    await manager.switch_to(AwardsApply.description)


def text_step(key: str, limit: int, next_state) -> MessageInput:
    async def on_text(message: Message, _widget: MessageInput, manager: DialogManager) -> None:
        t = texts_of(manager)
        manager.show_mode = ShowMode.DELETE_AND_SEND
        if not message.text:
            await message.answer(t("input.text_expected"))
            return
        try:
            value = (
                awards.normalize_website(message.text)
                if key == EVIDENCE
                else awards.clean_text(message.text, limit)
            )
        except RuleViolation as error:
            await message.answer(refusal(t, error))
            return
        manager.dialog_data[key] = value
        await manager.switch_to(next_state)

    return MessageInput(on_text, content_types=ContentType.ANY)


async def step_getter(dialog_manager: DialogManager, **_kwargs) -> dict[str, Any]:
    data = dialog_manager.dialog_data
    step = step_name(dialog_manager)
    key = {"description": DESCRIPTION, "results": RESULTS, "evidence": EVIDENCE}.get(step)
    current = data.get(key) if key else None
    return {
        "has_current": bool(current),
        "current": current or "",
        "description_limit": awards.DESCRIPTION_LIMIT,
        "results_limit": awards.RESULTS_LIMIT,
    }


async def confirm_getter(dialog_manager: DialogManager, **_kwargs) -> dict[str, Any]:
    t = texts_of(dialog_manager)
    data = dialog_manager.dialog_data
    direction = data.get(DIRECTION)
    return {
        "direction": t.label(f"area.{direction}") if direction else "—",
        "description": clip(data.get(DESCRIPTION, ""), LONG_ANSWER_SHOWN),
        "results": clip(data.get(RESULTS, ""), LONG_ANSWER_SHOWN),
        "evidence": clip(data.get(EVIDENCE, ""), WEBSITE_SHOWN),
    }


async def on_submit(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    c = ctx(manager)
    store, person, clock = c.store, c.person, c.clock
    data = manager.dialog_data
    organisation_id = await active_organisation_id(store, person)
    try:
        await awards.apply(
            store, person, round_id=data.get(ROUND, 0), organisation_id=organisation_id or 0,
            direction=data.get(DIRECTION), project_description=data.get(DESCRIPTION, ""),
            results=data.get(RESULTS, ""), evidence_url=data.get(EVIDENCE, ""), now=clock.now(),
        )  # fmt: skip
    except (AwardError, StaffError, RuleViolation) as error:
        await refuse(callback, refusal(texts_of(manager), error), roll_back=store)
        return
    await store.commit()
    for key in ANSWERS:
        data.pop(key, None)
    data[SAVED] = True
    await manager.switch_to(AwardsApply.card)


def _keep(next_state) -> SwitchTo:
    return SwitchTo(Label("awards.keep"), id="keep", state=next_state, when=F["has_current"])


def awards_dialog() -> Dialog:
    back = Cancel(Label("common.menu"))
    return Dialog(
        Window(
            Tr("awards.rounds", when=F["any"]),
            Tr("awards.no_rounds", when=~F["any"]),
            item_list(ROUND_SELECT, "rounds", on_round, page_id=ROUND_PAGES),
            back,
            state=AwardsApply.rounds,
            getter=rounds_getter,
        ),
        Window(
            Tr("awards.saved", when=F["saved"]),
            Tr("awards.card"),
            Tr("awards.applied", when=F["applied"]),
            Tr("awards.winner", when=F["winner"]),
            Tr("awards.closed", when=~F["accepts"]),
            Button(
                Label("awards.apply"),
                id="apply",
                on_click=on_apply,
                when=F["accepts"] & F["not_applied"],
            ),
            Button(
                Label("awards.edit"), id="edit", on_click=on_apply, when=F["accepts"] & F["applied"]
            ),
            SwitchTo(Label("common.back"), id="to_rounds", state=AwardsApply.rounds),
            state=AwardsApply.card,
            getter=card_getter,
        ),
        Window(
            Tr("awards.ask_direction"),
            item_list(
                DIRECTION_SELECT,
                "directions",
                on_direction,
                page_id=DIRECTION_PAGES,
                rows=len(AREAS),
            ),
            SwitchTo(Label("common.back"), id="back_card", state=AwardsApply.card),
            state=AwardsApply.direction,
            getter=directions_getter,
        ),
        Window(
            Tr("awards.ask_description"),
            Tr("awards.current", when=F["has_current"]),
            text_step(DESCRIPTION, awards.DESCRIPTION_LIMIT, AwardsApply.results),
            _keep(AwardsApply.results),
            SwitchTo(Label("common.back"), id="back_card", state=AwardsApply.card),
            state=AwardsApply.description,
            getter=step_getter,
        ),
        Window(
            Tr("awards.ask_results"),
            Tr("awards.current", when=F["has_current"]),
            text_step(RESULTS, awards.RESULTS_LIMIT, AwardsApply.evidence),
            _keep(AwardsApply.evidence),
            SwitchTo(Label("common.back"), id="back_desc", state=AwardsApply.description),
            state=AwardsApply.results,
            getter=step_getter,
        ),
        Window(
            Tr("awards.ask_evidence"),
            Tr("awards.current", when=F["has_current"]),
            text_step(EVIDENCE, 0, AwardsApply.confirm),
            _keep(AwardsApply.confirm),
            SwitchTo(Label("common.back"), id="back_results", state=AwardsApply.results),
            state=AwardsApply.evidence,
            getter=step_getter,
        ),
        Window(
            Tr("awards.confirm"),
            Button(Label("awards.submit"), id="submit", on_click=on_submit),
            SwitchTo(Label("common.back"), id="back_evidence", state=AwardsApply.evidence),
            state=AwardsApply.confirm,
            getter=confirm_getter,
        ),
        Window(
            Tr("awards.no_organisation"),
            Start(Label("menu.register"), id="register", state=Registration.bin),
            back,
            state=AwardsApply.no_organisation,
        ),
        name="awards",
    )
