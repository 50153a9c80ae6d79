"""A row that must exist, read back: None there is a bug or a race, not a refusal."""

from __future__ import annotations

from typing import TypeVar

T = TypeVar("T")


def found(value: T | None, what: object) -> T:
    """`value`, or LookupError(what) when it is None.

    For a row just written or checked in the same transaction (an application
    read back after its change): the caller has no answer for None but to fail,
    and this says so where a type checker can see it.
    """
    if value is None:
        raise LookupError(what)
    return value
