"""A registration's draft: kept per person, resumed at the first unanswered question,
discarded on request, and erased with the person."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from registry import privacy
from registry import registration_drafts as drafts
from registry.forms import FIELDS
from storage.models import RegistrationDraft
from tests import seeding

NOW = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)
PERSON_ID = 840001


def test_the_next_question_is_the_first_unanswered_one():
    assert drafts.next_field({}) == "bin"
    # A skipped optional answer (None) counts as answered.
    assert drafts.next_field({"bin": "940140000385", "name": "Kamkor", "name_alt": None}) == (
        "legal_form"
    )
    assert drafts.next_field(dict.fromkeys(FIELDS, "x")) is None


async def test_a_draft_is_kept_replaced_and_discarded(store):
    person = await seeding.person(store, PERSON_ID, "kk", "Aigerim", consented_at=NOW)
    assert await drafts.unfinished(store, person) is None

    await drafts.keep(store, person, {"bin": "940140000385", "not_a_field": 1}, False, NOW)
    await drafts.keep(
        store, person, {"bin": "940140000385", "areas": ["education"], "name_alt": None}, True, NOW
    )
    await store.commit()
    draft = await drafts.unfinished(store, person)
    assert draft is not None and draft.reviewing
    assert draft.answers == {"bin": "940140000385", "areas": ["education"], "name_alt": None}

    await drafts.discard(store, person)
    await store.commit()
    assert await drafts.unfinished(store, person) is None


async def test_an_empty_draft_is_not_offered(store):
    person = await seeding.person(store, PERSON_ID, "kk", "Aigerim", consented_at=NOW)
    await drafts.keep(store, person, {}, False, NOW)
    assert await drafts.unfinished(store, person) is None


async def test_erasing_the_person_erases_the_draft(store):
    person = await seeding.person(store, PERSON_ID, "kk", "Aigerim", consented_at=NOW)
    await drafts.keep(store, person, {"phone": "+77011234567"}, False, NOW)
    await store.commit()
    assert await store.session.scalar(select(func.count()).select_from(RegistrationDraft)) == 1
    exported = await privacy.export_person(store, PERSON_ID)
    assert exported["registration_draft"]["answers"] == {"phone": "+77011234567"}
    await privacy.erase_person(store, PERSON_ID, NOW)
    await store.commit()
    # No row left behind, whether or not the database enforces the foreign key.
    assert await store.session.scalar(select(func.count()).select_from(RegistrationDraft)) == 0
