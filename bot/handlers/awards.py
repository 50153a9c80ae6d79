"""/awards for NGO staff and /award_rounds for operators."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message
from aiogram_dialog import DialogManager, StartMode

from bot.dialogs.states import AwardRounds, AwardsApply
from console.roles import OPERATOR_ROLES, may
from core.i18n import Texts
from core.settings import Settings
from registry.staff import active_organisation_id
from storage.repositories.people import PersonView
from storage.store import Store


async def on_awards(
    message: Message, dialog_manager: DialogManager, store: Store, person: PersonView | None
) -> None:
    has_organisation = person is not None and await active_organisation_id(store, person)
    state = AwardsApply.rounds if has_organisation else AwardsApply.no_organisation
    # A command starts afresh, whatever was open.
    await dialog_manager.start(state, mode=StartMode.RESET_STACK)


async def on_award_rounds(
    message: Message,
    dialog_manager: DialogManager,
    person: PersonView | None,
    settings: Settings,
    t: Texts,
) -> None:
    if not may(person, settings.admin_ids, OPERATOR_ROLES):
        await message.answer(t("awards.forbidden"))
        return
    await dialog_manager.start(AwardRounds.list, mode=StartMode.RESET_STACK)


def get_router() -> Router:
    router = Router(name="awards")
    router.message.register(on_awards, Command("awards"))
    router.message.register(on_award_rounds, Command("award_rounds"))
    return router
