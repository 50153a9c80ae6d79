"""The composition root: routers, dialogs, middlewares and storage are wired here only."""

from __future__ import annotations

from dataclasses import dataclass, field

from aiogram import Bot, Dispatcher, F, Router
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.dispatcher.middlewares.error import ErrorsMiddleware
from aiogram.enums import ChatType, ParseMode
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage, DefaultKeyBuilder
from aiogram.fsm.storage.memory import SimpleEventIsolation
from aiogram_dialog import setup_dialogs
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.commands import CommandMenus
from bot.dialogs import intent_ids
from bot.dialogs.application_form import application_form_dialog
from bot.dialogs.award_rounds import award_rounds_dialog
from bot.dialogs.awards import awards_dialog
from bot.dialogs.broadcast import broadcast_dialog
from bot.dialogs.competition import competition_dialog
from bot.dialogs.consent import consent_dialog
from bot.dialogs.directory import directory_dialog
from bot.dialogs.expert import expert_dialog
from bot.dialogs.filing import filing_dialog
from bot.dialogs.main_menu import main_menu_dialog
from bot.dialogs.message_manager import ScreenMessageManager
from bot.dialogs.my_applications import my_applications_dialog
from bot.dialogs.operator import operator_menu_dialog
from bot.dialogs.operator_topics import operator_topics_dialog
from bot.dialogs.organisation import organisation_dialog
from bot.dialogs.registration import registration_dialog
from bot.dialogs.roles import roles_dialog
from bot.dialogs.settings import settings_dialog
from bot.dialogs.staff import staff_dialog
from bot.dialogs.support import support_dialog
from bot.dialogs.topics import topics_dialog
from bot.handlers import (
    applications,
    awards,
    broadcast,
    console_desks,
    directory,
    errors,
    exports,
    fallback,
    filing,
    groups,
    language,
    leaving,
    membership,
    menu,
    organisation,
    privacy,
    revivals,
    staff,
    start,
    stats,
    support,
    topics,
)
from bot.handlers import (
    settings as settings_handlers,
)
from bot.inflight import InFlightUpdates
from bot.metrics import SendMetricsMiddleware, UpdateMetricsMiddleware
from bot.middlewares.database import DatabaseSessionMiddleware, RememberDialogStateReads
from bot.middlewares.deduplication import UpdateDeduplication
from bot.middlewares.flood import FloodControl
from bot.middlewares.invisible_endings import CutInvisibleEndings
from bot.middlewares.people import PersonMiddleware
from bot.middlewares.senderless import SkipSenderless
from core.clock import Clock
from core.i18n import Translator
from core.settings import TELEGRAM_API_URL, Settings
from delivery.flush import DeliveryFlushMiddleware
from delivery.rate_limit import (
    SENDING_METHODS,
    LastMomentCheck,
    RateLimiter,
    RateLimitMiddleware,
    RateLimits,
)
from storage.fsm import SqlStorage


@dataclass
class Wiring:
    dispatcher: Dispatcher
    menus: CommandMenus
    in_flight: InFlightUpdates = field(default_factory=InFlightUpdates)


def create_bot(settings: Settings) -> Bot:
    if settings.bot_token is None:
        raise ValueError("BOT_TOKEN is not set")
    session = None
    if settings.telegram_api_url != TELEGRAM_API_URL:
        session = AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_url))
    bot = Bot(
        settings.bot_token.get_secret_value(),
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )
    # Every API call, replies and outbox alike, passes the one flood control.
    bot.session.middleware(RateLimitMiddleware(RateLimiter(RateLimits.from_settings(settings))))
    if settings.redis_url:
        # N instances share the one global limit Telegram gives the bot.
        from redis.asyncio import Redis

        from bot.shared_budget import SharedGlobalBudget

        redis = Redis.from_url(settings.redis_url)
        limits = RateLimits.from_settings(settings)
        budget = SharedGlobalBudget(
            redis,
            limits.global_per_second,
            SENDING_METHODS,
            window_calls=limits.window_calls,
            window_seconds=limits.window_seconds,
        )
        bot.session.middleware(budget)
    # After every wait for a turn (the limiter's, Redis'): an outbox row whose lease
    # ran short meanwhile is given back, not sent twice.
    bot.session.middleware(LastMomentCheck())
    # Inside the limiter, so each attempt and each 429 is counted for /metrics.
    bot.session.middleware(SendMetricsMiddleware(SENDING_METHODS))
    return bot


def create_fsm_storage(
    settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> tuple[BaseStorage, BaseEventIsolation]:
    if settings.redis_url:
        from aiogram.fsm.storage.redis import RedisEventIsolation, RedisStorage

        # with_destiny keeps aiogram-dialog's stacks apart from plain FSM data;
        # the isolation needs the same key builder, as aiogram-dialog locks by destiny.
        key_builder = DefaultKeyBuilder(with_destiny=True)
        storage = RedisStorage.from_url(settings.redis_url, key_builder=key_builder)
        return storage, RedisEventIsolation(storage.redis, key_builder=key_builder)
    return SqlStorage(session_factory), SimpleEventIsolation()


def console_router() -> Router:
    """The operator, expert and admin console. Each command, dialog and use case
    checks the role itself: a hidden menu entry is not a permission."""
    router = Router(name="console")
    router.include_routers(
        console_desks.get_router(),
        exports.get_router(),
        stats.get_router(),
        broadcast.get_router(),
        operator_menu_dialog(),
        operator_topics_dialog(),
        competition_dialog(),
        expert_dialog(),
        roles_dialog(),
        award_rounds_dialog(),
        broadcast_dialog(),
    )
    return router


def private_chat_router() -> Router:
    """Everything a person does with the bot in a private chat."""
    router = Router(name="private")
    router.message.filter(F.chat.type == ChatType.PRIVATE)
    router.callback_query.filter(F.message.chat.type == ChatType.PRIVATE)
    router.include_routers(
        # Operators answer questions by replying, whatever dialog they have open.
        support.get_router(),
        # Invite deep links (/start join_...) are more specific than plain /start.
        staff.get_router(),
        revivals.get_router(),
        leaving.get_router(),
        start.get_router(),
        language.get_router(),
        menu.get_router(),
        privacy.get_router(),
        organisation.get_router(),
        filing.get_router(),
        directory.get_router(),
        topics.get_router(),
        applications.get_router(),
        membership.get_router(),
        settings_handlers.get_router(),
        awards.get_router(),
        # Commands before the dialogs: an open dialog takes every message.
        console_router(),
        main_menu_dialog(),
        consent_dialog(),
        registration_dialog(),
        organisation_dialog(),
        staff_dialog(),
        filing_dialog(),
        directory_dialog(),
        topics_dialog(),
        application_form_dialog(),
        my_applications_dialog(),
        settings_dialog(),
        awards_dialog(),
        support_dialog(),
        # Takes whatever the routers above did not, so it is included last.
        fallback.get_router(),
    )
    return router


def create_dispatcher(
    settings: Settings,
    translator: Translator,
    session_factory: async_sessionmaker[AsyncSession],
    storage: BaseStorage,
    events_isolation: BaseEventIsolation | None = None,
    clock: Clock | None = None,
) -> Wiring:
    # Handlers may ask for `settings`, `translator` and `clock` by name.
    dispatcher = Dispatcher(
        storage=storage,
        events_isolation=events_isolation,
        settings=settings,
        translator=translator,
        clock=clock or Clock(settings.timezone),
    )
    # Handlers refresh a person's command menu through `menus`, which retries what
    # the server refuses in the background until the bot stops.
    wiring = Wiring(dispatcher=dispatcher, menus=CommandMenus(translator))
    dispatcher["menus"] = wiring.menus
    if isinstance(storage, SqlStorage):
        # Around aiogram's FSM middleware (the last of its own outer middlewares),
        # so its read of the state is remembered with the rest of the update's.
        dispatcher.update.outer_middleware.unregister(dispatcher.fsm)
        dispatcher.update.outer_middleware(RememberDialogStateReads(storage))
        dispatcher.update.outer_middleware(dispatcher.fsm)

    # Outer update middlewares run once per update, in this order: handle its errors,
    # time it for /metrics, count it for graceful shutdown, drop a person's flood,
    # take it only once, open its one session, then know who is writing.
    # aiogram's own error middleware sits outside the per-person lock, so a failing
    # update's error handlers (which reset dialogs and save their stacks) could run
    # alongside that person's next update; this copy handles errors inside the lock.
    dispatcher.update.outer_middleware(ErrorsMiddleware(dispatcher))
    dispatcher.update.outer_middleware(UpdateMetricsMiddleware())
    dispatcher.update.outer_middleware(wiring.in_flight)
    dispatcher.update.outer_middleware(
        FloodControl(settings.flood_updates_per_minute, translator, settings.default_locale)
    )
    dispatcher.update.outer_middleware(
        UpdateDeduplication(
            session_factory, dispatcher["clock"], single_process=not settings.uses_webhook
        )
    )
    dispatcher.update.outer_middleware(DatabaseSessionMiddleware(session_factory))
    dispatcher.update.outer_middleware(PersonMiddleware(translator, settings.default_locale))
    # Innermost: once the handler committed, send the notices it queued.
    dispatcher.update.outer_middleware(
        DeliveryFlushMiddleware(session_factory, translator, settings, dispatcher["clock"])
    )

    dispatcher.include_routers(
        errors.get_router(translator, settings.default_locale),
        # The operators' group chat is the one group the bot listens to (support answers).
        support.get_operator_chat_router(settings.operator_chat_id),
        groups.get_router(),
        private_chat_router(),
    )
    intent_ids.install()
    # Before aiogram-dialog's own message middlewares: it would take a text's invisible
    # ending for a reply keyboard button's data, and it keys every dialog by the person,
    # whom a message with no sender (a channel's post, an anonymous administrator) lacks.
    for observer in (dispatcher.message, dispatcher.business_message):
        observer.outer_middleware(CutInvisibleEndings())
        observer.outer_middleware(SkipSenderless())
    # Toasts answer a query once; screens are cut to what Telegram takes.
    setup_dialogs(
        dispatcher,
        events_isolation=events_isolation,
        message_manager=ScreenMessageManager(),
    )
    dispatcher.shutdown.register(wiring.in_flight.drain)
    dispatcher.shutdown.register(wiring.menus.stop)
    return wiring
