"""The audit log: every operator, expert and admin action, with the values before and
after. Written on the action's own session, so it exists exactly when the action does."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from console.roles import Actor
    from storage.store import Store


def _json(values: Mapping[str, Any] | None) -> str | None:
    if values is None:
        return None
    return json.dumps(dict(values), ensure_ascii=False, sort_keys=True, default=str)


async def record(
    store: Store,
    actor: Actor,
    action: str,
    object_type: str,
    object_id: int | str | None,
    *,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    when: datetime,
) -> int:
    """Log `action` ("application.mark_complete") on `object_type`/`object_id` by `actor`.
    Values are stored as JSON (dates as ISO text). The caller commits."""
    return await store.audit.add(
        actor=actor.telegram_id,
        role=actor.role,
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        before=_json(before),
        after=_json(after),
        at=when,
    )
