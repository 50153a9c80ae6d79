"""/roles: the admin sees who holds which role, and grants or revokes one by Telegram id."""

from __future__ import annotations

from typing import Any

from aiogram import Router
from aiogram.enums import ContentType
from aiogram.types import CallbackQuery, Message
from aiogram_dialog import Dialog, DialogManager, Window
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import Button, Cancel, Row, Select, SwitchTo
from aiogram_dialog.widgets.text import Format

from bot.commands import refresh_person_commands
from bot.dialogs.common import Label, Tr, fit_list, refuse, texts_of, toast
from bot.dialogs.console_access import actor_of, gated, refuse_unless
from bot.dialogs.context import ctx
from bot.dialogs.states import RolesAdmin as S
from console import roles
from console.roles import ADMIN_ROLES, Forbidden
from core.i18n import Html
from domain.text_input import InvalidNumber, read_integer
from storage.models import Role

MODE, TARGET = "mode", "target"
GRANT_ID, REVOKE_ID, ROLE_ID = "grant", "revoke", "role"
MAX_TELEGRAM_ID_DIGITS = 15


async def list_getter(dialog_manager: DialogManager, **_kwargs) -> dict[str, Any]:
    t = texts_of(dialog_manager)
    holders = await roles.holders(ctx(dialog_manager).store)
    lines = fit_list(
        t,
        [
            t(
                "roles.line",
                telegram_id=h.telegram_id,
                name=h.name or "—",
                roles=", ".join(t.label(f"roles.role.{r}") for r in h.roles),
            )
            for h in holders
        ],
    )
    return {"holders": Html(lines or t("roles.none"))}


async def on_mode(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    manager.dialog_data[MODE] = button.widget_id
    await manager.switch_to(S.person)


async def on_person(message: Message, _w: Any, manager: DialogManager) -> None:
    try:
        telegram_id = read_integer(message.text or "")
    except InvalidNumber:
        telegram_id = None
    if telegram_id is None or len(str(telegram_id)) > MAX_TELEGRAM_ID_DIGITS:
        await message.answer(texts_of(manager)("roles.id_expected"))
        return
    manager.dialog_data[TARGET] = telegram_id
    await manager.switch_to(S.role)


async def role_getter(dialog_manager: DialogManager, **_kwargs) -> dict[str, Any]:
    t = texts_of(dialog_manager)
    return {
        "roles": [(role.value, t.label(f"roles.role.{role.value}")) for role in Role],
        "target": dialog_manager.dialog_data.get(TARGET, ""),
    }


async def on_role(callback: CallbackQuery, _w: Any, manager: DialogManager, item: str) -> None:
    t = texts_of(manager)
    c = ctx(manager)
    role = roles.parse_role(item)
    target = manager.dialog_data.get(TARGET)
    if role is None or target is None:
        return
    try:
        actor = actor_of(manager, ADMIN_ROLES)
        change = roles.grant if manager.dialog_data.get(MODE) == GRANT_ID else roles.revoke
        changed = await change(c.store, actor, target, role, c.clock.now())
    except Forbidden:
        await refuse(callback, t("console.forbidden"))
        return
    await c.store.commit()
    if changed:
        # Their command menu follows at once, not at the next start-up.
        await refresh_person_commands(c.menus, c.bot, c.store, c.settings, target)
    key = "roles.granted" if manager.dialog_data.get(MODE) == GRANT_ID else "roles.revoked"
    await toast(callback, t(key if changed else "roles.unchanged"))
    await manager.switch_to(S.list)


def roles_dialog() -> Router:
    dialog = Dialog(
        Window(
            Tr("roles.list"),
            Row(
                Button(Label("roles.grant"), id=GRANT_ID, on_click=on_mode),
                Button(Label("roles.revoke"), id=REVOKE_ID, on_click=on_mode),
            ),
            Cancel(Label("common.back")),
            state=S.list,
            getter=list_getter,
        ),
        Window(
            Tr("roles.ask_person"),
            MessageInput(on_person, content_types=ContentType.ANY),
            SwitchTo(Label("common.back"), id="back_list", state=S.list),
            state=S.person,
        ),
        Window(
            Tr("roles.ask_role"),
            Select(
                Format("{item[1]}"),
                id=ROLE_ID,
                item_id_getter=lambda i: i[0],
                items="roles",
                on_click=on_role,
            ),
            SwitchTo(Label("common.back"), id="back_list2", state=S.list),
            state=S.role,
            getter=role_getter,
        ),
        name="roles_admin",
        on_start=refuse_unless(ADMIN_ROLES),
    )
    return gated(dialog, ADMIN_ROLES)
