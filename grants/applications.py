"""An application's life on the NGO's side: start, answer, submit, withdraw.

It belongs to the organisation: any member may continue it, and only members
may see it. Every answer is saved at once. Submission is idempotent: a double
press or a re-delivered update gives one submission and one reference number.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from delivery.notices import each_language, label, tell_members
from domain.application_status import (
    EDITABLE_STATUSES,
    ApplicationStatus,
    can_transition,
    reference_number,
)
from domain.grants import MCI_KZT_BY_YEAR
from domain.lookup import found
from grants import application_form as form
from grants.application_form import FormProblem
from grants.eligibility import Refusal, check, topic_accepts
from registry.staff import StaffError, require_member
from storage.repositories.applications import APPLICATION_FIELDS, ApplicationView
from storage.repositories.people import PersonView
from storage.repositories.topics import TopicView
from storage.store import Store


class NotEligible(Exception):
    def __init__(self, refusals: list[Refusal]) -> None:
        super().__init__(", ".join(r.code for r in refusals))
        self.refusals = refusals


class ApplicationClosed(Exception):
    """The application cannot be changed any more (submitted, decided, or past the deadline)."""

    def __init__(self, code: str = "application.not_editable") -> None:
        super().__init__(code)
        self.code = code


class NotYours(Exception):
    """No such application among the person's organisations (or a forged id): same answer."""

    code = "application.not_found"


class Incomplete(Exception):
    """What stops a submission: empty fields, and answers that no longer fit the rules."""

    def __init__(self, missing: tuple[str, ...], problems: tuple[tuple[str, FormProblem], ...]):
        super().__init__(", ".join((*missing, *(field for field, _ in problems))))
        self.missing = missing
        self.problems = problems


@dataclass(frozen=True, slots=True)
class Policy:
    """The settings an application is judged by."""

    zone: ZoneInfo
    institutional_percent: int
    filing_year: int | None = None
    # The MCI in tenge by year (domain.grants.MCI_KZT_BY_YEAR unless the settings say).
    mci_by_year: Mapping[int, int] = dataclasses.field(default_factory=lambda: MCI_KZT_BY_YEAR)


@dataclass(frozen=True, slots=True)
class Submission:
    application: ApplicationView
    # True when this call did the submission; False when it had already happened.
    new: bool


async def _load(
    store: Store, person: PersonView, application_id: int
) -> tuple[ApplicationView, TopicView]:
    application = await store.applications.get(application_id)
    if application is None:
        raise NotYours()
    try:
        await require_member(store, person, application.organisation_id)
    except StaffError:
        raise NotYours() from None
    topic = found(await store.topics.get(application.topic_id), application.topic_id)
    return application, topic


async def view(
    store: Store, person: PersonView, application_id: int
) -> tuple[ApplicationView, TopicView]:
    """The application and its topic, for a member of its organisation only."""
    return await _load(store, person, application_id)


async def start(
    store: Store,
    person: PersonView,
    organisation_id: int | None,
    topic_id: int,
    now: datetime,
    policy: Policy,
) -> int:
    """A new draft, or the organisation's existing draft on this topic."""
    topic = await store.topics.get(topic_id)
    if topic is None:
        raise NotEligible([])
    if organisation_id is not None:
        await require_member(store, person, organisation_id)
        for existing in await store.applications.of_organisation(organisation_id):
            if existing.topic_id == topic_id and existing.status == ApplicationStatus.DRAFT:
                return existing.id
    refusals = await check(store, organisation_id, topic, now, policy.zone, policy.filing_year)
    if refusals or organisation_id is None:  # no organisation is among the refusals
        raise NotEligible(refusals)
    return await store.applications.add_draft(organisation_id, topic_id, person.id)


async def save(
    store: Store,
    person: PersonView,
    application_id: int,
    now: datetime,
    policy: Policy,
    **values: Any,
) -> ApplicationView:
    """Check and save answers (already parsed by `application_form`)."""
    application, topic = await _load(store, person, application_id)
    if application.status not in EDITABLE_STATUSES:
        raise ApplicationClosed()
    _check_values(values, application, topic, policy)
    await store.applications.set_fields(application_id, person.id, now, **values)
    return found(await store.applications.get(application_id), application_id)


def _check_values(
    values: dict[str, Any], application: ApplicationView, topic: TopicView, policy: Policy
) -> None:
    if "duration_months" in values and values["duration_months"] is not None:
        form.check_duration_for(values["duration_months"], topic)
    total = values.get("budget_total", application.budget_total)
    if "budget_total" in values and total is not None:
        form.check_total(total, topic, form.topic_mci(topic, policy.zone, policy.mci_by_year))
    # A budget cut below the institutional amount is saved: the summary flags it
    # and `check_complete` refuses the submission until one of them is fixed.
    if values.get("institutional_amount") is not None and total is not None:
        form.check_institutional_part(
            values["institutional_amount"], total, policy.institutional_percent
        )
    if values.get("regions") is not None:
        form.check_regions(tuple(values["regions"]), topic)
    if values.get("language") is not None:
        form.check_language(values["language"], topic)


def problems(
    application: ApplicationView, topic: TopicView, policy: Policy
) -> tuple[tuple[str, FormProblem], ...]:
    """Answers given earlier that the rules refuse now (the budget changed below the
    institutional amount, the topic's bounds moved), as (field, problem)."""
    missing = set(application.missing_fields())
    if "budget_total" in missing:
        missing.add("institutional_amount")
    refused = []
    for field in (*_TEXT_FIELDS, *_CHECKED_FIELDS):
        if field in missing:
            continue
        try:
            _recheck(field, application, topic, policy)
        except FormProblem as problem:
            refused.append((field, problem))
    return tuple(refused)


_TEXT_FIELDS = ("title", "problem", "activities", "results")
_CHECKED_FIELDS = ("duration_months", "budget_total", "institutional_amount", "regions", "language")


def _recheck(field: str, application: ApplicationView, topic: TopicView, policy: Policy) -> None:
    """One answer given earlier against today's rules; FormProblem when refused."""
    a = application
    if field in _TEXT_FIELDS:
        form.parse_text(field, getattr(a, field))
    elif field == "duration_months" and a.duration_months is not None:
        form.check_duration_for(a.duration_months, topic)
    elif field == "budget_total" and a.budget_total is not None:
        form.check_total(
            a.budget_total, topic, form.topic_mci(topic, policy.zone, policy.mci_by_year)
        )
    elif field == "institutional_amount":
        if a.institutional_amount is not None and a.budget_total is not None:
            form.check_institutional_part(
                a.institutional_amount, a.budget_total, policy.institutional_percent
            )
    elif field == "regions":
        form.check_regions(a.regions, topic)
    elif field == "language" and a.language is not None:
        form.check_language(a.language, topic)


def check_complete(application: ApplicationView, topic: TopicView, policy: Policy) -> None:
    """Everything a submission needs, checked afresh against the topic's current rules."""
    missing = application.missing_fields()
    found = problems(application, topic, policy)
    if missing or found:
        raise Incomplete(missing, found)


async def submit(
    store: Store, person: PersonView, application_id: int, now: datetime, policy: Policy
) -> Submission:
    application, topic = await _load(store, person, application_id)
    if application.status == ApplicationStatus.SUBMITTED:
        return Submission(application, new=False)
    if application.status not in EDITABLE_STATUSES:
        raise ApplicationClosed()
    # The deadline is checked here, on the server, at the moment of submission.
    if not topic_accepts(topic, now):
        # Refused while closed early: that closing can no longer be undone. The caller
        # commits this mark even though it refuses.
        await store.early_closings.note_refusal(topic.id, now)
        raise ApplicationClosed("application.deadline_passed")
    check_complete(application, topic, policy)
    refusals = await check(
        store,
        application.organisation_id,
        topic,
        now,
        policy.zone,
        policy.filing_year,
        counting_application=application.id,
    )
    if refusals:
        raise NotEligible(refusals)
    changed = await store.applications.change_status(
        application_id,
        expected=application.status,
        target=ApplicationStatus.SUBMITTED,
        person_id=person.id,
        when=now,
        submitted_at=now,
        submitted_by=person.id,
    )
    if not changed:
        # Someone else (or this person's second press) submitted it a moment ago.
        return Submission(
            found(await store.applications.get(application_id), application_id), new=False
        )
    if application.reference is None:
        # Numbered only by the winner of the compare-and-set, so no number is wasted.
        year = now.astimezone(policy.zone).year
        sequence = await store.applications.next_reference_sequence(year)
        await store.applications.set_reference(application_id, reference_number(year, sequence))
    submitted = found(await store.applications.get(application_id), application_id)
    await _tell_colleagues(store, submitted, topic, ApplicationStatus.SUBMITTED, person, now)
    return Submission(submitted, new=True)


async def _tell_colleagues(
    store: Store,
    application: ApplicationView,
    topic: TopicView,
    status: ApplicationStatus,
    person: PersonView,
    now: datetime,
) -> int:
    """Every other member of the organisation, each in their own language (the person
    who made the change sees it on screen); returns how many were told."""
    return await tell_members(
        store,
        application.organisation_id,
        "application.status_changed",
        {
            "reference": application.reference or "—",
            "title": application.title or each_language(topic.title),
            "topic": each_language(topic.title),
            "organisation": application.organisation_name,
            "status": label(f"application.status.{status}"),
        },
        now,
        except_person_id=person.id,
    )


async def withdraw(
    store: Store, person: PersonView, application_id: int, now: datetime
) -> ApplicationView:
    """Take a sent application back and tell the organisation's other members."""
    application, topic = await _load(store, person, application_id)
    if not can_withdraw(application, topic, now):
        raise ApplicationClosed("application.cannot_withdraw")
    if not await store.applications.change_status(
        application_id,
        expected=application.status,
        target=ApplicationStatus.WITHDRAWN,
        person_id=person.id,
        when=now,
    ):
        raise ApplicationClosed("application.cannot_withdraw")
    withdrawn = found(await store.applications.get(application_id), application_id)
    await _tell_colleagues(store, withdrawn, topic, ApplicationStatus.WITHDRAWN, person, now)
    return withdrawn


def can_withdraw(application: ApplicationView, topic: TopicView, now: datetime) -> bool:
    """Sent applications may be taken back until the topic's deadline."""
    status = ApplicationStatus(application.status)
    return (
        status != ApplicationStatus.DRAFT
        and can_transition(status, ApplicationStatus.WITHDRAWN)
        and now <= topic.closes_at
    )


async def discard_draft(store: Store, person: PersonView, application_id: int) -> bool:
    application, _topic = await _load(store, person, application_id)
    if application.status != ApplicationStatus.DRAFT:
        raise ApplicationClosed()
    return await store.applications.delete_draft(application_id)


async def of_organisation(
    store: Store, person: PersonView, organisation_id: int
) -> list[ApplicationView]:
    await require_member(store, person, organisation_id)
    return await store.applications.of_organisation(organisation_id)


__all__ = [
    "APPLICATION_FIELDS",
    "ApplicationClosed",
    "Incomplete",
    "NotEligible",
    "NotYours",
    "Policy",
    "Submission",
    "can_withdraw",
    "check_complete",
    "discard_draft",
    "of_organisation",
    "problems",
    "save",
    "start",
    "submit",
    "view",
    "withdraw",
]
