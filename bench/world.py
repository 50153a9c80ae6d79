"""The emulator as the benchmarks use it: it notes when each update reached the bot
and when the bot answered in each chat, so many users can act at once without
waiting for the whole emulator to fall quiet (SimulatedUser's own settle does)."""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from dataclasses import dataclass, field
from typing import Any

from emulator import Emulator, EmulatorConfig, SimulatedUser

QUIET = 0.04  # a chat with no bot call for this long has its answer complete
MAX_QUIET = 0.5  # ... or for up to this long, when the answer was slow to start
REPLY_TIMEOUT = 60.0
BUTTON_WAIT = 30.0  # how long a press waits for its button to appear
SILENT_METHODS = frozenset({"getupdates", "getme", "setmycommands", "deletewebhook", "setwebhook"})


@dataclass
class ChatActivity:
    calls: list[float] = field(default_factory=list)  # times of the bot's calls in this chat
    changed: asyncio.Event = field(default_factory=asyncio.Event)


class BenchEmulator(Emulator):
    def __init__(self, config: EmulatorConfig | None = None) -> None:
        super().__init__(config)
        self.chats: dict[int, ChatActivity] = {}
        self.handed: dict[int, float] = {}  # update id -> when the bot received it (polling)
        self.first_poll_at: float | None = None
        self.sent_ok: dict[int, int] = {}  # chat -> successful sendMessage calls

    async def execute(self, bot, method, params, files, fault=None, source="http"):
        name = method.lower()
        if name == "getupdates" and self.first_poll_at is None:
            self.first_poll_at = time.time()
        status, payload = await super().execute(bot, method, params, files, fault, source)
        if name == "getupdates" and status == 200:
            now = time.time()
            for update in payload["result"]:
                self.handed.setdefault(update["update_id"], now)
        return status, payload

    def record_call(self, bot, method, params, status, **kwargs):
        call = super().record_call(bot, method, params, status, **kwargs)
        chat = self._chat_of(bot, call.method.lower(), params)
        if chat is not None:
            activity = self.chats.setdefault(chat, ChatActivity())
            activity.calls.append(call.timestamp)
            activity.changed.set()
            if call.method == "sendMessage" and status == 200:
                self.sent_ok[chat] = self.sent_ok.get(chat, 0) + 1
        return call

    def _chat_of(self, bot, method: str, params: dict[str, Any]) -> int | None:
        if method in SILENT_METHODS:
            return None
        if "chat_id" in params:
            try:
                return int(params["chat_id"])
            except (TypeError, ValueError):
                return None
        query = params.get("callback_query_id")
        if query is not None and bot is not None and query in bot.callback_queries:
            return bot.callback_queries[query][0]
        return None

    async def answered(self, chat: int, since: float, timeout: float = REPLY_TIMEOUT) -> float:
        """Wait for the bot's answer in `chat` after `since` and for the chat to fall quiet;
        returns the time of the answer's first call."""
        activity = self.chats.setdefault(chat, ChatActivity())
        deadline = time.monotonic() + timeout
        while True:
            first = next((t for t in activity.calls if t >= since), None)
            wait = deadline - time.monotonic()
            if first is not None:
                # A busy bot leaves longer gaps between the calls of one answer: the
                # quiet that ends it grows with how long the answer took to start.
                quiet = max(QUIET, min(MAX_QUIET, (first - since) / 4))
                idle = time.time() - activity.calls[-1]
                if idle >= quiet:
                    return first
                wait = min(wait, quiet - idle)
            if wait <= 0 and first is None:
                raise TimeoutError(f"no answer in chat {chat} within {timeout}s")
            activity.changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(activity.changed.wait(), max(wait, 0.001))


@dataclass
class Sample:
    update_id: int
    pushed_at: float
    answered_at: float


class PacedUser:
    """A SimulatedUser whose every action waits for the bot's answer in its own chat only.
    Quacks like SimulatedUser for the journeys in tests/e2e/journeys.py.

    `think` seconds (on average; uniformly 0.5-1.5 times it) pass before each action, as
    a person reads the answer; 0 sends the next action as soon as the answer is complete.
    """

    def __init__(
        self,
        user: SimulatedUser,
        emulator: BenchEmulator,
        samples: list[Sample],
        think: float = 0.0,
    ):
        self.user = user
        self.emulator = emulator
        self.samples = samples
        self.think = think
        self._rng = random.Random(user.user_id)

    def messages(self):
        return self.user.messages()

    def last_message(self):
        return self.user.last_message()

    async def _think(self) -> None:
        if self.think:
            await asyncio.sleep(self.think * self._rng.uniform(0.5, 1.5))

    async def _paced(self, action, *args, **kwargs):
        pushed_at = time.time()
        update = await action(*args, wait=False, **kwargs)
        if update is None:
            return None
        answered_at = await self.emulator.answered(self.user.user_id, pushed_at)
        self.samples.append(Sample(update["update_id"], pushed_at, answered_at))
        return update

    async def send(self, text: str):
        await self._think()
        return await self._paced(self.user.send, text)

    async def press(self, text: str, message=None):
        await self._think()
        # The answer may still be on its way: an edit can come well after the callback's
        # answer when the bot is busy (seconds, with hundreds of users flat out).
        deadline = time.monotonic() + BUTTON_WAIT
        while True:
            try:
                return await self._paced(self.user.press, text, message=message)
            except LookupError:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.05)

    async def send_document(self, **kwargs):
        await self._think()
        return await self._paced(self.user.send_document, **kwargs)


def latencies(samples: list[Sample], emulator: BenchEmulator, webhook: bool) -> list[float]:
    """Update-to-reply times in seconds: from the bot getting the update (the getUpdates
    answer that carried it; for a webhook, the push, which the emulator POSTs at once)
    to the bot's first call in that chat."""
    found = []
    for sample in samples:
        handed = sample.pushed_at if webhook else emulator.handed.get(sample.update_id)
        if handed is not None:
            found.append(max(sample.answered_at - handed, 0.0))
    return found
