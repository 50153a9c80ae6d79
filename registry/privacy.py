"""Consent to personal-data processing, and a person's rights to see and erase their data.

Kazakhstan's personal-data law requires consent before processing; the text a
person agreed to is versioned so we can tell later which one it was.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.text_input import clean_text
from storage.models import MemberRole
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
        # An unfinished registration's answers, until it is saved or started over.
        "registration_draft": (
            {"answers": draft.answers, "updated_at": _instant(draft.updated_at)} if draft else None
        ),
    }


def _instant(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


async def erase_person(store: Store, telegram_id: int) -> bool:
    """Erase the person. An organisation they owned passes to its longest-serving member;
    nothing queued for them (a reminder, a broadcast) is sent any more."""
    person = await store.people.get(telegram_id)
    if person is None:
        return False
    await store.deliveries.forget_recipient(telegram_id)
    for membership in await store.memberships.of_person(person.id):
        if membership.role != MemberRole.OWNER:
            continue
        others = [
            m
            for m in await store.memberships.members(membership.organisation_id)
            if m.person_id != person.id
        ]
        if others and not any(m.role == MemberRole.OWNER for m in others):
            successor = min(others, key=lambda m: m.joined_at)
            await store.memberships.set_role(
                membership.organisation_id, successor.person_id, MemberRole.OWNER
            )
    return await store.people.erase(telegram_id)
