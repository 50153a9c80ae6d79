"""Random sequences of updates from several people at the running bot; invariants:

- no exception escapes (no error is logged);
- every update gets a bounded number of replies;
- an application's status only ever moves along the allowed transitions
  (domain/application_status.py), read back from application_events;
- every application that was submitted keeps the topic's budget bounds, the
  10% institutional cap and the grant type's duration, and is submitted once.

The people are two NGO owners, a member of the first NGO and two operators,
in kk, ru and en. Each example starts from a world where those invariants can be
broken: complete drafts one press away from submission, a draft whose budget
was cut below its institutional part (saved, flagged, and must never be
submitted), submitted applications and one under review for the operator to
decide. Besides random presses on the buttons shown, random text and forged
callback data, the people type answers a form would take (amounts, months).

Each example begins with the same few updates (WARM_UP) that put the people
on those screens; then hypothesis draws the sequences (derandomize=True: CI
sees the same ones every run); each example is a fresh bot and database.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter

from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy import select

from bot.local_world import LocalWorld
from emulator import ButtonNotFound
from storage.models import ApplicationEvent, Role
from tests.e2e.journeys import label
from tests.reliability import support
from tests.reliability.support import NOW, OTHER_TOPIC, TOPIC, in_database

OWNER, OWNER_KK, MEMBER, OPERATOR, DECIDER = 790001, 790002, 790004, 790003, 790005
PEOPLE = ((OWNER, "ru"), (OWNER_KK, "kk"), (MEMBER, "ru"), (OPERATOR, "en"), (DECIDER, "kk"))
REPLY_METHODS = ("sendMessage", "editMessageText", "sendDocument", "sendPhoto")
MAX_REPLIES_PER_UPDATE = 6
EXAMPLES = 10
# What people type into the application form and the operator's screens.
ANSWERS = [
    "5 000 000", "3 000 000", "12 000 001", "500 000", "500 001", "300 000", "0", "-5",
    "12", "13", "2", "400", "4 500 000", "Women leaders", "Нет бюджета по статьям",
]  # fmt: skip

COMMANDS = [
    "/start", "/menu", "/help", "/cancel", "/delete_me", "/language",
    f"/apply {TOPIC}", f"/apply {OTHER_TOPIC}", "/applications", "/operator", "/filing",
]  # fmt: skip
# Buttons that move an application: pressed when the screen shows them (by their
# text in the person's language), so random sequences reach the status changes.
MEANINGFUL = [  # (the operators' decision steps ask for an amount or a reason: ANSWERS)
    "application.submit", "application.confirm_submit_yes", "my_applications.withdraw",
    "my_applications.withdraw_yes", "my_applications.continue", "console.menu.competition",
    "console.complete", "console.incomplete", "console.approve", "console.reject",
    "console.reveal_now", "common.back",
]  # fmt: skip
GOALS = [f"/apply {TOPIC}", f"/apply {OTHER_TOPIC}", "/applications", "/operator"]
# Parts of list buttons whose full text varies (counts, statuses, references).
PARTS = [f"{TOPIC} (", f"{OTHER_TOPIC} (", "GR-", "Women leaders"]
ACTIONS = {
    "command": st.sampled_from(COMMANDS),
    "goal": st.sampled_from(GOALS),
    "press": st.tuples(st.just("press"), st.integers(0, 20)),
    # A press on one of the meaningful buttons the screen shows (MEANINGFUL, or a
    # list entry with one of PARTS), whichever they are.
    "meaningful": st.tuples(st.just("meaningful"), st.integers(0, 20)),
    "part": st.tuples(st.just("part"), st.sampled_from(PARTS)),
    "answer": st.tuples(st.just("answer"), st.sampled_from(ANSWERS)),
    "data": st.tuples(st.just("data"), st.text(max_size=80)),
    "text": st.tuples(st.just("text"), st.text(min_size=1, max_size=60)),
    "photo": st.just("photo"),
    "document": st.just("document"),
    "edit": st.just("edit"),
}
# Weights: a third of the actions press a meaningful button, so the screens that
# matter are reached; the rest is everything a person (or a forger) can send.
KINDS = ["meaningful"] * 6 + ["press", "goal"] * 2 + [k for k in ACTIONS if k not in (
    "meaningful", "press", "goal")]  # fmt: skip
action = st.sampled_from(KINDS).flatmap(ACTIONS.__getitem__)
# Where each example starts: the owner on a complete application's summary, the
# member on the summary of the one whose budget was cut, the second owner on a
# submitted application, the operator on the compliance check of a submitted
# one, a second operator (in Kazakh) on the one under review, to be decided.
WARM_UP = [
    (0, f"/apply {TOPIC}"),
    (2, f"/apply {OTHER_TOPIC}"),
    (1, "/applications"),
    (1, ("part", "GR-")),
    (3, "/operator"),
    (3, ("meaningful", 0)),
    (3, ("part", f"{TOPIC} (")),
    (3, ("part", "GR-")),
    (4, "/operator"),
    (4, ("meaningful", 0)),
    (4, ("part", f"{TOPIC} (")),
    (4, ("part", "GR-2026-000003")),
]
# A person does a few things in a row, then someone else (or they again) goes on.
turns = st.lists(
    st.tuples(st.integers(0, len(PEOPLE) - 1), st.lists(action, min_size=1, max_size=6)),
    min_size=3,
    max_size=10,
)


async def _seed(store) -> None:
    await support.seeding.topics(store, NOW)
    first = await support.seed_applicant(store, OWNER, locale="ru", name="Qamqor")
    await support.add_member(store, first, MEMBER, "ru")
    # Complete: one press on "submit" and one on "yes" away from a submission.
    await support.seed_application(store, OWNER, first, TOPIC, submit=False)
    # The budget cut below the institutional part after it was entered: saved and
    # flagged, and it must never get through a submission.
    cut = await support.seed_application(store, OWNER, first, OTHER_TOPIC, submit=False)
    person = await store.people.get(OWNER)
    await support.applications.save(store, person, cut, NOW, support.POLICY, budget_total=3_000_000)
    second = await support.seed_applicant(store, OWNER_KK, locale="kk", name="Daryn")
    await support.seed_application(store, OWNER_KK, second, TOPIC, submit=True)
    await support.seed_application(store, OWNER_KK, second, OTHER_TOPIC, submit=True)
    # An application under review, for the operator to decide.
    third = await support.seed_applicant(store, 790099, locale="en", name="Third")
    reviewed = await support.seed_application(store, 790099, third, TOPIC, submit=True)
    await store.applications.change_status(
        reviewed, expected="submitted", target="under_review", person_id=None, when=NOW
    )
    await support.seed_staff(store, OPERATOR, Role.OPERATOR, "Olga", "en")
    await support.seed_staff(store, DECIDER, Role.OPERATOR, "Dana", "kk")


async def _play(base_settings, database: str, sequence) -> tuple[list[int], Counter]:
    """Replies per update, and the status changes the seeding made."""
    world = LocalWorld(base_settings.model_copy(update={"database_url": database}))
    await world.start()
    replies = []
    try:
        world.clock.set(NOW)
        await in_database(database, _seed)
        seeded = await _moves(database)
        users = [world.emulator.user(uid, language_code=lang) for uid, lang in PEOPLE]
        steps = [*WARM_UP, *((who, a) for who, several in sequence for a in several)]
        for who, action in steps:
            user = users[who]
            before = sum(1 for c in world.emulator.calls if c.method in REPLY_METHODS)
            if isinstance(action, str) and action.startswith("/"):
                await user.send(action)
            elif action == "photo":
                await user.send_photo()
            elif action == "document":
                await user.send_document(file_name="budget.pdf")
            elif action == "edit":
                try:
                    await user.edit_last("edited")
                except LookupError:
                    continue
            elif action[0] == "press":
                buttons = [b for m in user.messages()[-1:] for row in m.buttons for b in row]
                if not buttons:
                    continue
                try:
                    await user.press(buttons[action[1] % len(buttons)].text)
                except ButtonNotFound:
                    continue
            elif action[0] in ("meaningful", "part"):
                lang = PEOPLE[who][1]
                if action[0] == "meaningful":
                    wanted = {label(lang, key) for key in MEANINGFUL}
                    shown = [
                        text
                        for text in support.buttons(user)
                        if text in wanted or any(part in text for part in PARTS)
                    ]
                    shown = shown[action[1] % len(shown) :] if shown else []
                else:
                    shown = [text for text in support.buttons(user) if action[1] in text]
                if not shown:
                    continue
                try:
                    await user.press(shown[0])
                except ButtonNotFound:
                    continue
            elif action[0] == "data":
                try:
                    await user.press_data(action[1])
                except LookupError:
                    continue
            else:  # "answer" or "text"
                await user.send(action[1])
            after = sum(1 for c in world.emulator.calls if c.method in REPLY_METHODS)
            replies.append(after - before)
    finally:
        await world.stop()
    return replies, seeded


async def _moves(database: str) -> Counter:
    async def read(store) -> Counter:
        rows = await store.session.execute(
            select(ApplicationEvent.from_status, ApplicationEvent.to_status)
        )
        return Counter(f"{a} -> {b}" for a, b in rows)

    return await in_database(database, read)


def test_random_update_sequences_keep_the_invariants(
    settings, migrated_template, tmp_path, caplog, figures
):
    caplog.set_level(logging.WARNING)
    seen = {"examples": 0, "updates": 0, "max_replies": 0}
    moves: Counter = Counter()
    statuses: Counter = Counter()
    checked = {"applications": 0, "submitted": 0}

    @hypothesis_settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(turns)
    def check(sequence):
        caplog.clear()  # this example's log only, or one failure fails every later example
        with support.fresh_database(migrated_template, tmp_path) as database:
            replies, seeded = asyncio.run(_play(settings, database, sequence))
            facts = asyncio.run(support.application_facts(database))
            made = asyncio.run(_moves(database)) - seeded
        errors = [
            f"{r.name}: {r.getMessage()}"
            for r in caplog.records
            if r.levelno >= logging.ERROR and not r.name.startswith("sqlalchemy.pool")
        ]
        assert errors == []
        assert all(n <= MAX_REPLIES_PER_UPDATE for n in replies), replies
        assert facts.bad_transitions == []
        assert facts.rule_breaks == []
        assert facts.double_submissions == []
        seen["examples"] += 1
        seen["updates"] += len(replies)
        seen["max_replies"] = max([seen["max_replies"], *replies])
        moves.update(made)
        statuses.update(facts.statuses)
        checked["applications"] += facts.applications
        checked["submitted"] += facts.submitted

    check()
    assert moves, "no sequence changed an application's status: the invariants went untested"
    figures(
        "random_updates",
        **seen,
        people=len(PEOPLE),
        unhandled_errors=0,
        applications_checked=checked["applications"],
        submitted_applications_checked=checked["submitted"],
        status_changes_made=dict(sorted(moves.items())),
        final_statuses=dict(sorted(statuses.items())),
        bad_transitions=0,
        budget_or_ten_percent_breaks=0,
    )
