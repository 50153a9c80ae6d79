"""The organisation's fields as dialog widgets, shared by registration and the card's edit screen.

A window shows the prompt and the input of one field: `field_of` tells which
(the registration has a state per field; the edit screen keeps it in
dialog_data). Whatever the person sends is checked by `registry.forms` and a
clean value is handed to the dialog's own `on_value`; a refusal is explained
and the person stays on the step with every earlier answer kept.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from aiogram import F
from aiogram.enums import ContentType
from aiogram.types import (
    CallbackQuery,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from aiogram_dialog import DialogManager, ShowMode
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import Button, Column, Group, Multiselect, Row, Select
from aiogram_dialog.widgets.text import Text

from bot.dialogs.common import WEBSITE_SHOWN, Label, refuse, texts_of, toast
from bot.dialogs.context import ctx
from bot.dialogs.inputs import number_refusal, text_refusal
from bot.dialogs.narrowing import multiselect, step_name
from bot.events import button_message, sender
from bot.screen_fit import clip
from core.i18n import Texts
from domain.areas import AREAS
from domain.errors import RuleViolation
from domain.organisation import LegalForm
from domain.regions import REGIONS
from domain.text_input import InvalidNumber, InvalidText, TextProblem
from registry.forms import FIELDS, OPTIONAL_FIELDS, TYPED_FIELDS, check_value

FIELD_KEY = "field"
CONTACT_KEYBOARD_KEY = "contact_keyboard"
LEGAL_FORM_ID = "legal_form"
REGION_ID = "region"
AREAS_ID = "areas"
AREAS_DONE_ID = "areas_done"
YES_ID = "listing_yes"
NO_ID = "listing_no"
SKIP_ID = "skip"

# Refusals whose wording the shared catalog already has.
_SHARED_REFUSALS = {"text.too_long": "input.too_long"}

OnValue = Callable[[Message | CallbackQuery, DialogManager, str, Any], Awaitable[None]]


def field_of(manager: DialogManager) -> str:
    """The field the current window asks for."""
    step = step_name(manager)
    return step if step in FIELDS else manager.dialog_data[FIELD_KEY]


def local_today(manager: DialogManager) -> date:
    return ctx(manager).clock.local_now().date()


def refusal_text(t: Texts, violation: RuleViolation) -> str:
    if isinstance(violation, InvalidNumber):
        return number_refusal(t, violation)
    if isinstance(violation, InvalidText) and violation.reason is TextProblem.NO_LETTERS:
        return text_refusal(t, violation)
    key = _SHARED_REFUSALS.get(violation.code, f"rule.{violation.code}")
    return t(key, **violation.params)


async def field_getter(dialog_manager: DialogManager, **_kwargs) -> dict[str, Any]:
    field = field_of(dialog_manager)
    return {"field": field, "optional": field in OPTIONAL_FIELDS}


class FieldPrompt(Text):
    """The question of the current field."""

    async def _render_text(self, data: dict, manager: DialogManager) -> str:
        return texts_of(manager)(f"field.ask.{field_of(manager)}")


class ItemLabel(Text):
    """A button of a Select: the catalog's name of the item's code, e.g. region.almaty."""

    def __init__(self, prefix: str, mark: str = "") -> None:
        super().__init__()
        self.prefix = prefix
        self.mark = mark

    async def _render_text(self, data: dict, manager: DialogManager) -> str:
        return self.mark + texts_of(manager).label(f"{self.prefix}.{data['item']}")


def details(t: Texts, answers: dict[str, Any]) -> dict[str, Any]:
    """The parameters of the `organisation.details` text, from answers or a saved organisation."""
    not_set = t.label("common.not_set")

    def code_name(prefix: str, code: str | None) -> str:
        return t.label(f"{prefix}.{code}") if code else not_set

    def shown(value: Any) -> Any:
        return not_set if value is None or value == "" else value

    listing = answers.get("public_listing")
    return {
        "bin": shown(answers.get("bin")),
        "name": shown(answers.get("name")),
        "name_alt": shown(answers.get("name_alt")),
        "legal_form": code_name("legal_form", answers.get("legal_form")),
        "region": code_name("region", answers.get("region")),
        "areas": ", ".join(t.label(f"area.{a}") for a in answers.get("areas") or ()) or not_set,
        "description": shown(answers.get("description")),
        "phone": shown(answers.get("phone")),
        "email": shown(answers.get("email")),
        "website": shown(clip(answers.get("website") or "", WEBSITE_SHOWN)),
        "founded_year": shown(answers.get("founded_year")),
        "staff_count": shown(answers.get("staff_count")),
        "volunteer_count": shown(answers.get("volunteer_count")),
        "public_listing": (
            not_set if listing is None else t.label("common.yes" if listing else "common.no")
        ),
    }


async def show_contact_button(event: Message | CallbackQuery, manager: DialogManager) -> None:
    """Telegram's "share my number" button lives on a reply keyboard, in a message of its own."""
    t = texts_of(manager)
    message = button_message(event) if isinstance(event, CallbackQuery) else event
    keyboard = ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text=t.label("field.share_phone"), request_contact=True)]],
        resize_keyboard=True,
        one_time_keyboard=True,
    )
    await message.answer(t("field.phone_contact_hint"), reply_markup=keyboard)
    manager.dialog_data[CONTACT_KEYBOARD_KEY] = True
    # The step's own message goes below the hint, so it stays the latest one.
    manager.show_mode = ShowMode.SEND


async def hide_contact_button(
    event: Message | CallbackQuery, manager: DialogManager, text: str | None = None
) -> None:
    """Remove the reply keyboard when leaving the phone step (it would linger otherwise)."""
    if not manager.dialog_data.pop(CONTACT_KEYBOARD_KEY, False):
        return
    message = button_message(event) if isinstance(event, CallbackQuery) else event
    t = texts_of(manager)
    await message.answer(
        text or t("field.contact_keyboard_closed"), reply_markup=ReplyKeyboardRemove()
    )
    manager.show_mode = ShowMode.SEND


def field_inputs(on_value: OnValue) -> list[Any]:
    """Every input a field step may need; each shows only on its own field's step."""

    async def accept(event: Message | CallbackQuery, manager: DialogManager, raw: Any) -> None:
        field = field_of(manager)
        t = texts_of(manager)
        try:
            value = check_value(field, raw, local_today(manager))
        except RuleViolation as violation:
            await refuse(event, refusal_text(t, violation))
            return
        if field == "phone" and isinstance(event, Message):
            await hide_contact_button(event, manager, t("field.phone_received", phone=value))
        await on_value(event, manager, field, value)

    async def on_message(message: Message, _widget: MessageInput, manager: DialogManager) -> None:
        field = field_of(manager)
        t = texts_of(manager)
        if field == "phone" and message.contact is not None:
            if message.contact.user_id != sender(message).id:
                await message.answer(t("field.phone_contact_not_yours"))
                return
            await accept(message, manager, message.contact.phone_number)
            return
        if field not in TYPED_FIELDS:
            await message.answer(t("input.choose_button"))
            return
        if message.text is None:
            await message.answer(t("input.text_expected"))
            return
        await accept(message, manager, message.text)

    async def on_item(callback: CallbackQuery, widget: Any, manager: DialogManager, item: str):
        # A forged or stale button of another field must not set this one.
        if widget.widget_id != field_of(manager):
            await toast(callback, texts_of(manager)("errors.unknown_option"))
            return
        await accept(callback, manager, item)

    async def on_areas_done(callback: CallbackQuery, _button: Button, manager: DialogManager):
        if field_of(manager) != "areas":
            return
        checked = multiselect(manager, AREAS_ID).get_checked()
        await accept(callback, manager, list(checked))

    async def on_listing(callback: CallbackQuery, button: Button, manager: DialogManager):
        if field_of(manager) == "public_listing":
            await accept(callback, manager, button.widget_id == YES_ID)

    async def on_skip(callback: CallbackQuery, _button: Button, manager: DialogManager):
        field = field_of(manager)
        if field in OPTIONAL_FIELDS:
            await on_value(callback, manager, field, None)

    return [
        MessageInput(on_message, content_types=ContentType.ANY),
        Column(
            Select(
                ItemLabel("legal_form"),
                id=LEGAL_FORM_ID,
                item_id_getter=str,
                items=[form.value for form in LegalForm],
                on_click=on_item,
            ),
            when=F["field"] == "legal_form",
        ),
        Group(
            Select(
                ItemLabel("region"),
                id=REGION_ID,
                item_id_getter=str,
                items=list(REGIONS),
                on_click=on_item,
            ),
            width=2,
            when=F["field"] == "region",
        ),
        Group(
            Multiselect(
                ItemLabel("area", mark="✅ "),
                ItemLabel("area"),
                id=AREAS_ID,
                item_id_getter=str,
                items=list(AREAS),
            ),
            width=1,
            when=F["field"] == "areas",
        ),
        Button(
            Label("common.done"),
            id=AREAS_DONE_ID,
            on_click=on_areas_done,
            when=F["field"] == "areas",
        ),
        Row(
            Button(Label("common.yes"), id=YES_ID, on_click=on_listing),
            Button(Label("common.no"), id=NO_ID, on_click=on_listing),
            when=F["field"] == "public_listing",
        ),
        Button(Label("common.skip"), id=SKIP_ID, on_click=on_skip, when=F["optional"]),
    ]


async def preset_areas(manager: DialogManager, areas: list[str] | tuple[str, ...]) -> None:
    """Tick the areas already chosen, for an edit or a return to the step."""
    areas_widget = multiselect(manager, AREAS_ID)
    await areas_widget.reset_checked()
    for area in areas:
        await areas_widget.set_checked(area, True)
