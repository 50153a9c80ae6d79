"""Webhook delivery: POST each pending update to the bot, retry failures, run the
method a bot may return in its response, like Telegram does."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from typing import TYPE_CHECKING, Any

import aiohttp
from aiohttp import BodyPartReader

from emulator.params import Upload, coerce_params
from emulator.records import Delivery
from emulator.state import BotState, Webhook, now

if TYPE_CHECKING:
    from emulator.emulator import Emulator


def chat_key(update: dict[str, Any]) -> object:
    """Updates of one chat go out one at a time and in order, as Telegram sends them.

    Any shape is accepted (tests inject malformed updates): without a readable
    chat, an update is its own queue."""
    for kind in ("message", "edited_message", "my_chat_member", "chat_member"):
        chat = _get(update, kind, "chat", "id")
        if chat is not None:
            return chat
    query = update.get("callback_query")
    if isinstance(query, dict):
        chat = _get(query, "message", "chat", "id")
        if chat is None:
            chat = _get(query, "from", "id")
        if chat is not None:
            return chat
    return ("update", update["update_id"])


def _get(value: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value if isinstance(value, int | str) else None


async def _read_answer(response: aiohttp.ClientResponse) -> tuple[dict, dict[str, Upload]]:
    """A webhook response may carry a method call, as JSON or (aiogram) multipart."""
    if response.content_type == "application/json":
        with contextlib.suppress(ValueError):
            body = await response.json()
            if isinstance(body, dict):
                return body, {}
        return {}, {}
    if response.content_type.startswith("multipart/"):
        reader = aiohttp.MultipartReader(response.headers, response.content)
        fields: dict[str, Any] = {}
        files: dict[str, Upload] = {}
        async for part in reader:
            if not isinstance(part, BodyPartReader) or part.name is None:
                continue
            data = await part.read()
            if part.filename is not None:
                files[part.name] = Upload(
                    part.filename, part.headers.get("Content-Type"), bytes(data)
                )
            else:
                fields[part.name] = data.decode("utf-8")
        return fields, files
    return {}, {}


class WebhookWorker:
    """Delivers one bot's updates while its webhook is set."""

    def __init__(self, emulator: Emulator, bot: BotState) -> None:
        self.emulator = emulator
        self.bot = bot
        self._wake = asyncio.Event()
        self._tasks: set[asyncio.Task] = set()
        self._session: aiohttp.ClientSession | None = None
        self._runner = asyncio.create_task(self._run())

    async def stop(self) -> None:
        self._runner.cancel()
        for task in list(self._tasks):
            task.cancel()
        for task in [self._runner, *self._tasks]:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self._session is not None:
            await self._session.close()

    async def _run(self) -> None:
        self.bot.waiters.add(self._wake)
        self._session = aiohttp.ClientSession()
        try:
            while self.bot.webhook is not None:
                self._wake.clear()
                self._start_deliveries(self.bot.webhook)
                await self._wake.wait()
        finally:
            self.bot.waiters.discard(self._wake)

    def _start_deliveries(self, hook: Webhook) -> None:
        pending = self.bot.pending
        busy = {chat_key(u) for u in pending if u["update_id"] in self.bot.delivering}
        for update in list(pending):
            if len(self.bot.delivering) >= hook.max_connections:
                return
            key = chat_key(update)
            if key in busy:
                continue  # one update per chat at a time, in order
            busy.add(key)
            self.bot.delivering.add(update["update_id"])
            task = asyncio.create_task(self._deliver(hook, update))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _deliver(self, hook: Webhook, update: dict[str, Any]) -> None:
        config = self.emulator.config
        update_id = update["update_id"]
        self.emulator.activity_begin()
        try:
            attempt = 0
            while self.bot.webhook is hook and not self.bot.is_acknowledged(update_id):
                attempt += 1
                if await self._attempt(hook, update, attempt):
                    return
                delay = min(
                    config.webhook_retry_delay * 2 ** (attempt - 1), config.webhook_retry_max_delay
                )
                await asyncio.sleep(delay)
        finally:
            self.bot.delivering.discard(update_id)
            self.emulator.activity_end()
            self._wake.set()

    async def _attempt(self, hook: Webhook, update: dict[str, Any], attempt: int) -> bool:
        headers = {"Content-Type": "application/json"}
        if hook.secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = hook.secret_token
        status: int | None = None
        error: str | None = None
        answer: tuple[dict, dict[str, Upload]] = ({}, {})
        assert self._session is not None
        try:
            timeout = aiohttp.ClientTimeout(total=self.emulator.config.webhook_timeout)
            body = json.dumps(update, ensure_ascii=False)
            async with self._session.post(
                hook.url, data=body, headers=headers, timeout=timeout
            ) as response:
                status = response.status
                if 200 <= status < 300:
                    answer = await _read_answer(response)
                else:
                    error = f"Wrong response from the webhook: {status} {response.reason}"
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            error = f"Connection failed: {type(exc).__name__}"
        self.emulator.deliveries.append(
            Delivery(update["update_id"], hook.url, attempt, status, error, time.time())
        )
        if error is not None:
            hook.last_error_date, hook.last_error_message = now(), error
            return False
        fields, files = answer
        method = fields.pop("method", None)
        if isinstance(method, str) and method:
            await self.emulator.execute(
                self.bot, method, coerce_params(fields), files, source="webhook_response"
            )
        self.bot.acknowledge(update["update_id"])
        return True
