"""A Bot API having a bad day at start-up: whatever it answers to the command menus
and descriptions (a proxy's HTML 502, JSON cut short, an unknown method, no answer,
a 500), the bot starts, answers, and publishes them once the server takes them.
Whatever it answers to getMe, `ngo-bot run` says what is wrong in one line and exits
with status 2."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from datetime import UTC, datetime

import pytest

from bot import commands
from bot.commands import RetryPolicy
from bot.local_world import LocalWorld
from console import roles
from emulator import Emulator, EmulatorConfig, Faults, MethodFault
from storage.models import Role
from tests import seeding
from tests.helpers import until

AIGERIM, OLGA = 791001, 791002
SHAPES = ("html_502", "malformed_json", "unknown_method", "timeout_before", "error_500")
MENU_METHODS = ("setMyCommands", "setMyDescription", "setMyShortDescription", "deleteMyCommands")
LANGUAGES = {None, "kk", "ru", "en"}


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch):
    monkeypatch.setattr(commands, "MENU_RETRY", RetryPolicy(first=0.05, longest=0.2, attempts=200))


def failing(method: str, shape: str, times: int | None = None) -> EmulatorConfig:
    faults = Faults(per_method={method: MethodFault(shape, times)}, timeout_hold=0.2)
    return EmulatorConfig(webhook_timeout=60.0, faults=faults)


def published(emulator: Emulator) -> bool:
    """Every menu and description taken by the server, and Olga's old staff menu deleted."""
    clean = [c for c in emulator.calls if c.ok and c.fault is None]
    public = {
        method: {c.params.get("language_code") for c in clean if c.method == method}
        for method in ("setMyCommands", "setMyDescription", "setMyShortDescription")
    }
    return all(codes >= LANGUAGES for codes in public.values()) and any(
        c.method == "deleteMyCommands" and str(OLGA) in str(c.params.get("scope")) for c in clean
    )


async def olga_lost_her_role(store) -> None:
    """On the command line: the next start takes her staff menu away (deleteMyCommands)."""
    await seeding.staff(store, OLGA, Role.OPERATOR, "Olga")
    await roles.revoke(store, roles.COMMAND_LINE, OLGA, Role.OPERATOR, datetime.now(UTC))


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("method", MENU_METHODS)
async def test_the_bot_starts_whatever_the_server_answers_to_a_menu(
    settings, caplog, method, shape
):
    caplog.set_level(logging.INFO)
    await seeding.in_database(settings.database_url, olga_lost_her_role)
    world = LocalWorld(settings, emulator_config=failing(method, shape))
    await world.start()
    try:
        emulator = world.emulator
        user = emulator.user(AIGERIM, language_code="en")
        # Not waiting for the emulator to fall quiet: the retries keep it busy.
        await user.send("/start", wait=False)
        await until(lambda: user.last_message() is not None, "/start was not answered")
        assert any(c.method == "sendMessage" and c.ok for c in emulator.calls)
        assert any(c.fault == shape for c in emulator.calls_of(method))
        assert not published(emulator)

        emulator.script_fault(method, None)
        await until(lambda: published(emulator), "the menus were never published")
    finally:
        await world.stop()
    token = world.settings.bot_token.get_secret_value()
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any(line.startswith("could not publish") for line in warnings)
    assert all(token not in r.getMessage() for r in caplog.records)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_getme_refused_twice_then_answered_starts_the_bot(settings):
    world = LocalWorld(settings, emulator_config=failing("getMe", "html_502", times=2))
    await world.start()
    try:
        assert [c.status for c in world.emulator.calls_of("getMe")][:3] == [502, 502, 200]
        user = world.emulator.user(AIGERIM, language_code="en")
        await user.send("/start")
        assert user.last_message() is not None
    finally:
        await world.stop()


async def ngo_bot_run(emulator: Emulator, database_url: str) -> tuple[int, str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("BOT_", "WEBHOOK_", "REDIS_", "TELEGRAM_", "LOG_"))
    }
    environment |= {
        "BOT_TOKEN": emulator.config.token,
        "TELEGRAM_API_URL": emulator.base_url,
        "DATABASE_URL": database_url,
        "LOG_LEVEL": "WARNING",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        env=environment,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        async with asyncio.timeout(60):  # a guard against a hang
            _, stderr = await process.communicate()
    except TimeoutError:
        process.kill()
        await process.wait()
        raise
    return process.returncode, stderr.decode(errors="replace")


@pytest.mark.parametrize("shape", SHAPES)
async def test_getme_answered_with_nothing_usable_is_one_line_and_status_2(settings, shape):
    async with Emulator(failing("getMe", shape)) as emulator:
        status, stderr = await ngo_bot_run(emulator, settings.database_url)
        attempts = len(emulator.calls_of("getMe"))
    assert status == 2, stderr
    assert "Traceback" not in stderr
    assert emulator.config.token not in stderr
    (line,) = stderr.strip().splitlines()
    assert line.startswith("ngo-bot: TELEGRAM_API_URL: no usable answer to getMe"), line
    assert emulator.base_url in line
    assert attempts == 3  # tried again, as for any failure another try may cure
