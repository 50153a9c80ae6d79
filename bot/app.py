"""The composition root: routers, dialogs, middlewares and storage are wired here only."""

from __future__ import annotations

from dataclasses import dataclass, field

from aiogram import Bot, Dispatcher, F, Router
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ChatType, ParseMode
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage, DefaultKeyBuilder
from aiogram.fsm.storage.memory import SimpleEventIsolation
from aiogram_dialog import setup_dialogs
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.dialogs.main_menu import main_menu_dialog
from bot.handlers import errors, fallback, groups, language, membership, menu, start
from bot.i18n import Translator
from bot.inflight import InFlightUpdates
from bot.middlewares.database import DatabaseSessionMiddleware
from bot.middlewares.people import PersonMiddleware
from bot.settings import TELEGRAM_API_URL, Settings
from storage.fsm import SqlStorage


@dataclass
class Wiring:
    dispatcher: Dispatcher
    in_flight: InFlightUpdates = field(default_factory=InFlightUpdates)


def create_bot(settings: Settings) -> Bot:
    if settings.bot_token is None:
        raise ValueError("BOT_TOKEN is not set")
    session = None
    if settings.telegram_api_url != TELEGRAM_API_URL:
        session = AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_url))
    return Bot(
        settings.bot_token.get_secret_value(),
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )


def create_fsm_storage(
    settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> tuple[BaseStorage, BaseEventIsolation]:
    if settings.redis_url:
        from aiogram.fsm.storage.redis import RedisEventIsolation, RedisStorage

        # with_destiny keeps aiogram-dialog's stacks apart from plain FSM data.
        storage = RedisStorage.from_url(
            settings.redis_url, key_builder=DefaultKeyBuilder(with_destiny=True)
        )
        return storage, RedisEventIsolation(storage.redis)
    return SqlStorage(session_factory), SimpleEventIsolation()


def private_chat_router() -> Router:
    """Everything a person does with the bot in a private chat."""
    router = Router(name="private")
    router.message.filter(F.chat.type == ChatType.PRIVATE)
    router.callback_query.filter(F.message.chat.type == ChatType.PRIVATE)
    router.include_routers(
        start.get_router(),
        language.get_router(),
        menu.get_router(),
        membership.get_router(),
        main_menu_dialog(),
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
) -> Wiring:
    dispatcher = Dispatcher(storage=storage, events_isolation=events_isolation)
    wiring = Wiring(dispatcher=dispatcher)

    # Outer update middlewares run once per update, in this order: count it for
    # graceful shutdown, open its one session, then know who is writing.
    dispatcher.update.outer_middleware(wiring.in_flight)
    dispatcher.update.outer_middleware(DatabaseSessionMiddleware(session_factory))
    dispatcher.update.outer_middleware(PersonMiddleware(translator, settings.default_locale))

    dispatcher.include_routers(
        errors.get_router(translator, settings.default_locale),
        groups.get_router(),
        private_chat_router(),
    )
    setup_dialogs(dispatcher, events_isolation=events_isolation)
    dispatcher.shutdown.register(wiring.in_flight.drain)
    return wiring
