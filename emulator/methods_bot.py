"""The bot's own profile: getMe, commands, descriptions, menu button, getChat, logOut."""

from __future__ import annotations

import json
import re
from typing import Any

from emulator.errors import bad_request
from emulator.method_registry import MethodContext, api_method

COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")
SCOPES = frozenset(
    {
        "default", "all_private_chats", "all_group_chats", "all_chat_administrators",
        "chat", "chat_administrators", "chat_member",
    }
)  # fmt: skip


@api_method("getMe")
async def get_me(ctx: MethodContext) -> dict:
    config = ctx.emulator.config
    return {
        **ctx.bot.user,
        "can_join_groups": config.can_join_groups,
        "can_read_all_group_messages": config.can_read_all_group_messages,
        "supports_inline_queries": config.supports_inline_queries,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


def _scope_key(ctx: MethodContext) -> tuple[str, str]:
    scope = ctx.get("scope") or {"type": "default"}
    if not isinstance(scope, dict) or scope.get("type") not in SCOPES:
        raise bad_request("can't parse BotCommandScope JSON object")
    language = ctx.get("language_code") or ""
    if language and not re.fullmatch(r"[a-z]{2}", language):
        raise bad_request("invalid language code specified")
    return json.dumps(scope, sort_keys=True), language


@api_method("setMyCommands")
async def set_my_commands(ctx: MethodContext) -> bool:
    commands = ctx.get("commands")
    if not isinstance(commands, list) or len(commands) > 100:
        raise bad_request("can't parse commands JSON object")
    cleaned: list[dict[str, Any]] = []
    for command in commands:
        if not isinstance(command, dict):
            raise bad_request("can't parse commands JSON object")
        name = str(command.get("command", ""))
        description = str(command.get("description", ""))
        if not COMMAND.match(name.lower()):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(description) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        cleaned.append({"command": name.lower(), "description": description})
    ctx.bot.commands[_scope_key(ctx)] = cleaned
    return True


@api_method("getMyCommands")
async def get_my_commands(ctx: MethodContext) -> list:
    return list(ctx.bot.commands.get(_scope_key(ctx), []))


@api_method("deleteMyCommands")
async def delete_my_commands(ctx: MethodContext) -> bool:
    ctx.bot.commands.pop(_scope_key(ctx), None)
    return True


@api_method("setMyDescription")
async def set_my_description(ctx: MethodContext) -> bool:
    description = ctx.get("description") or ""
    if len(description) > 512:
        raise bad_request("BOT_DESCRIPTION_INVALID")
    ctx.bot.descriptions[("description", ctx.get("language_code") or "")] = description
    return True


@api_method("setMyShortDescription")
async def set_my_short_description(ctx: MethodContext) -> bool:
    description = ctx.get("short_description") or ""
    if len(description) > 120:
        raise bad_request("BOT_DESCRIPTION_INVALID")
    ctx.bot.descriptions[("short_description", ctx.get("language_code") or "")] = description
    return True


@api_method("getMyDescription")
async def get_my_description(ctx: MethodContext) -> dict:
    key = ("description", ctx.get("language_code") or "")
    return {"description": ctx.bot.descriptions.get(key, "")}


@api_method("getMyShortDescription")
async def get_my_short_description(ctx: MethodContext) -> dict:
    key = ("short_description", ctx.get("language_code") or "")
    return {"short_description": ctx.bot.descriptions.get(key, "")}


@api_method("setChatMenuButton")
async def set_chat_menu_button(ctx: MethodContext) -> bool:
    button = ctx.get("menu_button") or {"type": "default"}
    if not isinstance(button, dict) or button.get("type") not in ("default", "commands", "web_app"):
        raise bad_request("can't parse menu button JSON object")
    ctx.bot.menu_buttons[ctx.get("chat_id")] = button
    return True


@api_method("getChatMenuButton")
async def get_chat_menu_button(ctx: MethodContext) -> dict:
    return ctx.bot.menu_buttons.get(ctx.get("chat_id"), {"type": "default"})


@api_method("getChat")
async def get_chat(ctx: MethodContext) -> dict:
    chat = ctx.bot.chat(ctx.require("chat_id", "chat_id is empty"))
    if chat is None:
        raise bad_request("chat not found")
    return {
        **chat.chat,
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": {
            "unlimited_gifts": False,
            "limited_gifts": False,
            "unique_gifts": False,
            "premium_subscription": False,
            "gifts_from_channels": False,
        },
    }


@api_method("logOut")
async def log_out(ctx: MethodContext) -> bool:
    return True


@api_method("close")
async def close(ctx: MethodContext) -> bool:
    return True
