"""A registered organisation with its filing, and the demo topics, written straight
to the database (the registration journeys have their own tests)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import update

from grants.eligibility import required_filing_year
from grants.topic_files import import_topics
from storage.models import MemberRole, Person
from storage.store import Store

ZONE = ZoneInfo("Asia/Almaty")
DEMO_TOPICS = Path(__file__).parents[2] / "grants" / "demo" / "topics-2016.yaml"


@dataclass(frozen=True)
class Seeded:
    organisation_id: int
    owner_id: int


async def person(store: Store, telegram_id: int, locale: str = "ru", name: str = "Aigerim"):
    found = await store.people.get(telegram_id)
    if found is None:
        found = await store.people.add(telegram_id, locale)
    await store.session.execute(update(Person).where(Person.id == found.id).values(full_name=name))
    return await store.people.get(telegram_id)


async def organisation(
    store: Store,
    owner_telegram_id: int,
    now: datetime,
    *,
    bin_: str = "940140000385",
    name: str = "Qazaq Women Forum",
    region: str = "almaty",
    filed: bool = True,
    owner_locale: str = "ru",
) -> Seeded:
    owner = await person(store, owner_telegram_id, owner_locale)
    created = await store.organisations.add(
        areas=("gender_equality",),
        search_text=name.lower(),
        bin=bin_,
        name=name,
        legal_form="public_association",
        region=region,
        description="Helps women take part in public life.",
        phone="+77011234567",
        email="office@example.kz",
        website=None,
        founded_year=2010,
        staff_count=5,
        volunteer_count=12,
        public_listing=False,
    )
    await store.memberships.add(created.id, owner.id, MemberRole.OWNER)
    if filed:
        year = required_filing_year(now, ZONE, None)
        report = await store.activity_reports.get_or_create(created.id, year, owner.id, now)
        await store.activity_reports.mark_submitted(report.id, owner.id, now)
    return Seeded(created.id, owner.id)


async def topics(store: Store, now: datetime) -> None:
    await import_topics(store, DEMO_TOPICS.read_text(encoding="utf-8"), now)
