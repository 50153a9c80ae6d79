"""The emulator and the real bot, together in one process.

The sandbox and the end-to-end tests both start the bot this way: unchanged,
pointed at the local Bot API emulator through TELEGRAM_API_URL, over real HTTP.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
from dataclasses import dataclass, field
from functools import partial

from pydantic import SecretStr

from bot.runner import RunningBot, serve
from core.clock import Clock
from core.settings import Settings
from emulator import Emulator, EmulatorConfig

# What Telegram says to a request that only a bug in the bot sends: a callback
# query answered a second time, a screen too long to send, or one with no text.
BOT_MISTAKES = (
    "query is too old and response timeout expired or query ID is invalid",
    "message is too long",
    "message caption is too long",
    "message text is empty",
)


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
    # The sandbox runs the clock's jobs itself, after each step (see `handled`),
    # so a script shows the same thing however fast the machine is.
    manual_clock: bool = False
    running: RunningBot | None = None
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
                on_running=self._on_running,
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

    @property
    def started_emulator(self) -> Emulator:
        if self.emulator is None:
            raise RuntimeError("the world is not started")
        return self.emulator

    @property
    def started_bot(self) -> RunningBot:
        if self.running is None:
            raise RuntimeError("the bot is not running")
        return self.running

    def _on_running(self, running: RunningBot) -> None:
        self.running = running
        if self.manual_clock:
            running.scheduler.pause()

    async def handled(self, update_ids: list[int], timeout: float = 60.0) -> None:
        """Return once the bot has finished with these updates and with what they
        caused: acknowledged, none being handled, no request to the emulator under
        way, and (with manual_clock) nothing left that the clock's jobs would do now.
        No waiting for silence, so a loaded machine gives the same result, later."""
        emulator, running = self.started_emulator, self.started_bot
        deadline = time.monotonic() + timeout
        while True:
            left = max(deadline - time.monotonic(), 0.001)
            await emulator.settle(emulator.bot, update_ids, timeout=left, quiet=0)
            if running.wiring.in_flight.count or emulator.requests_in_progress:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"the bot was still busy after {timeout} s")
                await asyncio.sleep(0.002)
                continue
            if not self.manual_clock or not await self.run_due_jobs():
                return

    async def run_due_jobs(self, *, plan: bool = False) -> bool:
        """Do now what the paused clock would do by now: open and close topics,
        reveal decisions, send every delivery that is due, update broadcasts'
        progress; with `plan`, plan reminders too. True if anything was done."""
        from scheduler.jobs import (
            advance_topics,
            plan_deliveries,
            reveal_decisions,
            update_broadcasts,
        )

        outbox = self.started_bot.outbox
        sessions, now = outbox.session_factory, self.clock.now
        done = False
        if plan:
            days = list(self.settings.reminder_days_before)
            done |= bool(await plan_deliveries(sessions, now, self.clock.zone, days))
        opened, closed = await advance_topics(sessions, now)
        done |= bool(opened or closed)
        done |= bool(await reveal_decisions(sessions, now))
        while (await outbox.drain_once()).claimed:
            done = True
        from bot.broadcast_progress import edit_progress

        await update_broadcasts(outbox, partial(edit_progress, outbox.bot))
        return done

    async def stop_bot(self) -> None:
        if self._bot_task is None or self._stop is None:
            return
        self._stop.set()
        try:
            await asyncio.wait_for(self._bot_task, 30)
        finally:
            self._bot_task = None
            self.running = None

    async def restart_bot(self) -> None:
        await self.stop_bot()
        await self.start_bot()

    def mistakes(self) -> list[str]:
        """The bot's requests refused for one of `BOT_MISTAKES`, as "method: description"."""
        if self.emulator is None:
            return []
        found = []
        # A retry of an answer whose first attempt a fault cut off is refused as
        # a second answer by Telegram too: that one is the network's doing.
        cut_off = set()
        for call in self.emulator.calls:
            query = call.params.get("callback_query_id")
            if call.fault not in (None, "slow", "latency") and query is not None:
                cut_off.add(str(query))
            description = (call.error or {}).get("description", "")
            if str(query) in cut_off:
                continue
            if any(mistake in description for mistake in BOT_MISTAKES):
                found.append(f"{call.method}: {description}")
        return found

    async def stop(self) -> None:
        with contextlib.suppress(Exception):
            await self.stop_bot()
        if self.emulator is not None:
            await self.emulator.stop()
