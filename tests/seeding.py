"""The world written straight to the database, so that a test starts where its story
does: people (with or without consent), organisations (registered through the registry,
or as rows that filed on time), the demo topics, submitted applications, and people
with console roles. The journeys that create these have tests of their own."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import update

from domain.search import fold_for_search
from grants import applications
from grants.applications import Policy
from grants.eligibility import required_filing_year
from grants.topic_files import import_topics
from registry import organisations, privacy
from storage.engine import create_engine, create_session_factory
from storage.models import MemberRole, Person, Role
from storage.store import Store

ZONE = ZoneInfo("Asia/Almaty")
NOW = datetime(2026, 11, 20, 14, 0, tzinfo=ZONE)
DEMO_TOPICS = Path(__file__).parents[1] / "grants" / "demo" / "topics-2016.yaml"
TOPIC = "gender-equality"

# What the registration form hands to `registry.organisations.register`.
ORGANISATION_ANSWERS = {
    "bin": "940140000385",
    "name": "«Қамқор» қоғамдық бірлестігі",
    "name_alt": None,
    "legal_form": "public_association",
    "region": "almaty",
    "areas": ["education"],
    "description": "Балаларға көмек",
    "phone": "+77011234567",
    "email": "info@kamkor.kz",
    "website": None,
    "founded_year": 2010,
    "staff_count": 5,
    "volunteer_count": 40,
    "public_listing": True,
}
# A complete grant application on TOPIC.
APPLICATION_ANSWERS = dict(
    title="Women leaders of Almaty",
    problem="Few women lead local councils.",
    activities="Training, mentoring, a forum.",
    results="Forty trained leaders.",
    beneficiaries=400,
    duration_months=12,
    budget_total=5_000_000,
    institutional_amount=500_000,
    regions=("almaty",),
    language="ru",
)
POLICY = Policy(zone=ZONE, institutional_percent=10)
# The columns of an organisation row that most tests do not care about.
ORGANISATION_ROW = dict(
    name_alt=None,
    legal_form="public_association",
    description="Helps women take part in public life.",
    phone="+77011234567",
    email="office@example.kz",
    website=None,
    founded_year=2010,
    staff_count=5,
    volunteer_count=12,
    public_listing=False,
)


@dataclass(frozen=True)
class Seeded:
    organisation_id: int
    owner_id: int | None


@dataclass(frozen=True)
class Submitted:
    application_id: int
    reference: str
    organisation_id: int


@asynccontextmanager
async def database(database_url: str) -> AsyncIterator[Store]:
    """A running bot's database, opened beside it (a separate engine); the caller commits."""
    engine = create_engine(database_url)
    try:
        async with create_session_factory(engine)() as session:
            yield Store(session)
    finally:
        await engine.dispose()


async def in_database(database_url: str, action):
    """Run `action(store)` on that database and commit; returns what it returns."""
    async with database(database_url) as store:
        result = await action(store)
        await store.commit()
        return result


async def person(
    store: Store,
    telegram_id: int,
    locale: str | None = None,
    name: str | None = "Aigerim",
    *,
    username: str | None = None,
    consented_at: datetime | None = None,
):
    """The person, made if new (in Russian unless `locale` says otherwise). With
    `consented_at` they agree to keep their name, as the consent dialog records it;
    without, a `name` is written as it is."""
    if await store.people.get(telegram_id) is None:
        await store.people.add(telegram_id, locale or "ru")
    elif locale is not None:
        await store.people.set_locale(telegram_id, locale)
    if consented_at is not None:
        await privacy.give_consent(store, telegram_id, name, username, consented_at)
    elif name is not None:
        await store.session.execute(
            update(Person).where(Person.telegram_id == telegram_id).values(full_name=name)
        )
    return await store.people.get(telegram_id)


async def staff(
    store: Store, telegram_id: int, role: Role, name: str | None, locale: str = "ru"
) -> None:
    """A console role holder; `name=None` is one who never consented (no name kept)."""
    await person(store, telegram_id, locale=locale, name=name)
    await store.people.grant_role(telegram_id, role, granted_by=None)


async def registered(store: Store, owner, today: date, **answers):
    """An organisation registered through the registry by `owner` (a consenting person)."""
    return await organisations.register(store, owner, {**ORGANISATION_ANSWERS, **answers}, today)


async def organisation(
    store: Store,
    owner_telegram_id: int | None,
    now: datetime,
    *,
    bin_: str = "940140000385",
    name: str = "Qazaq Women Forum",
    region: str = "almaty",
    areas: tuple[str, ...] = ("gender_equality",),
    filed: bool | int | None = True,
    owner_locale: str | None = None,
    owner_name: str | None = "Aigerim",
    **row,
) -> Seeded:
    """An organisation owned by that person (or by nobody). `filed`: True, it filed the
    information due by `now`; a year, it filed that year's; False or None, nothing.
    `owner_name` None leaves the owner's name as it is. `row`: any other column of
    ORGANISATION_ROW."""
    created = await store.organisations.add(
        areas=tuple(areas),
        search_text=fold_for_search(" ".join(filter(None, (name, row.get("name_alt"))))),
        bin=bin_,
        name=name,
        region=region,
        **{**ORGANISATION_ROW, **row},
    )
    if owner_telegram_id is None:
        return Seeded(created.id, None)
    owner = await person(store, owner_telegram_id, owner_locale, owner_name)
    await store.memberships.add(created.id, owner.id, MemberRole.OWNER)
    year = required_filing_year(now, ZONE, None) if filed is True else filed
    if year:
        report = await store.activity_reports.get_or_create(created.id, year, owner.id, now)
        await store.activity_reports.mark_submitted(report.id, owner.id, now)
    return Seeded(created.id, owner.id)


async def topics(store: Store, now: datetime) -> None:
    await import_topics(store, DEMO_TOPICS.read_text(encoding="utf-8"), now)


async def submitted(
    store: Store, owner: int, *, bin_: str, name: str, locale: str, title: str
) -> Submitted:
    """An organisation of `owner` with an application on TOPIC submitted at NOW."""
    seeded = await organisation(store, owner, NOW, bin_=bin_, name=name, owner_locale=locale)
    applicant = await store.people.get(owner)
    topic = await store.topics.by_code(TOPIC)
    draft = await applications.start(
        store, applicant, seeded.organisation_id, topic.id, NOW, POLICY
    )
    answers = {**APPLICATION_ANSWERS, "title": title}
    await applications.save(store, applicant, draft, NOW, POLICY, **answers)
    done = await applications.submit(store, applicant, draft, NOW, POLICY)
    return Submitted(draft, done.application.reference, seeded.organisation_id)
