"""The main menu. Each feature adds its entry here, shown only to whom it concerns."""

from __future__ import annotations

from typing import Any

from aiogram import F
from aiogram.types import CallbackQuery
from aiogram_dialog import Dialog, DialogManager, ShowMode, Window
from aiogram_dialog.widgets.kbd import Button, Row, Start

from bot.commands import help_text, menu_of
from bot.dialogs.common import Label, Tr, texts_of
from bot.dialogs.console_access import allowed
from bot.dialogs.context import ctx
from bot.dialogs.states import (
    AwardsApply,
    Directory,
    ExpertDesk,
    MainMenu,
    MyApplications,
    OperatorMenu,
    OrganisationCard,
    Registration,
    SupportInbox,
    Topics,
)
from bot.dialogs.support import STRAY_TEXT
from bot.events import button_message
from bot.language_picker import send_language_picker
from bot.privacy_notice import send_privacy_notice
from console.awards import accepting_rounds
from console.roles import EXPERT_ROLES, OPERATOR_ROLES
from registry.forms import FIELDS
from registry.registration_drafts import unfinished
from registry.staff import active_organisation_id

LANGUAGE_BUTTON = "language"
HELP_BUTTON = "help"
REGISTER_BUTTON = "register"
CONTINUE_REGISTRATION_BUTTON = "continue_registration"
ORGANISATION_BUTTON = "organisation"
DIRECTORY_BUTTON = "directory"
PRIVACY_BUTTON = "privacy"
TOPICS_BUTTON = "topics"
APPLICATIONS_BUTTON = "applications"
CONSOLE_BUTTON = "operator"
EXPERT_BUTTON = "expert"
AWARDS_BUTTON = "awards"
SUPPORT_BUTTON = "support"


async def menu_getter(dialog_manager: DialogManager, **_kwargs) -> dict[str, Any]:
    c = ctx(dialog_manager)
    store, person = c.store, c.maybe_person
    organisation_id = await active_organisation_id(store, person) if person else None
    # A registration left unfinished is offered again, never silently dropped.
    draft = await unfinished(store, person) if organisation_id is None else None
    return {
        "has_organisation": organisation_id is not None,
        "has_draft": draft is not None,
        "answered": len(draft.answers) if draft else 0,
        "total": len(FIELDS),
        "award_round_open": organisation_id is not None
        and bool(await accepting_rounds(store, c.clock.now())),
        # Only shows the entries; the console checks the role again on every action.
        "is_operator": allowed(c, OPERATOR_ROLES),
        "is_expert": allowed(c, EXPERT_ROLES),
    }


async def on_language(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    await send_language_picker(button_message(callback), texts_of(manager))
    manager.show_mode = ShowMode.NO_UPDATE


async def on_help(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    c = ctx(manager)
    _locale, roles = menu_of(c.maybe_person, callback.from_user.id, c.settings)
    await button_message(callback).answer(help_text(texts_of(manager), roles))
    # Keep the menu as the latest message, below the help, so it stays in reach.
    manager.show_mode = ShowMode.DELETE_AND_SEND


async def on_privacy(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    c = ctx(manager)
    await send_privacy_notice(button_message(callback), texts_of(manager), c.maybe_person, c.clock)
    manager.show_mode = ShowMode.DELETE_AND_SEND


def main_menu_dialog() -> Dialog:
    return Dialog(
        Window(
            Tr("menu.title"),
            Tr("drafts.menu.unfinished", when=F["has_draft"]),
            Start(
                Label("menu.register"),
                id=REGISTER_BUTTON,
                state=Registration.bin,
                when=~F["has_organisation"] & ~F["has_draft"],
            ),
            Start(
                Label("drafts.menu.continue_registration"),
                id=CONTINUE_REGISTRATION_BUTTON,
                state=Registration.bin,
                when=F["has_draft"],
            ),
            Start(
                Label("menu.organisation"),
                id=ORGANISATION_BUTTON,
                state=OrganisationCard.card,
                when=F["has_organisation"],
            ),
            Start(Label("menu.topics"), id=TOPICS_BUTTON, state=Topics.list),
            Start(
                Label("menu.applications"),
                id=APPLICATIONS_BUTTON,
                state=MyApplications.list,
                when=F["has_organisation"],
            ),
            Start(Label("menu.directory"), id=DIRECTORY_BUTTON, state=Directory.search),
            Start(
                Label("menu.awards"),
                id=AWARDS_BUTTON,
                state=AwardsApply.rounds,
                when=F["award_round_open"],
            ),
            Start(Label("menu.support"), id=SUPPORT_BUTTON, state=SupportInbox.threads),
            Row(
                Button(Label("menu.language"), id=LANGUAGE_BUTTON, on_click=on_language),
                Button(Label("menu.help"), id=HELP_BUTTON, on_click=on_help),
            ),
            Button(Label("menu.privacy"), id=PRIVACY_BUTTON, on_click=on_privacy),
            Start(
                Label("menu.operator"),
                id=CONSOLE_BUTTON,
                state=OperatorMenu.main,
                when=F["is_operator"],
            ),
            Start(
                Label("menu.expert"), id=EXPERT_BUTTON, state=ExpertDesk.list, when=F["is_expert"]
            ),
            STRAY_TEXT,
            state=MainMenu.main,
            getter=menu_getter,
        ),
        name="main_menu",
    )
