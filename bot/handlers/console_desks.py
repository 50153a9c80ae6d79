"""/operator, /expert and /roles: each opens its desk for the roles allowed to use it.

The role is checked here and again by the dialog on every action.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiogram import Router
from aiogram.filters import Command
from aiogram.fsm.state import State
from aiogram.types import Message
from aiogram_dialog import DialogManager, StartMode

from bot.dialogs.states import ExpertDesk, OperatorMenu, RolesAdmin
from console.roles import ADMIN_ROLES, EXPERT_ROLES, OPERATOR_ROLES, may
from core.i18n import Texts
from core.settings import Settings
from storage.models import Role
from storage.repositories.people import PersonView

DESKS: tuple[tuple[str, tuple[Role, ...], State], ...] = (
    ("operator", OPERATOR_ROLES, OperatorMenu.main),
    ("expert", EXPERT_ROLES, ExpertDesk.list),
    ("roles", ADMIN_ROLES, RolesAdmin.list),
)


def desk_opener(roles: tuple[Role, ...], state: State) -> Callable[..., Awaitable[None]]:
    async def open_desk(
        message: Message,
        person: PersonView | None,
        settings: Settings,
        t: Texts,
        dialog_manager: DialogManager,
    ) -> None:
        if not may(person, settings.admin_ids, roles):
            await message.answer(t("console.forbidden"))
            return
        # A command is a fresh start: whatever dialog was open is closed under it.
        await dialog_manager.start(state, mode=StartMode.RESET_STACK)

    return open_desk


def get_router() -> Router:
    router = Router(name="console_desks")
    for command, roles, state in DESKS:
        router.message.register(desk_opener(roles, state), Command(command))
    return router
