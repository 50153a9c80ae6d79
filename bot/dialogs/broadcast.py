"""/broadcast: the operator writes an announcement in kk, ru and en, may add a photo or a
document, picks a segment, sees the recipient count and a preview exactly as a
recipient gets it (in each language, on a button), and confirms. `console.broadcasts`
queues it and checks the role."""

from __future__ import annotations

from typing import Any

from aiogram import F, Router
from aiogram.enums import ContentType
from aiogram.types import CallbackQuery, Message
from aiogram_dialog import Dialog, DialogManager, ShowMode, Window
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import (
    Button,
    Cancel,
    Column,
    Multiselect,
    Row,
    ScrollingGroup,
    Select,
    SwitchTo,
)
from aiogram_dialog.widgets.text import Format

from bot.broadcast_progress import send_progress
from bot.dialogs.common import Label, Tr, refuse, texts_of
from bot.dialogs.console_access import actor_of, allowed, gated, refuse_unless
from bot.dialogs.context import ctx
from bot.dialogs.narrowing import multiselect
from bot.dialogs.states import Broadcast as S
from bot.events import button_message
from console import broadcasts
from console.roles import OPERATOR_ROLES
from domain.areas import AREAS
from domain.regions import REGIONS
from domain.text_input import InvalidNumber, clean_text, has_visible_character, read_year

ORDER = ("ru", "kk", "en")  # Russian first: it is the fallback for the others
TEXTS, LENGTHS, LANG, MEDIA, KIND, VALUES = "texts", "lengths", "lang", "media", "kind", "values"
SKIP_ID, NO_MEDIA_ID, KIND_ID, VALUES_ID, DONE_ID, SEND_ID, BACK_ID, CLOSE_ID, PREVIEW_ID = (
    "b_skip", "b_nomedia", "b_kind", "b_values", "b_done", "b_send", "b_back", "b_close",
    "b_preview",
)  # fmt: skip
CHOICES = {
    "region": [(code, f"region.{code}") for code in REGIONS],
    "area": [(code, f"area.{code}") for code in AREAS],
    "language": [
        ("kk", "broadcast.lang.kk"),
        ("ru", "broadcast.lang.ru"),
        ("en", "broadcast.lang.en"),
    ],
    "role": [(code, f"broadcast.role.{code}") for code in broadcasts.ROLE_VALUES],
}
NUMBER_KINDS = ("draft", "not_filed")


def _data(manager: DialogManager) -> dict[str, Any]:
    return manager.dialog_data


async def on_start(start_data: Any, manager: DialogManager) -> None:
    if not allowed(ctx(manager), OPERATOR_ROLES):
        await refuse_unless(OPERATOR_ROLES)(start_data, manager)
        return
    manager.dialog_data.update({TEXTS: {}, LENGTHS: {}, LANG: 0, MEDIA: None})


# -- texts ----------------------------------------------------------------------------------


async def text_getter(dialog_manager: DialogManager, **_kwargs) -> dict[str, Any]:
    lang = ORDER[_data(dialog_manager).get(LANG, 0)]
    return {
        "language": texts_of(dialog_manager).label(f"broadcast.lang.{lang}"),
        "limit": broadcasts.TEXT_LIMIT,
        "optional": lang != "ru",
    }


async def _next_language(manager: DialogManager) -> None:
    data = _data(manager)
    if data[LANG] + 1 < len(ORDER):
        data[LANG] += 1
    else:
        await manager.switch_to(S.media)


async def on_text(message: Message, _widget: Any, manager: DialogManager) -> None:
    t = texts_of(manager)
    text = message.text or ""
    if not has_visible_character(clean_text(text)):
        await message.answer(t("input.text_expected"))
        return
    if len(text) > broadcasts.TEXT_LIMIT:
        await message.answer(t.plural("input.too_long", len(text), limit=broadcasts.TEXT_LIMIT))
        return
    data = _data(manager)
    lang = ORDER[data[LANG]]
    # What every recipient sees: nothing hidden that reorders or hides the text.
    data[TEXTS][lang] = clean_text(message.html_text)
    data[LENGTHS][lang] = len(text)
    await _next_language(manager)


async def on_skip(_callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    await _next_language(manager)


# -- photo or document ----------------------------------------------------------------------


async def on_media(message: Message, _widget: Any, manager: DialogManager) -> None:
    t = texts_of(manager)
    if message.photo:
        media = {"photo": message.photo[-1].file_id}
    elif message.document:
        media = {"document": message.document.file_id}
    else:
        await message.answer(t("broadcast.media_expected"))
        return
    longest = max(_data(manager)[LENGTHS].values(), default=0)
    if longest > broadcasts.CAPTION_LIMIT:
        await message.answer(
            t("broadcast.caption_too_long", limit=broadcasts.CAPTION_LIMIT, length=longest)
        )
        return
    _data(manager)[MEDIA] = media
    await manager.switch_to(S.segment)


# -- segment --------------------------------------------------------------------------------


async def segment_getter(dialog_manager: DialogManager, **_kwargs) -> dict[str, Any]:
    t = texts_of(dialog_manager)
    return {"kinds": [(k, t.label(f"broadcast.segment.{k}")) for k in broadcasts.SEGMENT_KINDS]}


async def on_kind(_c: CallbackQuery, _w: Any, manager: DialogManager, kind: str) -> None:
    if kind not in broadcasts.SEGMENT_KINDS:
        return
    _data(manager)[KIND] = kind
    if kind == "all":
        _data(manager)[VALUES] = []
        await _to_confirm(manager)
    elif kind in NUMBER_KINDS:
        await manager.switch_to(S.number)
    else:
        await multiselect(manager, VALUES_ID).reset_checked()
        await manager.switch_to(S.values)


async def values_getter(dialog_manager: DialogManager, **_kwargs) -> dict[str, Any]:
    t = texts_of(dialog_manager)
    kind = _data(dialog_manager).get(KIND, "region")
    return {"choices": [(code, t.label(key)) for code, key in CHOICES.get(kind, [])]}


async def on_values_done(callback: CallbackQuery, _b: Button, manager: DialogManager) -> None:
    allowed = {code for code, _key in CHOICES.get(_data(manager)[KIND], [])}
    chosen = [v for v in multiselect(manager, VALUES_ID).get_checked() if v in allowed]
    if not chosen:
        await refuse(callback, texts_of(manager).label("broadcast.choose_one"))
        return
    _data(manager)[VALUES] = chosen
    await _to_confirm(manager)


async def number_getter(dialog_manager: DialogManager, **_kwargs) -> dict[str, Any]:
    return {"kind": _data(dialog_manager).get(KIND, "not_filed")}


async def on_number(message: Message, _widget: Any, manager: DialogManager) -> None:
    try:
        year = read_year(message.text or "")
    except InvalidNumber:
        await message.answer(texts_of(manager)("input.number_expected", example="2025"))
        return
    _data(manager)[VALUES] = [str(year)]
    await _to_confirm(manager)


# -- preview and confirm --------------------------------------------------------------------


def _segment(manager: DialogManager) -> dict[str, Any]:
    return {"kind": _data(manager)[KIND], "values": _data(manager).get(VALUES, [])}


async def _send_preview(manager: DialogManager, locale: str) -> None:
    """The announcement exactly as recipients whose language is `locale` get it, under a
    line that says whose view it is (and that they get Russian when theirs has no text)."""
    c = ctx(manager)
    t = texts_of(manager)
    texts = _data(manager)[TEXTS]
    text = broadcasts.text_for(texts, locale)
    media = _data(manager).get(MEDIA) or {}
    chat_id = c.chat_id
    bot = c.bot
    heading = t(f"broadcast.preview_for.{locale}")
    if not texts.get(locale):
        heading += "\n" + t("broadcast.preview_fallback")
    await bot.send_message(chat_id, heading)
    if "photo" in media:
        await bot.send_photo(chat_id, media["photo"], caption=text)
    elif "document" in media:
        await bot.send_document(chat_id, media["document"], caption=text)
    else:
        await bot.send_message(chat_id, text)
    manager.show_mode = ShowMode.SEND


async def _to_confirm(manager: DialogManager) -> None:
    """Preview it in the operator's own language, then the confirm step (which offers
    the other languages' previews)."""
    locale = texts_of(manager).locale
    await _send_preview(manager, locale if locale in broadcasts.LANGUAGES else ORDER[0])
    await manager.switch_to(S.confirm)


async def on_preview(_c: CallbackQuery, _w: Any, manager: DialogManager, locale: str) -> None:
    if locale in broadcasts.LANGUAGES:
        await _send_preview(manager, locale)


async def confirm_getter(dialog_manager: DialogManager, **_kwargs) -> dict[str, Any]:
    store = ctx(dialog_manager).store
    actor = actor_of(dialog_manager, OPERATOR_ROLES)
    people = await broadcasts.audience(store, actor, _segment(dialog_manager))
    t = texts_of(dialog_manager)
    data = _data(dialog_manager)
    kind = data[KIND]
    labels = dict(CHOICES.get(kind, []))
    values = [t.label(labels[v]) if v in labels else v for v in data.get(VALUES, [])]
    return {
        "count": len(people),
        "segment": t.label(f"broadcast.segment.{kind}"),
        "values": ", ".join(values) or "—",
        "languages": ", ".join(sorted(data[TEXTS])),
        "previews": [(code, t.label(f"broadcast.preview.{code}")) for code in broadcasts.LANGUAGES],
    }


async def on_send(callback: CallbackQuery, _b: Button, manager: DialogManager) -> None:
    c = ctx(manager)
    store, clock, settings = c.store, c.clock, c.settings
    actor = actor_of(manager, OPERATOR_ROLES)
    media = _data(manager).get(MEDIA) or {}
    broadcast = await broadcasts.start(
        store,
        actor,
        texts=_data(manager)[TEXTS],
        segment=_segment(manager),
        now=clock.now(),
        photo_file_id=media.get("photo"),
        document_file_id=media.get("document"),
        default_locale=settings.default_locale,
        channel_id=settings.broadcast_channel_id,
    )
    await store.commit()
    await send_progress(
        c.bot,
        store,
        texts_of(manager),
        broadcast,
        clock.now(),
        chat_id=button_message(callback).chat.id,
    )
    await store.commit()
    await manager.done(show_mode=ShowMode.NO_UPDATE)


def broadcast_dialog() -> Router:
    close = Cancel(Label("common.cancel"), id=CLOSE_ID)
    dialog = Dialog(
        Window(
            Tr("broadcast.ask_text"),
            MessageInput(on_text, content_types=ContentType.ANY),
            Button(Label("common.skip"), id=SKIP_ID, on_click=on_skip, when=F["optional"]),
            close,
            state=S.text,
            getter=text_getter,
        ),
        Window(
            Tr("broadcast.ask_media", limit=broadcasts.CAPTION_LIMIT),
            MessageInput(on_media, content_types=ContentType.ANY),
            SwitchTo(Label("common.skip"), id=NO_MEDIA_ID, state=S.segment),
            close,
            state=S.media,
        ),
        Window(
            Tr("broadcast.ask_segment"),
            Column(
                Select(
                    Format("{item[1]}"),
                    id=KIND_ID,
                    item_id_getter=lambda i: i[0],
                    items="kinds",
                    on_click=on_kind,
                )
            ),
            close,
            state=S.segment,
            getter=segment_getter,
        ),
        Window(
            Tr("broadcast.ask_values"),
            ScrollingGroup(
                Multiselect(
                    Format("✅ {item[1]}"),
                    Format("{item[1]}"),
                    id=VALUES_ID,
                    item_id_getter=lambda i: i[0],
                    items="choices",
                ),
                id="b_values_pages",
                width=2,
                height=10,
                hide_on_single_page=True,
            ),
            Button(Label("common.done"), id=DONE_ID, on_click=on_values_done),
            SwitchTo(Label("common.back"), id=BACK_ID, state=S.segment),
            state=S.values,
            getter=values_getter,
        ),
        Window(
            Tr("broadcast.ask_number", when=F["kind"] == "not_filed"),
            Tr("broadcast.ask_topic", when=~(F["kind"] == "not_filed")),
            MessageInput(on_number, content_types=ContentType.ANY),
            SwitchTo(Label("common.back"), id="b_back_n", state=S.segment),
            state=S.number,
            getter=number_getter,
        ),
        Window(
            Tr("broadcast.confirm"),
            Select(
                Format("{item[1]}"),
                id=PREVIEW_ID,
                item_id_getter=lambda i: i[0],
                items="previews",
                on_click=on_preview,
            ),
            Row(
                Button(Label("broadcast.send"), id=SEND_ID, on_click=on_send),
                SwitchTo(Label("common.back"), id="b_back_c", state=S.segment),
            ),
            close,
            state=S.confirm,
            getter=confirm_getter,
        ),
        name="broadcast",
        on_start=on_start,
    )
    return gated(dialog, OPERATOR_ROLES)
