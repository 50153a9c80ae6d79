"""A person's command menu follows their roles: an admin grants a role in /roles and the
staff commands appear in that person's chat at once, in their language; revoking takes
them away. A role revoked with `ngo-bot admin revoke` goes at the bot's next start."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from bot.commands import COMMANDS, STAFF_COMMANDS, RetryPolicy
from emulator import MethodFault
from storage.models import Role
from tests import seeding
from tests.e2e.journeys import label, texts
from tests.helpers import until

ADMIN, OLGA = 790001, 790002


@pytest.fixture
def settings(settings):
    return settings.model_copy(update={"admin_ids": frozenset({ADMIN})})


def chat_menu(world, chat_id: int) -> dict[str, str] | None:
    """The commands published for that one chat (name: description); None when none are."""
    for (scope, language), commands in world.emulator.bot.commands.items():
        if json.loads(scope) == {"type": "chat", "chat_id": chat_id} and not language:
            return {c["command"]: c["description"] for c in commands}
    return None


async def change_role(admin, action: str, telegram_id: int, role: str) -> None:
    await admin.send("/roles")
    await admin.press(label("en", f"roles.{action}"))
    await admin.send(str(telegram_id))
    await admin.press(label("en", f"roles.role.{role}"))


async def test_a_granted_or_revoked_role_changes_the_menu_at_once(world, user_factory):
    await seeding.in_database(
        world.settings.database_url,
        lambda store: seeding.person(store, OLGA, "kk", "Olga"),
    )
    admin = user_factory(ADMIN, "en")
    await admin.send("/start")
    assert chat_menu(world, OLGA) is None

    await change_role(admin, "grant", OLGA, "operator")
    assert admin.last_callback_answer.text == label("en", "roles.granted")
    menu = chat_menu(world, OLGA)
    assert list(menu) == [*COMMANDS, *STAFF_COMMANDS["operator"]]
    assert menu["broadcast"] == texts("kk").label("commands.broadcast")  # her language

    await change_role(admin, "grant", OLGA, "expert")
    assert "expert" in chat_menu(world, OLGA)

    await change_role(admin, "revoke", OLGA, "operator")
    assert list(chat_menu(world, OLGA)) == [*COMMANDS, *STAFF_COMMANDS["expert"]]

    await change_role(admin, "revoke", OLGA, "expert")
    assert admin.last_callback_answer.text == label("en", "roles.revoked")
    assert chat_menu(world, OLGA) is None  # the public menu shows again


async def test_a_role_change_stands_when_the_server_refuses_the_menu(
    world, user_factory, monkeypatch
):
    quick = RetryPolicy(first=0.05, longest=0.2, attempts=200)
    monkeypatch.setattr("bot.commands.MENU_RETRY", quick)
    await seeding.in_database(
        world.settings.database_url,
        lambda store: seeding.person(store, OLGA, "en", "Olga"),
    )
    admin = user_factory(ADMIN, "en")
    await admin.send("/start")
    operator_menu = [*COMMANDS, *STAFF_COMMANDS["operator"]]

    world.emulator.script_fault("setMyCommands", MethodFault("html_502"))
    await change_role(admin, "grant", OLGA, "operator")
    assert admin.last_callback_answer.text == label("en", "roles.granted")
    assert chat_menu(world, OLGA) is None  # refused, so far
    world.emulator.script_fault("setMyCommands", None)
    await until(lambda: list(chat_menu(world, OLGA) or []) == operator_menu, "no menu")

    world.emulator.script_fault("deleteMyCommands", MethodFault("unknown_method"))
    await change_role(admin, "revoke", OLGA, "operator")
    assert admin.last_callback_answer.text == label("en", "roles.revoked")
    assert list(chat_menu(world, OLGA)) == operator_menu  # refused, so far
    world.emulator.script_fault("deleteMyCommands", None)
    await until(lambda: chat_menu(world, OLGA) is None, "the staff menu stayed")


def ngo_bot_admin(world, *args: str) -> subprocess.CompletedProcess:
    environment = {
        **os.environ,
        "BOT_TOKEN": world.settings.bot_token.get_secret_value(),
        "DATABASE_URL": world.settings.database_url,
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", "admin", *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


async def test_a_role_changed_on_the_command_line_shows_at_the_next_start(world):
    async def seed(store):
        await seeding.staff(store, OLGA, Role.OPERATOR, "Olga", locale="en")

    await seeding.in_database(world.settings.database_url, seed)
    await world.restart_bot()
    assert "broadcast" in chat_menu(world, OLGA)

    result = ngo_bot_admin(world, "revoke", str(OLGA), "operator")
    assert result.returncode == 0, result.stderr
    await world.restart_bot()
    assert chat_menu(world, OLGA) is None


async def test_staff_who_erase_their_data_lose_the_staff_menu(world, user_factory):
    async def seed(store):
        await seeding.staff(store, OLGA, Role.EXPERT, "Olga", locale="en")

    await seeding.in_database(world.settings.database_url, seed)
    await world.restart_bot()
    assert "expert" in chat_menu(world, OLGA)

    olga = user_factory(OLGA, "en")
    await olga.send("/delete_me")
    await olga.press(label("en", "privacy.erase_confirm_button"))
    assert chat_menu(world, OLGA) is None


async def test_a_staff_member_changing_language_gets_the_menu_in_the_new_one(world, user_factory):
    admin = user_factory(ADMIN, "en")
    await admin.send("/start")
    await admin.press("English")
    assert chat_menu(world, ADMIN)["roles"] == texts("en").label("commands.roles")

    await admin.send("/language")
    await admin.press("Қазақша")
    menu = chat_menu(world, ADMIN)
    assert menu["roles"] == texts("kk").label("commands.roles")
    assert list(menu) == [*COMMANDS, *STAFF_COMMANDS["admin"]]
