"""The operator console's front page: one entry per part of the operator's work.

Other console features add their entry to `operator_entries` (a Start button with
its own state); the page itself, and every dialog it starts, checks the role.
"""

from __future__ import annotations

from typing import Any

from aiogram import F, Router
from aiogram_dialog import Dialog, DialogManager, Window
from aiogram_dialog.widgets.kbd import Cancel, Start
from aiogram_dialog.widgets.kbd.base import Keyboard

from bot.dialogs.common import Label, Tr
from bot.dialogs.console_access import allowed, gated, refuse_unless
from bot.dialogs.context import ctx
from bot.dialogs.states import (
    Broadcast,
    OperatorCompetition,
    OperatorMenu,
    OperatorTopics,
    RolesAdmin,
)
from console.roles import ADMIN_ROLES, OPERATOR_ROLES

TOPICS_ID, COMPETITION_ID, ROLES_ID, CLOSE_ID = "op_topics", "op_competition", "op_roles", "close"
BROADCAST_ID = "op_broadcast"


def operator_entries() -> list[Keyboard]:
    """The console's entries, in menu order. Add a feature's entry here."""
    return [
        Start(Label("console.menu.topics"), id=TOPICS_ID, state=OperatorTopics.list),
        Start(
            Label("console.menu.competition"), id=COMPETITION_ID, state=OperatorCompetition.topics
        ),
        Start(Label("console.menu.broadcast"), id=BROADCAST_ID, state=Broadcast.text),
        Start(Label("console.menu.roles"), id=ROLES_ID, state=RolesAdmin.list, when=F["is_admin"]),
    ]


async def menu_getter(dialog_manager: DialogManager, **_kwargs) -> dict[str, Any]:
    return {"is_admin": allowed(ctx(dialog_manager), ADMIN_ROLES)}


def operator_menu_dialog() -> Router:
    dialog = Dialog(
        Window(
            Tr("console.menu.title"),
            *operator_entries(),
            Cancel(Label("common.menu"), id=CLOSE_ID),
            state=OperatorMenu.main,
            getter=menu_getter,
        ),
        name="operator_menu",
        on_start=refuse_unless(OPERATOR_ROLES),
    )
    return gated(dialog, OPERATOR_ROLES)
