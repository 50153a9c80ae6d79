"""Broadcast: R recipients through the real outbox (delivery/), the emulator counting
every call against Telegram's global limit L (30 a second × a time factor, so the run is
short) or, for a paid broadcast (allow_paid_broadcast), the paid 1000 a second. Reports
achieved rate / L, duplicates and missing recipients, without faults and with 5% of
calls answered 429.

    python -m bench.broadcast --recipients 20000 --time-factor 10 --paid-recipients 20000

A 429's retry_after is a whole second (Telegram's, and aiogram reads it as an int), so
it cannot be scaled with L: the run with 429s uses the real L (time factor 1), fewer
recipients, and also reports the rate over the time Telegram allowed sending.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import insert

from bench import figures
from bench.bot_process import our_bot
from bench.databases import scratch_database
from bench.journeys import wait_ready
from bench.world import BenchEmulator
from emulator import EmulatorConfig, Faults, RateLimits
from storage.engine import create_engine, create_session_factory
from storage.models import Person

ZONE = ZoneInfo("Asia/Almaty")
FIRST_RECIPIENT = 5_000_000
STALL_SECONDS = 30.0
COLUMNS = (
    "kind", "faults", "recipients", "L per s", "sent", "seconds", "achieved / L",
    "achieved / L outside 429 pauses", "duplicates", "missing", "limit violations", "429s",
    "emulator stalled s", "bot CPU ms per send",
)  # fmt: skip
# A wake-up of the emulator's event loop this late counts as a stall (see watch_stalls).
STALL_LATE = 0.01


def engine_missing() -> str | None:
    try:
        from delivery.outbox import enqueue_broadcast  # noqa: F401
        from delivery.sender import DeliveryEngine  # noqa: F401
    except ImportError as error:
        return f"engine not available ({error})"
    return None


async def enqueue(url: str, recipients: list[int]) -> None:
    from delivery.outbox import enqueue_broadcast

    engine = create_engine(url)
    try:
        async with create_session_factory(engine)() as session:
            rows = [{"telegram_id": r, "locale": "ru"} for r in recipients]
            for start in range(0, len(rows), 5000):
                await session.execute(insert(Person), rows[start : start + 5000])
            await enqueue_broadcast(
                session, recipients, now=datetime.now(UTC), text="Приём заявок открыт."
            )
            await session.commit()
    finally:
        await engine.dispose()


def away_from_quiet_hours() -> dict[str, str]:
    """Quiet hours (no broadcasts) set to start two hours from now, so the run is outside."""
    local = datetime.now(ZONE)
    start, end = local + timedelta(hours=2), local + timedelta(hours=3)
    return {"QUIET_HOURS_START": start.strftime("%H:%M"), "QUIET_HOURS_END": end.strftime("%H:%M")}


def pause_seconds(emulator: BenchEmulator, calls_429: list[float], retry_after: float) -> float:
    """The union of the pauses Telegram asked for (each 429 at t: [t, t + retry_after])."""
    total, end = 0.0, 0.0
    for moment in sorted(calls_429):
        start = max(moment, end)
        finish = moment + retry_after
        if finish > start:
            total += finish - start
            end = finish
    return total


async def watch_stalls(stalls: list[tuple[float, float]]) -> None:
    """Record when the emulator's own event loop wakes late (start, seconds late).

    The emulator is the measuring instrument and shares two cores with the bot and
    the database: when it gets no CPU, calls wait unanswered and then arrive at
    once, which shows as a gap in the sender's rate that is not the sender's.
    """
    loop = asyncio.get_running_loop()
    while True:
        before = loop.time()
        await asyncio.sleep(0.002)
        late = loop.time() - before - 0.002
        if late > STALL_LATE:
            stalls.append((time.time() - late, late))


async def run(
    recipients: int,
    time_factor: float,
    faults: Faults | None,
    database: str,
    paid: bool = False,
) -> dict:
    limit = (1000 if paid else 30) * time_factor
    people = list(range(FIRST_RECIPIENT, FIRST_RECIPIENT + recipients))
    config = EmulatorConfig(
        require_user_start=False,
        rate_limits=RateLimits(time_factor=time_factor, mode="record"),
        faults=faults or Faults(),
    )
    async with scratch_database(database) as url:
        await enqueue(url, people)
        emulator = BenchEmulator(config)
        await emulator.start()
        for person in people:  # each recipient's private chat exists, as on Telegram
            emulator.user(person, "Recipient", "ru")
        bot = our_bot(
            f"broadcast-{database}",
            emulator.base_url,
            emulator.config.token,
            url,
            RATE_GLOBAL_PER_SECOND=str(limit),
            RATE_PAID_PER_SECOND=str(1000 * time_factor),
            RATE_WINDOW_SECONDS=str(1 / time_factor),  # the emulator's window, sped up too
            RATE_INTERACTIVE_RESERVE="0",
            ALLOW_PAID_BROADCAST="true" if paid else "false",
            DELIVERY_TICK_SECONDS="0.2",
            **away_from_quiet_hours(),
        )
        bot.start()
        stalls: list[tuple[float, float]] = []
        watching = asyncio.create_task(watch_stalls(stalls))
        cpu_sending = 0.0
        try:
            await wait_ready(bot, emulator, webhook=False)
            cpu_ready = bot.cpu_seconds()
            last_progress, seen = time.monotonic(), 0
            while len(emulator.sent_ok) < recipients:
                await asyncio.sleep(0.5)
                if len(emulator.sent_ok) != seen:
                    seen, last_progress = len(emulator.sent_ok), time.monotonic()
                elif time.monotonic() - last_progress > STALL_SECONDS or not bot.alive():
                    break
            cpu_sending = bot.cpu_seconds() - cpu_ready
            await asyncio.sleep(1)  # a duplicate would come now
        finally:
            watching.cancel()
            await bot.stop()
            await emulator.stop()
    sends = [c for c in emulator.calls if c.method == "sendMessage"]
    ok = sorted(c.timestamp for c in sends if c.status == 200)
    refused = [c.timestamp for c in sends if c.status == 429]
    seconds = (ok[-1] - ok[0]) if len(ok) > 1 else 0.0
    paused = pause_seconds(emulator, refused, faults.burst_retry_after if faults else 0)
    delivered = {c for c, n in emulator.sent_ok.items() if n > 0}
    return {
        "kind": "paid (allow_paid_broadcast)" if paid else "free",
        "faults": f"{faults.burst_429_rate:.0%} 429s" if faults else "none",
        "recipients": recipients,
        "L per s": limit,
        "sent": len(ok),
        "seconds": round(seconds, 1),
        "achieved / L": round(len(ok) / seconds / limit, 3) if seconds else None,
        "achieved / L outside 429 pauses": round(len(ok) / (seconds - paused) / limit, 3)
        if seconds > paused
        else None,
        "duplicates": sum(n - 1 for n in emulator.sent_ok.values() if n > 1),
        "missing": len(set(people) - delivered),
        "limit violations": len(emulator.violations),
        "429s": len(refused),
        "bot CPU ms per send": round(cpu_sending / len(ok) * 1000, 3) if ok else None,
        "emulator stalled s": round(
            sum(late for start, late in stalls if ok and ok[0] <= start <= ok[-1]), 2
        ),
        "database": database,
    }


async def measure(
    recipients: int,
    time_factor: float,
    fault_recipients: int,
    database: str = "sqlite",
    paid_recipients: int = 0,
) -> dict:
    reason = engine_missing()
    if reason:
        return figures.write("broadcast", "Broadcast", ("faults",), [], status=reason,
                             notes=[reason])  # fmt: skip
    rows = [await run(recipients, time_factor, None, database)]
    if fault_recipients:
        faults = Faults(seed=1, burst_429_rate=0.05, burst_length=1, burst_retry_after=1)
        rows.append(await run(fault_recipients, 1.0, faults, database))
    if paid_recipients:
        rows.append(await run(paid_recipients, 1.0, None, database, paid=True))
    notes = [
        "Our bot's limiter set to L (RATE_GLOBAL_PER_SECOND, or RATE_PAID_PER_SECOND for the "
        "paid run) with no interactive reserve: nobody else is talking to it during the run.",
        "The paid run is at the real 1000 a second (time factor 1): the bot, the emulator "
        "and the database share the same 2 cores, so it shows how close this machine gets.",
        "emulator stalled s: how long the emulator's own event loop was held up (wake-ups "
        f"over {STALL_LATE * 1000:.0f} ms late) between the first and last send; the "
        "machine's other load, not the sender's pacing. bot CPU ms per send: the bot "
        "process's CPU time from ready to the last send, over the sends.",
        "The emulator records limit violations instead of refusing (mode record); "
        "the 429s are injected faults (Faults.burst_429_rate, retry_after 1 s).",
        f"Database: {database}.",
    ]
    return figures.write("broadcast", "Broadcast", COLUMNS, rows, notes=notes)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.broadcast", description=__doc__)
    parser.add_argument("--recipients", type=int, default=20000)
    parser.add_argument("--time-factor", type=float, default=10)
    parser.add_argument("--fault-recipients", type=int, default=600)
    parser.add_argument(
        "--paid-recipients", type=int, default=0, help="also a paid broadcast (1000 a second)"
    )
    parser.add_argument("--database", default="sqlite", choices=["sqlite", "postgres"])
    args = parser.parse_args(argv)
    document = measure(
        args.recipients,
        args.time_factor,
        args.fault_recipients,
        args.database,
        args.paid_recipients,
    )
    figures.show(asyncio.run(document))


if __name__ == "__main__":
    main()
