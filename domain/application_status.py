"""The life of a grant application, and its reference number.

``incomplete`` exists because the operator's compliance check (within 10
working days) can find a package incomplete. While applications are still being
taken the NGO may fix and resubmit it; otherwise the operator rejects it.
"""

from __future__ import annotations

from enum import StrEnum
from types import MappingProxyType

from domain.errors import RuleViolation


class ApplicationStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    INCOMPLETE = "incomplete"
    UNDER_REVIEW = "under_review"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


_S = ApplicationStatus

TRANSITIONS = MappingProxyType(
    {
        # A draft is deleted, not withdrawn: nobody outside the NGO has seen it.
        _S.DRAFT: frozenset({_S.SUBMITTED}),
        _S.SUBMITTED: frozenset({_S.UNDER_REVIEW, _S.INCOMPLETE, _S.WITHDRAWN}),
        _S.INCOMPLETE: frozenset({_S.SUBMITTED, _S.REJECTED, _S.WITHDRAWN}),
        # The NGO may still withdraw while experts score; after the decision it may not.
        _S.UNDER_REVIEW: frozenset({_S.APPROVED, _S.REJECTED, _S.WITHDRAWN}),
        _S.APPROVED: frozenset(),
        _S.REJECTED: frozenset(),
        _S.WITHDRAWN: frozenset(),
    }
)

# The statuses in which the NGO may still change the text of its application.
EDITABLE_STATUSES = frozenset({_S.DRAFT, _S.INCOMPLETE})


class TransitionProblem(StrEnum):
    NOT_ALLOWED = "not_allowed"


class InvalidTransition(RuleViolation):
    def __init__(self, current: ApplicationStatus, target: ApplicationStatus) -> None:
        super().__init__(TransitionProblem.NOT_ALLOWED, current=current.value, target=target.value)
        self.current = current
        self.target = target


def can_transition(current: ApplicationStatus, target: ApplicationStatus) -> bool:
    return target in TRANSITIONS[current]


def ensure_transition(current: ApplicationStatus, target: ApplicationStatus) -> None:
    if not can_transition(current, target):
        raise InvalidTransition(current, target)


REFERENCE_PREFIX = "GR"
MAX_REFERENCE_SEQUENCE = 999_999


def reference_number(year: int, seq: int) -> str:
    """``GR-2026-000123``: the number an NGO quotes to the operator."""
    if not 1000 <= year <= 9999:
        raise ValueError("year must have four digits")
    if not 1 <= seq <= MAX_REFERENCE_SEQUENCE:
        raise ValueError("seq must be between 1 and 999999")
    return f"{REFERENCE_PREFIX}-{year:04d}-{seq:06d}"
