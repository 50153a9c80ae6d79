"""Role checks for the console dialogs, on the server, for every event.

A hidden menu entry is not a permission: a forged button can start a dialog or
press a button in it. So each console dialog refuses to start for the wrong
person (`refuse_unless`), a gate on the dialog's router re-checks every press and
message (`RoleGate`), and the use cases in `console/` take an Actor that only
`acting_as` hands out.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Router
from aiogram.types import CallbackQuery, Message, TelegramObject
from aiogram_dialog import DialogManager

from bot.dialogs.common import refuse, texts_of
from bot.dialogs.context import Ctx, ctx
from console.competition import ConsoleError
from console.roles import OPERATOR_ROLES, Actor, acting_as, may
from core.clock import Clock
from storage.models import Role
from storage.store import Store


def allowed(context: Ctx, roles: tuple[Role, ...]) -> bool:
    return may(context.maybe_person, context.settings.admin_ids, roles)


def actor_of(manager: DialogManager, roles: tuple[Role, ...]) -> Actor:
    context = ctx(manager)
    return acting_as(context.maybe_person, context.settings.admin_ids, roles)


def operator_env(manager: DialogManager) -> tuple[Store, Actor, Clock]:
    """The store, the operator acting (roles checked) and the clock."""
    context = ctx(manager)
    return context.store, actor_of(manager, OPERATOR_ROLES), context.clock


def refuse_unless(roles: tuple[Role, ...]) -> Callable[[Any, DialogManager], Awaitable[None]]:
    """A dialog's on_start: closes the dialog at once for anyone without the roles."""

    async def on_start(_start_data: Any, manager: DialogManager) -> None:
        context = ctx(manager)
        if allowed(context, roles):
            return
        if context.chat is not None:
            await context.bot.send_message(context.chat.id, context.t("console.forbidden"))
        await manager.done()

    return on_start


class RoleGate(BaseMiddleware):
    """On a console dialog's router: nobody without the roles gets past a press or a message."""

    def __init__(self, roles: tuple[Role, ...]) -> None:
        self._roles = roles

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        if may(data.get("person"), data["settings"].admin_ids, self._roles):
            return await handler(event, data)
        text = data["t"]("console.forbidden")
        if isinstance(event, CallbackQuery | Message):
            await refuse(event, text)
        return None


async def refuse_console(
    event: CallbackQuery | Message, manager: DialogManager, exc: Exception
) -> None:
    """A console use case's refusal in the person's language; anything else is a
    missing permission."""
    t = texts_of(manager)
    text = t(exc.code, **exc.params) if isinstance(exc, ConsoleError) else t("console.forbidden")
    await refuse(event, text)


def gated(router: Router, roles: tuple[Role, ...]) -> Router:
    gate = RoleGate(roles)
    router.callback_query.middleware(gate)
    router.message.middleware(gate)
    return router
