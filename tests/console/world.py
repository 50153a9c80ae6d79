"""A competition's world written straight to the database: topics, organisations that
filed on time, submitted applications, and people with console roles."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from grants import applications
from grants.applications import Policy
from storage.engine import create_engine, create_session_factory
from storage.models import Role
from storage.store import Store
from tests.grants import seeding

NOW = datetime(2026, 11, 20, 14, 0, tzinfo=seeding.ZONE)
TOPIC = "gender-equality"
ANSWERS = dict(
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
POLICY = Policy(zone=seeding.ZONE, institutional_percent=10)


@dataclass(frozen=True)
class Submitted:
    application_id: int
    reference: str
    organisation_id: int


async def in_database(database_url: str, action):
    engine = create_engine(database_url)
    try:
        async with create_session_factory(engine)() as session:
            store = Store(session)
            result = await action(store)
            await store.commit()
            return result
    finally:
        await engine.dispose()


async def submitted(
    store: Store, owner: int, *, bin_: str, name: str, locale: str, title: str
) -> Submitted:
    seeded = await seeding.organisation(
        store, owner, NOW, bin_=bin_, name=name, owner_locale=locale
    )
    person = await store.people.get(owner)
    topic = await store.topics.by_code(TOPIC)
    draft = await applications.start(store, person, seeded.organisation_id, topic.id, NOW, POLICY)
    await applications.save(store, person, draft, NOW, POLICY, **{**ANSWERS, "title": title})
    done = await applications.submit(store, person, draft, NOW, POLICY)
    return Submitted(draft, done.application.reference, seeded.organisation_id)


async def staff(store: Store, telegram_id: int, role: Role, name: str, locale: str = "ru"):
    await seeding.person(store, telegram_id, locale=locale, name=name)
    await store.people.grant_role(telegram_id, role, granted_by=None)
