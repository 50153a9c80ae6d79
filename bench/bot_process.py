"""A bot under test as its own process, so its CPU time and memory are its own."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench import process_stats
from bench.figures import RESULTS

ROOT = Path(__file__).parents[1]

# Telegram's flood limits are lifted on the bot's side too: the journeys measure
# the bot's own cost, not Telegram's ceiling (the broadcast benchmark measures that).
UNTHROTTLED = {
    "RATE_GLOBAL_PER_SECOND": "100000",
    "RATE_PER_CHAT_PER_SECOND": "1000",
    "RATE_PER_CHAT_BURST": "1000",
}


@dataclass
class BotProcess:
    """`python -m <module> <args>` with the emulator's address and token in its environment."""

    name: str
    module: str
    args: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen | None = None
    started_at: float = 0.0

    def start(self) -> BotProcess:
        RESULTS.mkdir(parents=True, exist_ok=True)
        log = (RESULTS / f"{self.name}.log").open("w")
        environment = {**os.environ, "PYTHONUNBUFFERED": "1", **self.env}
        self.started_at = time.time()
        self.process = subprocess.Popen(
            [sys.executable, "-m", self.module, *self.args],
            cwd=ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        return self

    def cpu_seconds(self) -> float:
        return process_stats.cpu_seconds(self.process.pid)

    def rss_mb(self) -> float:
        return process_stats.rss_mb(self.process.pid)

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log_tail(self, lines: int = 20) -> str:
        path = RESULTS / f"{self.name}.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    async def stop(self, timeout: float = 15) -> None:
        if not self.alive():
            return
        self.process.send_signal(signal.SIGTERM)
        loop = asyncio.get_running_loop()
        try:
            await asyncio.wait_for(loop.run_in_executor(None, self.process.wait), timeout)
        except TimeoutError:
            self.process.kill()
            with contextlib.suppress(Exception):
                self.process.wait(5)


def our_bot(name: str, api_url: str, token: str, database_url: str, **extra: str) -> BotProcess:
    env = {
        "TELEGRAM_API_URL": api_url,
        "BOT_TOKEN": token,
        "DATABASE_URL": database_url,
        "CONCURRENT_UPDATES": "true",
        "LOG_LEVEL": "WARNING",
        **UNTHROTTLED,
        **extra,
    }
    return BotProcess(name, "bot", ("run",), env)


def peer_bot(name: str, module: str, api_url: str, token: str, **extra: str) -> BotProcess:
    env = {"TELEGRAM_API_URL": api_url, "BOT_TOKEN": token, **extra}
    return BotProcess(name, module, (), env)
