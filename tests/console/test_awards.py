"""Award rounds: one application per organisation, editable until the round closes,
and winners only once it has."""

from __future__ import annotations

from datetime import timedelta

import pytest

from console import awards
from console.awards import AwardError
from console.roles import Actor
from domain.errors import RuleViolation
from registry.staff import StaffError
from storage.store import Store
from tests import seeding

NOW = seeding.datetime(2026, 3, 2, 10, 0, tzinfo=seeding.ZONE)
OPERATOR = Actor(telegram_id=700101, person_id=None, role="operator")
TITLES = {"kk": "Үздік жоба 2026", "ru": "Лучший проект 2026", "en": "Best project 2026"}


async def _round(store: Store, directions=("children_and_youth", "education")):
    return await awards.open_round(
        store, OPERATOR, titles=TITLES, directions=directions, opens_at=NOW,
        closes_at=NOW + timedelta(days=30), now=NOW,
    )  # fmt: skip


async def test_one_application_per_organisation_edited_until_the_round_closes(session_factory):
    async with session_factory() as session:
        store = Store(session)
        seeded = await seeding.organisation(store, 830001, NOW, owner_locale="kk")
        owner = await store.people.get(830001)
        opened = await _round(store)
        assert [r.id for r in await awards.accepting_rounds(store, NOW)] == [opened.id]
        answers = dict(
            round_id=opened.id, organisation_id=seeded.organisation_id,
            direction="education", project_description="Мектеп", results="200 бала",
            evidence_url="ngo.kz/report",
        )  # fmt: skip
        first, created = await awards.apply(store, owner, **answers, now=NOW)
        assert created and first.evidence_url == "https://ngo.kz/report"
        again, created = await awards.apply(store, owner, **{**answers, "results": "300"}, now=NOW)
        assert not created and again.id == first.id and again.results == "300"

        with pytest.raises(RuleViolation):
            await awards.apply(store, owner, **{**answers, "evidence_url": "not a link"}, now=NOW)
        with pytest.raises(AwardError):
            await awards.apply(store, owner, **{**answers, "direction": "sport"}, now=NOW)
        stranger = await seeding.person(store, 830009)
        with pytest.raises(StaffError):
            await awards.apply(store, stranger, **answers, now=NOW)
        later = NOW + timedelta(days=31)
        with pytest.raises(AwardError) as closed:
            await awards.apply(store, owner, **answers, now=later)
        assert closed.value.code == "awards.error.round_closed"

        with pytest.raises(AwardError):
            await awards.record_winner(store, OPERATOR, first.id, NOW)
        _round_view, won, told = await awards.record_winner(store, OPERATOR, first.id, later)
        assert won.winner and [r.telegram_id for r in told] == [830001]
        assert told[0].locale == "kk"
        # Recording the same winner again tells nobody twice.
        assert (await awards.record_winner(store, OPERATOR, first.id, later))[2] == []


async def test_a_round_needs_sensible_dates_and_known_directions(session_factory):
    async with session_factory() as session:
        store = Store(session)
        with pytest.raises(AwardError):
            await awards.open_round(store, OPERATOR, titles=TITLES, directions=(), opens_at=NOW,
                                    closes_at=NOW - timedelta(days=1), now=NOW)  # fmt: skip
        with pytest.raises(AwardError):
            await _round(store, directions=("astrology",))
        with pytest.raises(RuleViolation):
            await awards.open_round(
                store, OPERATOR, titles={**TITLES, "en": "  "}, directions=(),
                opens_at=NOW, closes_at=NOW + timedelta(days=3), now=NOW,
            )  # fmt: skip
