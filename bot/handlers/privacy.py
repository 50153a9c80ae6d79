"""/privacy, /my_data and /delete_me: what we keep about a person, and their rights.

The erase confirmation is a plain callback, not a dialog button: the dialog
middleware saves the stack after a handler returns, so the handler empties the
stack first and nothing of the person is written back.
"""

from __future__ import annotations

import json

from aiogram import Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder
from aiogram_dialog import DialogManager, ShowMode, StartMode

from bot.callback_answers import answer_once
from bot.commands import refresh_person_commands
from bot.dialogs.states import MainMenu
from bot.events import pressed_on, sender
from bot.privacy_notice import PrivacyAction, rights_button, rights_keyboard, send_privacy_notice
from core.clock import Clock
from core.i18n import Texts
from registry import privacy
from registry.staff import Departure, display_name
from storage.repositories.people import PersonView
from storage.store import Store

EXPORT_FILE_NAME = "my-data.json"


# Where the successors an owner chose wait for the confirmation (FSM data, cleared by it).
SUCCESSORS = "erasure_successors"


async def send_export(message: Message, store: Store, telegram_id: int, t: Texts) -> None:
    exported = await privacy.export_person(store, telegram_id)
    content = json.dumps(exported, ensure_ascii=False, indent=2).encode("utf-8")
    await message.answer_document(
        BufferedInputFile(content, filename=EXPORT_FILE_NAME), caption=t("privacy.export_caption")
    )


async def ask_to_erase(
    message: Message, store: Store, t: Texts, state: FSMContext, telegram_id: int
) -> None:
    """First who takes over each organisation the person alone owns (the longest-serving
    offered first), then what will be removed and what kept, and the confirmation."""
    plan = await privacy.erasure_plan(store, telegram_id)
    chosen = await chosen_successors(state)
    for departure in plan.successors_needed if plan else ():
        candidates = {m.person_id for m in departure.candidates}
        if chosen.get(departure.organisation_id) not in candidates:
            await ask_for_successor(message, t, departure)
            return
    builder = InlineKeyboardBuilder()
    rights_button(builder, t, "privacy.erase_confirm_button", "erase_yes")
    rights_button(builder, t, "privacy.erase_keep_button", "erase_no")
    builder.adjust(1)
    await message.answer(erasure_summary(t, plan, chosen), reply_markup=builder.as_markup())


async def ask_for_successor(message: Message, t: Texts, departure: Departure) -> None:
    builder = InlineKeyboardBuilder()
    for member in departure.candidates:
        builder.button(
            text=display_name(member.full_name, member.username),
            callback_data=PrivacyAction(
                action="successor",
                organisation_id=departure.organisation_id,
                person_id=member.person_id,
            ),
        )
    rights_button(builder, t, "privacy.erase_keep_button", "erase_no")
    builder.adjust(1)
    await message.answer(
        t("erasure.choose_successor", organisation=departure.organisation_name),
        reply_markup=builder.as_markup(),
    )


async def chosen_successors(state: FSMContext) -> dict[int, int]:
    stored = (await state.get_data()).get(SUCCESSORS) or {}
    return {int(organisation): int(person) for organisation, person in stored.items()}


def erasure_summary(t: Texts, plan: privacy.ErasurePlan | None, chosen: dict[int, int]) -> str:
    removed = [t("erasure.removed.identity")]
    kept = []
    for departure in plan.departures if plan else ():
        name = departure.organisation_name
        if departure.archives:
            removed.append(t("erasure.removed.archive", organisation=name))
        elif departure.needs_successor:
            successor = next(
                m
                for m in departure.candidates
                if m.person_id == chosen.get(departure.organisation_id)
            )
            removed.append(
                t(
                    "erasure.removed.handover",
                    organisation=name,
                    successor=display_name(successor.full_name, successor.username),
                )
            )
        else:
            removed.append(t("erasure.removed.membership", organisation=name))
    if plan and plan.questions:
        removed.append(t.plural("erasure.removed.questions", plan.questions))
    removed.append(t("erasure.removed.traces"))
    if plan and plan.applications_written:
        kept.append(t.plural("erasure.kept.applications", plan.applications_written))
    if plan and plan.departures:
        kept.append(t("erasure.kept.organisations"))
    if plan and plan.pseudonymised:
        kept.append(t("erasure.kept.pseudonym", pseudonym=plan_pseudonym(t, plan)))
    if not kept:
        kept.append(t("erasure.kept.nothing"))
    return t("erasure.question", removed="\n".join(removed), kept="\n".join(kept), escape=False)


def plan_pseudonym(t: Texts, plan: privacy.ErasurePlan) -> str:
    key = "erasure.pseudonym.expert" if plan.expert else "erasure.pseudonym.operator"
    return t.label(key, number=plan.pseudonym_number)


async def on_privacy_command(
    message: Message, t: Texts, person: PersonView | None, clock: Clock
) -> None:
    await send_privacy_notice(message, t, person, clock)


async def on_my_data_command(message: Message, store: Store, t: Texts) -> None:
    await send_export(message, store, sender(message).id, t)


async def on_delete_me_command(message: Message, store: Store, t: Texts, state: FSMContext) -> None:
    await state.update_data({SUCCESSORS: {}})
    await ask_to_erase(message, store, t, state, sender(message).id)


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
                reply_markup=rights_keyboard(t, consented=True).as_markup(),
            )
    elif action == "export" and message is not None:
        await answer_once(callback)
        await send_export(message, store, callback.from_user.id, t)
    elif action == "erase" and message is not None:
        await answer_once(callback)
        await state.update_data({SUCCESSORS: {}})
        await ask_to_erase(message, store, t, state, callback.from_user.id)
    elif action == "successor" and message is not None:
        await answer_once(callback)
        chosen = await chosen_successors(state)
        chosen[callback_data.organisation_id] = callback_data.person_id
        await state.update_data({SUCCESSORS: {str(k): v for k, v in chosen.items()}})
        await message.edit_reply_markup(reply_markup=None)
        await ask_to_erase(message, store, t, state, callback.from_user.id)
    elif action == "erase_no":
        await answer_once(callback)
        await state.update_data({SUCCESSORS: {}})
        if message is not None:
            await message.edit_text(t("privacy.erase_kept"))
    elif action == "erase_yes":
        await erase(callback, store, t, state, dialog_manager, clock)
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
    clock: Clock,
) -> None:
    telegram_id = callback.from_user.id
    chosen = await chosen_successors(state)
    person = await store.people.get(telegram_id)
    plan = await privacy.erasure_plan(store, telegram_id)
    for departure in plan.successors_needed if plan else ():
        if chosen.get(departure.organisation_id) not in {m.person_id for m in departure.candidates}:
            # Staff changed since they were asked (the chosen one left): ask again.
            await answer_once(callback, t("erasure.successor_gone"), alert=True)
            message = pressed_on(callback)
            if message is not None:
                await ask_to_erase(message, store, t, state, callback.from_user.id)
            return
    # Empty the dialog stack (and forget its last message) before the store writes:
    # the dialog middleware saves the stack after this handler, and only an empty
    # stack without a message is deleted rather than written back.
    await dialog_manager.reset_stack(remove_keyboard=True)
    await state.clear()
    await privacy.erase_person(store, telegram_id, clock.now(), chosen)
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
