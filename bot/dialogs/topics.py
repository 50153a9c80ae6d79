"""Open grant topics: the list with filters and pages, a topic's card, and why one may not apply.

Eligibility is decided by grants.eligibility on the server each time the card is
shown and again when Apply is pressed; a topic id from a button is never trusted.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from aiogram import F
from aiogram.types import CallbackQuery
from aiogram_dialog import Data, Dialog, DialogManager, StartMode, Window
from aiogram_dialog.widgets.kbd import Button, Column, Row, Select, Start, SwitchTo
from aiogram_dialog.widgets.text import Format

from bot.dialogs.common import Label, Tr, fit_value
from bot.dialogs.context import ctx
from bot.dialogs.start_data import ORGANISATION_ID, TOPIC_ID, YEAR
from bot.dialogs.states import (
    ApplicationForm,
    Filing,
    MainMenu,
    MyApplications,
    Registration,
    Topics,
)
from core.clock import Clock
from core.i18n import Html, Texts
from core.local_time import local_date_time
from core.settings import Settings
from domain.deadlines import days_left
from domain.grants import GRANT_TERMS, GrantType
from grants import topics
from grants.eligibility import Ineligible, Refusal
from grants.topics import TopicCard, TopicFilter, TopicPage
from registry.staff import active_organisation_id
from storage.repositories.topics import TopicView

FILTER = "filter"
PAGE = "page"
NOTICE = "notice"
REFUSALS = "refusals"

FILTER_SELECT = "filter"
TOPIC_SELECT = "topic"
PREVIOUS_BUTTON = "prev"
PAGE_BUTTON = "page"
NEXT_BUTTON = "next"
# Two buttons, one shown at a time: a toggle would undo itself when Telegram
# re-sends a press after a crash.
ALERTS_ON_BUTTON, ALERTS_OFF_BUTTON = "alerts_on", "alerts_off"
MENU_BUTTON = "menu"
REGISTER_BUTTON = "register"
APPLY_BUTTON = "apply"
BACK_TO_LIST = "to_list"
BACK_TO_CARD = "to_card"
FILING_BUTTON = "filing"
APPLICATIONS_BUTTON = "applications"


async def _organisation_id(manager: DialogManager) -> int | None:
    c = ctx(manager)
    store, person = c.store, c.maybe_person
    return await active_organisation_id(store, person) if person is not None else None


def tenge(amount: int) -> str:
    return f"{amount:,}".replace(",", " ")


def budget_range(low: int, high: int) -> str:
    """Digits and the tenge sign read the same in every language: not a message."""
    return f"{tenge(low)} – {tenge(high)} ₸"


def days_left_text(t: Texts, days: int) -> str:
    return t("topics.closes_today") if days == 0 else t.plural("topics.days_left", days)


def regions_text(t: Texts, topic: TopicView) -> str:
    if not topic.regions:
        return t.label("topics.all_regions")
    return ", ".join(t.label(f"region.{code}") for code in topic.regions)


# The list


def _filter_buttons(t: Texts, chosen: TopicFilter) -> list[tuple[str, str]]:
    key = {True: "topics.filter.chosen", False: "topics.filter.other"}
    return [
        (t.label(key[f is chosen], name=t.label(f"topics.filter.{f.value}")), f.value)
        for f in TopicFilter
    ]


def _topic_buttons(t: Texts, clock: Clock, page: TopicPage | None) -> list[tuple[str, int]]:
    now = clock.now()
    return [
        (
            # Plain button text: the title is the operator's, the days come from the catalog.
            f"{topic.title(t.locale)} · "
            + days_left_text(t, max(days_left(now, topic.closes_at, clock.zone), 0)),
            topic.id,
        )
        for topic in (page.topics if page else ())
    ]


async def list_getter(dialog_manager: DialogManager, **_kwargs) -> dict[str, Any]:
    c = ctx(dialog_manager)
    store, person, clock, t = c.store, c.maybe_person, c.clock, c.t
    data = dialog_manager.dialog_data
    chosen = TopicFilter(data.get(FILTER, TopicFilter.ALL))
    try:
        page = await topics.browse(
            store,
            clock.now(),
            topic_filter=chosen,
            organisation_id=await _organisation_id(dialog_manager),
            page=data.get(PAGE, 0),
        )
    except topics.NoOrganisation:
        page = None
    if page is not None:
        # Kept within the pages that exist, so ◀️ works at once after the list shrank.
        data[PAGE] = page.page
    alerts = person is not None and await store.people.notifies_new_topics(person.telegram_id)
    # A notice is shown once, on the screen that follows the action that raised it.
    notice = data.pop(NOTICE, None)
    return {
        "notice": t(notice) if notice else "",
        "needs_organisation": page is None,
        "empty": page is not None and page.total == 0,
        "filtered": chosen is not TopicFilter.ALL,
        "total": page.total if page else 0,
        "paged": page is not None and page.pages > 1,
        "page_label": t.label("common.page", page=page.page + 1, pages=page.pages) if page else "",
        "has_previous": page is not None and page.has_previous,
        "has_next": page is not None and page.has_next,
        "filters": _filter_buttons(t, chosen),
        "topics": _topic_buttons(t, clock, page),
        "alerts_label": t.label("topics.alerts.on" if alerts else "topics.alerts.off"),
        "alerts": alerts,
    }


async def on_filter(_c: CallbackQuery, _w: Any, manager: DialogManager, value: str) -> None:
    if value in {f.value for f in TopicFilter}:
        manager.dialog_data[FILTER] = value
        manager.dialog_data[PAGE] = 0


async def on_page(_c: CallbackQuery, button: Button, manager: DialogManager) -> None:
    step = -1 if button.widget_id == PREVIOUS_BUTTON else 1
    manager.dialog_data[PAGE] = max(manager.dialog_data.get(PAGE, 0) + step, 0)


async def on_alerts(_c: CallbackQuery, button: Button, manager: DialogManager) -> None:
    c = ctx(manager)
    store, person = c.store, c.maybe_person
    if person is not None:
        await topics.set_new_topic_alerts(store, person, button.widget_id == ALERTS_ON_BUTTON)
        await store.commit()


async def on_topic(_c: CallbackQuery, _w: Any, manager: DialogManager, value: str) -> None:
    c = ctx(manager)
    store, clock = c.store, c.clock
    topic = await topics.available_topic(store, topics.parse_topic_id(value), clock.now())
    if topic is None:
        manager.dialog_data[NOTICE] = "topics.unavailable"
        return
    manager.dialog_data[TOPIC_ID] = topic.id
    await manager.switch_to(Topics.card)


async def on_noop(_c: CallbackQuery, _b: Button, _manager: DialogManager) -> None:
    """The page counter is a label, not an action."""


# The card


async def _card(manager: DialogManager) -> TopicCard | None:
    c = ctx(manager)
    store, clock = c.store, c.clock
    settings: Settings = ctx(manager).settings
    return await topics.topic_card(
        store,
        manager.dialog_data.get(TOPIC_ID),
        await _organisation_id(manager),
        clock.now(),
        clock.zone,
        settings.required_filing_year,
    )


def _utc_offset(clock: Clock, moment: datetime) -> str:
    """The zone's offset at that moment, as UTC+5; minutes only where a zone has them."""
    offset = moment.astimezone(clock.zone).utcoffset() or timedelta()  # aware: never None
    minutes = int(offset.total_seconds()) // 60
    hours, rest = divmod(abs(minutes), 60)
    sign = "-" if minutes < 0 else "+"
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def _rules(t: Texts, card: TopicCard) -> str:
    topic = card.topic
    lines = [
        t("topics.rule.registered"),
        t("topics.rule.filed", year=card.filing_year, due_year=card.filing_year + 1),
        t("topics.rule.any_region") if not topic.regions else t("topics.rule.regions"),
        t.plural("topics.rule.limit", topic.max_applications_per_ngo),
    ]
    return "\n".join(lines)


async def card_getter(dialog_manager: DialogManager, **_kwargs) -> dict[str, Any]:
    c = ctx(dialog_manager)
    clock, t = c.clock, c.t
    card = await _card(dialog_manager)
    if card is None:
        return {"available": False}
    topic = card.topic
    terms = GRANT_TERMS[GrantType(topic.grant_type)]
    if card.organisation_id is None:
        status = "topics.status.no_organisation"
    else:
        status = "topics.status.eligible" if card.eligible else "topics.status.ineligible"
    card_data = {
        "available": True,
        "title": topic.title(t.locale),
        "description": topic.description(t.locale),
        "area": t.label(f"area.{topic.area}"),
        "regions": regions_text(t, topic),
        "grant_type": t.plural(
            "topics.grant_type_range",
            terms.max_months,
            type=t.label(f"topics.grant_type.{topic.grant_type}"),
            min=terms.min_months,
            max=terms.max_months,
        ),
        "budget": budget_range(topic.budget_min, topic.budget_max),
        "opens": local_date_time(topic.opens_at, clock.zone),
        "closes": local_date_time(topic.closes_at, clock.zone),
        "zone": t.label("topics.zone", offset=_utc_offset(clock, topic.closes_at)),
        "days_left": days_left_text(t, card.days_left),
        "limit": topic.max_applications_per_ngo,
        "languages": ", ".join(
            t.label(f"topics.language.{code}") for code in topic.application_languages
        ),
        "rules": Html(_rules(t, card)),
        "status": Html(t(status)),
    }
    # A description may take 3000 characters: it gets what the rest of the card leaves.
    return fit_value(t, "topics.card", card_data, "description")


async def on_apply(_c: CallbackQuery, _b: Button, manager: DialogManager) -> None:
    card = await _card(manager)
    if card is None:
        manager.dialog_data[NOTICE] = "topics.unavailable"
        await manager.switch_to(Topics.list)
    elif card.refusals:
        manager.dialog_data[REFUSALS] = [[r.reason.value, r.params] for r in card.refusals]
        await manager.switch_to(Topics.refusal)
    else:
        await manager.start(
            ApplicationForm.title,
            data={TOPIC_ID: card.topic.id, ORGANISATION_ID: card.organisation_id},
        )


# Why not


def _refusals(manager: DialogManager) -> list[Refusal]:
    return [
        Refusal(Ineligible(code), params) for code, params in manager.dialog_data.get(REFUSALS, [])
    ]


async def refusal_getter(dialog_manager: DialogManager, **_kwargs) -> dict[str, Any]:
    c = ctx(dialog_manager)
    store, t = c.store, c.t
    topic = await store.topics.get(dialog_manager.dialog_data.get(TOPIC_ID) or 0)
    organisation_id = await _organisation_id(dialog_manager)
    organisation = await store.organisations.get(organisation_id) if organisation_id else None
    extra = {
        "regions": regions_text(t, topic) if topic else "",
        "region": t.label(f"region.{organisation.region}") if organisation else "",
    }
    refusals = _refusals(dialog_manager)
    reasons = {r.reason for r in refusals}
    return {
        "title": topic.title(t.locale) if topic else "",
        "reasons": Html(
            "\n\n".join(t(f"rule.{r.code}", **{**extra, **r.params}) for r in refusals)
        ),
        "no_organisation": Ineligible.NO_ORGANISATION in reasons,
        "no_filing": Ineligible.NO_FILING in reasons,
        "limit_reached": Ineligible.LIMIT_REACHED in reasons,
    }


async def on_filing(_c: CallbackQuery, _b: Button, manager: DialogManager) -> None:
    year = next(
        (r.params.get("year") for r in _refusals(manager) if r.reason is Ineligible.NO_FILING), None
    )
    await manager.start(
        Filing.overview, data={ORGANISATION_ID: await _organisation_id(manager), YEAR: year}
    )


async def on_child_done(_start_data: Data, _result: Any, manager: DialogManager) -> None:
    # Back from registering or filing: show the card again, judged afresh.
    if manager.current_context().state == Topics.refusal:
        await manager.switch_to(Topics.card)


def topics_dialog() -> Dialog:
    return Dialog(
        Window(
            Format("{notice}", when=F["notice"]),
            Tr("topics.list.title", when=~F["needs_organisation"]),
            Tr("topics.list.needs_organisation", when=F["needs_organisation"]),
            Tr("topics.list.empty", when=F["empty"] & ~F["filtered"]),
            Tr("topics.list.empty_filtered", when=F["empty"] & F["filtered"]),
            Row(
                Select(
                    Format("{item[0]}"),
                    id=FILTER_SELECT,
                    item_id_getter=lambda i: i[1],
                    items="filters",
                    on_click=on_filter,
                )
            ),
            Column(
                Select(
                    Format("{item[0]}"),
                    id=TOPIC_SELECT,
                    item_id_getter=lambda i: i[1],
                    items="topics",
                    on_click=on_topic,
                )
            ),
            Row(
                Button(
                    Label("common.prev_page"),
                    id=PREVIOUS_BUTTON,
                    on_click=on_page,
                    when="has_previous",
                ),
                Button(Format("{page_label}"), id=PAGE_BUTTON, on_click=on_noop),
                Button(
                    Label("common.next_page"), id=NEXT_BUTTON, on_click=on_page, when="has_next"
                ),
                when="paged",
            ),
            Start(
                Label("topics.register"),
                id=REGISTER_BUTTON,
                state=Registration.bin,
                when="needs_organisation",
            ),
            Button(
                Format("{alerts_label}"), id=ALERTS_OFF_BUTTON, on_click=on_alerts, when="alerts"
            ),
            Button(
                Format("{alerts_label}"),
                id=ALERTS_ON_BUTTON,
                on_click=on_alerts,
                when=~F["alerts"],
            ),
            # /grants opens the list with nothing below it: the menu is the way back.
            Start(
                Label("common.menu"),
                id=MENU_BUTTON,
                state=MainMenu.main,
                mode=StartMode.RESET_STACK,
            ),
            state=Topics.list,
            getter=list_getter,
        ),
        Window(
            Tr("topics.card", when="available"),
            Tr("topics.gone", when=~F["available"]),
            Button(Label("topics.apply"), id=APPLY_BUTTON, on_click=on_apply, when="available"),
            SwitchTo(Label("topics.back_to_list"), id=BACK_TO_LIST, state=Topics.list),
            state=Topics.card,
            getter=card_getter,
        ),
        Window(
            Tr("topics.refusal"),
            Start(
                Label("topics.register"),
                id=REGISTER_BUTTON,
                state=Registration.bin,
                when="no_organisation",
            ),
            Button(Label("topics.file"), id=FILING_BUTTON, on_click=on_filing, when="no_filing"),
            Start(
                Label("topics.my_applications"),
                id=APPLICATIONS_BUTTON,
                state=MyApplications.list,
                when="limit_reached",
            ),
            SwitchTo(Label("topics.back_to_card"), id=BACK_TO_CARD, state=Topics.card),
            SwitchTo(Label("topics.back_to_list"), id=BACK_TO_LIST, state=Topics.list),
            state=Topics.refusal,
            getter=refusal_getter,
        ),
        on_process_result=on_child_done,
        name="topics",
    )
