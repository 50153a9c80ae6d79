"""Claims due deliveries and sends them: the one way out for everything not a reply.

Guarantee: at least once, with a bounded duplicate window. A row is claimed
("sending", with a lease) and committed before its request goes out; its
outcome is committed as soon as Telegram answers. If the process dies in
between, the row stays "sending" until the lease passes and is then sent
again. So after a crash only the messages Telegram answered in the last
moment before it (during one commit) can reach a person twice; no row is
ever lost.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from aiogram import Bot
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import InlineKeyboardMarkup
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.i18n import Translator
from delivery.outbox import KIND_CATEGORY, Kind
from delivery.rate_limit import CURRENT_LANE, Lane
from domain.deadlines import quiet_hours_defer
from storage.models import DeliveryStatus
from storage.repositories.deliveries import ClaimedDelivery, DeliveryRepository, Recipient
from storage.repositories.people import PeopleRepository

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    status: DeliveryStatus
    reason: str = ""
    message_id: int | None = None
    retry_in: float | None = None  # seconds; with status PENDING
    counts_as_attempt: bool = True
    blocks_person: bool = False  # a 403 just now: mark the person


@dataclass
class DrainReport:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    blocked: int = 0
    cancelled: int = 0

    def add(self, outcome: Outcome) -> None:
        name = {
            DeliveryStatus.SENT: "sent",
            DeliveryStatus.PENDING: "retried",
            DeliveryStatus.FAILED: "failed",
            DeliveryStatus.BLOCKED: "blocked",
            DeliveryStatus.CANCELLED: "cancelled",
        }[outcome.status]
        setattr(self, name, getattr(self, name) + 1)


def parse_wall_time(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def render_params(params: dict[str, Any], locale: str, translator: Translator) -> dict[str, Any]:
    rendered = {}
    for name, value in params.items():
        if isinstance(value, dict) and "label" in value:
            value = translator.get(value["label"], locale, escape=False)
        elif isinstance(value, dict):
            value = next((value[code] for code in (locale, "ru", "en", "kk") if code in value), "")
        rendered[name] = value
    return rendered


@dataclass
class DeliveryEngine:
    bot: Bot
    session_factory: async_sessionmaker[AsyncSession]
    translator: Translator
    settings: Any  # bot.settings.Settings
    clock: Clock
    rng: random.Random = field(default_factory=random.Random)
    token: str = field(default_factory=lambda: uuid.uuid4().hex)
    _stopping: bool = False
    _busy: asyncio.Lock = field(default_factory=asyncio.Lock)

    # -- the clock's entry points -------------------------------------------------------

    async def drain(self, budget_seconds: float = 30.0) -> DrainReport:
        """Send batch after batch until nothing is due, or the budget is spent."""
        total = DrainReport()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + budget_seconds
        while not self._stopping and loop.time() < deadline:
            report = await self.drain_once()
            for name in vars(total):
                setattr(total, name, getattr(total, name) + getattr(report, name))
            if report.claimed == 0:
                break
        return total

    async def drain_once(self, ids: list[int] | None = None, lane: Lane = Lane.BULK) -> DrainReport:
        """Claim one batch of due rows (or the given ids, if due), send them, record outcomes."""
        async with self._busy:
            return await self._drain_batch(ids, lane)

    def begin_stopping(self) -> None:
        """Take no more batches; the one in hand finishes."""
        self._stopping = True

    async def stop(self) -> None:
        """Finish the batch in hand and take no more (graceful shutdown)."""
        self._stopping = True
        async with self._busy:
            pass

    # -- one batch ----------------------------------------------------------------------

    def _quiet_now(self, now: datetime) -> bool:
        start = parse_wall_time(self.settings.quiet_hours_start)
        end = parse_wall_time(self.settings.quiet_hours_end)
        return quiet_hours_defer(now, self.clock.zone, start, end) != now

    async def _drain_batch(self, ids: list[int] | None, lane: Lane) -> DrainReport:
        now = self.clock.now()
        lease = timedelta(seconds=self.settings.delivery_lease_seconds)
        async with self.session_factory() as session:
            repository = DeliveryRepository(session)
            batch = await repository.claim(
                now,
                limit=self.settings.delivery_batch_size,
                token=self.token,
                lease_until=now + lease,
                urgent_only=self._quiet_now(now),
                ids=ids,
            )
            recipients = await repository.recipients({d.recipient for d in batch})
            await session.commit()
        report = DrainReport(claimed=len(batch))
        if not batch:
            return report
        gate = asyncio.Semaphore(self.settings.delivery_concurrency)

        async def deliver(delivery: ClaimedDelivery) -> tuple[ClaimedDelivery, Outcome]:
            async with gate:
                CURRENT_LANE.set(lane)
                return delivery, await self._deliver(delivery, recipients.get(delivery.recipient))

        # Outcomes are committed as soon as they come, together with those that came
        # while the previous commit ran: a crash leaves unrecorded only the messages
        # Telegram answered during one commit (and any still on their way), and a
        # fast stream of answers is still committed in groups, not one by one.
        sending = {asyncio.ensure_future(deliver(d)) for d in batch}
        try:
            while sending:
                finished, sending = await asyncio.wait(sending, return_when=asyncio.FIRST_COMPLETED)
                done = [task.result() for task in finished]
                await self._record(done)
                self._count(report, done)
        finally:
            for task in sending:
                task.cancel()
        return report

    @staticmethod
    def _count(report: DrainReport, done: list[tuple[ClaimedDelivery, Outcome]]) -> None:
        for _delivery, outcome in done:
            report.add(outcome)

    async def _deliver(self, delivery: ClaimedDelivery, recipient: Recipient | None) -> Outcome:
        if recipient is not None and recipient.blocked:
            return Outcome(DeliveryStatus.BLOCKED, "the person has blocked the bot")
        category = KIND_CATEGORY.get(delivery.kind)
        if recipient is not None and category in recipient.opted_out:
            return Outcome(DeliveryStatus.CANCELLED, f"opted out of {category}")
        try:
            message_id = await self._send(delivery, recipient)
        except TelegramForbiddenError as error:
            return Outcome(DeliveryStatus.BLOCKED, error.message, blocks_person=True)
        except TelegramRetryAfter as error:
            # The limiter already paused and retried; try the row again later, uncounted.
            return Outcome(
                DeliveryStatus.PENDING,
                error.message,
                retry_in=error.retry_after,
                counts_as_attempt=False,
            )
        except (TelegramServerError, TelegramNetworkError, ClientDecodeError) as error:
            first_line = (str(error).splitlines() or [""])[0]
            return self._retry_or_fail(delivery, f"{type(error).__name__}: {first_line}")
        except TelegramBadRequest as error:
            return Outcome(DeliveryStatus.FAILED, error.message)
        except TelegramAPIError as error:
            return Outcome(DeliveryStatus.FAILED, f"{type(error).__name__}: {error.message}")
        return Outcome(DeliveryStatus.SENT, message_id=message_id)

    def _retry_or_fail(self, delivery: ClaimedDelivery, reason: str) -> Outcome:
        if delivery.attempts >= self.settings.delivery_max_attempts:
            return Outcome(
                DeliveryStatus.FAILED, f"gave up after {delivery.attempts} attempts: {reason}"
            )
        return Outcome(DeliveryStatus.PENDING, reason, retry_in=self.backoff(delivery.attempts))

    def backoff(self, attempts: int) -> float:
        """Capped exponential backoff with jitter: half the step fixed, half random."""
        step = min(
            self.settings.delivery_retry_max_seconds,
            self.settings.delivery_retry_base_seconds * 2 ** max(attempts - 1, 0),
        )
        return step / 2 + self.rng.uniform(0, step / 2)

    def _render(self, delivery: ClaimedDelivery, recipient: Recipient | None) -> str:
        if delivery.text is not None:
            return delivery.text
        locale = (recipient.locale if recipient else None) or self.settings.default_locale
        params = render_params(json.loads(delivery.params or "{}"), locale, self.translator)
        return self.translator.get(delivery.message_key or "", locale, **params)

    async def _send(self, delivery: ClaimedDelivery, recipient: Recipient | None) -> int:
        text = self._render(delivery, recipient)
        markup = (
            InlineKeyboardMarkup.model_validate_json(delivery.reply_markup)
            if delivery.reply_markup
            else None
        )
        extra: dict[str, Any] = {}
        if delivery.kind == Kind.BROADCAST and self.settings.allow_paid_broadcast:
            extra["allow_paid_broadcast"] = True
        chat_id = delivery.recipient
        if delivery.photo_file_id:
            message = await self.bot.send_photo(
                chat_id, delivery.photo_file_id, caption=text, reply_markup=markup, **extra
            )
        elif delivery.document_file_id:
            message = await self.bot.send_document(
                chat_id, delivery.document_file_id, caption=text, reply_markup=markup, **extra
            )
        else:
            message = await self.bot.send_message(chat_id, text, reply_markup=markup, **extra)
        return message.message_id

    async def _record(self, done: list[tuple[ClaimedDelivery, Outcome]]) -> None:
        now = self.clock.now()
        async with self.session_factory() as session:
            repository = DeliveryRepository(session)
            people = PeopleRepository(session)
            newly_blocked: set[int] = set()
            for delivery, outcome in done:
                if outcome.status == DeliveryStatus.SENT:
                    await repository.mark_sent(delivery, now, outcome.message_id or 0)
                elif outcome.status == DeliveryStatus.PENDING:
                    when = now + timedelta(seconds=outcome.retry_in or 0)
                    if outcome.counts_as_attempt:
                        await repository.retry_at(delivery, when, outcome.reason)
                    else:
                        await repository.give_back(delivery, when)
                else:
                    await repository.mark_final(delivery, outcome.status, outcome.reason)
                    if outcome.blocks_person:
                        newly_blocked.add(delivery.recipient)
                if outcome.status in (DeliveryStatus.FAILED, DeliveryStatus.PENDING):
                    log.warning(
                        "delivery %s to %s: %s",
                        delivery.id,
                        delivery.recipient,
                        outcome.reason,
                        extra={"kind": delivery.kind, "attempts": delivery.attempts},
                    )
            for telegram_id in newly_blocked:
                # A 403: nothing more goes to them until they write again.
                await people.mark_blocked(telegram_id, blocked=True)
            await session.commit()


async def drain_once(
    bot: Bot,
    session_factory: async_sessionmaker[AsyncSession],
    translator: Translator,
    settings: Any,
    clock: Clock,
    *,
    rng: random.Random | None = None,
) -> DrainReport:
    """One claim-and-send round without a scheduler (tests, scripts)."""
    engine = DeliveryEngine(
        bot, session_factory, translator, settings, clock, rng=rng or random.Random()
    )
    return await engine.drain_once()
