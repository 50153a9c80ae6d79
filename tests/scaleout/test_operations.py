"""What an operator of several instances relies on: /healthz tells the load
balancer the truth, /metrics speaks Prometheus, daily jobs run once across
instances, and a second poller leaves instead of fighting the first."""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import UTC, datetime

import aiohttp
from aiohttp import web

from bot.health import Health
from bot.local_world import LocalWorld
from bot.metrics import Metrics
from bot.runner import add_operations_routes
from delivery.outbox import Kind
from scheduler.jobs import first_instance_to
from storage.engine import create_engine
from storage.repositories.deliveries import DeliveryRepository, NewDelivery

UNREACHABLE_POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:1/test"
UNREACHABLE_REDIS = "redis://127.0.0.1:1/15"


async def _get(health: Health, path: str) -> tuple[int, str]:
    app = web.Application()
    add_operations_routes(app, health)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    try:
        async with (
            aiohttp.ClientSession() as http,
            http.get(f"http://127.0.0.1:{port}{path}") as response,
        ):
            return response.status, await response.text()
    finally:
        await runner.cleanup()


def _redis(url: str):
    from redis.asyncio import Redis

    return Redis.from_url(url, socket_connect_timeout=1)


async def test_healthz_is_ok_when_the_database_and_redis_answer(engine, redis_url):
    redis = _redis(redis_url)
    try:
        status, body = await _get(Health(engine, redis), "/healthz")
    finally:
        await redis.aclose()
    assert status == 200
    assert '"database": "ok"' in body and '"redis": "ok"' in body


async def test_healthz_is_503_when_redis_is_unreachable(engine):
    redis = _redis(UNREACHABLE_REDIS)
    try:
        status, body = await _get(Health(engine, redis), "/healthz")
    finally:
        await redis.aclose()
    assert status == 503
    assert '"redis": "unreachable"' in body and '"database": "ok"' in body


async def test_healthz_is_503_when_the_database_is_unreachable():
    engine = create_engine(UNREACHABLE_POSTGRES)
    try:
        status, body = await _get(Health(engine), "/healthz")
    finally:
        await engine.dispose()
    assert status == 503
    assert '"database": "unreachable"' in body


async def test_metrics_show_the_outbox_depth_in_prometheus_text(engine, session_factory):
    async with session_factory() as session:
        await DeliveryRepository(session).add_many(
            [
                NewDelivery(recipient=n, kind=Kind.BROADCAST, next_attempt_at=datetime.now(UTC))
                for n in range(1, 4)
            ]
        )
        await session.commit()
    status, body = await _get(Health(engine), "/metrics")
    assert status == 200
    assert "# TYPE ngo_bot_outbox_depth gauge\nngo_bot_outbox_depth 3\n" in body
    for name in (
        "ngo_bot_updates_handled_total",
        "ngo_bot_handler_latency_seconds_bucket",
        "ngo_bot_sends_total",
        "ngo_bot_telegram_429_total",
    ):
        assert name in body


def test_counters_and_the_latency_histogram_render_as_prometheus_expects():
    metrics = Metrics()
    metrics.updates.inc(type="message")
    metrics.updates.inc(type="message")
    metrics.sends.inc(result="ok")
    metrics.sends.inc(result="retry_after")
    metrics.rate_limited.inc()
    metrics.latency.observe(0.003)
    metrics.latency.observe(0.3)
    lines = metrics.render().splitlines()
    assert 'ngo_bot_updates_handled_total{type="message"} 2' in lines
    assert 'ngo_bot_sends_total{result="retry_after"} 1' in lines
    assert "ngo_bot_telegram_429_total 1" in lines
    assert 'ngo_bot_handler_latency_seconds_bucket{le="0.005"} 1' in lines
    assert 'ngo_bot_handler_latency_seconds_bucket{le="0.25"} 1' in lines
    assert 'ngo_bot_handler_latency_seconds_bucket{le="0.5"} 2' in lines
    assert 'ngo_bot_handler_latency_seconds_bucket{le="+Inf"} 2' in lines
    assert "ngo_bot_handler_latency_seconds_count 2" in lines


async def test_a_daily_job_runs_in_one_instance_at_a_time(postgres_sessions):
    async with postgres_sessions() as first, postgres_sessions() as second:
        assert await first_instance_to(first, "prune_dialog_state")
        assert not await first_instance_to(second, "prune_dialog_state")
        assert await first_instance_to(second, "another_job")
        await first.commit()
        await second.rollback()
        assert await first_instance_to(second, "prune_dialog_state")
        await second.rollback()


async def test_without_postgres_every_job_runs(session_factory):
    async with session_factory() as session:
        if session.bind.dialect.name == "postgresql":
            return  # the suite's PostgreSQL variant: covered above
        assert await first_instance_to(session, "prune_dialog_state")


async def test_a_second_poller_leaves_with_one_clear_line(settings):
    world = await LocalWorld(settings).start()
    try:
        await asyncio.sleep(3.5)  # the first has been polling for a while
        env = os.environ | {
            "BOT_TOKEN": world.settings.bot_token.get_secret_value(),
            "TELEGRAM_API_URL": world.settings.telegram_api_url,
            "DATABASE_URL": settings.database_url,
        }
        env.pop("WEBHOOK_URL", None)
        env.pop("REDIS_URL", None)
        second = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", "--no-migrate",
            env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        async with asyncio.timeout(60):
            _, stderr = await second.communicate()
        assert second.returncode == 2
        last = stderr.decode().strip().splitlines()[-1]
        assert "another instance is already polling this bot" in last
        assert "terminated by other getUpdates request" in last
        # The first instance still serves people.
        user = world.emulator.user(750001, language_code="ru")
        await user.send("/start")
        assert user.last_message() is not None
    finally:
        await world.stop()
