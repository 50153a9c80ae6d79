"""Consent to personal-data processing, and a person's rights to see and erase their data.

Kazakhstan's personal-data law requires consent before processing; the text a
person agreed to is versioned so we can tell later which one it was.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from delivery.notices import forget_notices_about
from domain.text_input import clean_text
from registry import staff
from storage.models import Role
from storage.repositories.people import PersonView
from storage.repositories.support import QUESTION
from storage.store import Store

# The widths of people.full_name and people.username.
NAME_COLUMN, USERNAME_COLUMN = 256, 64

# Change this whenever the consent text in the catalogs changes meaningfully.
CONSENT_VERSION = "2026-11-v1"


async def give_consent(
    store: Store, telegram_id: int, full_name: str | None, username: str | None, when: datetime
) -> None:
    # The name is shown to colleagues and operators: stored without the bidi controls
    # that would reorder the sentence around it ("Support" + RLO + "etis.zk-knab").
    await store.people.record_consent(
        telegram_id,
        version=CONSENT_VERSION,
        when=when,
        full_name=clean_text(full_name or "", multiline=False)[:NAME_COLUMN] or None,
        username=clean_text(username or "", multiline=False)[:USERNAME_COLUMN] or None,
    )


async def export_person(store: Store, telegram_id: int) -> dict[str, Any]:
    """Everything the bot keeps about one person, as plain JSON-ready data."""
    person = await store.people.get(telegram_id)
    if person is None:
        return {"telegram_id": telegram_id, "stored": False}
    memberships = await store.memberships.of_person(person.id)
    draft = await store.registration_drafts.get(telegram_id)
    return {
        "telegram_id": person.telegram_id,
        "full_name": person.full_name,
        "username": person.username,
        "language": person.locale,
        "roles": sorted(role.value for role in person.roles),
        "consent": {
            "version": person.consent_version,
            "given_at": _instant(person.consented_at),
        },
        "blocked_bot": person.blocked_bot,
        "organisations": [
            {"id": m.organisation_id, "name": m.organisation_name, "role": m.role.value}
            for m in memberships
        ],
        "active_organisation_id": person.active_organisation_id,
        # Kept a year and more so an expert never scores a former employer's application.
        "past_organisations": [
            {
                "id": m.organisation_id,
                "name": m.organisation_name,
                "role": m.role.value,
                "joined_at": _instant(m.joined_at),
                "left_at": _instant(m.left_at),
            }
            for m in await store.memberships.past_of_person(person.id)
        ],
        # Their own requests and invites only: who decided or who used an invite is
        # somebody else's personal data.
        "join_requests": [
            {
                "organisation_id": r.organisation_id,
                "organisation_name": r.organisation_name,
                "status": r.status.value,
                "created_at": _instant(r.created_at),
                "decided_at": _instant(r.decided_at),
            }
            for r in await store.memberships.join_requests_of(person.id)
        ],
        "invites_created": [
            {
                "organisation_id": i.organisation_id,
                "organisation_name": i.organisation_name,
                "created_at": _instant(i.created_at),
                "expires_at": _instant(i.expires_at),
                "used": i.used_at is not None,
                "revoked_at": _instant(i.revoked_at),
            }
            for i in await store.memberships.invites_created_by(person.id)
        ],
        "revival_requests": [
            {
                "organisation_id": r.organisation_id,
                "organisation_name": r.organisation_name,
                "status": r.status.value,
                "created_at": _instant(r.created_at),
                "decided_at": _instant(r.decided_at),
            }
            for r in await store.memberships.revival_requests_of(person.id)
        ],
        # Their questions and the answers they were sent (not who answered).
        "questions_to_operator": [
            {
                "asked_at": _instant(thread.created_at),
                "organisation_name": thread.organisation_name,
                "question": thread.question,
                "messages": [
                    {"direction": m.direction, "text": m.text, "at": _instant(m.created_at)}
                    for m in thread.messages
                ],
            }
            for thread in await store.support.all_of(person.id)
        ],
        # Applications they started, edited last or submitted, as they stand now.
        "applications_written": [
            {
                "id": a.id,
                "organisation_name": a.organisation_name,
                "reference": a.reference,
                "status": a.status.value,
                "title": a.title,
                "problem": a.problem,
                "activities": a.activities,
                "results": a.results,
                "beneficiaries": a.beneficiaries,
                "duration_months": a.duration_months,
                "budget_total": a.budget_total,
                "regions": list(a.regions),
                "attachment_name": a.attachment_name,
                "updated_at": _instant(a.updated_at),
                "submitted_at": _instant(a.submitted_at),
            }
            for a in await store.applications.written_by(person.id)
        ],
        # An unfinished registration's answers, until it is saved or started over.
        "registration_draft": (
            {"answers": draft.answers, "updated_at": _instant(draft.updated_at)} if draft else None
        ),
    }


def _instant(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


@dataclass(frozen=True, slots=True)
class ErasurePlan:
    """What erasing a person removes and keeps, shown before they confirm."""

    departures: tuple[staff.Departure, ...]
    # An expert's or operator's work stays under a pseudonym ("Expert #12").
    pseudonymised: bool
    pseudonym_number: int
    # Signed "Expert #12" unless they act as an operator or administrator ("Operator #12").
    expert: bool
    questions: int
    applications_written: int

    @property
    def successors_needed(self) -> tuple[staff.Departure, ...]:
        return tuple(d for d in self.departures if d.needs_successor)


async def erasure_plan(store: Store, telegram_id: int) -> ErasurePlan | None:
    person = await store.people.get(telegram_id)
    if person is None:
        return None
    return ErasurePlan(
        departures=tuple(
            [
                await staff.departure(store, person, m.organisation_id)
                for m in await store.memberships.of_person(person.id)
            ]
        ),
        pseudonymised=await store.people.keeps_pseudonym(telegram_id),
        pseudonym_number=person.id,
        expert=not person.roles & {Role.OPERATOR, Role.ADMIN},
        questions=len(await store.support.all_of(person.id)),
        applications_written=len(await store.applications.written_by(person.id)),
    )


async def erase_person(
    store: Store, telegram_id: int, now: datetime, successors: Mapping[int, int] | None = None
) -> bool:
    """Erase the person. An organisation they alone own passes to the member they chose
    in `successors` (organisation id: person id; StaffError(SUCCESSOR_REQUIRED) when
    missing); one they were the last member of is archived. Nothing queued for them is
    sent any more, and no outbox row names them or quotes what they typed. An expert's
    or operator's records stay under a pseudonym."""
    person = await store.people.get(telegram_id)
    if person is None:
        return False
    plan = await erasure_plan(store, telegram_id)
    chosen = dict(successors or {})
    departures = plan.departures if plan else ()
    for departure in departures:
        staff.check_successor(departure, chosen.get(departure.organisation_id))
    needles = await _identity(store, person)
    for departure in departures:
        await staff.depart(store, person, departure, chosen.get(departure.organisation_id), now)
    await store.deliveries.forget_recipient(telegram_id)
    await forget_notices_about(store, telegram_id)
    await store.deliveries.redact_mentions(needles)
    return await store.people.erase(telegram_id, now)


# A quoted text is found by its beginning: long enough to be theirs, short enough to
# match where it was cut (an answer quotes the first 300 characters of the question).
QUOTE_PREFIX = 60
SHORTEST_NEEDLE = 4


async def _identity(store: Store, person: PersonView) -> set[str]:
    """How an outbox row could name the person or quote them, as stored there: raw,
    HTML-escaped (rendered texts) and JSON-escaped (a message's params)."""
    plain = {str(person.telegram_id)}
    if person.full_name:
        plain.add(person.full_name)
    if person.username:
        plain.add(person.username)
    for thread in await store.support.all_of(person.id):
        plain.add(thread.question[:QUOTE_PREFIX])
        plain.update(m.text[:QUOTE_PREFIX] for m in thread.messages if m.direction == QUESTION)
    needles: set[str] = set()
    for value in plain:
        value = value.strip()
        needles.update(
            {
                value,
                html.escape(value),
                html.escape(value, quote=False),
                json.dumps(value, ensure_ascii=False)[1:-1],
            }
        )
    return {n for n in needles if len(n) >= SHORTEST_NEEDLE}
