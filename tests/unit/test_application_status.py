"""The path of an application from draft to decision."""

from __future__ import annotations

from itertools import pairwise, product

import pytest

from domain.application_status import (
    EDITABLE_STATUSES,
    TRANSITIONS,
    ApplicationStatus,
    InvalidTransition,
    can_transition,
    ensure_transition,
    reference_number,
)

S = ApplicationStatus

# The whole table, written out so that any change to it is a deliberate one.
ALLOWED = {
    (S.DRAFT, S.SUBMITTED),
    (S.SUBMITTED, S.UNDER_REVIEW),
    (S.SUBMITTED, S.INCOMPLETE),
    (S.SUBMITTED, S.WITHDRAWN),
    (S.INCOMPLETE, S.SUBMITTED),
    (S.INCOMPLETE, S.REJECTED),
    (S.INCOMPLETE, S.WITHDRAWN),
    (S.UNDER_REVIEW, S.APPROVED),
    (S.UNDER_REVIEW, S.REJECTED),
    (S.UNDER_REVIEW, S.WITHDRAWN),
}


@pytest.mark.parametrize(("current", "target"), list(product(S, S)))
def test_the_transition_table(current: ApplicationStatus, target: ApplicationStatus) -> None:
    allowed = (current, target) in ALLOWED
    assert can_transition(current, target) is allowed
    if allowed:
        ensure_transition(current, target)
    else:
        with pytest.raises(InvalidTransition) as refusal:
            ensure_transition(current, target)
        assert dict(refusal.value.params) == {"current": current, "target": target}
        assert refusal.value.code == "transition.not_allowed"


def test_a_story_with_a_fix_after_the_compliance_check() -> None:
    path = [S.DRAFT, S.SUBMITTED, S.INCOMPLETE, S.SUBMITTED, S.UNDER_REVIEW, S.APPROVED]
    for current, target in pairwise(path):
        ensure_transition(current, target)


def test_decisions_are_final() -> None:
    assert {S.APPROVED, S.REJECTED, S.WITHDRAWN} == {s for s, to in TRANSITIONS.items() if not to}


def test_every_status_is_reachable_from_a_draft() -> None:
    reached = {S.DRAFT}
    frontier = [S.DRAFT]
    while frontier:
        current = frontier.pop()
        for target in S:
            if can_transition(current, target) and target not in reached:
                reached.add(target)
                frontier.append(target)
    assert reached == set(S)


def test_only_drafts_and_incomplete_applications_are_editable() -> None:
    assert {S.DRAFT, S.INCOMPLETE} == EDITABLE_STATUSES


def test_status_values_are_stable_keys() -> None:
    assert [status.value for status in S] == [
        "draft",
        "submitted",
        "incomplete",
        "under_review",
        "approved",
        "rejected",
        "withdrawn",
    ]


@pytest.mark.parametrize(
    ("year", "seq", "text"),
    [(2026, 123, "GR-2026-000123"), (2026, 1, "GR-2026-000001"), (2027, 999_999, "GR-2027-999999")],
)
def test_reference_numbers(year: int, seq: int, text: str) -> None:
    assert reference_number(year, seq) == text


@pytest.mark.parametrize(("year", "seq"), [(2026, 0), (2026, 1_000_000), (26, 1), (2026, -5)])
def test_reference_numbers_out_of_range(year: int, seq: int) -> None:
    with pytest.raises(ValueError):
        reference_number(year, seq)
