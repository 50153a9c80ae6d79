"""Reply latency while a broadcast drains: the outbox sends to R people through the
real limiter (Telegram's limits sped up by a time factor), and meanwhile one person
gets a reply every 0.12 s; the mean reply latency during the broadcast is compared
with the same replies sent to an idle bot, measured in the same run.

    python -m bench.replies_during_broadcast --recipients 2000 --replies 10

The test suite checks the ordering behind this figure deterministically
(`tests/delivery/test_outbox.py`, `tests/delivery/test_pacing.py`); the time it
takes lives here.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
from datetime import datetime
from zoneinfo import ZoneInfo

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode

from bench import figures
from bench.databases import scratch_database
from core.clock import Clock
from core.i18n import Translator
from core.settings import Settings
from delivery.outbox import enqueue_broadcast
from delivery.rate_limit import LastMomentCheck, RateLimiter, RateLimitMiddleware, RateLimits
from delivery.sender import DeliveryEngine
from emulator import Emulator, EmulatorConfig
from emulator import RateLimits as EmulatorRateLimits
from storage.engine import create_engine, create_session_factory
from storage.store import Store

COLUMNS = (
    "recipients", "time factor", "replies", "idle mean ms", "during broadcast mean ms",
    "during / idle", "during p max ms", "limit violations",
)  # fmt: skip
# A Tuesday at noon in Almaty: outside quiet hours.
WORKING_NOON = datetime(2026, 5, 12, 12, 0, tzinfo=ZoneInfo("Asia/Almaty"))
TOKEN = "123456789:AAHbenchTOKENbenchTOKENbenchTOKENbe"


def tuned_settings(url: str, factor: int) -> Settings:
    return Settings(
        _env_file=None,
        bot_token=TOKEN,
        database_url=url,
        rate_global_per_second=25 * factor,
        rate_per_chat_per_second=1 * factor,
        rate_window_seconds=1 / factor,
        delivery_retry_base_seconds=0.05,
        delivery_retry_max_seconds=0.5,
        delivery_lease_seconds=5,
        delivery_batch_size=100,
        delivery_concurrency=32,
    )


async def reply_latencies(bot: Bot, chat_id: int, count: int) -> list[float]:
    latencies = []
    for n in range(count):
        started = time.perf_counter()
        await bot.send_message(chat_id, f"reply {n}")  # the reply lane, as a handler's
        latencies.append(time.perf_counter() - started)
        await asyncio.sleep(0.12)  # a person types; within the per-chat rate
    return latencies


async def drain_all(engine: DeliveryEngine) -> None:
    while True:
        await engine.drain(budget_seconds=60)
        async with engine.session_factory() as session:
            counts = await Store(session).deliveries.counts()
        if not counts.get("pending") and not counts.get("sending"):
            return
        await asyncio.sleep(0.05)


async def measure(recipients: int = 2000, replies: int = 10, factor: int = 10) -> dict:
    emulator = Emulator(EmulatorConfig(token=TOKEN, require_user_start=False))
    await emulator.start()
    emulator.set_rate_limits(EmulatorRateLimits(time_factor=factor, mode="record"))
    try:
        async with scratch_database("sqlite") as url:
            settings = tuned_settings(url, factor)
            db = create_engine(url)
            session_factory = create_session_factory(db)
            clock = Clock("Asia/Almaty")
            clock.set(WORKING_NOON)
            bot = Bot(
                TOKEN,
                session=AiohttpSession(api=TelegramAPIServer.from_base(emulator.base_url)),
                default=DefaultBotProperties(parse_mode=ParseMode.HTML),
            )
            limiter = RateLimiter(RateLimits.from_settings(settings))
            bot.session.middleware(RateLimitMiddleware(limiter))
            bot.session.middleware(LastMomentCheck())
            engine = DeliveryEngine(
                bot, session_factory, Translator(), settings, clock, rng=random.Random(7)
            )
            engine.limiter = limiter
            chatting = emulator.user(99, first_name="Dana")
            await chatting.send("hi", wait=False)
            people = range(200_000, 200_000 + recipients)
            for chat_id in people:
                emulator.user(chat_id)
            try:
                idle = await reply_latencies(bot, 99, replies)
                async with session_factory() as session:
                    await enqueue_broadcast(session, people, now=clock.now(), text="Forum")
                    await session.commit()
                broadcast = asyncio.create_task(drain_all(engine))
                while len(emulator.calls_of("sendMessage")) < replies + 100:  # noqa: ASYNC110
                    await asyncio.sleep(0.01)
                busy = await reply_latencies(bot, 99, replies)
                still_running = not broadcast.done()
                await broadcast
            finally:
                await bot.session.close()
                await db.dispose()
    finally:
        violations = len(emulator.violations)
        await emulator.stop()
    idle_mean = sum(idle) / len(idle)
    busy_mean = sum(busy) / len(busy)
    row = {
        "recipients": recipients,
        "time factor": factor,
        "replies": replies,
        "idle mean ms": idle_mean * 1000,
        "during broadcast mean ms": busy_mean * 1000,
        "during / idle": busy_mean / idle_mean,
        "during p max ms": max(busy) * 1000,
        "limit violations": violations,
    }
    notes = [
        "The broadcast was still running when the last reply went."
        if still_running
        else "The broadcast ended before the last reply: use more recipients.",
        "Target: replies during a broadcast within 5× their idle latency.",
    ]
    return figures.write(
        "replies_during_broadcast", "Replies during a broadcast", COLUMNS, [row], notes=notes
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recipients", type=int, default=2000)
    parser.add_argument("--replies", type=int, default=10)
    parser.add_argument("--time-factor", type=int, default=10)
    args = parser.parse_args(argv)
    figures.show(asyncio.run(measure(args.recipients, args.replies, args.time_factor)))


if __name__ == "__main__":
    main()
