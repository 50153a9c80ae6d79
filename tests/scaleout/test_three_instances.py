"""Three bot processes on PostgreSQL and Redis, one webhook address, the emulator
as Telegram: people's journeys, a broadcast, the global rate limit, and a crash."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import aiohttp
import pytest
from sqlalchemy import func, select

from bot.local_world import free_port
from delivery.outbox import enqueue_broadcast
from emulator import Emulator, EmulatorConfig, RateLimits
from storage.engine import create_engine, create_session_factory
from storage.models import Delivery, DeliveryStatus
from tests.scaleout.fleet import RoundRobinProxy, start_instance, wait_healthy

pytestmark = pytest.mark.slow

INSTANCES = 3
JOURNEY_USERS = range(760001, 760011)  # 10 people
BROADCAST_RECIPIENTS = range(770001, 770001 + 2000)
SPEED_UP = 5  # the emulator's limits and the bot's, 5 times Telegram's
BROADCAST_TEXT = "Приём заявок на гранты открыт"


def fleet_env(emulator: Emulator, database_url: str, redis_url: str, webhook_url: str) -> dict:
    return {
        "BOT_TOKEN": emulator.config.token,
        "TELEGRAM_API_URL": emulator.base_url,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "WEBHOOK_URL": webhook_url,
        "WEBHOOK_SECRET": "fleet-secret",
        # Answer the webhook only once the update is handled, so an instance
        # killed mid-update makes Telegram re-send it to another.
        "CONCURRENT_UPDATES": "false",
        "RATE_GLOBAL_PER_SECOND": str(25 * SPEED_UP),
        "RATE_PER_CHAT_PER_SECOND": str(1 * SPEED_UP),
        "QUIET_HOURS_START": "00:00",
        "QUIET_HOURS_END": "00:00",
        "DELIVERY_LEASE_SECONDS": "5",
        "LOG_LEVEL": "WARNING",
    }


async def journey(emulator: Emulator, user_id: int) -> None:
    """A first contact: /start, the language, the menu, help."""
    user = emulator.user(user_id, language_code="ru")
    await user.send("/start")
    await user.press("Русский")
    assert "Главное меню" in user.last_message().text, user_id
    await user.send("/help")
    assert "Что я умею" in user.last_message().text, user_id


async def test_three_instances_behind_one_webhook(postgres_database_url, redis_url, tmp_path):
    emulator = Emulator(
        EmulatorConfig(
            webhook_timeout=60.0,
            settle_timeout=60.0,
            require_user_start=False,
            rate_limits=RateLimits(time_factor=SPEED_UP),
        )
    )
    await emulator.start(host="127.0.0.1", port=0)
    ports = [free_port() for _ in range(INSTANCES)]
    proxy = await RoundRobinProxy(ports).start()
    env = fleet_env(emulator, postgres_database_url, redis_url, proxy.url)
    instances = [await start_instance(env, port, tmp_path) for port in ports]
    engine = create_engine(postgres_database_url)
    try:
        await asyncio.gather(*(wait_healthy(instance) for instance in instances))

        # Concurrent journeys, spread over the three instances.
        await asyncio.gather(*(journey(emulator, user_id) for user_id in JOURNEY_USERS))
        assert all(proxy.served.get(port) for port in ports), proxy.served

        # A broadcast: queued once, sent by whichever instance claims each row.
        for recipient in BROADCAST_RECIPIENTS:
            emulator.user(recipient, language_code="ru")
        sessions = create_session_factory(engine)
        async with sessions() as session:
            await enqueue_broadcast(
                session, BROADCAST_RECIPIENTS, now=datetime.now(UTC), text=BROADCAST_TEXT
            )
            await session.commit()
        async with asyncio.timeout(120):
            while await _unsent(engine):  # noqa: ASYNC110 (another process sends)
                await asyncio.sleep(0.5)
        for recipient in BROADCAST_RECIPIENTS:
            got = [m for m in emulator.chat_messages(recipient) if BROADCAST_TEXT in m.text]
            assert len(got) == 1, (recipient, len(got))
        assert emulator.violations == []
        sent_by = [await _sent_ok(instance.port) for instance in instances]
        assert sum(sent_by) >= len(BROADCAST_RECIPIENTS)
        assert sum(1 for sent in sent_by if sent) >= 2, sent_by  # the work was shared

        # One instance dies between steps; the others carry everyone on.
        await instances[0].kill()
        second_round = await asyncio.gather(
            *(_menu_again(emulator, user_id) for user_id in JOURNEY_USERS)
        )
        assert all(second_round)
        assert emulator.violations == []
    finally:
        await engine.dispose()
        for instance in instances:
            await instance.stop()
        await proxy.stop()
        await emulator.stop()


async def _menu_again(emulator: Emulator, user_id: int) -> bool:
    user = emulator.user(user_id)
    await user.send("/menu")
    return "Главное меню" in user.last_message().text


async def _sent_ok(port: int) -> float:
    """ngo_bot_sends_total{result="ok"} from one instance's /metrics."""
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"http://127.0.0.1:{port}/metrics") as response,
    ):
        text = await response.text()
    for line in text.splitlines():
        if line.startswith('ngo_bot_sends_total{result="ok"} '):
            return float(line.split()[-1])
    return 0


async def _unsent(engine) -> int:
    waiting = (DeliveryStatus.PENDING, DeliveryStatus.SENDING)
    async with engine.connect() as connection:
        statement = select(func.count()).where(Delivery.status.in_(waiting))
        return (await connection.execute(statement)).scalar_one()
