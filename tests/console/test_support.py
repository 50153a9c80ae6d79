"""The support inbox: a question, where it was shown, and who may answer it."""

from __future__ import annotations

import pytest

from console import support
from domain.errors import RuleViolation
from storage.models import Role
from storage.store import Store
from tests import seeding

NOW = seeding.datetime(2026, 3, 2, 10, 0, tzinfo=seeding.ZONE)
OPERATOR_CHAT = -1001234567890


async def test_a_question_is_relayed_answered_and_kept(session_factory):
    async with session_factory() as session:
        store = Store(session)
        await seeding.organisation(store, 840001, NOW, name="«Қамқор» <ҚБ>")
        asker = await store.people.get(840001)
        with pytest.raises(RuleViolation):
            await support.ask(store, asker, "x" * (support.QUESTION_LIMIT + 1), NOW)
        thread = await support.ask(store, asker, "  Когда откроется приём?  ", NOW)
        assert thread.question == "Когда откроется приём?"
        assert thread.organisation_name == "«Қамқор» <ҚБ>"

        assert await support.relay_targets(store, OPERATOR_CHAT) == [OPERATOR_CHAT]
        await seeding.person(store, 700101)
        await store.people.grant_role(700101, Role.OPERATOR, granted_by=None)
        operator = await store.people.get(700101)
        assert await support.relay_targets(store, None) == [700101]
        await support.remember_relay(store, thread.id, OPERATOR_CHAT, 55)
        assert await support.thread_answered_by_reply(store, OPERATOR_CHAT, 55) == thread.id
        assert await support.thread_answered_by_reply(store, OPERATOR_CHAT, 56) is None

        # A private reply from someone without the operator role answers nothing.
        refused = await support.answer(store, thread_id=thread.id, raw_answer="hi",
                                       answered_by=asker, in_operator_chat=False,
                                       admin_ids=(), now=NOW)  # fmt: skip
        assert refused is None
        answered = await support.answer(store, thread_id=thread.id, raw_answer="В марте.",
                                        answered_by=operator, in_operator_chat=False,
                                        admin_ids=(), now=NOW)  # fmt: skip
        assert answered.delivered
        assert [m.direction for m in answered.thread.messages] == ["question", "answer"]
        assert answered.thread.answered_at == NOW
        assert [t.id for t in await support.recent_threads(store, asker)] == [thread.id]
