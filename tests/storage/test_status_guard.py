"""The repository refuses a status move the rules don't allow, whoever asks."""

from __future__ import annotations

import pytest

from domain.application_status import InvalidTransition
from tests import seeding


async def test_a_disallowed_move_raises_and_changes_nothing(database_url):
    async with seeding.database(database_url) as store:
        await seeding.topics(store, seeding.NOW)
        done = await seeding.submitted(
            store, 880001, bin_="940140000385", name="Qamqor", locale="ru", title="Women leaders"
        )
        applications = store.applications
        # submitted -> approved skips the review
        with pytest.raises(InvalidTransition):
            await applications.change_status(
                done.application_id,
                expected="submitted",
                target="approved",
                person_id=None,
                when=seeding.NOW,
            )
        assert (await applications.get(done.application_id)).status == "submitted"
        # an allowed move still goes through
        assert await applications.change_status(
            done.application_id,
            expected="submitted",
            target="under_review",
            person_id=None,
            when=seeding.NOW,
        )
