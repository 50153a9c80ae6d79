"""/privacy, /my_data and /delete_me: what we keep about a person, and their rights.

The erase confirmation is a plain callback, not a dialog button: the dialog
middleware saves the stack after a handler returns, so the handler empties the
stack first and nothing of the person is written back.
"""

from __future__ import annotations

import json

from aiogram import Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery, InaccessibleMessage, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder
from aiogram_dialog import DialogManager, ShowMode, StartMode

from bot.callback_answers import answer_once
from bot.commands import refresh_person_commands
from bot.dialogs.states import MainMenu
from bot.events import pressed_on, sender
from core.clock import Clock
from core.i18n import Texts
from registry import privacy
from storage.repositories.people import PersonView
from storage.store import Store

EXPORT_FILE_NAME = "my-data.json"


class PrivacyAction(CallbackData, prefix="pv"):
    """agree | export | erase (asks) | erase_yes | erase_no | menu"""

    action: str


def _button(builder: InlineKeyboardBuilder, t: Texts, key: str, action: str) -> None:
    builder.button(text=t.label(key), callback_data=PrivacyAction(action=action))


def _rights(t: Texts, *, consented: bool) -> InlineKeyboardBuilder:
    builder = InlineKeyboardBuilder()
    if not consented:
        # Staff and people who never registered an organisation give it here; an
        # expert's name is shown to the operators only with it.
        _button(builder, t, "consent.agree", "agree")
    _button(builder, t, "privacy.my_data_button", "export")
    _button(builder, t, "privacy.delete_button", "erase")
    # A way back from the notice, wherever it was opened from.
    _button(builder, t, "common.menu", "menu")
    builder.adjust(*((1,) if not consented else ()), 2, 1)
    return builder


async def send_privacy_notice(
    message: Message | InaccessibleMessage, t: Texts, person: PersonView | None, clock: Clock
) -> None:
    """What is kept and why, who to contact, and the rights as buttons. Someone who has
    not agreed yet is asked, with an "I agree" button; someone who has is told when."""
    if person is not None and person.consented and person.consented_at is not None:
        when = person.consented_at.astimezone(clock.zone).strftime("%d.%m.%Y")
        notice = f"{t('drafts.privacy.terms')}\n\n{t('drafts.privacy.agreed', when=when)}"
        consented = True
    else:
        notice, consented = t("consent.text"), False
    await message.answer(
        f"{notice}\n\n{t('privacy.contact')}",
        reply_markup=_rights(t, consented=consented).as_markup(),
    )


async def send_export(message: Message, store: Store, telegram_id: int, t: Texts) -> None:
    exported = await privacy.export_person(store, telegram_id)
    content = json.dumps(exported, ensure_ascii=False, indent=2).encode("utf-8")
    await message.answer_document(
        BufferedInputFile(content, filename=EXPORT_FILE_NAME), caption=t("privacy.export_caption")
    )


async def ask_to_erase(message: Message, t: Texts) -> None:
    builder = InlineKeyboardBuilder()
    _button(builder, t, "privacy.erase_confirm_button", "erase_yes")
    _button(builder, t, "privacy.erase_keep_button", "erase_no")
    builder.adjust(1)
    await message.answer(t("privacy.erase_question"), reply_markup=builder.as_markup())


async def on_privacy_command(
    message: Message, t: Texts, person: PersonView | None, clock: Clock
) -> None:
    await send_privacy_notice(message, t, person, clock)


async def on_my_data_command(message: Message, store: Store, t: Texts) -> None:
    await send_export(message, store, sender(message).id, t)


async def on_delete_me_command(message: Message, t: Texts) -> None:
    await ask_to_erase(message, t)


async def on_privacy_button(
    callback: CallbackQuery,
    callback_data: PrivacyAction,
    store: Store,
    t: Texts,
    state: FSMContext,
    dialog_manager: DialogManager,
    clock: Clock,
) -> None:
    action = callback_data.action
    message = pressed_on(callback)
    if action == "agree":
        await answer_once(callback)
        user = callback.from_user
        await privacy.give_consent(store, user.id, user.full_name, user.username, clock.now())
        await store.commit()
        if message is not None:
            await message.edit_text(
                f"{t('privacy.consent_given')}\n\n{t('privacy.contact')}",
                reply_markup=_rights(t, consented=True).as_markup(),
            )
    elif action == "export" and message is not None:
        await answer_once(callback)
        await send_export(message, store, callback.from_user.id, t)
    elif action == "erase" and message is not None:
        await answer_once(callback)
        await ask_to_erase(message, t)
    elif action == "erase_no":
        await answer_once(callback)
        if message is not None:
            await message.edit_text(t("privacy.erase_kept"))
    elif action == "erase_yes":
        await erase(callback, store, t, state, dialog_manager)
    elif action == "menu":
        await answer_once(callback)
        # The menu as a new message below the notice, whatever was open before.
        await dialog_manager.start(
            MainMenu.main, mode=StartMode.RESET_STACK, show_mode=ShowMode.SEND
        )
    else:
        await answer_once(callback, t("errors.unknown_option"), alert=True)


async def erase(
    callback: CallbackQuery,
    store: Store,
    t: Texts,
    state: FSMContext,
    dialog_manager: DialogManager,
) -> None:
    # Empty the dialog stack (and forget its last message) before the store writes:
    # the dialog middleware saves the stack after this handler, and only an empty
    # stack without a message is deleted rather than written back.
    await dialog_manager.reset_stack(remove_keyboard=True)
    await state.clear()
    telegram_id = callback.from_user.id
    person = await store.people.get(telegram_id)
    await privacy.erase_person(store, telegram_id)
    await store.commit()
    await answer_once(callback)
    message = pressed_on(callback)
    if message is not None:
        await message.edit_text(t("privacy.erased"))
    if person is not None and person.roles:
        # Their roles went with their data: so do the staff commands in their chat.
        data = dialog_manager.middleware_data
        await refresh_person_commands(
            data["menus"], data["bot"], store, data["settings"], telegram_id
        )


def get_router() -> Router:
    router = Router(name="privacy")
    router.message.register(on_privacy_command, Command("privacy"))
    router.message.register(on_my_data_command, Command("my_data"))
    router.message.register(on_delete_me_command, Command("delete_me"))
    router.callback_query.register(on_privacy_button, PrivacyAction.filter())
    return router
