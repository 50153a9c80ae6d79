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
import math
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

from core.clock import Clock
from core.i18n import Translator
from delivery.outbox import KIND_CATEGORY, Kind
from delivery.rate_limit import CURRENT_LANE, STILL_OURS, Lane, LeaseRanOut
from domain.deadlines import quiet_hours_defer
from domain.statuses import DeliveryStatus
from storage.repositories.deliveries import ClaimedDelivery, Recipient
from storage.store import Store

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


# Pipeline sizes (DeliveryEngine.batch_size, .concurrency): seconds of sending at
# the limiter's rate, and the ceilings whatever the rate.
BATCH_SECONDS = 0.25
IN_FLIGHT_SECONDS = 0.1
MAX_BATCH = 1000
MAX_CONCURRENCY = 200
# A claimed row is not sent with less than this share of its lease left.
LEASE_MARGIN = 0.25


@dataclass(frozen=True, slots=True)
class _Held:
    """A claimed row in hand: what to send, to whom, and until when it is ours."""

    delivery: ClaimedDelivery
    recipient: Recipient | None
    lease_until: datetime


@dataclass
class DeliveryEngine:
    bot: Bot
    session_factory: async_sessionmaker[AsyncSession]
    translator: Translator
    settings: Any  # core.settings.Settings
    clock: Clock
    rng: random.Random = field(default_factory=random.Random)
    token: str = field(default_factory=lambda: uuid.uuid4().hex)
    _stopping: bool = False
    _busy: asyncio.Lock = field(default_factory=asyncio.Lock)

    # -- the clock's entry points -------------------------------------------------------

    async def drain(self, budget_seconds: float = 30.0) -> DrainReport:
        """Send whatever is due until nothing is, or the budget is spent.

        A pipeline, not batch after batch: the next batch is claimed while the
        current one is being sent and outcomes are committed while sends go on,
        so the limiter always has a call waiting for its next slot and the rate
        does not dip to nothing between batches.
        """
        loop = asyncio.get_running_loop()
        async with self._busy:
            return await self._pump(loop.time() + budget_seconds)

    async def drain_once(self, ids: list[int] | None = None, lane: Lane = Lane.BULK) -> DrainReport:
        """Claim one batch of due rows (or the given ids, if due), send them, record outcomes."""
        async with self._busy:
            return await self._drain_batch(ids, lane)

    def begin_stopping(self) -> None:
        """Take no more rows; the sends under way finish and the rest are given back."""
        self._stopping = True

    async def stop(self) -> None:
        """Finish the sends under way and take no more (graceful shutdown)."""
        self._stopping = True
        async with self._busy:
            pass

    # -- sizes --------------------------------------------------------------------------

    def sending_rate(self) -> float:
        """The most outbox sends a second the limiter lets through."""
        settings = self.settings
        rate = settings.rate_global_per_second * (1 - settings.rate_interactive_reserve)
        if settings.allow_paid_broadcast:
            rate = max(rate, settings.rate_paid_per_second)
        return rate

    def batch_size(self) -> int:
        """Rows per claim: the setting, or a quarter second of sending if that is more,
        so a fast limiter does not make the database claim fifty rows at a time."""
        wanted = math.ceil(self.sending_rate() * BATCH_SECONDS)
        return min(MAX_BATCH, max(self.settings.delivery_batch_size, wanted))

    def concurrency(self) -> int:
        """Sends under way at once: the setting, or enough to cover a tenth of a second
        of round trips at the full rate (so the limiter never waits for a free hand)."""
        wanted = math.ceil(self.sending_rate() * IN_FLIGHT_SECONDS)
        return min(MAX_CONCURRENCY, max(self.settings.delivery_concurrency, wanted))

    # -- the pipeline -------------------------------------------------------------------

    async def _pump(self, deadline: float) -> DrainReport:
        """Claim (a batch ahead), send (`concurrency` at once) and record, all at once.

        Claimed rows wait in a queue of one batch; the claimer fetches the next
        batch as soon as there is room, so at most two batches and the sends under
        way are held at any moment, each under its lease. Outcomes are committed as
        they come, together with those that came while the last commit ran. The
        claims and the commits take turns on the database (SQLite has one writer).
        """
        loop = asyncio.get_running_loop()
        report = DrainReport()
        size, width = self.batch_size(), self.concurrency()
        queue: asyncio.Queue[_Held | None] = asyncio.Queue(maxsize=size)
        outcomes: list[tuple[ClaimedDelivery, Outcome]] = []
        unsent: list[ClaimedDelivery] = []
        arrived = asyncio.Event()
        database = asyncio.Lock()

        async def claimer() -> None:
            try:
                while not self._stopping and loop.time() < deadline:
                    async with database:
                        held = await self._claim(size)
                    report.claimed += len(held)
                    for each in held:
                        await queue.put(each)
                    if len(held) < size:
                        break  # nothing more is due now
            finally:
                for _ in range(width):
                    await queue.put(None)

        async def sender() -> None:
            CURRENT_LANE.set(Lane.BULK)  # this task's own context
            while (held := await queue.get()) is not None:
                # A row already short of lease is not even queued for a turn: it
                # would spend a slot of the limiter's (and of the shared budget's)
                # only to be refused by LastMomentCheck after the wait.
                if self._stopping or self._lease_running_out(held):
                    unsent.append(held.delivery)
                    continue
                outcome = await self._deliver_held(held)
                outcomes.append((held.delivery, outcome))
                report.add(outcome)
                arrived.set()

        sent_all = False

        async def senders() -> None:
            nonlocal sent_all
            try:
                await asyncio.gather(*(sender() for _ in range(width)))
            finally:
                sent_all = True
                arrived.set()

        async def recorder() -> None:
            while not sent_all:
                await arrived.wait()
                arrived.clear()
                while outcomes:
                    done = outcomes[:]
                    del outcomes[:]
                    async with database:
                        await self._record(done)

        tasks = [asyncio.ensure_future(job()) for job in (claimer, senders, recorder)]
        try:
            await asyncio.gather(*tasks)
        finally:
            for task in tasks:
                task.cancel()
            # Rows claimed but not sent (stopping, a short lease, a failure) are
            # due again at once, and after a failure the outcomes not recorded
            # yet are recorded: both settled now rather than when leases pass.
            while not queue.empty():
                held = queue.get_nowait()
                if held is not None:
                    unsent.append(held.delivery)
            try:
                if outcomes:
                    await self._record(outcomes)
                if unsent:
                    await self._give_back(unsent)
            except Exception:
                log.exception("outbox: settling %d claimed rows failed", len(unsent))
        return report

    def _lease_running_out(self, held: _Held) -> bool:
        """Too little of the lease left to send safely: after it another instance may
        claim the row, and the person would get it twice."""
        margin = timedelta(seconds=self.settings.delivery_lease_seconds * LEASE_MARGIN)
        return self.clock.now() >= held.lease_until - margin

    async def _claim(self, limit: int, ids: list[int] | None = None) -> list[_Held]:
        now = self.clock.now()
        lease_until = now + timedelta(seconds=self.settings.delivery_lease_seconds)
        async with self.session_factory() as session:
            repository = Store(session).deliveries
            batch = await repository.claim(
                now,
                limit=limit,
                token=self.token,
                lease_until=lease_until,
                urgent_only=self._quiet_now(now),
                ids=ids,
            )
            recipients = await repository.recipients({d.recipient for d in batch})
            await session.commit()
        return [_Held(d, recipients.get(d.recipient), lease_until) for d in batch]

    async def _give_back(self, deliveries: list[ClaimedDelivery]) -> None:
        """Rows claimed but not sent (stopping, or the lease ran short): due again now."""
        now = self.clock.now()
        async with self.session_factory() as session:
            repository = Store(session).deliveries
            for delivery in deliveries:
                await repository.give_back(delivery, now)
            await session.commit()

    # -- one batch ----------------------------------------------------------------------

    def _quiet_now(self, now: datetime) -> bool:
        start = parse_wall_time(self.settings.quiet_hours_start)
        end = parse_wall_time(self.settings.quiet_hours_end)
        return quiet_hours_defer(now, self.clock.zone, start, end) != now

    async def _drain_batch(self, ids: list[int] | None, lane: Lane) -> DrainReport:
        batch = await self._claim(self.settings.delivery_batch_size, ids)
        report = DrainReport(claimed=len(batch))
        if not batch:
            return report
        gate = asyncio.Semaphore(self.settings.delivery_concurrency)

        async def deliver(held: _Held) -> tuple[ClaimedDelivery, Outcome]:
            async with gate:
                CURRENT_LANE.set(lane)
                return held.delivery, await self._deliver_held(held)

        # Outcomes are committed as soon as they come, together with those that came
        # while the previous commit ran: a crash leaves unrecorded only the messages
        # Telegram answered during one commit (and any still on their way), and a
        # fast stream of answers is still committed in groups, not one by one.
        sending = {asyncio.ensure_future(deliver(each)) for each in batch}
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

    async def _deliver_held(self, held: _Held) -> Outcome:
        """Deliver a claimed row, checking at the last moment that it is still ours."""
        token = STILL_OURS.set(lambda: not self._lease_running_out(held))
        try:
            return await self._deliver(held.delivery, held.recipient)
        except LeaseRanOut:
            return Outcome(
                DeliveryStatus.PENDING,
                "the lease ran short while waiting for a turn",
                retry_in=0,
                counts_as_attempt=False,
            )
        finally:
            STILL_OURS.reset(token)

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
            store = Store(session)
            repository, people = store.deliveries, store.people
            newly_blocked: set[int] = set()
            await repository.mark_sent_many(
                [(d, o.message_id or 0) for d, o in done if o.status == DeliveryStatus.SENT], now
            )
            for delivery, outcome in done:
                if outcome.status == DeliveryStatus.SENT:
                    continue
                if outcome.status == DeliveryStatus.PENDING:
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
