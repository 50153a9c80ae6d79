"""What the fault, crash and random-update suites share: a world written to the
database, journeys through the bot's screens, a watch on who got an answer, and
the invariants read back from the database at the end.

Every helper works on SQLite and PostgreSQL alike (SQLAlchemy, never sqlite3).
"""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from domain.application_status import TRANSITIONS, ApplicationStatus
from domain.errors import RuleViolation
from domain.grants import GrantType, check_budget, check_duration, check_institutional
from emulator import ButtonNotFound, Emulator, SimulatedUser
from grants import applications
from storage.models import (
    ActivityReport,
    Application,
    ApplicationEvent,
    Delivery,
    GrantTopic,
    MemberRole,
    Organisation,
    Role,
)
from storage.store import Store
from tests import seeding, services
from tests.conftest import TEST_BACKEND
from tests.console.world import in_database
from tests.e2e.journeys import label, open_menu

__all__ = ["in_database"]

# A Tuesday morning in filing season: the 2025 information is being filed (due
# 31 March 2026), applicants need their 2024 filing, and it is not quiet hours.
NOW = datetime(2026, 2, 10, 11, 0, tzinfo=seeding.ZONE)
PERCENT = seeding.POLICY.institutional_percent
POLICY = seeding.POLICY
TOPIC = seeding.TOPIC
OTHER_TOPIC = "children-and-youth"
ANSWERS = seeding.APPLICATION_ANSWERS
# Methods whose success in a person's chat is an answer to them.
ANSWER_METHODS = frozenset(
    {
        "sendMessage",
        "editMessageText",
        "editMessageReplyMarkup",
        "editMessageCaption",
        "sendDocument",
        "sendPhoto",
        "copyMessage",
    }
)
_bins = itertools.count(1)
_databases = itertools.count(1)


def new_bin() -> str:
    """A unique 12-digit registration number for seeded organisations (not checked)."""
    return f"55{os.getpid() % 10_000:04d}{next(_bins):06d}"


# -- databases ---------------------------------------------------------------------------


@contextmanager
def fresh_database(migrated_template: str, directory: Path) -> Iterator[str]:
    """One more migrated database, on whichever backend the suite runs on."""
    if TEST_BACKEND == "postgres":
        name = f"ngo_rel_{os.getpid()}_{next(_databases)}"
        services.postgres_execute(f"CREATE DATABASE {name} TEMPLATE {migrated_template}")
        try:
            yield services.postgres_url(name)
        finally:
            services.postgres_execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        return
    path = directory / f"extra-{next(_databases)}.db"
    shutil.copyfile(migrated_template, path)
    yield f"sqlite+aiosqlite:///{path}"


# -- seeding -----------------------------------------------------------------------------


async def seed_applicant(
    store: Store,
    telegram_id: int,
    *,
    locale: str,
    name: str,
    region: str = "almaty",
    now: datetime = NOW,
) -> int:
    """An organisation that filed its information on time, the person its owner."""
    seeded = await seeding.organisation(
        store, telegram_id, now, bin_=new_bin(), name=name, region=region, owner_locale=locale
    )
    return seeded.organisation_id


async def seed_unfiled(store: Store, telegram_id: int, *, locale: str, name: str) -> int:
    seeded = await seeding.organisation(
        store, telegram_id, NOW, bin_=new_bin(), name=name, filed=False, owner_locale=locale
    )
    return seeded.organisation_id


async def seed_application(
    store: Store,
    telegram_id: int,
    organisation_id: int,
    topic_code: str,
    *,
    submit: bool,
    now: datetime = NOW,
    **answers: Any,
) -> int:
    """A draft with these answers (ANSWERS by default), submitted if asked."""
    person = await store.people.get(telegram_id)
    topic = await store.topics.by_code(topic_code)
    draft = await applications.start(store, person, organisation_id, topic.id, now, POLICY)
    await applications.save(store, person, draft, now, POLICY, **{**ANSWERS, **answers})
    if submit:
        await applications.submit(store, person, draft, now, POLICY)
    return draft


async def seed_staff(store: Store, telegram_id: int, role: Role, name: str, locale: str) -> None:
    await seeding.person(store, telegram_id, locale=locale, name=name)
    await store.people.grant_role(telegram_id, role, granted_by=None)


async def add_member(store: Store, organisation_id: int, telegram_id: int, locale: str) -> None:
    person = await seeding.person(store, telegram_id, locale=locale, name="Member")
    await store.memberships.add(organisation_id, person.id, MemberRole.MEMBER)


# -- who got an answer -------------------------------------------------------------------


def answers_in(emulator: Emulator, chat_id: int, query_id: str | None = None) -> int:
    """Successful calls that showed this person something (or answered their press)."""
    chat = str(chat_id)
    count = 0
    for call in emulator.calls:
        if not call.ok:
            continue
        shown = call.method in ANSWER_METHODS and str(call.params.get("chat_id")) == chat
        answered = (
            query_id is not None
            and call.method == "answerCallbackQuery"
            and str(call.params.get("callback_query_id")) == query_id
        )
        count += shown or answered
    return count


@dataclass
class Watched:
    """A simulated person whose every update is checked for an answer.

    Journeys written for SimulatedUser take it unchanged. An update after which
    nothing at all reached the person (no message, no edit, no answered press)
    is recorded in `unanswered`. An update sent without waiting is checked after
    the person's next update that waits: a press by its own answered query.
    """

    user: SimulatedUser
    updates: int = 0
    unanswered: list[str] = field(default_factory=list)
    _later: list[tuple[str, int, str | None]] = field(default_factory=list)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.user, name)

    async def _watch(self, what: str, action, wait: bool = True) -> Any:
        emulator = self.user.emulator
        before = answers_in(emulator, self.user.user_id)
        pushed = await action
        if pushed is None:  # a URL button: no update
            return None
        self.updates += 1
        query = pushed.get("callback_query", {}).get("id")
        if not wait:
            self._later.append((what, before, query))
            return pushed
        if answers_in(emulator, self.user.user_id, query) - before <= 0:
            self.unanswered.append(what)
        for earlier, earlier_before, earlier_query in self._later:
            if earlier_query is not None:
                answered = answers_in(emulator, -1, earlier_query) > 0
            else:
                answered = answers_in(emulator, self.user.user_id) > earlier_before
            if not answered:
                self.unanswered.append(earlier)
        self._later.clear()
        return pushed

    async def send(self, text: str, **kwargs) -> Any:
        wait = kwargs.get("wait", True)
        return await self._watch(f"send {text!r}", self.user.send(text, **kwargs), wait)

    async def press(self, text: str, **kwargs) -> Any:
        wait = kwargs.get("wait", True)
        return await self._watch(f"press {text!r}", self.user.press(text, **kwargs), wait)

    async def send_document(self, **kwargs) -> Any:
        return await self._watch("document", self.user.send_document(**kwargs))

    async def send_photo(self, **kwargs) -> Any:
        return await self._watch("photo", self.user.send_photo(**kwargs))

    async def send_sticker(self, **kwargs) -> Any:
        return await self._watch("sticker", self.user.send_sticker(**kwargs))


def buttons(user: SimulatedUser | Watched) -> list[str]:
    message = next((m for m in reversed(user.messages()) if m.buttons), None)
    return [] if message is None else [b.text for row in message.buttons for b in row]


async def press_containing(user: SimulatedUser | Watched, part: str) -> None:
    """Press the one button whose text contains `part` (counts and statuses vary)."""
    found = [text for text in buttons(user) if part in text]
    if not found:
        raise ButtonNotFound(part, buttons(user))
    await user.press(found[0])


# -- journeys ----------------------------------------------------------------------------


FILING = [
    ("total_beneficiaries", "1 200"),
    ("income_state_order", "1 500 000 ₸"),
    ("income_state_grants", "0"),
    ("income_international", "0"),
    ("income_donations", "250 000"),
    ("income_own", "300000 тг"),
    ("staff_count", "5"),
    ("volunteer_count", "40"),
]


async def file_activity(user, lang: str) -> None:
    """The yearly activity information, from /filing to the receipt."""
    await open_menu(user, lang)
    await user.send("/filing")
    for name, answer in FILING:
        await user.press(label(lang, f"filing.field.{name}"))
        await user.send(answer)
    await user.press(label(lang, "filing.add_project"))
    await user.send("Summer camp")
    await user.press(label(lang, "area.children_and_youth"))
    await user.press(label(lang, "region.shymkent"))
    await user.send("150")
    await user.press(label(lang, "filing.submit"))
    await user.press(label(lang, "common.yes"))


APPLICATION_STEPS = [
    ("send", "Women leaders of Almaty"),
    ("send", "Few women lead local councils."),
    ("send", "Training, mentoring, a forum."),
    ("send", "Forty trained leaders."),
    ("send", "400"),
    ("send", "12"),
    ("send", "5 000 000"),
    ("send", "500 001"),  # one tenge over 10%: refused, the step asks again
    ("send", "500 000"),
    ("press", "region.almaty"),
    ("press", "common.done"),
    ("press", "language.name.ru"),
    ("press", "common.skip"),  # no attachment
    ("press", "application.submit"),
    ("press", "application.confirm_submit_yes"),
]


async def apply_for_grant(user, lang: str, topic: str = TOPIC, *, double_press: bool = False):
    """A grant application from /apply to the receipt; `double_press` confirms twice
    without waiting in between, as an impatient person on a slow network does."""
    await open_menu(user, lang)
    await user.send(f"/apply {topic}")
    steps = APPLICATION_STEPS[:-1] if double_press else APPLICATION_STEPS
    for kind, value in steps:
        if kind == "send":
            await user.send(value)
        else:
            await user.press(label(lang, value))
    if double_press:
        confirm = next(m for m in reversed(user.messages()) if m.buttons)
        yes = label(lang, "application.confirm_submit_yes")
        await user.press(yes, message=confirm, wait=False)
        await user.press(yes, message=confirm)


async def compose_broadcast(operator, region: str, texts: dict[str, str]) -> None:
    """An operator (English screens) sends a broadcast to one region."""
    await operator.send("/broadcast")
    await operator.send(texts["ru"])
    await operator.send(texts["kk"])
    await operator.press(label("en", "common.skip"))  # no English: Russian for them
    await operator.press(label("en", "common.skip"))  # no picture
    await operator.press(label("en", "broadcast.segment.region"))
    await operator.press(label("en", f"region.{region}"))
    await operator.press(label("en", "common.done"))
    await operator.press(label("en", "broadcast.send"))


async def mark_complete(operator, topic: str, reference: str) -> None:
    """The operator's compliance check (English screens): complete, to review."""
    await operator.send("/operator")
    await operator.press(label("en", "console.menu.competition"))
    await press_containing(operator, f"{topic} (")
    await press_containing(operator, reference)
    await operator.press(label("en", "console.complete"))


# -- invariants read back ----------------------------------------------------------------


@dataclass
class ApplicationFacts:
    applications: int = 0
    submitted: int = 0  # applications that were ever submitted
    events: int = 0
    bad_transitions: list[str] = field(default_factory=list)
    rule_breaks: list[str] = field(default_factory=list)
    double_submissions: list[str] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)


# Statuses an application reaches only through a submission and keeps unedited.
_JUDGED_AS_SUBMITTED = {
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.UNDER_REVIEW,
    ApplicationStatus.APPROVED,
}


async def application_facts(database_url: str, percent: int = PERCENT) -> ApplicationFacts:
    """Every status change must be an allowed transition, chained from the one before
    and ending at the stored status; every application that left the editable
    statuses must keep the budget bounds and the institutional cap; and no
    application is submitted twice without an "incomplete" in between."""

    async def read(store: Store) -> ApplicationFacts:
        facts = ApplicationFacts()
        topics = {t.id: t for t in await store.session.scalars(select(GrantTopic))}
        rows = list(await store.session.scalars(select(Application).order_by(Application.id)))
        events = list(
            await store.session.scalars(select(ApplicationEvent).order_by(ApplicationEvent.id))
        )
        by_application: dict[int, list[ApplicationEvent]] = {}
        for event in events:
            by_application.setdefault(event.application_id, []).append(event)
        facts.applications, facts.events = len(rows), len(events)
        for row in rows:
            facts.statuses[row.status] = facts.statuses.get(row.status, 0) + 1
            chain = by_application.get(row.id, [])
            current: str | None = None
            submissions = 0
            for event in chain:
                move = f"#{row.id}: {event.from_status} -> {event.to_status}"
                if event.from_status != current:
                    facts.bad_transitions.append(f"{move} (was {current})")
                elif current is None:
                    if event.to_status != ApplicationStatus.DRAFT:
                        facts.bad_transitions.append(move)
                elif (
                    ApplicationStatus(event.to_status)
                    not in TRANSITIONS[ApplicationStatus(current)]
                ):
                    facts.bad_transitions.append(move)
                if event.to_status == ApplicationStatus.SUBMITTED:
                    submissions += 1
                current = event.to_status
            if current != row.status:
                facts.bad_transitions.append(f"#{row.id}: {row.status}, events end {current}")
            resubmissions = sum(
                1 for e in chain if e.from_status == ApplicationStatus.INCOMPLETE
                and e.to_status == ApplicationStatus.SUBMITTED
            )  # fmt: skip
            if submissions - resubmissions > 1:
                facts.double_submissions.append(f"#{row.id}: {submissions} submissions")
            if submissions:
                facts.submitted += 1
            if row.status in _JUDGED_AS_SUBMITTED or (
                submissions and chain and chain[-1].from_status != ApplicationStatus.INCOMPLETE
                and row.status != ApplicationStatus.INCOMPLETE
            ):  # fmt: skip
                facts.rule_breaks += _rule_breaks(row, topics[row.topic_id], percent)
        return facts

    return await in_database(database_url, read)


def _rule_breaks(row: Application, topic: GrantTopic, percent: int) -> list[str]:
    found = []
    checks = [
        ("budget", lambda: check_budget(row.budget_total, topic.budget_min, topic.budget_max)),
        (
            "10%",
            lambda: check_institutional(row.institutional_amount, row.budget_total, percent),
        ),
        ("duration", lambda: check_duration(row.duration_months, GrantType(topic.grant_type))),
    ]
    for name, check in checks:
        try:
            check()
        except (RuleViolation, TypeError) as problem:
            found.append(f"#{row.id} ({row.status}): {name}: {problem!r}")
    if row.reference is None:
        found.append(f"#{row.id} ({row.status}): no reference number")
    return found


async def count_rows(database_url: str, model, *where) -> int:
    from sqlalchemy import func

    async def read(store: Store) -> int:
        return await store.session.scalar(select(func.count()).select_from(model).where(*where))

    return await in_database(database_url, read)


async def names_of_organisations(database_url: str) -> list[str]:
    async def read(store: Store) -> list[str]:
        return sorted(await store.session.scalars(select(Organisation.name)))

    return await in_database(database_url, read)


async def submitted_filings(database_url: str, year: int) -> list[int]:
    async def read(store: Store) -> list[int]:
        return sorted(
            await store.session.scalars(
                select(ActivityReport.organisation_id).where(
                    ActivityReport.year == year, ActivityReport.status == "submitted"
                )
            )
        )

    return await in_database(database_url, read)


async def delivery_counts(database_url: str, outbox_id: int | None = None) -> dict[str, int]:

    async def read(store: Store) -> dict[str, int]:
        return dict(await store.deliveries.counts(outbox_id))

    return await in_database(database_url, read)


async def broadcast_rows(database_url: str) -> list[Delivery]:
    async def read(store: Store) -> list[Delivery]:
        return list(
            await store.session.scalars(select(Delivery).where(Delivery.kind == "broadcast"))
        )

    return await in_database(database_url, read)
