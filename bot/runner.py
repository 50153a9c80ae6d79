"""Starts the bot: checks the database, migrates, then polls or serves the webhook."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from urllib.parse import urlsplit

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware
from aiogram.exceptions import TelegramConflictError, TelegramUnauthorizedError
from aiogram.utils.token import TokenValidationError, validate_token
from aiogram.webhook.aiohttp_server import setup_application
from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.api_failures import API_FAILURES, describe, is_transient, retried_by_caller
from bot.app import Wiring, create_bot, create_dispatcher, create_fsm_storage
from bot.broadcast_progress import edit_progress
from bot.dead_letters import DeadLetterOffice, DeadLetterRequestHandler, ReadUpdatesOneByOne
from bot.health import Health
from bot.metrics import METRICS
from core.clock import Clock
from core.i18n import Translator
from core.settings import Settings
from delivery.sender import DeliveryEngine
from scheduler.clock import create_scheduler, stop_scheduler
from scheduler.jobs import register_delivery_jobs, register_jobs
from storage import migrate
from storage.engine import create_engine, create_session_factory

log = logging.getLogger(__name__)

DIALOG_STATE_MAX_AGE = timedelta(days=60)
# How long one getMe may take before it counts as no answer.
INTRODUCTION_TIMEOUT = 15


@dataclass(frozen=True)
class RunningBot:
    """What `serve` started, for the sandbox, which drives the clock's jobs itself."""

    wiring: Wiring
    scheduler: AsyncIOScheduler
    outbox: DeliveryEngine


class StartupError(Exception):
    """A problem the operator must fix; its text is one line naming what is wrong."""


def safe_database_url(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparsable URL>"


def check_token(settings: Settings) -> str:
    if settings.bot_token is None or not settings.bot_token.get_secret_value():
        raise StartupError(
            "BOT_TOKEN is not set: get a token from @BotFather, "
            "or try `ngo-bot sandbox`, which needs none"
        )
    token = settings.bot_token.get_secret_value()
    try:
        validate_token(token)
    except TokenValidationError:
        raise StartupError("BOT_TOKEN is not a valid token (expected 123456:ABC...)") from None
    return token


async def open_database(settings: Settings, *, apply_migrations: bool) -> AsyncEngine:
    where = safe_database_url(settings.database_url)
    try:
        engine = create_engine(settings.database_url)
    except (ArgumentError, ImportError, ValueError) as exc:
        raise StartupError(f"DATABASE_URL is not usable ({where}): {exc}") from None
    try:
        async with asyncio.timeout(15):
            up_to_date = await migrate.is_up_to_date(engine)
            if not up_to_date:
                if not apply_migrations:
                    raise StartupError(
                        f"the database at {where} needs migrations: run `ngo-bot migrate` first"
                    )
                log.info("applying database migrations", extra={"database": where})
                await migrate.upgrade(engine)
    except StartupError:
        await engine.dispose()
        raise
    except (OperationalError, DBAPIError, OSError, TimeoutError) as exc:
        await engine.dispose()
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0] or type(exc).__name__
        for secret in settings.secrets():
            reason = reason.replace(secret, "***")
        raise StartupError(f"DATABASE_URL: cannot open the database at {where}: {reason}") from None
    return engine


async def introduce_bot(bot: Bot, settings: Settings, attempts: int = 3) -> None:
    """Ask the server who we are, so a wrong token or address fails with one clear line,
    whatever the server answers (a proxy's HTML page, JSON it does not mean, nothing)."""
    where = settings.telegram_api_url
    for attempt in range(1, attempts + 1):
        try:
            with retried_by_caller():
                async with asyncio.timeout(INTRODUCTION_TIMEOUT):
                    me = await bot.me()
        except TelegramUnauthorizedError:
            raise StartupError(f"BOT_TOKEN was refused by the Bot API server at {where}") from None
        except API_FAILURES as failure:
            if attempt == attempts or not is_transient(failure):
                raise StartupError(
                    f"TELEGRAM_API_URL: no usable answer to getMe from the Bot API server "
                    f"at {where}: {describe(failure, settings.secrets())}"
                ) from None
            await asyncio.sleep(attempt)
        else:
            log.info("bot identified", extra={"username": me.username, "bot_id": me.id})
            return


async def staff_members(session_factory, settings: Settings) -> list[tuple[int, str, set[str]]]:
    """(telegram id, locale, roles) of everyone holding a role, ADMIN_IDS included, and
    of everyone who had a role revoked (no roles left: their staff menu must go)."""
    from bot.commands import menu_of
    from console.roles import former_holders
    from storage.models import Role
    from storage.store import Store

    async with session_factory() as session:
        store = Store(session)
        people = set(settings.admin_ids) | await former_holders(store)
        for role in Role:
            people.update(await store.people.all_telegram_ids_with_role(role))
        staff = []
        for telegram_id in sorted(people):
            person = await store.people.get(telegram_id)
            staff.append((telegram_id, *menu_of(person, telegram_id, settings)))
    return staff


def _stop_on_signals(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)


async def serve(
    settings: Settings,
    *,
    apply_migrations: bool = True,
    stop: asyncio.Event | None = None,
    ready: asyncio.Event | None = None,
    handle_signals: bool = True,
    clock: Clock | None = None,
    freeze_heap: bool = False,
    menus_tried: asyncio.Event | None = None,
    on_running: Callable[[RunningBot], None] | None = None,
) -> None:
    """Run until `stop` is set or SIGTERM/SIGINT arrives; in-flight updates finish first.

    `ready` is set once updates are taken; `menus_tried` once every command menu and
    description was tried once (published, or being retried in the background)."""
    check_token(settings)
    stop = stop or asyncio.Event()
    if handle_signals:
        _stop_on_signals(stop)
    translator = Translator()
    engine = await open_database(settings, apply_migrations=apply_migrations)
    session_factory = create_session_factory(engine)
    storage, isolation = create_fsm_storage(settings, session_factory)
    clock = clock or Clock(settings.timezone)
    wiring = create_dispatcher(settings, translator, session_factory, storage, isolation, clock)
    bot = create_bot(settings)
    scheduler = create_scheduler(settings.timezone)
    register_jobs(
        scheduler,
        session_factory,
        DIALOG_STATE_MAX_AGE,
        clock.now,
        dead_letter_retention=timedelta(days=settings.dead_letter_retention_days),
    )
    dead_letters = DeadLetterOffice(session_factory, translator, settings.default_locale)
    outbox = DeliveryEngine(bot, session_factory, translator, settings, clock)
    register_delivery_jobs(scheduler, outbox, clock.now, partial(edit_progress, bot))
    try:
        await introduce_bot(bot, settings)
        first_round = wiring.menus.publish_at_start_up(
            bot, settings.default_locale, await staff_members(session_factory, settings)
        )
        if menus_tried is not None:
            first_round.add_done_callback(lambda _: menus_tried.set())
        scheduler.start()
        if on_running is not None:
            on_running(RunningBot(wiring, scheduler, outbox))
        if freeze_heap:
            freeze_start_up_heap()
        if settings.uses_webhook:
            health = Health(engine, getattr(storage, "redis", None))
            await _serve_webhook(
                settings, wiring.dispatcher, bot, stop, ready, health, dead_letters
            )
        else:
            await _serve_polling(settings, wiring.dispatcher, bot, stop, ready, dead_letters)
    finally:
        await wiring.menus.stop()
        # The outbox stops taking batches first, so the clock's running drain
        # ends with the batch in hand; then the clock lets its running jobs finish.
        outbox.begin_stopping()
        await stop_scheduler(scheduler)
        await outbox.stop()
        await storage.close()
        await bot.session.close()
        await engine.dispose()
        log.info("stopped")


def freeze_start_up_heap() -> None:
    """Leave what start-up built out of every later garbage collection.

    The running bot holds about 200,000 objects made at start-up (the frameworks'
    modules, models and compiled SQL) that live as long as the process. Python's
    oldest-generation collection walks all of them, which here takes 60–150 ms,
    long enough to be most of the p99 latency of an update that arrives during one.
    `gc.freeze` moves them to a generation the collector never scans (as the gc
    documentation suggests for long-lived servers); garbage made later is
    collected as before. Only `ngo-bot run` does this: a test process that starts
    many bots would keep each one's cycles for good.
    """
    gc.collect()
    gc.freeze()


# A conflict this soon after we began polling, with no poll answered yet, means
# another instance was polling before us.
CONFLICT_GRACE_SECONDS = 3.0


class PollerConflictWatch(BaseRequestMiddleware):
    """Notices Telegram's "Conflict" on getUpdates, which aiogram would log and retry.

    When a newcomer polls, Telegram terminates the older poller's request; the
    older one retries after a second and terminates the newcomer's. So the
    instance that started first sees its conflict after polling for a while,
    and the newcomer sees its own before its first poll is answered, within
    seconds: that one leaves, and the first keeps serving.
    """

    def __init__(self) -> None:
        self.started = asyncio.get_running_loop().time()
        self.answered = False
        self.refused = asyncio.Event()
        self.reason = ""

    async def __call__(self, make_request, bot, method):
        if method.__api_method__ != "getUpdates":
            return await make_request(bot, method)
        try:
            response = await make_request(bot, method)
        except TelegramConflictError as conflict:
            since_start = asyncio.get_running_loop().time() - self.started
            if not self.answered and since_start < CONFLICT_GRACE_SECONDS:
                self.reason = conflict.message
                self.refused.set()
            else:
                log.warning("another poller appeared; it should leave on its own")
            raise
        self.answered = True
        return response


async def _serve_polling(
    settings, dispatcher, bot: Bot, stop, ready, dead_letters: DeadLetterOffice
) -> None:
    with contextlib.suppress(Exception):
        await bot.delete_webhook(drop_pending_updates=False)
    watch = PollerConflictWatch()
    bot.session.middleware(watch)
    # Innermost: each update of a getUpdates answer is read on its own.
    bot.session.middleware(ReadUpdatesOneByOne(dead_letters))
    polling = asyncio.create_task(
        dispatcher.start_polling(
            bot,
            allowed_updates=dispatcher.resolve_used_update_types(),
            handle_as_tasks=settings.concurrent_updates,
            handle_signals=False,
            close_bot_session=False,
        )
    )
    log.info("polling", extra={"api": settings.telegram_api_url})
    if ready is not None:
        ready.set()
    stopper = asyncio.create_task(stop.wait())
    conflict = asyncio.create_task(watch.refused.wait())
    done, _ = await asyncio.wait({polling, stopper, conflict}, return_when=asyncio.FIRST_COMPLETED)
    stopper.cancel()
    conflict.cancel()
    if polling not in done:
        await dispatcher.stop_polling()
        await polling
    else:
        polling.result()
    if watch.refused.is_set():
        raise StartupError(
            "another instance is already polling this bot "
            f"(Telegram: {watch.reason.removeprefix('Telegram server says - ')}); "
            "stop it, or run several instances with WEBHOOK_URL"
        )


def webhook_path(webhook_url: str) -> str:
    path = urlsplit(webhook_url).path
    return path if path and path != "/" else "/webhook"


def add_operations_routes(app: web.Application, health: Health) -> None:
    """/healthz for the load balancer (503 when the database or Redis is unreachable)
    and /metrics for Prometheus."""

    async def healthz(_request: web.Request) -> web.Response:
        healthy, checks = await health.report()
        return web.json_response(checks, status=200 if healthy else 503)

    async def metrics(_request: web.Request) -> web.Response:
        gauges: dict[str, tuple[str, float]] = {}
        depth = await health.outbox_depth()
        if depth is not None:
            gauges["ngo_bot_outbox_depth"] = ("Deliveries pending or being sent.", depth)
        return web.Response(text=METRICS.render(gauges), content_type="text/plain", charset="utf-8")

    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)


async def _serve_webhook(
    settings: Settings,
    dispatcher,
    bot: Bot,
    stop,
    ready,
    health: Health,
    dead_letters: DeadLetterOffice,
) -> None:
    webhook_url = settings.webhook_url
    if webhook_url is None:
        raise ValueError("a webhook needs NGO_BOT_WEBHOOK_URL")
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    app = web.Application()
    add_operations_routes(app, health)
    DeadLetterRequestHandler(
        dispatcher,
        bot,
        dead_letters,
        secret_token=secret,
        handle_in_background=settings.concurrent_updates,
    ).register(app, path=webhook_path(webhook_url))
    setup_application(app, dispatcher, bot=bot)
    runner = web.AppRunner(app, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, settings.listen_host, settings.listen_port)
    await site.start()
    await bot.set_webhook(
        webhook_url,
        secret_token=secret,
        allowed_updates=dispatcher.resolve_used_update_types(),
    )
    log.info("webhook listening", extra={"listen": settings.webhook_listen})
    if ready is not None:
        ready.set()
    try:
        await stop.wait()
    finally:
        await runner.cleanup()
