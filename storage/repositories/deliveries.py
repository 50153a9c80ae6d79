"""The outbox: deliveries waiting, being sent and done; and who opted out of what."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, and_, bindparam, delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from domain.application_status import ApplicationStatus
from domain.statuses import DeliveryStatus, ReportStatus, TopicStatus
from storage.models import (
    ActivityReport,
    Application,
    Delivery,
    DeliveryOptOut,
    GrantTopic,
    Membership,
    Organisation,
    OrganisationArea,
    Person,
)
from storage.results import rows_affected

# Rows the sender has not taken yet (a paused broadcast's included).
WAITING_STATUSES = (DeliveryStatus.PENDING, DeliveryStatus.PAUSED)
# Where an erased person's rows point afterwards: no chat has id 0.
ERASED_RECIPIENT = 0
MENTIONS_ERASED = "names a person who erased their data"


@dataclass(frozen=True, slots=True)
class NewDelivery:
    recipient: int
    kind: str
    next_attempt_at: datetime
    text: str | None = None
    message_key: str | None = None
    params: str | None = None
    reply_markup: str | None = None
    photo_file_id: str | None = None
    document_file_id: str | None = None
    dedupe_key: str | None = None
    broadcast_id: int | None = None
    urgent: bool = False


@dataclass(frozen=True, slots=True)
class ClaimedDelivery:
    id: int
    recipient: int
    kind: str
    text: str | None
    message_key: str | None
    params: str | None
    reply_markup: str | None
    photo_file_id: str | None
    document_file_id: str | None
    broadcast_id: int | None
    urgent: bool
    attempts: int
    claim_token: str


@dataclass(frozen=True, slots=True)
class Recipient:
    """What the sender needs to know about a person before writing to them."""

    telegram_id: int
    locale: str | None
    blocked: bool
    opted_out: frozenset[str]


_CLAIMED_COLUMNS = (
    Delivery.id,
    Delivery.recipient,
    Delivery.kind,
    Delivery.text,
    Delivery.message_key,
    Delivery.params,
    Delivery.reply_markup,
    Delivery.photo_file_id,
    Delivery.document_file_id,
    Delivery.broadcast_id,
    Delivery.urgent,
    Delivery.attempts,
    Delivery.claim_token,
)


class DeliveryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def _insert(self) -> postgresql.Insert | sqlite.Insert:
        if self._session.get_bind().dialect.name == "postgresql":
            return postgresql.insert(Delivery)
        return sqlite.insert(Delivery)

    async def add(self, new: NewDelivery) -> int | None:
        """Queue one delivery; None when its dedupe key was planned before."""
        values = {field: getattr(new, field) for field in NewDelivery.__slots__}
        statement = (
            self._insert()
            .values(status=DeliveryStatus.PENDING, attempts=0, **values)
            .on_conflict_do_nothing(index_elements=[Delivery.dedupe_key])
            .returning(Delivery.id)
        )
        return await self._session.scalar(statement)

    async def add_many(self, rows: Iterable[NewDelivery]) -> int:
        """Queue many at once (a broadcast, a day's reminders); returns how many were new.

        One statement with the rows as its parameters: SQLAlchemy compiles it once and
        sends them as a few multi-row INSERTs (18,000 rows in about half a second;
        building one VALUES clause per 500 rows took ten times longer). A row whose
        dedupe key was queued before returns no id, so it is not counted.
        """
        values = [
            {
                "status": DeliveryStatus.PENDING,
                "attempts": 0,
                **{field: getattr(new, field) for field in NewDelivery.__slots__},
            }
            for new in rows
        ]
        if not values:
            return 0
        statement = (
            self._insert()
            .on_conflict_do_nothing(index_elements=[Delivery.dedupe_key])
            .returning(Delivery.id)
        )
        return len((await self._session.execute(statement, values)).all())

    async def claim(
        self,
        now: datetime,
        *,
        limit: int,
        token: str,
        lease_until: datetime,
        urgent_only: bool = False,
        ids: list[int] | None = None,
    ) -> list[ClaimedDelivery]:
        """Mark due rows "sending" under `token` and return them.

        Due means pending and past next_attempt_at, or "sending" past its lease
        (its process died). One UPDATE with a sub-select: on PostgreSQL the
        sub-select is FOR UPDATE SKIP LOCKED so two instances never take the
        same row; SQLite serialises writers, so the statement is atomic there.
        """
        due = or_(
            and_(
                Delivery.status == DeliveryStatus.PENDING,
                Delivery.next_attempt_at <= now,
            ),
            and_(Delivery.status == DeliveryStatus.SENDING, Delivery.lease_until < now),
        )
        chosen = select(Delivery.id).where(due)
        if urgent_only:
            chosen = chosen.where(Delivery.urgent.is_(True))
        if ids is not None:
            chosen = chosen.where(Delivery.id.in_(ids))
        chosen = (
            chosen.order_by(Delivery.urgent.desc(), Delivery.next_attempt_at, Delivery.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        statement = (
            update(Delivery)
            .where(Delivery.id.in_(chosen.scalar_subquery()))
            .values(
                status=DeliveryStatus.SENDING,
                claim_token=token,
                lease_until=lease_until,
                attempts=Delivery.attempts + 1,
            )
            .returning(*_CLAIMED_COLUMNS)
            .execution_options(synchronize_session=False)
        )
        rows = (await self._session.execute(statement)).all()
        return sorted((ClaimedDelivery(**row._mapping) for row in rows), key=lambda d: d.id)

    async def _finish(self, delivery: ClaimedDelivery, **values: Any) -> bool:
        """Record an outcome, only if we still hold the row (the lease may have passed)."""
        result = await self._session.execute(
            update(Delivery)
            .where(
                Delivery.id == delivery.id,
                Delivery.status == DeliveryStatus.SENDING,
                Delivery.claim_token == delivery.claim_token,
            )
            .values(claim_token=None, lease_until=None, **values)
            .execution_options(synchronize_session=False)
        )
        return bool(rows_affected(result))

    async def mark_sent_many(self, sent: list[tuple[ClaimedDelivery, int]], at: datetime) -> None:
        """mark_sent for many (delivery, message id) pairs in one executemany: a
        statement a row took the bot's CPU per message at a thousand a second from
        0.7 ms to 1.2 (bench.broadcast). A row is marked only while we hold it."""
        if not sent:
            return
        table = Delivery.__table__
        assert isinstance(table, Table)  # a mapped class's table, typed as any FromClause
        statement = (
            update(table)
            .where(
                table.c.id == bindparam("row_id"),
                table.c.status == DeliveryStatus.SENDING,
                table.c.claim_token == bindparam("token"),
            )
            .values(
                status=DeliveryStatus.SENT,
                sent_at=at,
                telegram_message_id=bindparam("message_id"),
                last_error=None,
                claim_token=None,
                lease_until=None,
            )
        )
        await self._session.execute(
            statement,
            [
                {"row_id": d.id, "token": d.claim_token, "message_id": message_id}
                for d, message_id in sent
            ],
        )

    async def mark_final(
        self, delivery: ClaimedDelivery, status: DeliveryStatus, reason: str
    ) -> bool:
        return await self._finish(delivery, status=status, last_error=reason[:1000])

    async def retry_at(self, delivery: ClaimedDelivery, when: datetime, reason: str) -> bool:
        return await self._finish(
            delivery,
            status=DeliveryStatus.PENDING,
            next_attempt_at=when,
            last_error=reason[:1000],
        )

    async def give_back(self, delivery: ClaimedDelivery, when: datetime) -> bool:
        """Not tried at all (quiet hours, a pause): pending again, the attempt not counted."""
        return await self._finish(
            delivery,
            status=DeliveryStatus.PENDING,
            next_attempt_at=when,
            attempts=Delivery.attempts - 1,
        )

    async def forget_recipient(self, telegram_id: int) -> int:
        """The person erased their data: rows not sent yet are cancelled and emptied, and
        no row names them any more (a broadcast's counts stay right). Returns how many
        were cancelled. A row being sent this moment is left to finish."""
        cancelled = await self._session.execute(
            update(Delivery)
            .where(Delivery.recipient == telegram_id, Delivery.status.in_(WAITING_STATUSES))
            .values(
                status=DeliveryStatus.CANCELLED,
                text=None,
                message_key=None,
                params=None,
                reply_markup=None,
                last_error="the recipient erased their data",
            )
            .execution_options(synchronize_session=False)
        )
        # What was sent to them goes too: a text quoting their own question is theirs.
        await self._session.execute(
            update(Delivery)
            .where(Delivery.recipient == telegram_id, Delivery.status != DeliveryStatus.SENDING)
            .values(
                recipient=ERASED_RECIPIENT,
                dedupe_key=None,
                text=None,
                message_key=None,
                params=None,
                reply_markup=None,
            )
            .execution_options(synchronize_session=False)
        )
        return rows_affected(cancelled)

    async def forget_subject(self, dedupe_prefix: str) -> int:
        """Someone a notice to another person is about (a join request names its sender)
        erased their data: the notices tagged with `dedupe_prefix` are emptied and no
        longer tagged, and those not sent yet are cancelled. Returns how many were
        cancelled. A row being sent this moment is left to finish."""
        about = and_(
            Delivery.dedupe_key.startswith(dedupe_prefix, autoescape=True),
            Delivery.status != DeliveryStatus.SENDING,
        )
        cancelled = await self._session.execute(
            update(Delivery)
            .where(about, Delivery.status.in_(WAITING_STATUSES))
            .values(status=DeliveryStatus.CANCELLED, last_error="the person erased their data")
            .execution_options(synchronize_session=False)
        )
        await self._session.execute(
            update(Delivery)
            .where(about)
            .values(text=None, message_key=None, params=None, reply_markup=None, dedupe_key=None)
            .execution_options(synchronize_session=False)
        )
        return rows_affected(cancelled)

    async def redact_mentions(self, needles: Iterable[str]) -> int:
        """Rows to others that name an erased person or quote what they typed (a join
        request told to an owner, a question shown to operators): emptied, and cancelled
        if not sent yet. Returns how many rows were emptied."""
        patterns = [Delivery.text.contains(n, autoescape=True) for n in needles] + [
            Delivery.params.contains(n, autoescape=True) for n in needles
        ]
        if not patterns:
            return 0
        mentioning = or_(*patterns)
        await self._session.execute(
            update(Delivery)
            .where(mentioning, Delivery.status.in_(WAITING_STATUSES))
            .values(status=DeliveryStatus.CANCELLED, last_error=MENTIONS_ERASED)
            .execution_options(synchronize_session=False)
        )
        emptied = await self._session.execute(
            update(Delivery)
            .where(mentioning)
            .values(text=None, message_key=None, params=None, reply_markup=None)
            .execution_options(synchronize_session=False)
        )
        return rows_affected(emptied)

    async def recipients(self, telegram_ids: set[int]) -> dict[int, Recipient]:
        if not telegram_ids:
            return {}
        people = (
            await self._session.execute(
                select(Person.id, Person.telegram_id, Person.locale, Person.blocked_bot_at).where(
                    Person.telegram_id.in_(telegram_ids)
                )
            )
        ).all()
        opt_outs: dict[int, set[str]] = {}
        person_ids = {row.id: row.telegram_id for row in people}
        if person_ids:
            rows = await self._session.execute(
                select(DeliveryOptOut.person_id, DeliveryOptOut.category).where(
                    DeliveryOptOut.person_id.in_(person_ids)
                )
            )
            for person_id, category in rows:
                opt_outs.setdefault(person_ids[person_id], set()).add(category)
        return {
            row.telegram_id: Recipient(
                telegram_id=row.telegram_id,
                locale=row.locale,
                blocked=row.blocked_bot_at is not None,
                opted_out=frozenset(opt_outs.get(row.telegram_id, ())),
            )
            for row in people
        }

    async def opted_out(self, person_id: int) -> frozenset[str]:
        rows = await self._session.scalars(
            select(DeliveryOptOut.category).where(DeliveryOptOut.person_id == person_id)
        )
        return frozenset(rows)

    async def set_opt_out(self, person_id: int, category: str, opted_out: bool) -> None:
        await self._session.execute(
            delete(DeliveryOptOut).where(
                DeliveryOptOut.person_id == person_id, DeliveryOptOut.category == category
            )
        )
        if opted_out:
            self._session.add(DeliveryOptOut(person_id=person_id, category=category))
            await self._session.flush()

    async def counts(self, broadcast_id: int | None = None) -> dict[str, int]:
        """Rows per status (of one broadcast, or of the whole outbox)."""
        statement = select(Delivery.status, func.count()).group_by(Delivery.status)
        if broadcast_id is not None:
            statement = statement.where(Delivery.broadcast_id == broadcast_id)
        return {str(status): count for status, count in await self._session.execute(statement)}

    async def next_broadcast_id(self) -> int:
        highest = await self._session.scalar(select(func.max(Delivery.broadcast_id)))
        return (highest or 0) + 1


@dataclass(frozen=True, slots=True)
class TopicBrief:
    id: int
    area: str
    titles: dict[str, str]
    opens_at: datetime
    closes_at: datetime


def _brief(topic: GrantTopic) -> TopicBrief:
    return TopicBrief(
        id=topic.id,
        area=topic.area,
        titles={"kk": topic.title_kk, "ru": topic.title_ru, "en": topic.title_en},
        opens_at=topic.opens_at,
        closes_at=topic.closes_at,
    )


class AudienceRepository:
    """Who a reminder or an alert is for; read-only queries for the planners."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def open_topics_closing_between(self, start: datetime, end: datetime) -> list[TopicBrief]:
        rows = await self._session.scalars(
            select(GrantTopic).where(
                GrantTopic.status == TopicStatus.OPEN,
                GrantTopic.closes_at > start,
                GrantTopic.closes_at <= end,
            )
        )
        return [_brief(topic) for topic in rows]

    async def topics_opened_since(self, since: datetime, now: datetime) -> list[TopicBrief]:
        rows = await self._session.scalars(
            select(GrantTopic).where(
                GrantTopic.status == TopicStatus.OPEN,
                GrantTopic.opens_at > since,
                GrantTopic.opens_at <= now,
            )
        )
        return [_brief(topic) for topic in rows]

    async def members_with_draft_on(self, topic_id: int) -> list[int]:
        """Telegram ids of the members of organisations with a draft on the topic."""
        rows = await self._session.scalars(
            select(Person.telegram_id)
            .distinct()
            .join(Membership, Membership.person_id == Person.id)
            .join(Application, Application.organisation_id == Membership.organisation_id)
            .where(Application.topic_id == topic_id, Application.status == ApplicationStatus.DRAFT)
        )
        return list(rows)

    async def new_topic_subscribers(self, area: str) -> list[int]:
        """People who asked for new topics: those in an organisation working in the
        area, and those in no organisation (they have no areas to narrow it by)."""
        in_area = (
            select(Membership.person_id)
            .join(OrganisationArea, OrganisationArea.organisation_id == Membership.organisation_id)
            .where(OrganisationArea.area == area)
        )
        in_any = select(Membership.person_id)
        rows = await self._session.scalars(
            select(Person.telegram_id).where(
                Person.notify_new_topics.is_(True),
                or_(Person.id.in_(in_area), Person.id.not_in(in_any)),
            )
        )
        return list(rows)

    async def members_not_filed(self, year: int) -> list[tuple[int, int]]:
        """(organisation id, telegram id) of members of organisations that existed in
        `year` and have not submitted their activity information on it."""
        filed = select(ActivityReport.organisation_id).where(
            ActivityReport.year == year, ActivityReport.status == ReportStatus.SUBMITTED
        )
        rows = await self._session.execute(
            select(Organisation.id, Person.telegram_id)
            .join(Membership, Membership.organisation_id == Organisation.id)
            .join(Person, Person.id == Membership.person_id)
            .where(Organisation.founded_year <= year, Organisation.id.not_in(filed))
        )
        return [(organisation_id, telegram_id) for organisation_id, telegram_id in rows]
