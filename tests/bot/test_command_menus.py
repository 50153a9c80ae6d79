"""The command menus' publication on its own: each failure is told in one line
without the token; retries are bounded, a newer menu replaces an older one, and
stopping ends them."""

from __future__ import annotations

import asyncio
import logging

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import ClientDecodeError, TelegramNetworkError
from aiohttp import InvalidURL

from bot.api_failures import describe, is_transient
from bot.commands import COMMANDS, STAFF_COMMANDS, CommandMenus, RetryPolicy
from emulator import Emulator, EmulatorConfig, MethodFault
from emulator.http_api import BAD_GATEWAY_HTML
from tests.helpers import until

OLGA = 792001
TOKEN = EmulatorConfig().token


def test_a_failure_is_one_short_line_without_the_token():
    cases = {
        ClientDecodeError("Failed to decode object", ValueError("x"), BAD_GATEWAY_HTML): (
            "an HTML page (502 Bad Gateway) instead of JSON"
        ),
        ClientDecodeError("Failed to decode object", ValueError("x"), '{"ok": tr'): (
            "malformed JSON"
        ),
        ClientDecodeError("Failed to deserialize", ValueError("x"), {"description": "Not Found"}): (
            "an answer that is not the Bot API's (Not Found)"
        ),
        TimeoutError(): "no answer in time",
    }
    for failure, told in cases.items():
        assert describe(failure, [TOKEN]) == told
        assert is_transient(failure)
    in_a_url = InvalidURL(f"http://127.0.0.1/bot{TOKEN}/getMe\n" + "x" * 500)
    told = describe(in_a_url, [TOKEN])
    assert TOKEN not in told and "***" in told
    assert "\n" not in told and len(told) <= 200
    network = TelegramNetworkError(method=None, message=f"ClientError: bot{TOKEN}/getMe")
    assert TOKEN not in describe(network, [TOKEN])


@pytest.fixture
async def emulator():
    async with Emulator() as emulator:
        yield emulator


@pytest.fixture
async def bot(emulator):
    bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(emulator.base_url)))
    yield bot
    await bot.session.close()


def chat_menu(emulator: Emulator) -> list[str] | None:
    for (scope, _language), commands in emulator.bot.commands.items():
        if str(OLGA) in scope:
            return [c["command"] for c in commands]
    return None


async def test_retries_are_bounded_and_each_failure_is_one_warning(
    emulator, bot, translator, caplog
):
    caplog.set_level(logging.WARNING)
    menus = CommandMenus(translator, RetryPolicy(first=0.01, longest=0.02, attempts=4))
    emulator.script_fault("setMyCommands", MethodFault("html_502"))
    await menus.refresh_chat(bot, OLGA, "en", {"operator"})  # never raises
    await until(lambda: any("gave up" in r.getMessage() for r in caplog.records), "no end")
    assert len(emulator.calls_of("setMyCommands")) == 4
    warnings = [r.getMessage() for r in caplog.records]
    assert sum("could not publish" in line for line in warnings) == 4
    assert all(TOKEN not in line for line in warnings)
    await menus.stop()


async def test_a_newer_menu_replaces_the_older_one_being_retried(emulator, bot, translator):
    menus = CommandMenus(translator, RetryPolicy(first=0.01, longest=0.02, attempts=1000))
    emulator.script_fault("setMyCommands", MethodFault("unknown_method"))
    await menus.refresh_chat(bot, OLGA, "en", {"operator"})
    await menus.refresh_chat(bot, OLGA, "en", {"operator", "expert"})
    emulator.script_fault("setMyCommands", None)
    wanted = [*COMMANDS, *STAFF_COMMANDS["operator"], "expert"]
    await until(lambda: chat_menu(emulator) == wanted, "the newer menu never came")
    await menus.stop()
    published = [c for c in emulator.calls_of("setMyCommands") if c.ok and c.fault is None]
    assert len(published) == 1  # the older one was never sent once the newer was asked for


async def test_stopping_ends_the_retries(emulator, bot, translator):
    menus = CommandMenus(translator, RetryPolicy(first=0.01, longest=0.02, attempts=1000))
    emulator.script_fault("setMyCommands", MethodFault("error_500"))
    emulator.script_fault("setMyDescription", MethodFault("malformed_json"))
    first_round = menus.publish_at_start_up(bot, "ru", [(OLGA, "en", {"expert"})])
    await first_round
    await until(lambda: len(emulator.calls_of("setMyCommands")) > 10, "no retries")
    await menus.stop()
    assert not [t for t in asyncio.all_tasks() if "CommandMenus" in repr(t.get_coro())]
    await menus.refresh_chat(bot, OLGA, "en", {"operator"})  # after stopping: once, no retry
    await asyncio.sleep(0.1)  # time for a retry, were there one (none is awaited)
    # Counted by content: a call cancelled by stop() may still be recorded late.
    operator_menus = [
        c
        for c in emulator.calls_of("setMyCommands")
        if any(command["command"] == "broadcast" for command in c.params["commands"])
    ]
    assert len(operator_menus) == 1
    assert not [t for t in asyncio.all_tasks() if "CommandMenus" in repr(t.get_coro())]
