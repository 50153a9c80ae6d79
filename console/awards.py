"""The Government award for NGOs whose social projects succeeded: the operator opens
a round, organisations apply with a successful project, the operator records winners.

An organisation has one application a round and may edit it until the round closes.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from console.audit import record
from console.roles import Actor
from delivery.notices import each_language, tell
from domain.areas import is_area
from domain.lookup import found
from domain.statuses import AwardRoundStatus
from domain.text_limits import check_length, clean_user_text
from domain.website import normalize_website
from registry.staff import require_member
from storage.repositories.awards import AwardApplicationView, AwardRepository, AwardRoundView
from storage.repositories.people import PersonView
from storage.store import Store

TITLE_LIMIT = 300
DESCRIPTION_LIMIT = 2000
RESULTS_LIMIT = 2000
LOCALES = ("kk", "ru", "en")


class AwardProblem(enum.StrEnum):
    ROUND_UNKNOWN = "round_unknown"
    ROUND_CLOSED = "round_closed"
    DATES = "dates"
    DIRECTION = "direction"
    APPLICATION_UNKNOWN = "application_unknown"
    ROUND_STILL_OPEN = "round_still_open"


class AwardError(Exception):
    def __init__(self, problem: AwardProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem

    @property
    def code(self) -> str:
        return f"awards.error.{self.problem.value}"


@dataclass(frozen=True, slots=True)
class Recipient:
    telegram_id: int
    locale: str | None


def awards(store: Store) -> AwardRepository:
    return store.awards


def clean_text(raw: str, limit: int) -> str:
    """Typed text, cleaned; InvalidText (rule.text.*) when blank or too long."""
    text = clean_user_text(raw)
    check_length(text, limit)
    return text


async def open_round(
    store: Store,
    actor: Actor,
    *,
    titles: Mapping[str, str],
    directions: tuple[str, ...],
    opens_at: datetime,
    closes_at: datetime,
    now: datetime,
) -> AwardRoundView:
    if closes_at <= opens_at or closes_at <= now:
        raise AwardError(AwardProblem.DATES)
    if not all(is_area(code) for code in directions):
        raise AwardError(AwardProblem.DIRECTION)
    clean = {locale: clean_text(titles[locale], TITLE_LIMIT) for locale in LOCALES}
    created = await awards(store).add_round(
        titles=clean,
        directions=tuple(dict.fromkeys(directions)),
        opens_at=opens_at,
        closes_at=closes_at,
        created_by=actor.person_id,
        created_at=now,
    )
    await record(
        store, actor, "award_round.open", "award_round", created.id,
        after={**{f"title_{k}": v for k, v in clean.items()}, "directions": list(directions),
               "opens_at": opens_at, "closes_at": closes_at},
        when=now,
    )  # fmt: skip
    return created


async def accepting_rounds(store: Store, now: datetime) -> list[AwardRoundView]:
    return await awards(store).accepting_rounds(now)


async def round_for_applicant(store: Store, round_id: int, now: datetime) -> AwardRoundView:
    found = await awards(store).get_round(round_id)
    if found is None:
        raise AwardError(AwardProblem.ROUND_UNKNOWN)
    if not found.accepts(now):
        raise AwardError(AwardProblem.ROUND_CLOSED)
    return found


async def own_application(
    store: Store, person: PersonView, round_id: int, organisation_id: int
) -> AwardApplicationView | None:
    await require_member(store, person, organisation_id)
    return await awards(store).application_of(round_id, organisation_id)


async def apply(
    store: Store,
    person: PersonView,
    *,
    round_id: int,
    organisation_id: int,
    direction: str | None,
    project_description: str,
    results: str,
    evidence_url: str,
    now: datetime,
) -> tuple[AwardApplicationView, bool]:
    """Submit or replace the organisation's application; True when it is new.
    The person must be a member; the round must be taking applications."""
    await require_member(store, person, organisation_id)
    found = await round_for_applicant(store, round_id, now)
    if found.directions and direction not in found.directions:
        raise AwardError(AwardProblem.DIRECTION)
    return await awards(store).save_application(
        round_id=round_id,
        organisation_id=organisation_id,
        direction=direction if found.directions else None,
        project_description=clean_text(project_description, DESCRIPTION_LIMIT),
        results=clean_text(results, RESULTS_LIMIT),
        evidence_url=normalize_website(evidence_url),
        person_id=person.id,
        when=now,
    )


async def round_applications(
    store: Store, actor: Actor, round_id: int
) -> tuple[AwardRoundView, list[AwardApplicationView]]:
    found = await awards(store).get_round(round_id)
    if found is None:
        raise AwardError(AwardProblem.ROUND_UNKNOWN)
    return found, await awards(store).applications(round_id)


async def all_rounds(store: Store, actor: Actor) -> list[AwardRoundView]:
    return await awards(store).rounds()


async def record_winner(
    store: Store, actor: Actor, application_id: int, now: datetime
) -> tuple[AwardRoundView, AwardApplicationView, list[Recipient]]:
    """Mark the application a winner once its round closed and tell every member of the
    organisation, in their language; returns whom it told. Recording a winner twice
    tells nobody again."""
    repository = awards(store)
    application = await repository.application(application_id)
    if application is None:
        raise AwardError(AwardProblem.APPLICATION_UNKNOWN)
    round_ = found(await repository.get_round(application.round_id), application.round_id)
    if now < round_.closes_at:
        raise AwardError(AwardProblem.ROUND_STILL_OPEN)
    if application.winner:
        return round_, application, []
    await repository.set_winner(application_id, True, actor.person_id, now)
    if round_.status != AwardRoundStatus.DECIDED:
        await repository.set_round_status(round_.id, AwardRoundStatus.DECIDED)
    await record(
        store, actor, "award.winner", "award_application", application_id,
        before={"winner": False}, after={"winner": True}, when=now,
    )  # fmt: skip
    members = await store.memberships.members(application.organisation_id)
    updated = found(await repository.application(application_id), application_id)
    params = {"organisation": updated.organisation_name, "title": each_language(round_.title)}
    for member in members:
        await tell(store, member.telegram_id, "awards.won", params, now)
    return round_, updated, [Recipient(m.telegram_id, m.locale) for m in members]
