"""The emulator and the real bot, together in one process.

The sandbox and the end-to-end tests both start the bot this way: unchanged,
pointed at the local Bot API emulator through TELEGRAM_API_URL, over real HTTP.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from dataclasses import dataclass, field

from pydantic import SecretStr

from bot.clock import Clock
from bot.runner import serve
from bot.settings import Settings
from emulator import Emulator, EmulatorConfig


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class LocalWorld:
    """Starts and stops the emulator and the bot; `restart_bot` simulates a crash."""

    settings: Settings
    webhook: bool = False
    # Telegram waits about a minute for a webhook answer; a loaded test machine
    # needs the same patience, or a slow answer is delivered twice.
    emulator_config: EmulatorConfig = field(
        default_factory=lambda: EmulatorConfig(webhook_timeout=60.0)
    )
    emulator: Emulator | None = None
    clock: Clock = field(default_factory=Clock)
    _bot_task: asyncio.Task | None = None
    _stop: asyncio.Event | None = None

    async def start(self) -> LocalWorld:
        self.emulator = Emulator(self.emulator_config)
        await self.emulator.start(host="127.0.0.1", port=0)
        # model_copy does not validate, so values go in with their final types.
        overrides = {
            "bot_token": SecretStr(self.emulator.config.token),
            "telegram_api_url": self.emulator.base_url,
        }
        if self.webhook:
            port = free_port()
            overrides |= {
                "webhook_url": f"http://127.0.0.1:{port}/telegram/webhook",
                "webhook_listen": f"127.0.0.1:{port}",
                "webhook_secret": SecretStr("sandbox-webhook-secret"),
            }
        self.settings = self.settings.model_copy(update=overrides)
        await self.start_bot()
        return self

    async def start_bot(self) -> None:
        """Returns once the bot takes updates and has tried each command menu once
        (published, or being retried in the background)."""
        self._stop = asyncio.Event()
        ready, menus_tried = asyncio.Event(), asyncio.Event()
        self._bot_task = asyncio.create_task(
            serve(
                self.settings,
                stop=self._stop,
                ready=ready,
                handle_signals=False,
                clock=self.clock,
                menus_tried=menus_tried,
            )
        )
        for event in (ready, menus_tried):
            await self._until(event)

    async def _until(self, event: asyncio.Event) -> None:
        bot_task = self._bot_task
        if bot_task is None:
            raise RuntimeError("the bot was not started")
        waiter = asyncio.create_task(event.wait())
        done, _ = await asyncio.wait(
            {bot_task, waiter}, timeout=30, return_when=asyncio.FIRST_COMPLETED
        )
        if bot_task in done:
            waiter.cancel()
            bot_task.result()  # raises the reason the bot could not start
            raise RuntimeError("the bot stopped during start-up")
        if waiter not in done:
            waiter.cancel()
            raise TimeoutError("the bot did not start within 30 s")

    async def stop_bot(self) -> None:
        if self._bot_task is None or self._stop is None:
            return
        self._stop.set()
        try:
            await asyncio.wait_for(self._bot_task, 30)
        finally:
            self._bot_task = None

    async def restart_bot(self) -> None:
        await self.stop_bot()
        await self.start_bot()

    async def stop(self) -> None:
        with contextlib.suppress(Exception):
            await self.stop_bot()
        if self.emulator is not None:
            await self.emulator.stop()
