"""Start-up: from process start to the first getUpdates, and resident memory once idle;
our bot (on an empty-but-migrated and on a never-migrated SQLite database) beside the
bare echo bots.

    python -m bench.startup --repeats 3
"""

from __future__ import annotations

import argparse
import asyncio
import statistics

from bench import figures
from bench.bot_process import BotProcess, our_bot, peer_bot
from bench.databases import scratch_database
from bench.journeys import PEERS, peer_missing, wait_ready
from bench.world import BenchEmulator

IDLE_SECONDS = 3.0
COLUMNS = ("bot", "database", "start to first getUpdates s", "idle rss MB", "runs")


async def once(make) -> tuple[float, float]:
    emulator = BenchEmulator()
    await emulator.start()
    bot: BotProcess = make(emulator)
    bot.start()
    try:
        await wait_ready(bot, emulator, webhook=False)
        started = emulator.first_poll_at - bot.started_at
        await asyncio.sleep(IDLE_SECONDS)
        return started, bot.rss_mb()
    finally:
        await bot.stop()
        await emulator.stop()


async def repeated(name: str, database: str, repeats: int, make) -> dict:
    runs = [await once(make) for _ in range(repeats)]
    return {
        "bot": name,
        "database": database,
        "start to first getUpdates s": round(statistics.median(r[0] for r in runs), 2),
        "idle rss MB": round(statistics.median(r[1] for r in runs), 1),
        "runs": repeats,
    }


async def measure(repeats: int) -> dict:
    rows = []
    for migrated in (True, False):
        async with scratch_database("sqlite", migrated=migrated) as url:
            label = "sqlite, migrated" if migrated else "sqlite, migrates at start"
            rows.append(
                await repeated(
                    "ours",
                    label,
                    repeats if migrated else 1,  # only the first start migrates
                    lambda emu, url=url: our_bot(
                        "startup-ours", emu.base_url, emu.config.token, url
                    ),
                )
            )
    notes = [f"Idle memory {IDLE_SECONDS:.0f} s after the first getUpdates; medians."]
    for name, module in PEERS.items():
        reason = peer_missing(name)
        if reason:
            notes.append(f"{name} skipped: {reason}")
            continue
        rows.append(
            await repeated(
                name,
                "–",
                repeats,
                lambda emu, module=module: peer_bot(
                    "startup-peer", module, emu.base_url, emu.config.token
                ),
            )
        )
    return figures.write("startup", "Start-up and idle memory", COLUMNS, rows, notes=notes)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.startup", description=__doc__)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    figures.show(asyncio.run(measure(args.repeats)))


if __name__ == "__main__":
    main()
