"""An unfinished registration kept in the database, as an application's draft is:
leaving the registration (Cancel, /start, another command) loses nothing typed,
and the person is offered to continue where they left off, or to start over."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from registry.forms import FIELDS
from storage.repositories.people import PersonView
from storage.repositories.registration_drafts import RegistrationDraftView
from storage.store import Store


def next_field(answers: Mapping[str, Any]) -> str | None:
    """The first question not answered yet (a skipped optional one counts as answered);
    None when every one is, and the summary comes next."""
    return next((field for field in FIELDS if field not in answers), None)


async def keep(
    store: Store, person: PersonView, answers: Mapping[str, Any], reviewing: bool, now: datetime
) -> None:
    """Save the answers so far (only the form's own fields)."""
    kept = {field: answers[field] for field in FIELDS if field in answers}
    await store.registration_drafts.keep(person.telegram_id, kept, reviewing, now)


async def unfinished(store: Store, person: PersonView | None) -> RegistrationDraftView | None:
    """The person's registration left with at least one answer, if any."""
    if person is None:
        return None
    draft = await store.registration_drafts.get(person.telegram_id)
    return draft if draft is not None and draft.answers else None


async def discard(store: Store, person: PersonView) -> None:
    await store.registration_drafts.discard(person.telegram_id)
