"""The public directory: type to search by name, filter by region and area, open a card.

Search, filters and page live in dialog data; the results are read from the
database on every render, so only listed organisations ever show.
"""

from __future__ import annotations

from typing import Any

from aiogram import F
from aiogram.types import CallbackQuery, Message
from aiogram_dialog import Dialog, DialogManager, ShowMode, StartMode, Window
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import Button, Group, Row, Select, Start, SwitchTo
from aiogram_dialog.widgets.text import Format

from bot.dialogs.common import WEBSITE_SHOWN, Label, Tr, refuse, texts_of
from bot.dialogs.context import ctx
from bot.dialogs.filing import money
from bot.dialogs.states import Directory, MainMenu
from bot.screen_fit import clip
from core.i18n import Texts
from domain.areas import AREAS
from domain.regions import REGIONS
from domain.text_input import clean_text, plain_id
from registry import directory

QUERY = "query"
REGION = "region"
AREA = "area"
PAGE = "page"
CARD = "card"
ALL = "all"

RESULT_SELECT = "org"
REGION_SELECT = "region"
AREA_SELECT = "area"
RESULT_LABEL_LIMIT = 60


def _filters(manager: DialogManager) -> dict[str, Any]:
    data = manager.dialog_data
    return {"query": data.get(QUERY), "region": data.get(REGION), "area": data.get(AREA)}


def _filter_label(t: Texts, prefix: str, code: str | None) -> str:
    return t.label(f"{prefix}.{code}") if code else t.label("directory.all")


async def search_getter(dialog_manager: DialogManager, **_kwargs) -> dict[str, Any]:
    t = texts_of(dialog_manager)
    store = ctx(dialog_manager).store
    filters = _filters(dialog_manager)
    found = await directory.search(store, **filters, page=dialog_manager.dialog_data.get(PAGE, 0))
    dialog_manager.dialog_data[PAGE] = found.page
    filtered = any(filters.values())
    return {
        "query": filters["query"] or t.label("directory.any_name"),
        "region": _filter_label(t, "region", filters["region"]),
        "area": _filter_label(t, "area", filters["area"]),
        "total": found.total,
        "page": found.page + 1,
        "pages": found.pages,
        "found": found.total > 0,
        "empty": found.total == 0,
        "filtered": filtered,
        "has_prev": found.page > 0,
        "has_next": found.page + 1 < found.pages,
        "results": [
            (_result_label(t, organisation), str(organisation.id)) for organisation in found.items
        ],
    }


def _result_label(t: Texts, organisation) -> str:
    name = organisation.name
    if len(name) > RESULT_LABEL_LIMIT:
        name = name[: RESULT_LABEL_LIMIT - 1] + "…"
    return t.label("directory.result", name=name, region=t.label(f"region.{organisation.region}"))


async def on_query(message: Message, _widget: MessageInput, manager: DialogManager) -> None:
    t = texts_of(manager)
    manager.show_mode = ShowMode.DELETE_AND_SEND
    if not message.text:
        await message.answer(t("input.text_expected"))
        return
    query = clean_text(message.text, multiline=False)
    if len(query) > directory.MAX_QUERY:
        await message.answer(t.plural("input.too_long", len(query), limit=directory.MAX_QUERY))
        return
    manager.dialog_data[QUERY] = query or None
    manager.dialog_data[PAGE] = 0


async def on_page(_c: CallbackQuery, button: Button, manager: DialogManager) -> None:
    step = 1 if button.widget_id == "next" else -1
    manager.dialog_data[PAGE] = max(0, manager.dialog_data.get(PAGE, 0) + step)


async def on_clear(_c: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    for key in (QUERY, REGION, AREA, PAGE):
        manager.dialog_data.pop(key, None)


def _on_filter(key: str, codes: tuple[str, ...]):
    async def on_choice(_c: CallbackQuery, _w: Select, manager: DialogManager, code: str) -> None:
        if code != ALL and code not in codes:
            return
        manager.dialog_data[key] = None if code == ALL else code
        manager.dialog_data[PAGE] = 0
        await manager.switch_to(Directory.search)

    return on_choice


def _choices_getter(prefix: str, codes: tuple[str, ...]):
    async def getter(dialog_manager: DialogManager, **_kwargs) -> dict[str, Any]:
        t = texts_of(dialog_manager)
        all_ = (t.label("directory.all"), ALL)
        return {"choices": [all_, *((t.label(f"{prefix}.{code}"), code) for code in codes)]}

    return getter


async def on_result(callback: CallbackQuery, _w: Select, manager: DialogManager, item: str) -> None:
    store = ctx(manager).store
    # Card ids come back from the client and can be forged: only listed ones open.
    card_id = plain_id(item)
    card = await directory.card(store, card_id) if card_id is not None else None
    if card is None:
        await refuse(callback, texts_of(manager)("directory.not_listed"))
        return
    manager.dialog_data[CARD] = card.organisation.id
    await manager.switch_to(Directory.card)


async def card_getter(dialog_manager: DialogManager, **_kwargs) -> dict[str, Any]:
    t = texts_of(dialog_manager)
    store = ctx(dialog_manager).store
    card = await directory.card(store, dialog_manager.dialog_data.get(CARD) or 0)
    if card is None:
        return {"listed": False, "has_filing": False}
    org = card.organisation
    filing = card.latest_filing
    return {
        "listed": True,
        "name": org.name,
        "name_alt": org.name_alt or t.label("common.not_set"),
        "legal_form": t.label(f"legal_form.{org.legal_form}"),
        "region": t.label(f"region.{org.region}"),
        "areas": ", ".join(t.label(f"area.{area}") for area in org.areas),
        "description": org.description,
        "website": clip(org.website, WEBSITE_SHOWN) if org.website else t.label("common.not_set"),
        "founded_year": org.founded_year,
        "staff_count": org.staff_count,
        "volunteer_count": org.volunteer_count,
        "phone": org.phone,
        "email": org.email,
        "has_filing": filing is not None,
        "filing_year": filing.year if filing else "",
        "projects_count": len(filing.projects) if filing else 0,
        "beneficiaries": money(filing.total_beneficiaries or 0) if filing else "",
        "total_income": money(filing.total_income) if filing else "",
    }


def directory_dialog() -> Dialog:
    choices: dict[str, Any] = {"item_id_getter": lambda item: item[1], "items": "choices"}
    return Dialog(
        Window(
            Tr("directory.search"),
            Tr("directory.found", when=F["found"]),
            Tr("directory.empty", when=F["empty"]),
            Group(
                Select(
                    Format("{item[0]}"),
                    id=RESULT_SELECT,
                    on_click=on_result,
                    item_id_getter=lambda item: item[1],
                    items="results",
                ),
                width=1,
            ),
            Row(
                Button(Label("common.prev_page"), id="prev", on_click=on_page, when=F["has_prev"]),
                Button(Label("common.next_page"), id="next", on_click=on_page, when=F["has_next"]),
            ),
            Row(
                SwitchTo(Label("directory.filter_region"), id="by_region", state=Directory.region),
                SwitchTo(Label("directory.filter_area"), id="by_area", state=Directory.area),
            ),
            Button(Label("directory.clear"), id="clear", on_click=on_clear, when=F["filtered"]),
            # Opened from the menu or by /ngos: going to the menu works from both.
            Start(Label("common.menu"), id="menu", state=MainMenu.main, mode=StartMode.RESET_STACK),
            MessageInput(on_query),
            state=Directory.search,
            getter=search_getter,
        ),
        Window(
            Tr("directory.choose_region"),
            Group(
                Select(
                    Format("{item[0]}"),
                    id=REGION_SELECT,
                    on_click=_on_filter(REGION, REGIONS),
                    **choices,
                ),
                width=2,
            ),
            SwitchTo(Label("common.back"), id="back", state=Directory.search),
            state=Directory.region,
            getter=_choices_getter("region", REGIONS),
        ),
        Window(
            Tr("directory.choose_area"),
            Group(
                Select(
                    Format("{item[0]}"), id=AREA_SELECT, on_click=_on_filter(AREA, AREAS), **choices
                ),
                width=2,
            ),
            SwitchTo(Label("common.back"), id="back", state=Directory.search),
            state=Directory.area,
            getter=_choices_getter("area", AREAS),
        ),
        Window(
            Tr("directory.card", when=F["listed"]),
            Tr("directory.card_filing", when=F["has_filing"]),
            Tr("directory.card_no_filing", when=F["listed"] & ~F["has_filing"]),
            Tr("directory.not_listed", when=~F["listed"]),
            SwitchTo(Label("directory.back_to_results"), id="results", state=Directory.search),
            state=Directory.card,
            getter=card_getter,
        ),
        name="directory",
    )
