"""/export for operators and admins: a spreadsheet sent as a document.

`/export` offers buttons; `/export KIND [xlsx|csv] [topic=CODE] [region=CODE] [year=N]`
takes filters. The role is checked again on every press: callback data can be forged.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.filters.callback_data import CallbackData
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callback_answers import answer_once
from bot.events import pressed_on
from console.exports import (
    ExportError,
    ExportFilters,
    ExportFormat,
    ExportKind,
    export,
    parse_request,
)
from console.roles import OPERATOR_ROLES, Forbidden, acting_as
from core.clock import Clock
from core.i18n import Texts
from core.settings import Settings
from storage.repositories.people import PersonView
from storage.store import Store


class ExportChoice(CallbackData, prefix="exp"):
    kind: str
    fmt: str


def choices(t: Texts) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for kind in ExportKind:
        for fmt in ExportFormat:
            builder.button(
                # The kind from the catalog and the format's own name: nothing to translate.
                text=f"{t.label(f'export.kind.{kind.value}')} · {fmt.value.upper()}",
                callback_data=ExportChoice(kind=kind.value, fmt=fmt.value),
            )
    builder.adjust(2)
    return builder.as_markup()


async def _send(
    message: Message,
    *,
    kind: ExportKind,
    fmt: ExportFormat,
    filters: ExportFilters,
    store: Store,
    person: PersonView | None,
    settings: Settings,
    t: Texts,
    clock: Clock,
) -> None:
    actor = acting_as(person, settings.admin_ids, OPERATOR_ROLES)
    try:
        made = await export(
            store, kind=kind, fmt=fmt, filters=filters, t=t, zone=clock.zone,
            now=clock.now(), actor=actor,
        )  # fmt: skip
    except ExportError as error:
        await store.rollback()
        await message.answer(t(error.code))
        return
    await store.commit()
    await message.answer_document(
        BufferedInputFile(made.content, filename=made.file_name),
        caption=t.plural("export.ready", made.row_count, kind=t.label(f"export.kind.{kind.value}")),
    )


async def on_export(
    message: Message,
    command: CommandObject,
    store: Store,
    person: PersonView | None,
    settings: Settings,
    t: Texts,
    clock: Clock,
) -> None:
    try:
        acting_as(person, settings.admin_ids, OPERATOR_ROLES)
    except Forbidden:
        await message.answer(t("export.forbidden"))
        return
    if not command.args:
        await message.answer(t("export.choose"), reply_markup=choices(t))
        return
    try:
        kind, fmt, filters = parse_request(command.args.split())
    except ExportError as error:
        await message.answer(t(error.code))
        return
    await _send(message, kind=kind, fmt=fmt, filters=filters, store=store, person=person,
                settings=settings, t=t, clock=clock)  # fmt: skip


async def on_choice(
    callback: CallbackQuery,
    callback_data: ExportChoice,
    store: Store,
    person: PersonView | None,
    settings: Settings,
    t: Texts,
    clock: Clock,
) -> None:
    try:
        acting_as(person, settings.admin_ids, OPERATOR_ROLES)
        kind, fmt = ExportKind(callback_data.kind), ExportFormat(callback_data.fmt)
    except (Forbidden, ValueError):
        await answer_once(callback, t.label("export.forbidden"), alert=True)
        return
    await answer_once(callback)
    message = pressed_on(callback)
    if message is None:  # the menu's message is gone: nowhere to answer
        return
    await _send(message, kind=kind, fmt=fmt, filters=ExportFilters(), store=store,
                person=person, settings=settings, t=t, clock=clock)  # fmt: skip


def get_router() -> Router:
    router = Router(name="exports")
    router.message.register(on_export, Command("export"))
    router.callback_query.register(on_choice, ExportChoice.filter(), F.message)
    return router
