"""What a data-changing statement reports back."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import CursorResult, Result


def rows_affected(result: Result[Any]) -> int:
    """How many rows an INSERT, UPDATE or DELETE touched.

    `Session.execute` is typed as returning a plain `Result`; for these
    statements it is a `CursorResult`, the only kind that counts rows.
    """
    if not isinstance(result, CursorResult):
        raise TypeError(f"{type(result).__name__} has no row count")
    return result.rowcount
