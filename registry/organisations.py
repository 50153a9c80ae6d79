"""Registering an organisation and keeping its card up to date."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import date
from typing import Any

from domain.lookup import found
from domain.search import fold_for_search
from registry.forms import EDITABLE_FIELDS, check_form, check_value
from registry.staff import require_member
from storage.models import MemberRole
from storage.repositories.organisations import OrganisationView
from storage.repositories.people import PersonView
from storage.store import Store


class OrganisationProblem(enum.StrEnum):
    BIN_TAKEN = "bin_taken"
    CONSENT_REQUIRED = "consent_required"
    UNKNOWN_FIELD = "unknown_field"
    UNKNOWN_ORGANISATION = "unknown_organisation"
    NOT_ARCHIVED = "not_archived"
    REVIVAL_ALREADY_SENT = "revival_already_sent"


class OrganisationError(Exception):
    def __init__(self, problem: OrganisationProblem, **params: Any) -> None:
        super().__init__(problem.value)
        self.problem = problem
        self.params = params

    @property
    def code(self) -> str:
        return f"organisation.{self.problem.value}"


def search_text(name: str, name_alt: str | None) -> str:
    return fold_for_search(" ".join(filter(None, (name, name_alt))))


async def find_by_bin(store: Store, bin_: str) -> OrganisationView | None:
    return await store.organisations.get_by_bin(bin_)


async def register(
    store: Store, person: PersonView, answers: Mapping[str, Any], today: date
) -> OrganisationView:
    """Create the organisation with `person` as its owner and make it their active one.

    Every answer is checked again (RuleViolation, KeyError for a missing one);
    a BIN already registered raises OrganisationError(BIN_TAKEN, name=...).
    """
    if not person.consented:
        raise OrganisationError(OrganisationProblem.CONSENT_REQUIRED)
    fields = check_form(answers, today)
    existing = await store.organisations.get_by_bin(fields["bin"])
    if existing is not None:
        raise OrganisationError(OrganisationProblem.BIN_TAKEN, name=existing.name)
    areas = tuple(fields.pop("areas"))
    organisation = await store.organisations.add(
        areas=areas, search_text=search_text(fields["name"], fields["name_alt"]), **fields
    )
    await store.memberships.add(organisation.id, person.id, MemberRole.OWNER)
    await store.people.set_active_organisation(person.telegram_id, organisation.id)
    return organisation


async def organisation_for(
    store: Store, person: PersonView, organisation_id: int
) -> OrganisationView:
    """The organisation, for one of its members only (StaffError otherwise)."""
    await require_member(store, person, organisation_id)
    organisation = await store.organisations.get(organisation_id)
    if organisation is None:
        raise OrganisationError(OrganisationProblem.UNKNOWN_ORGANISATION)
    return organisation


async def update_field(
    store: Store,
    person: PersonView,
    organisation_id: int,
    field: str,
    value: Any,
    today: date,
) -> OrganisationView:
    """Set one field; any member may. Raises StaffError, RuleViolation or OrganisationError."""
    if field not in EDITABLE_FIELDS:
        raise OrganisationError(OrganisationProblem.UNKNOWN_FIELD)
    current = await organisation_for(store, person, organisation_id)
    clean = check_value(field, value, today)
    changes: dict[str, Any] = {field: tuple(clean) if field == "areas" else clean}
    name_changed = field in ("name", "name_alt")
    if name_changed:
        name = clean if field == "name" else current.name
        name_alt = clean if field == "name_alt" else current.name_alt
        changes["search_text"] = search_text(name, name_alt)
    await store.organisations.update(organisation_id, **changes)
    return found(await store.organisations.get(organisation_id), organisation_id)


async def request_revival(store: Store, person: PersonView, organisation_id: int) -> int:
    """Ask the operator to revive an archived organisation, with its history, and make
    the person its owner. Raises OrganisationError when it is not archived or they
    already asked."""
    if not person.consented:
        raise OrganisationError(OrganisationProblem.CONSENT_REQUIRED)
    organisation = await store.organisations.get(organisation_id)
    if organisation is None:
        raise OrganisationError(OrganisationProblem.UNKNOWN_ORGANISATION)
    if organisation.archived_at is None:
        raise OrganisationError(OrganisationProblem.NOT_ARCHIVED, name=organisation.name)
    if await store.memberships.pending_revival_request(organisation_id, person.id) is not None:
        raise OrganisationError(OrganisationProblem.REVIVAL_ALREADY_SENT, name=organisation.name)
    return await store.memberships.add_revival_request(organisation_id, person.id)
