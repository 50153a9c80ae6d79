"""The one shape every refusal of a business rule takes.

A refusal carries a stable code and the numbers needed to explain it, never a
sentence: the bot turns ``(exception class, reason, params)`` into a message in
the user's language, so nothing here has to know about translations.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType


class RuleViolation(ValueError):
    """Base of every refusal raised by ``domain``; catch this to translate any of them."""

    def __init__(self, reason: StrEnum, **params: int | str) -> None:
        self.reason = reason
        self.params: Mapping[str, int | str] = MappingProxyType(dict(params))
        # The text is for logs and tracebacks only, never shown to a user.
        details = ", ".join(f"{key}={value!r}" for key, value in self.params.items())
        super().__init__(f"{reason.value}({details})" if details else reason.value)

    @property
    def code(self) -> str:
        """A stable message key built from the problem enum, e.g. ``bin.check_digit``.

        ``GrantAmountProblem.TOO_LOW`` becomes ``grant_amount.too_low``, so the catalog
        can be checked against the enums mechanically.
        """
        family = type(self.reason).__name__.removesuffix("Problem")
        return f"{_CAMEL_BOUNDARY.sub('_', family).lower()}.{self.reason.value}"


_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
