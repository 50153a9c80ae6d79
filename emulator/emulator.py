"""The Emulator: a local Telegram Bot API server with simulated users."""

from __future__ import annotations

import asyncio
import copy
import re
import time
from typing import Any

from aiohttp import web

# Imported for their @api_method registrations.
from emulator import methods_bot, methods_files, methods_messages, methods_updates  # noqa: F401
from emulator.config import EmulatorConfig, Faults, MethodFault, RateLimits
from emulator.errors import ApiError, too_many_requests
from emulator.faults import FaultInjector
from emulator.method_registry import METHODS, MethodContext, canonical_name
from emulator.params import Upload
from emulator.rate_limits import RateEnforcer
from emulator.records import Call, CallbackAnswer, Delivery, FaultRecord, Violation, VisibleMessage
from emulator.state import BotState
from emulator.users import SimulatedGroup, SimulatedUser
from emulator.webhook import WebhookWorker

TOKEN = re.compile(r"^(\d{1,20}):[A-Za-z0-9_-]{30,50}$")


class Emulator:
    """Start with `await emu.start()`, point a bot at `emu.base_url`, talk as `emu.user(...)`."""

    def __init__(self, config: EmulatorConfig | None = None) -> None:
        self.config = config or EmulatorConfig()
        self.bots: dict[str, BotState] = {}
        self.calls: list[Call] = []
        self.deliveries: list[Delivery] = []
        self.callback_answers: dict[tuple[int, int], CallbackAnswer] = {}
        self.fault_injector = FaultInjector(self.config.faults)
        self._rate_enforcers: dict[int, RateEnforcer] = {}
        self._webhooks: dict[int, WebhookWorker] = {}
        self._users: dict[tuple[int, int], SimulatedUser] = {}
        self._groups: dict[tuple[int, int], SimulatedGroup] = {}
        self._busy = 0
        self._last_activity = 0.0
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    # -- lifecycle -----------------------------------------------------------------------

    def make_app(self) -> web.Application:
        from emulator.control import add_control_routes
        from emulator.http_api import EMULATOR_KEY, add_routes

        app = web.Application(client_max_size=60 * 1024 * 1024)
        app[EMULATOR_KEY] = self
        add_routes(app)
        add_control_routes(app)
        return app

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> Emulator:
        self._runner = web.AppRunner(self.make_app(), access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        bound = self._runner.addresses[0][1]  # port 0 → the one the OS picked
        self.base_url = f"http://{host}:{bound}"
        return self

    async def stop(self) -> None:
        for bot in self.bots.values():
            bot.webhook = None
            bot.poll_generation += 1
            bot.notify()
        for worker in list(self._webhooks.values()):
            await worker.stop()
        self._webhooks.clear()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Emulator:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # -- bots ----------------------------------------------------------------------------

    def bot_for_token(self, token: str) -> BotState | None:
        """The bot behind a token (created on first use), or None if it is malformed."""
        bot = self.bots.get(token)
        if bot is not None:
            return bot
        match = TOKEN.match(token)
        if match is None:
            return None
        bot_id = int(match.group(1))
        is_default = token == self.config.token
        user = {
            "id": bot_id,
            "is_bot": True,
            "first_name": self.config.bot_first_name if is_default else f"Bot {bot_id}",
            "username": self.config.bot_username if is_default else f"emulated{bot_id}_bot",
        }
        bot = self.bots[token] = BotState(token, user, self.config.honour_allowed_updates)
        return bot

    @property
    def bot(self) -> BotState:
        """The default bot (config.token)."""
        bot = self.bot_for_token(self.config.token)
        if bot is None:
            raise ValueError(f"config.token {self.config.token!r} does not look like a token")
        return bot

    def _bot(self, token: str | None) -> BotState:
        if token is None:
            return self.bot
        bot = self.bot_for_token(token)
        if bot is None:
            raise ValueError(f"{token!r} does not look like a bot token")
        return bot

    # -- executing methods ---------------------------------------------------------------

    def rate_enforcer(self, bot: BotState) -> RateEnforcer | None:
        if self.config.rate_limits is None:
            return None
        enforcer = self._rate_enforcers.get(bot.bot_id)
        if enforcer is None:
            enforcer = self._rate_enforcers[bot.bot_id] = RateEnforcer(self.config.rate_limits)
        return enforcer

    async def execute(
        self,
        bot: BotState,
        method: str,
        params: dict[str, Any],
        files: dict[str, Upload],
        fault: str | None = None,
        source: str = "http",
    ) -> tuple[int, dict[str, Any]]:
        """Run one Bot API method; returns (HTTP status, JSON body) and records the call."""
        name = canonical_name(method)
        entry = METHODS.get(method.lower())
        try:
            if entry is None:
                raise ApiError(404, "Not Found")
            enforcer = self.rate_enforcer(bot)
            if enforcer is not None:
                violation = enforcer.check(
                    name, params.get("chat_id"), bool(params.get("allow_paid_broadcast"))
                )
                if violation is not None and violation.rejected:
                    raise too_many_requests(violation.retry_after)
            ctx = MethodContext(self, bot, name, params, files)
            result = await entry[1](ctx)
        except ApiError as exc:
            self.record_call(
                bot,
                name,
                params,
                exc.status,
                error=exc.payload(),
                fault=fault,
                source=source,
                files=files,
            )
            return exc.status, exc.payload()
        result = copy.deepcopy(result)
        self.record_call(
            bot, name, params, 200, result=result, fault=fault, source=source, files=files
        )
        return 200, {"ok": True, "result": result}

    def record_call(
        self,
        bot: BotState | None,
        method: str,
        params: dict[str, Any],
        status: int,
        *,
        result: Any = None,
        error: dict | None = None,
        fault: str | None = None,
        source: str = "http",
        files: dict[str, Upload] | None = None,
    ) -> Call:
        recorded = dict(params)
        for name, upload in (files or {}).items():
            recorded[f"file:{name}"] = {"filename": upload.filename, "size": len(upload.content)}
        call = Call(
            method=canonical_name(method),
            params=recorded,
            status=status,
            result=result,
            error=error,
            timestamp=time.time(),
            fault=fault,
            bot_id=bot.bot_id if bot else None,
            source=source,
        )
        self.calls.append(call)
        return call

    def calls_of(self, method: str) -> list[Call]:
        """Calls of one method (case-insensitive name)."""
        return [c for c in self.calls if c.method.lower() == method.lower()]

    @property
    def violations(self) -> list[Violation]:
        return [v for e in self._rate_enforcers.values() for v in e.violations]

    @property
    def faults(self) -> list[FaultRecord]:
        return self.fault_injector.records

    def set_faults(self, faults: Faults) -> None:
        """Replace the fault configuration at runtime (the seed restarts the sequence)."""
        self.config.faults = faults
        self.fault_injector.configure(faults)

    def script_fault(self, method: str, fault: MethodFault | None) -> None:
        """Answer `method` with `fault` from now on, or lift it (None); the seeded
        faults and their sequence stay as they are."""
        self.fault_injector.script(method, fault)

    def set_rate_limits(self, limits: RateLimits | None) -> None:
        self.config.rate_limits = limits
        self._rate_enforcers.clear()

    # -- webhooks ------------------------------------------------------------------------

    def start_webhook(self, bot: BotState) -> None:
        worker = self._webhooks.get(bot.bot_id)
        if worker is None or worker._runner.done():
            self._webhooks[bot.bot_id] = WebhookWorker(self, bot)
        bot.notify()

    async def remove_webhook(self, bot: BotState) -> None:
        bot.webhook = None
        bot.notify()
        worker = self._webhooks.pop(bot.bot_id, None)
        if worker is not None:
            await worker.stop()

    # -- activity and settling -----------------------------------------------------------

    def activity_begin(self) -> None:
        self._busy += 1
        self._last_activity = time.monotonic()

    def activity_end(self) -> None:
        self._busy -= 1
        self._last_activity = time.monotonic()

    @property
    def requests_in_progress(self) -> int:
        """Bot requests being answered and webhook deliveries being made, right now."""
        return self._busy

    def _waiting_for(self, bot: BotState | None, update_ids: list[int], quiet: float) -> list[str]:
        reasons = []
        if bot is not None:
            for update_id in update_ids:
                if not bot.is_acknowledged(update_id):
                    how = (
                        f"its webhook POST to {bot.webhook.url} to succeed"
                        if bot.webhook
                        else "the bot to call getUpdates with an offset past it"
                    )
                    reasons.append(f"update {update_id} to be acknowledged ({how})")
        if self._busy:
            reasons.append(f"{self._busy} bot request(s) or webhook deliveries in flight")
        idle_for = time.monotonic() - self._last_activity
        if idle_for < quiet:
            reasons.append(f"{quiet}s without bot requests (last {idle_for:.3f}s ago)")
        return reasons

    async def settle(
        self,
        bot: BotState | None = None,
        update_ids: list[int] | None = None,
        timeout: float | None = None,
        quiet: float | None = None,
    ) -> None:
        """Wait until the updates were acknowledged and the bot has gone quiet."""
        timeout = self.config.settle_timeout if timeout is None else timeout
        quiet = self.config.settle_quiet if quiet is None else quiet
        deadline = time.monotonic() + timeout
        while True:
            reasons = self._waiting_for(bot, update_ids or [], quiet)
            if not reasons:
                return
            if time.monotonic() >= deadline:
                raise TimeoutError(
                    f"emulator: after {timeout}s still waiting for: " + "; ".join(reasons)
                )
            await asyncio.sleep(max(min(quiet / 4, 0.01), 0.002))

    async def wait_idle(self, timeout: float = 10.0, quiet: float = 0.05) -> None:
        """Wait until every update is acknowledged and no bot request arrived for `quiet`s."""
        pending = {bot.token: [u["update_id"] for u in bot.pending] for bot in self.bots.values()}
        for token, ids in pending.items():
            await self.settle(self.bots[token], ids, timeout, quiet)
        await self.settle(None, [], timeout, quiet)

    # -- simulated people ----------------------------------------------------------------

    def user(
        self,
        user_id: int,
        first_name: str = "User",
        language_code: str | None = "ru",
        username: str | None = None,
        last_name: str | None = None,
        token: str | None = None,
    ) -> SimulatedUser:
        """The simulated user with this id (created once; later calls return the same one)."""
        bot = self._bot(token)
        key = (bot.bot_id, user_id)
        if key not in self._users:
            self._users[key] = SimulatedUser(
                self, bot, user_id, first_name, language_code, username, last_name
            )
        return self._users[key]

    def group(self, chat_id: int, title: str = "Group", token: str | None = None) -> SimulatedGroup:
        bot = self._bot(token)
        key = (bot.bot_id, chat_id)
        if key not in self._groups:
            self._groups[key] = SimulatedGroup(bot, chat_id, title)
        return self._groups[key]

    def chat_messages(self, chat_id: int, token: str | None = None) -> list[VisibleMessage]:
        """Everything visible in a chat (both sides), edits applied, deletions removed."""
        chat = self._bot(token).chat(chat_id)
        return chat.visible() if chat else []

    async def send_update(
        self,
        update: dict[str, Any],
        token: str | None = None,
        wait: bool = True,
        timeout: float | None = None,
    ) -> dict[str, Any]:
        """Inject any raw update (numbered if it has no update_id); waits until settled."""
        bot = self._bot(token)
        pushed = bot.push_update(copy.deepcopy(update))
        if wait:
            await self.settle(bot, [pushed["update_id"]], timeout)
        return pushed

    def push_raw_updates(
        self, updates: list[dict[str, Any]], token: str | None = None
    ) -> list[dict[str, Any]]:
        """Queue raw updates of any shape at once, without waiting: a long poll
        answered next returns them in one batch, and a webhook gets one POST each.
        Each keeps its update_id, or is numbered; wait with `settle`."""
        bot = self._bot(token)
        for update in updates:
            _start_private_chat(bot, update)
        return [bot.push_update(copy.deepcopy(update)) for update in updates]


def _start_private_chat(bot: BotState, update: dict[str, Any]) -> None:
    """A person writing to the bot opens their chat with it, as on Telegram."""
    message = update.get("message")
    chat = message.get("chat") if isinstance(message, dict) else None
    if isinstance(chat, dict) and chat.get("type") == "private" and isinstance(chat.get("id"), int):
        bot.ensure_chat(copy.deepcopy(chat)).started = True
