"""Reviving an archived organisation: the operator confirms who asked is its new owner.

An organisation whose last member left or erased their data is archived
(registry.staff.archive_if_empty); whoever registers its BIN again asks to revive
it (registry.organisations.request_revival). Only an operator's confirmation makes
them its owner, and both answers are audited.
"""

from __future__ import annotations

from datetime import datetime

from console.audit import record
from console.roles import Actor
from delivery.notices import tell
from domain.statuses import JoinStatus
from storage.models import MemberRole
from storage.repositories.memberships import RevivalRequestView
from storage.store import Store


class RevivalDecided(Exception):
    """Decided before (by another operator), or no such request."""

    code = "erasure.revival_decided"


async def decide_revival(
    store: Store, actor: Actor, request_id: int, approve: bool, now: datetime
) -> RevivalRequestView:
    """Confirm (the asker becomes the owner and the organisation is back in the
    directory's reach) or decline; returns the request as it was."""
    request = await store.memberships.revival_request(request_id)
    if request is None or request.status != JoinStatus.PENDING:
        raise RevivalDecided()
    status = JoinStatus.APPROVED if approve else JoinStatus.DECLINED
    if not await store.memberships.decide_revival_request(
        request_id, status, actor.telegram_id, now
    ):
        raise RevivalDecided()
    organisation_id = request.organisation_id
    if approve:
        await store.organisations.set_archived(organisation_id, None)
        await store.memberships.add(organisation_id, request.person_id, MemberRole.OWNER)
        await store.people.set_active_organisation(request.telegram_id, organisation_id)
        await store.memberships.decline_other_revivals(organisation_id, actor.telegram_id, now)
    await record(
        store,
        actor,
        "organisation.revive" if approve else "organisation.revival_decline",
        "revival_request",
        request_id,
        before={"status": JoinStatus.PENDING.value, "organisation_id": organisation_id},
        after={"status": status.value, "owner_person_id": request.person_id if approve else None},
        when=now,
    )
    # The asker hears the answer in the same transaction.
    key = "erasure.revival_approved" if approve else "erasure.revival_declined"
    await tell(store, request.telegram_id, key, {"organisation": request.organisation_name}, now)
    return request
