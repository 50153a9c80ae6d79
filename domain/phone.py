"""Kazakhstan phone numbers, stored as +7 and ten digits.

People type them the Soviet way (8 7xx ...), the international way
(+7 (7xx) ...) or with no prefix at all; all of these are one number.
"""

from __future__ import annotations

import re
from enum import StrEnum

from domain.errors import RuleViolation

COUNTRY_PREFIX = "+7"
NATIONAL_LENGTH = 10

# Zone 7 is shared with Russia; Kazakhstan holds the national numbers starting 6 and 7.
_KAZAKHSTAN_LEADING_DIGITS = frozenset("67")

_ALLOWED = re.compile(r"\+?[0-9\s\u00a0\u202f().\-\u2010\u2011\u2013]+")
_NOT_DIGIT = re.compile(r"\D")


class PhoneProblem(StrEnum):
    EMPTY = "empty"
    CHARACTERS = "characters"
    LENGTH = "length"
    NOT_KAZAKHSTAN = "not_kazakhstan"


class InvalidPhone(RuleViolation):
    def __init__(self, reason: PhoneProblem) -> None:
        super().__init__(reason)


def normalize_phone(raw: str) -> str:
    """``+7XXXXXXXXXX`` from any usual way of writing a Kazakhstan number."""
    text = raw.strip()
    if not text:
        raise InvalidPhone(PhoneProblem.EMPTY)
    if not _ALLOWED.fullmatch(text):
        raise InvalidPhone(PhoneProblem.CHARACTERS)
    has_plus = text.startswith("+")
    digits = _NOT_DIGIT.sub("", text)
    national = _national_part(digits, has_plus=has_plus)
    if national[0] not in _KAZAKHSTAN_LEADING_DIGITS:
        raise InvalidPhone(PhoneProblem.NOT_KAZAKHSTAN)
    return COUNTRY_PREFIX + national


def _national_part(digits: str, *, has_plus: bool) -> str:
    if has_plus:
        # After "+" comes a country code; only 7 is ours.
        if len(digits) == NATIONAL_LENGTH + 1 and digits[0] == "7":
            return digits[1:]
        if len(digits) == NATIONAL_LENGTH + 1 or not digits.startswith("7"):
            raise InvalidPhone(PhoneProblem.NOT_KAZAKHSTAN)
        raise InvalidPhone(PhoneProblem.LENGTH)
    if len(digits) == NATIONAL_LENGTH:
        return digits
    # "8" is the domestic trunk prefix; "7" is the country code typed without "+".
    if len(digits) == NATIONAL_LENGTH + 1 and digits[0] in "78":
        return digits[1:]
    raise InvalidPhone(PhoneProblem.LENGTH)
