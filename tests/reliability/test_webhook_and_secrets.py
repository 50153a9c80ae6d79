"""The webhook refuses strangers and oversized bodies and stays up; secrets stay out of logs."""

from __future__ import annotations

import logging

import aiohttp
from pydantic import SecretStr

from bot.local_world import LocalWorld
from tests.e2e.journeys import register_organisation

FIRST = 750001


async def test_wrong_secret_and_oversized_bodies_are_refused_and_the_server_stays_up(
    settings, figures
):
    world = LocalWorld(settings, webhook=True)
    await world.start()
    try:
        url = world.settings.webhook_url
        secret = world.settings.webhook_secret.get_secret_value()
        chat = {"id": 1, "type": "private"}
        update = {"update_id": 1, "message": {"message_id": 1, "date": 0, "chat": chat}}
        statuses = {}
        async with aiohttp.ClientSession() as http:
            async with http.post(url, json=update) as response:
                statuses["missing_secret"] = response.status
            headers = {"X-Telegram-Bot-Api-Secret-Token": "guess"}
            async with http.post(url, json=update, headers=headers) as response:
                statuses["wrong_secret"] = response.status
            headers = {"X-Telegram-Bot-Api-Secret-Token": secret}
            huge = b'{"update_id": 2, "junk": "' + b"x" * (2 * 1024 * 1024) + b'"}'
            async with http.post(
                url, data=huge, headers=headers | {"Content-Type": "application/json"}
            ) as response:
                statuses["oversized"] = response.status
            async with http.post(
                url, data=b"{not json", headers=headers | {"Content-Type": "application/json"}
            ) as response:
                statuses["malformed"] = response.status
        assert statuses["missing_secret"] == 401
        assert statuses["wrong_secret"] == 401
        assert statuses["oversized"] == 413
        assert statuses["malformed"] == 200  # a dead letter: Telegram would resend a 500 for a day
        # Still serving: a real user gets the language choice.
        user = world.emulator.user(FIRST, language_code="en")
        await user.send("/start")
        assert user.last_message() is not None
        figures("webhook", **statuses, answered_after=True)
    finally:
        await world.stop()


async def test_no_log_line_of_a_full_run_carries_a_secret(settings, caplog, figures):
    password = "s3cr3t-db-pass"
    world = LocalWorld(settings, webhook=True)
    caplog.set_level(logging.DEBUG)
    await world.start()
    try:
        user = world.emulator.user(FIRST, language_code="ru")
        await register_organisation(user)
        await user.send("/help")
    finally:
        await world.stop()
    token = world.settings.bot_token.get_secret_value()
    webhook_secret = world.settings.webhook_secret.get_secret_value()
    lines = [record.getMessage() for record in caplog.records]
    lines += [str(record.args) for record in caplog.records]
    lines += [str(record.__dict__) for record in caplog.records]
    leaks = [line for line in lines if token in line or webhook_secret in line]
    assert len(caplog.records) > 50
    assert not leaks, leaks[:3]
    figures("secrets", log_records_checked=len(caplog.records), leaks=len(leaks))
    # An error text about the database names where, never the password.
    from bot.runner import StartupError, open_database

    bad = settings.model_copy(
        update={
            "database_url": f"postgresql+asyncpg://ngo:{password}@127.0.0.1:1/ngo",
            "bot_token": SecretStr(token),
        }
    )
    try:
        await open_database(bad, apply_migrations=False)
    except StartupError as exc:
        assert password not in str(exc) and token not in str(exc)
    else:  # pragma: no cover
        raise AssertionError("a database on port 1 cannot open")
