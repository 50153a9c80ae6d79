"""Kazakhstan's business identification number (BIN) of a legal entity.

Layout of the 12 digits: YYMM of registration, the entity kind, the office
kind, a five-digit serial number and a check digit computed like the IIN's.
python-stdnum's ``kz.bin`` skips the check digit, which is why this is ours.

The official check digit does not catch every typo: digit 11 weighs 11, which
is 0 mod 11, so the first pass cannot see it, and a typo that turns the first
pass into 10 is judged by the second pass alone (940140700385 passes as well as
940140000385). A valid BIN is well-formed, not proven to exist: the NGO
database is the check of existence.
"""

from __future__ import annotations

from enum import StrEnum

from domain.errors import RuleViolation

BIN_LENGTH = 12

# The weights of the two passes; the second is the first rotated by two places.
_FIRST_WEIGHTS = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
_SECOND_WEIGHTS = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)

# What people paste from documents: group separators of every kind.
_SEPARATORS = str.maketrans("", "", " \t\u00a0\u2007\u202f-\u2010\u2011\u2012\u2013\u2014")


class BinProblem(StrEnum):
    EMPTY = "empty"
    NOT_DIGITS = "not_digits"
    LENGTH = "length"
    MONTH = "month"
    # Digit 5 is 6: an individual entrepreneur in joint activity, which cannot be an NGO.
    ENTREPRENEUR = "entrepreneur"
    ENTITY_KIND = "entity_kind"
    OFFICE_KIND = "office_kind"
    CHECK_DIGIT = "check_digit"


class InvalidBin(RuleViolation):
    def __init__(self, reason: BinProblem) -> None:
        super().__init__(reason)


class EntityKind(StrEnum):
    RESIDENT = "resident"
    NON_RESIDENT = "non_resident"


class OfficeKind(StrEnum):
    HEAD_OFFICE = "head_office"
    BRANCH = "branch"
    REPRESENTATIVE_OFFICE = "representative_office"
    PEASANT_FARM = "peasant_farm"


_ENTITY_KINDS = {"4": EntityKind.RESIDENT, "5": EntityKind.NON_RESIDENT}
_JOINT_ENTREPRENEUR_DIGIT = "6"
_OFFICE_KINDS = {
    "0": OfficeKind.HEAD_OFFICE,
    "1": OfficeKind.BRANCH,
    "2": OfficeKind.REPRESENTATIVE_OFFICE,
    "3": OfficeKind.PEASANT_FARM,
}


def normalize_bin(raw: str) -> str:
    """Drop the spaces, dashes and non-breaking spaces people type or paste."""
    return raw.strip().translate(_SEPARATORS)


def bin_check_digit(first11: str) -> int | None:
    """The check digit for the first 11 digits, or None when no digit can be valid."""
    if len(first11) != BIN_LENGTH - 1 or not _is_ascii_digits(first11):
        raise ValueError("bin_check_digit expects exactly 11 ASCII digits")
    digits = [int(char) for char in first11]
    for weights in (_FIRST_WEIGHTS, _SECOND_WEIGHTS):
        remainder = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
        if remainder != 10:
            return remainder
    return None


def validate_bin(raw: str) -> str:
    """The normalised 12 digits, or InvalidBin naming the first problem found."""
    number = normalize_bin(raw)
    if not number:
        raise InvalidBin(BinProblem.EMPTY)
    if not _is_ascii_digits(number):
        raise InvalidBin(BinProblem.NOT_DIGITS)
    if len(number) != BIN_LENGTH:
        raise InvalidBin(BinProblem.LENGTH)
    if not 1 <= int(number[2:4]) <= 12:
        raise InvalidBin(BinProblem.MONTH)
    if number[4] == _JOINT_ENTREPRENEUR_DIGIT:
        raise InvalidBin(BinProblem.ENTREPRENEUR)
    if number[4] not in _ENTITY_KINDS:
        raise InvalidBin(BinProblem.ENTITY_KIND)
    if number[5] not in _OFFICE_KINDS:
        raise InvalidBin(BinProblem.OFFICE_KIND)
    if bin_check_digit(number[:11]) != int(number[11]):
        raise InvalidBin(BinProblem.CHECK_DIGIT)
    return number


def _is_ascii_digits(text: str) -> bool:
    # str.isdigit() also accepts superscripts and Arabic-Indic digits, which int() mangles.
    return text.isascii() and text.isdigit()
