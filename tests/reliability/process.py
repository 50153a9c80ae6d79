"""The bot as a separate process (`python -m bot run`), so a test can SIGKILL it.

Its log (JSON lines, one file per start) is kept, so a test can look for
errors after the kills: a crash may cost an answer's delay, never an error.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from emulator import Emulator


class BotProcess:
    def __init__(self, emulator: Emulator, database_url: str, workdir: Path, **env: str) -> None:
        self.env = os.environ | {
            "TELEGRAM_API_URL": emulator.base_url,
            "BOT_TOKEN": emulator.config.token,
            "DATABASE_URL": database_url,
            "CONCURRENT_UPDATES": "false",
            "LOG_LEVEL": "WARNING",
            "LOG_FORMAT": "json",
            "FLOOD_UPDATES_PER_MINUTE": "100000",
            "RATE_PER_CHAT_PER_SECOND": "50",
            "RATE_PER_CHAT_BURST": "20",
            **env,
        }
        for name in ("WEBHOOK_URL", "REDIS_URL"):
            self.env.pop(name, None)
        self.emulator = emulator
        self.workdir = workdir
        self.process: subprocess.Popen | None = None
        self.logs: list[Path] = []

    async def start(self) -> None:
        seen = len(self.emulator.calls_of("getUpdates"))
        log = self.workdir / f"bot-{len(self.logs) + 1}.log"
        self.logs.append(log)
        with log.open("wb") as stderr:
            self.process = subprocess.Popen(  # noqa: ASYNC220 - spawning does not block
                [sys.executable, "-m", "bot", "run"],
                env=self.env,
                cwd=self.workdir,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )
        deadline = time.monotonic() + 40  # a guard against a hang, not a speed target
        while len(self.emulator.calls_of("getUpdates")) <= seen:
            assert self.process.poll() is None, log.read_text(errors="replace")
            assert time.monotonic() < deadline, "the bot did not start polling"
            await asyncio.sleep(0.05)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()

    def errors(self) -> list[str]:
        """Error records of every run so far (the pool's garbage-collector notes aside)."""
        found = []
        for log in self.logs:
            for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
                try:
                    record = json.loads(line)
                except ValueError:
                    if "Traceback" in line or "Error" in line.split(":")[0]:
                        found.append(line)
                    continue
                level = str(record.get("level", "")).lower()
                if level in ("error", "critical") and not str(record.get("logger", "")).startswith(
                    "sqlalchemy.pool"
                ):
                    found.append(line)
        return found
