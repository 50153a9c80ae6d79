"""The competition's pure rules: sent scores and the amount a decision needs, the
year an expert stays barred from an organisation they worked for, and when an early
closing of a topic may be undone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.competition_rules import (
    STAFF_COOLING_OFF,
    EarlyClosing,
    RulesProblem,
    StaffSpell,
    amount_problem,
    scores_problem,
    undo_problem,
    was_staff_within_a_year,
)

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
JOINED = NOW - timedelta(days=900)


@pytest.mark.parametrize(
    ("sent", "required", "problem"),
    [(0, 2, RulesProblem.TOO_FEW_SCORES), (1, 2, RulesProblem.TOO_FEW_SCORES), (2, 2, None),
     (3, 2, None), (2, 3, RulesProblem.TOO_FEW_SCORES)],
)  # fmt: skip
def test_a_decision_needs_the_required_sent_scores(sent, required, problem):
    assert scores_problem(sent, required) is problem


@pytest.mark.parametrize(
    ("amount", "problem"),
    [(100, RulesProblem.AMOUNT_BELOW_TOPIC), (2_499_999, RulesProblem.AMOUNT_BELOW_TOPIC),
     (2_500_000, None), (10_000_000, None), (10_000_001, RulesProblem.AMOUNT_ABOVE_TOPIC)],
)  # fmt: skip
def test_the_amount_lies_within_the_topics_range_ends_included(amount, problem):
    assert amount_problem(amount, 2_500_000, 10_000_000) is problem


@pytest.mark.parametrize(
    ("left_days_ago", "barred"),
    [(None, True), (0, True), (364, True), (365, False), (400, False)],
)
def test_staff_now_or_within_a_year_is_barred(left_days_ago, barred):
    left = None if left_days_ago is None else NOW - timedelta(days=left_days_ago)
    assert was_staff_within_a_year([StaffSpell(JOINED, left)], NOW) is barred


def test_any_recent_spell_bars_and_no_spell_never_does():
    old = StaffSpell(JOINED, NOW - STAFF_COOLING_OFF * 2)
    recent = StaffSpell(NOW - timedelta(days=100), NOW - timedelta(days=10))
    assert was_staff_within_a_year([old, recent], NOW)
    assert not was_staff_within_a_year([old], NOW)
    assert not was_staff_within_a_year([], NOW)


def closing(*, refused: bool = False, undone: bool = False, days_left: int = 5) -> EarlyClosing:
    return EarlyClosing(NOW + timedelta(days=days_left), refused_since=refused, undone=undone)


@pytest.mark.parametrize(
    ("state", "problem"),
    [
        (closing(), None),
        (None, RulesProblem.NOT_CLOSED_EARLY),
        (closing(undone=True), RulesProblem.NOT_CLOSED_EARLY),
        (closing(refused=True), RulesProblem.REFUSED_SINCE),
        (closing(days_left=0), RulesProblem.PLANNED_CLOSING_PASSED),
        (closing(days_left=-1), RulesProblem.PLANNED_CLOSING_PASSED),
    ],
)
def test_an_early_closing_is_undone_only_while_nobody_was_refused(state, problem):
    assert undo_problem(state, NOW) is problem
