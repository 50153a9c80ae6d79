"""/applications and /apply."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message
from aiogram_dialog import DialogManager, StartMode

from bot.dialogs.start_data import ORGANISATION_ID, TOPIC_ID
from bot.dialogs.states import ApplicationForm, MyApplications
from core.i18n import Texts
from registry.staff import active_organisation_id
from storage.repositories.people import PersonView
from storage.store import Store

# Topic codes are short Latin slugs ("gender-equality"); anything longer is not one.
MAX_TOPIC_CODE = 64


async def on_applications(message: Message, dialog_manager: DialogManager) -> None:
    # A command is a fresh start: whatever dialog was open is closed under it.
    await dialog_manager.start(MyApplications.list, mode=StartMode.RESET_STACK)


async def on_apply(
    message: Message,
    command: CommandObject,
    t: Texts,
    store: Store,
    person: PersonView,
    dialog_manager: DialogManager,
) -> None:
    code = (command.args or "").strip().lower()
    if not code or len(code) > MAX_TOPIC_CODE:
        await message.answer(t("application.apply_usage"))
        return
    topic = await store.topics.by_code(code)
    if topic is None or not topic.published:
        await message.answer(t("application.topic_unknown", code=code))
        return
    # Eligibility is checked (and explained) by the form's start, which also resumes a draft.
    await dialog_manager.start(
        ApplicationForm.title,
        data={TOPIC_ID: topic.id, ORGANISATION_ID: await active_organisation_id(store, person)},
        mode=StartMode.RESET_STACK,
    )


def get_router() -> Router:
    router = Router(name="applications")
    router.message.register(on_applications, Command("applications"))
    router.message.register(on_apply, Command("apply"))
    return router
