"""The competition's rules without Telegram: roles, conflicts, marks, the summary, and
a decision revealed by the scheduler at its time, each step in the audit log."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from console import competition, roles
from console.competition import ConsoleError
from console.roles import Forbidden, acting_as
from scheduler.jobs import reveal_decisions
from storage.models import AuditEntry, Delivery, Role
from storage.repositories.console import ScoreView
from storage.store import Store
from tests import seeding
from tests.seeding import NOW, staff, submitted

OWNER, OPERATOR, ASEL, BERIK, ADMIN = 780001, 780101, 780201, 780202, 780301
MARKS = {"relevance": 5, "feasibility": 4, "budget": 4, "impact": 5, "capacity": 4}


def score(*marks: int) -> ScoreView:
    return ScoreView(1, 1, *marks, comment="", scored_at=NOW)


def test_summary_is_the_mean_of_expert_averages_and_their_spread():
    mean, spread, criteria = competition.summarise([score(5, 4, 4, 5, 4), score(4, 4, 3, 4, 5)])
    assert (mean, spread) == (4.2, 0.4)
    assert criteria == (4.5, 4.0, 3.5, 4.5, 4.5)
    assert competition.summarise([]) == (None, None, ())


@pytest.mark.parametrize("mark", [0, 6, -1])
def test_marks_outside_one_to_five_are_refused(mark):
    with pytest.raises(ConsoleError):
        competition.check_mark(mark)


def test_admins_come_from_settings_and_grants():
    from storage.repositories.people import PersonView

    plain = PersonView(1, ADMIN, "ru", frozenset(), None, None, False)
    assert roles.may(plain, {ADMIN}, (Role.ADMIN,))
    assert not roles.may(plain, set(), (Role.ADMIN,))
    with pytest.raises(Forbidden):
        acting_as(plain, set(), (Role.OPERATOR,))
    assert acting_as(plain, {ADMIN}, roles.OPERATOR_ROLES).role == "admin"


async def test_a_decision_revealed_by_the_scheduler(session_factory):
    async with session_factory() as session:
        store = Store(session)
        await seeding.topics(store, NOW)
        app = await submitted(store, OWNER, bin_="940140000385", name="Q", locale="kk", title="T")
        await staff(store, OPERATOR, Role.OPERATOR, "Olga")
        await staff(store, ASEL, Role.EXPERT, "Asel")
        await staff(store, BERIK, Role.EXPERT, "Berik")
        operator = acting_as(await store.people.get(OPERATOR), (), roles.OPERATOR_ROLES)
        asel = acting_as(await store.people.get(ASEL), (), roles.EXPERT_ROLES)
        await competition.mark_complete(store, operator, app.application_id, NOW)
        await competition.assign(store, operator, app.application_id, asel.person_id, NOW)
        with pytest.raises(ConsoleError):
            await competition.assign(store, operator, app.application_id, asel.person_id, NOW)
        with pytest.raises(Forbidden):  # an expert is not an operator
            await competition.mark_complete(store, asel, app.application_id, NOW)
        await competition.declare_conflict(store, asel, app.application_id, NOW)
        with pytest.raises(ConsoleError):  # conflicted with this organisation
            await competition.assign(store, operator, app.application_id, asel.person_id, NOW)
        with pytest.raises(Forbidden):  # no longer assigned
            await competition.submit_score(store, asel, app.application_id, MARKS, "ok", NOW)
        berik = acting_as(await store.people.get(BERIK), (), roles.EXPERT_ROLES)
        with pytest.raises(ConsoleError) as refused:  # no sent score yet
            await competition.decide(
                store,
                operator,
                app.application_id,
                approve=False,
                amount=None,
                reason="Budget unclear",
                reveal_at=None,
                required_scores=1,
                now=NOW,
            )
        assert refused.value.code == "rules.too_few_scores"
        await competition.assign(store, operator, app.application_id, berik.person_id, NOW)
        await competition.submit_score(store, berik, app.application_id, MARKS, "ok", NOW)
        later = NOW + timedelta(days=2)
        await competition.decide(
            store,
            operator,
            app.application_id,
            approve=False,
            amount=None,
            reason="Budget unclear",
            reveal_at=later,
            required_scores=1,
            now=NOW,
        )
        await store.commit()
        assert (await store.applications.get(app.application_id)).status == "under_review"

    assert await reveal_decisions(session_factory, lambda: NOW) == 0
    assert await reveal_decisions(session_factory, lambda: later) == 1
    assert await reveal_decisions(session_factory, lambda: later) == 0
    async with session_factory() as session:
        store = Store(session)
        assert (await store.applications.get(app.application_id)).status == "rejected"
        keys = list(await session.scalars(select(Delivery.message_key).order_by(Delivery.id)))
        assert keys[-1] == "console.notice.rejected"
        actions = list(await session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
        assert actions == [
            "application.mark_complete",
            "application.assign_expert",
            "application.declare_conflict",
            "application.decide_refused",
            "application.assign_expert",
            "application.score",
            "application.decide",
        ]
