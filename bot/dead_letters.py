"""Updates are read one at a time, so one the bot cannot read stops nobody else.

aiogram reads a whole getUpdates answer as `list[Update]`: one update its models
reject (Telegram has sent a hidden-user forward without `sender_user_name`, a
reply to a story `{}`) fails the batch, the offset never moves, and nobody is
answered again, restart or not. Behind a webhook the same update got a 500 on
every retry. Here each update is read on its own; one that fails is a dead
letter: kept redacted (storage.models.DeadLetter), counted on /metrics, logged
once, acknowledged like any other, and its sender asked to send it again.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.session.middlewares.base import BaseRequestMiddleware
from aiogram.methods import GetUpdates
from aiogram.types import Update
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.metrics import METRICS, Metrics
from core.i18n import Translator
from core.locale_codes import choose_locale
from domain.dead_letters import (
    Sender,
    error_text,
    private_sender,
    redact,
    update_id_of,
    update_kind,
)
from storage.store import Store
from storage.types import utcnow

log = logging.getLogger(__name__)

# The sender's "please send it again" may wait for the rate limiter, never for long.
TELL_TIMEOUT_SECONDS = 10.0


class DeadLetterOffice:
    """Reads raw updates; sets aside the ones aiogram's models reject."""

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        translator: Translator,
        default_locale: str,
        metrics: Metrics = METRICS,
    ) -> None:
        self._sessions = session_factory
        self._translator = translator
        self._default_locale = default_locale
        self._metrics = metrics

    async def read(self, bot: Bot, raw: Any) -> Update | None:
        """The update, or None once it has been set aside as a dead letter."""
        try:
            return Update.model_validate(raw, context={"bot": bot})
        except ValidationError as invalid:
            errors = invalid.errors(include_url=False, include_context=False, include_input=False)
            reason = error_text(errors)
        except Exception as failure:  # a validator raising something else: the same verdict
            reason = f"{type(failure).__name__} while reading the update"
        await self.set_aside(bot, raw, reason)
        return None

    async def set_aside(self, bot: Bot, raw: Any, reason: str) -> None:
        """Record, count, log and answer an unreadable update; never raises."""
        update_id, kind, sender = update_id_of(raw), update_kind(raw), private_sender(raw)
        first_time, saved_locale = await self._record(bot, raw, sender, reason)
        if not first_time:
            return  # a copy Telegram sent again: recorded, counted and answered already
        self._metrics.dead_letters.inc(type=kind)
        log.warning(
            "update %s could not be read; set aside as a dead letter",
            update_id,
            extra={"update_id": update_id, "event_type": kind, "reason": reason},
        )
        if sender is not None:
            await self._ask_to_send_again(bot, sender, saved_locale, update_id)

    async def _record(
        self, bot: Bot, raw: Any, sender: Sender | None, reason: str
    ) -> tuple[bool, str | None]:
        """(whether it is new, the sender's saved locale). Without a database it is
        still acknowledged: keeping the update waiting would stop everyone again."""
        update_id = update_id_of(raw)
        try:
            async with self._sessions() as session:
                store = Store(session)
                first_time = await store.dead_letters.record(
                    bot_id=bot.id,
                    update_id=update_id,
                    kind=update_kind(raw),
                    error=reason,
                    payload=json.dumps(redact(raw), ensure_ascii=False),
                    received_at=utcnow(),
                )
                person = await store.people.get(sender.chat_id) if sender else None
                await store.commit()
        except Exception:
            log.warning(
                "could not record dead letter %s", update_id, extra={"update_id": update_id}
            )
            return True, None
        return first_time, person.locale if person is not None else None

    async def _ask_to_send_again(
        self, bot: Bot, sender: Sender, saved_locale: str | None, update_id: int | None
    ) -> None:
        locale = choose_locale(saved_locale, sender.language_code, self._default_locale)
        text = self._translator.for_locale(locale)("dead_letters.send_again")
        try:
            async with asyncio.timeout(TELL_TIMEOUT_SECONDS):
                await bot.send_message(sender.chat_id, text)
        except Exception:  # blocked, rate limited, gone: the dead letter is kept anyway
            log.info("could not ask the sender of dead letter %s to send it again", update_id)


class RawGetUpdates(GetUpdates):
    """getUpdates whose answer is left as JSON, to be read one update at a time."""

    __returning__ = list[Any]


class ReadUpdatesOneByOne(BaseRequestMiddleware):
    """Client-session middleware: asks for getUpdates as raw JSON and reads each
    update itself, handing aiogram's polling loop only the readable ones.

    aiogram moves the offset past each update it is given; one set aside here,
    last in its batch, would be fetched again. So the next getUpdates is sent
    with an offset past the whole previous batch, as Telegram intends.
    """

    def __init__(self, office: DeadLetterOffice) -> None:
        self.office = office
        self.confirm_below: int | None = None

    async def __call__(self, make_request, bot, method):
        if not isinstance(method, GetUpdates):
            return await make_request(bot, method)
        if self.confirm_below is not None and (method.offset or 0) < self.confirm_below:
            method.offset = self.confirm_below
        raw_updates = await make_request(bot, RawGetUpdates(**method.model_dump()))
        updates = []
        for raw in raw_updates:
            update = await self.office.read(bot, raw)
            if update is not None:
                updates.append(update)
        ids = [update_id for raw in raw_updates if (update_id := update_id_of(raw)) is not None]
        if ids:
            self.confirm_below = max(ids) + 1
        return updates


class DeadLetterRequestHandler(SimpleRequestHandler):
    """aiogram's webhook handler, answering 200 to an update it cannot read
    instead of a 500 Telegram would retry for a day."""

    def __init__(
        self, dispatcher: Dispatcher, bot: Bot, office: DeadLetterOffice, **kwargs: Any
    ) -> None:
        super().__init__(dispatcher, bot, **kwargs)
        self.office = office

    async def handle(self, request: web.Request) -> web.Response:
        bot = await self.resolve_bot(request)
        if not self.verify_secret(request.headers.get("X-Telegram-Bot-Api-Secret-Token", ""), bot):
            # Not from Telegram: nothing to keep.
            return web.Response(body="Unauthorized", status=401)
        try:
            raw = await request.json(loads=bot.session.json_loads)
        except ValueError:
            await self.office.set_aside(bot, None, "the request body is not JSON")
            return web.json_response({})
        if await self.office.read(bot, raw) is None:
            return web.json_response({})
        # aiogram reads the body again (aiohttp keeps it): reading a readable
        # update twice costs microseconds, copying aiogram's answer-writing more.
        return await super().handle(request)
