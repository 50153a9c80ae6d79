"""The competition's integrity as pure rules: what a decision needs, who may never
score an application, and when an early closing of a topic may be undone.

Each check returns the reason it fails (a `RulesProblem`) or None, never a sentence:
the use cases turn a reason into a refusal in the person's language.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

# A person who left an organisation's staff less than this long ago still may not
# score its applications.
STAFF_COOLING_OFF = timedelta(days=365)
# Sent expert scores a decision needs unless the MIN_SENT_SCORES setting says otherwise.
DEFAULT_MIN_SENT_SCORES = 2


class RulesProblem(StrEnum):
    TOO_FEW_SCORES = "too_few_scores"
    AMOUNT_BELOW_TOPIC = "amount_below_topic"
    AMOUNT_ABOVE_TOPIC = "amount_above_topic"
    EXPERT_WAS_STAFF = "expert_was_staff"
    NOT_CLOSED_EARLY = "not_closed_early"
    REFUSED_SINCE = "refused_since"
    PLANNED_CLOSING_PASSED = "planned_closing_passed"


def scores_problem(sent: int, required: int) -> RulesProblem | None:
    """A decision needs at least `required` sent scores (whatever it decides)."""
    return RulesProblem.TOO_FEW_SCORES if sent < required else None


def amount_problem(amount: int, low: int, high: int) -> RulesProblem | None:
    """A grant's amount lies within its topic's budget range, both ends included."""
    if amount < low:
        return RulesProblem.AMOUNT_BELOW_TOPIC
    if amount > high:
        return RulesProblem.AMOUNT_ABOVE_TOPIC
    return None


@dataclass(frozen=True, slots=True)
class StaffSpell:
    """A time a person was on an organisation's staff; `left_at` None: still there."""

    joined_at: datetime
    left_at: datetime | None


def was_staff_within_a_year(spells: Iterable[StaffSpell], now: datetime) -> bool:
    """Is on the staff now (any role), or left it less than a year ago."""
    return any(s.left_at is None or s.left_at > now - STAFF_COOLING_OFF for s in spells)


@dataclass(frozen=True, slots=True)
class EarlyClosing:
    """A topic closed before its deadline: when it was meant to close, and whether an
    application has been refused because of the closing since."""

    planned_closes_at: datetime
    refused_since: bool
    undone: bool


def undo_problem(closing: EarlyClosing | None, now: datetime) -> RulesProblem | None:
    """An early closing may be undone while nobody was refused by it and the deadline
    it cut short is still ahead."""
    if closing is None or closing.undone:
        return RulesProblem.NOT_CLOSED_EARLY
    if closing.refused_since:
        return RulesProblem.REFUSED_SINCE
    if closing.planned_closes_at <= now:
        return RulesProblem.PLANNED_CLOSING_PASSED
    return None
