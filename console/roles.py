"""Who may do what in the console, checked on the server for every action.

A menu entry hidden from someone is not a permission: every use case takes an
`Actor`, and an Actor exists only once `acting_as` has checked the person's roles.
Administrators come from the ADMIN_IDS setting as well as from role grants.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from console.audit import record
from domain.text_input import shown_name
from storage.models import Role
from storage.repositories.people import PersonView
from storage.store import Store

OPERATOR_ROLES: tuple[Role, ...] = (Role.OPERATOR, Role.ADMIN)
EXPERT_ROLES: tuple[Role, ...] = (Role.EXPERT,)
ADMIN_ROLES: tuple[Role, ...] = (Role.ADMIN,)


class Forbidden(Exception):
    """The person lacks the role, or the object is not theirs to touch (same answer)."""

    code = "console.forbidden"


@dataclass(frozen=True, slots=True)
class Actor:
    """Someone allowed to act, and the role they act in (recorded in the audit log)."""

    telegram_id: int
    person_id: int | None
    role: str


# The command line: whoever runs `ngo-bot admin ...` on the server.
COMMAND_LINE = Actor(telegram_id=0, person_id=None, role="cli")


def roles_of(person: PersonView | None, admin_ids: Collection[int] = ()) -> frozenset[Role]:
    if person is None:
        return frozenset()
    roles = set(person.roles)
    if person.telegram_id in admin_ids:
        roles.add(Role.ADMIN)
    return frozenset(roles)


def may(person: PersonView | None, admin_ids: Collection[int], allowed: tuple[Role, ...]) -> bool:
    return bool(roles_of(person, admin_ids).intersection(allowed))


def acting_as(
    person: PersonView | None, admin_ids: Collection[int], allowed: tuple[Role, ...]
) -> Actor:
    """The person as an Actor in the first of `allowed` roles they hold; Forbidden otherwise."""
    if person is None:
        raise Forbidden()
    held = roles_of(person, admin_ids)
    for role in allowed:
        if role in held:
            return Actor(telegram_id=person.telegram_id, person_id=person.id, role=role.value)
    raise Forbidden()


def parse_role(text: str) -> Role | None:
    try:
        return Role(text.strip().lower())
    except ValueError:
        return None


async def grant(store: Store, actor: Actor, telegram_id: int, role: Role, now: datetime) -> bool:
    """Give a role (creating the person's record if they never wrote); False if they had it.
    The caller commits."""
    if actor is not COMMAND_LINE and actor.role != Role.ADMIN:
        raise Forbidden()
    before = await _roles(store, telegram_id)
    granted = await store.people.grant_role(telegram_id, role, granted_by=actor.telegram_id or None)
    if granted:
        await record(
            store,
            actor,
            "role.grant",
            "person",
            telegram_id,
            before={"roles": before},
            after={"roles": await _roles(store, telegram_id)},
            when=now,
        )
    return granted


async def revoke(store: Store, actor: Actor, telegram_id: int, role: Role, now: datetime) -> bool:
    if actor is not COMMAND_LINE and actor.role != Role.ADMIN:
        raise Forbidden()
    before = await _roles(store, telegram_id)
    revoked = await store.people.revoke_role(telegram_id, role)
    if revoked:
        await record(
            store,
            actor,
            "role.revoke",
            "person",
            telegram_id,
            before={"roles": before},
            after={"roles": await _roles(store, telegram_id)},
            when=now,
        )
    return revoked


async def _roles(store: Store, telegram_id: int) -> list[str]:
    person = await store.people.get(telegram_id)
    return sorted(role.value for role in person.roles) if person else []


@dataclass(frozen=True, slots=True)
class RoleHolder:
    telegram_id: int
    name: str | None
    roles: tuple[str, ...]


async def holders(store: Store) -> list[RoleHolder]:
    """Everyone with a role, for the admin's /roles list."""
    found: dict[int, set[str]] = {}
    for role in Role:
        for telegram_id in await store.people.all_telegram_ids_with_role(role):
            found.setdefault(telegram_id, set()).add(role.value)
    result = []
    for telegram_id in sorted(found):
        person = await store.people.get(telegram_id)
        name = shown_name(person.full_name or person.username) if person else None
        result.append(RoleHolder(telegram_id, name, tuple(sorted(found[telegram_id]))))
    return result


async def former_holders(store: Store) -> set[int]:
    """People who ever had a role revoked (the audit log keeps it), whoever revoked it
    (the bot or `ngo-bot admin`): those holding none now must lose their chat's menu."""
    return {int(object_id) for object_id in await store.audit.objects_of("role.revoke", "person")}
