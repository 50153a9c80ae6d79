"""The bot process is killed in the middle of a broadcast and started again.

Everyone gets the announcement; only the messages in flight at the kill (at
most 2 x delivery_concurrency, docs/DELIVERY.md) may reach a person twice.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections import Counter

import pytest

from delivery.outbox import enqueue_broadcast
from emulator import Emulator, EmulatorConfig

PEOPLE = range(300_000, 302_000)
BATCH = 50
CONCURRENCY = 16
# Rows sent but not yet recorded at a kill: the group being committed plus the
# requests that completed meanwhile (docs/DELIVERY.md).
WINDOW = 2 * CONCURRENCY


def bot_environment(emulator: Emulator, database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "TELEGRAM_API_URL": emulator.base_url,
        "BOT_TOKEN": emulator.config.token,
        "DATABASE_URL": database_url,
        "CONCURRENT_UPDATES": "false",
        "LOG_LEVEL": "WARNING",
        # Equal ends: no quiet hours, so the test passes at any hour in Almaty.
        "QUIET_HOURS_START": "00:00",
        "QUIET_HOURS_END": "00:00",
        "RATE_GLOBAL_PER_SECOND": "500",
        "RATE_PER_CHAT_PER_SECOND": "10",
        "DELIVERY_BATCH_SIZE": str(BATCH),
        "DELIVERY_CONCURRENCY": str(CONCURRENCY),
        "DELIVERY_LEASE_SECONDS": "2",
        "DELIVERY_TICK_SECONDS": "0.2",
    }


async def start_bot(environment: dict[str, str], cwd) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", env=environment, cwd=cwd,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip


def copies(emulator: Emulator) -> Counter:
    return Counter(
        c.params.get("chat_id") for c in emulator.calls_of("sendMessage") if c.status == 200
    )


async def wait_for(condition, timeout: float) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise TimeoutError
        await asyncio.sleep(0.05)


@pytest.mark.slow
async def test_a_crash_mid_broadcast_loses_nobody(tmp_path, database_url, session_factory):
    emulator = Emulator(EmulatorConfig(require_user_start=False))
    await emulator.start()
    process = None
    try:
        for chat_id in PEOPLE:
            emulator.user(chat_id)
        async with session_factory() as session:
            await enqueue_broadcast(session, PEOPLE, now=_now(), text="Forum on 1 June")
            await session.commit()
        environment = bot_environment(emulator, database_url)

        process = await start_bot(environment, tmp_path)
        await wait_for(lambda: len(copies(emulator)) >= 600, timeout=30)
        process.send_signal(signal.SIGKILL)
        await process.wait()
        at_kill = len(copies(emulator))
        assert at_kill < len(PEOPLE), "the kill should land in the middle of the broadcast"

        process = await start_bot(environment, tmp_path)
        await wait_for(lambda: len(copies(emulator)) == len(PEOPLE), timeout=30)
        await asyncio.sleep(0.5)  # anything still going out would show up now

        sent = copies(emulator)
        duplicates = sum(n - 1 for n in sent.values())
        print(f"crash: {at_kill} sent at the kill, {duplicates} sent twice (window {WINDOW})")
        assert {int(chat_id) for chat_id in sent} == set(PEOPLE)
        assert duplicates <= WINDOW
    finally:
        if process is not None and process.returncode is None:
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), 15)
            except TimeoutError:
                process.kill()
                await process.wait()
        await emulator.stop()


def _now():
    from datetime import UTC, datetime

    return datetime.now(UTC)


async def test_a_person_turns_announcements_off_in_settings(world, user_factory):
    dana = user_factory(8101, "en")
    await dana.send("/settings")
    assert "Notification settings" in dana.last_message().text
    assert "✅ Announcements" in dana.last_message().button_texts

    await dana.press("✅ Announcements")

    assert "❌ Announcements" in dana.last_message().button_texts
    assert "❌ New grant topics" in dana.last_message().button_texts  # opt-in
