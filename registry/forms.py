"""An organisation's form: turning what a person typed or chose into checked values.

Both the registration dialog and the card's edit screen use these, and the
service checks every value again with `check_value` before saving, because a
button's callback data can be forged.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from enum import StrEnum
from typing import Any

from domain.areas import is_area
from domain.bin import validate_bin
from domain.email_address import normalize_email
from domain.errors import RuleViolation
from domain.organisation import LegalForm, check_founded_year, check_people_count
from domain.phone import normalize_phone
from domain.regions import is_region
from domain.text_input import clean_text, read_count, read_name, read_year
from domain.text_limits import (
    ORGANISATION_DESCRIPTION_LIMIT,
    check_length,
    clean_user_text,
)
from domain.website import optional_website

# The database column holds 300 characters; real names are far shorter.
NAME_LIMIT = 300

# Every field of the form, in the order the registration asks for them.
FIELDS: tuple[str, ...] = (
    "bin",
    "name",
    "name_alt",
    "legal_form",
    "region",
    "areas",
    "description",
    "phone",
    "email",
    "website",
    "founded_year",
    "staff_count",
    "volunteer_count",
    "public_listing",
)
# What a person may change after registration (the BIN identifies the organisation).
EDITABLE_FIELDS: tuple[str, ...] = FIELDS[1:]
OPTIONAL_FIELDS = frozenset({"name_alt", "website"})
TYPED_FIELDS = frozenset(
    {
        "bin",
        "name",
        "name_alt",
        "description",
        "phone",
        "email",
        "website",
        "founded_year",
        "staff_count",
        "volunteer_count",
    }
)
NUMBER_FIELDS = frozenset({"founded_year", "staff_count", "volunteer_count"})


class ChoiceProblem(StrEnum):
    UNKNOWN = "unknown"
    NONE_CHOSEN = "none_chosen"


class InvalidChoice(RuleViolation):
    def __init__(self, reason: ChoiceProblem) -> None:
        super().__init__(reason)


def _text(raw: str, limit: int, required: bool = True) -> str | None:
    text = clean_user_text(raw)
    check_length(text, limit, required=required)
    return text or None


def _name(raw: str, _today: date) -> str:
    return read_name(raw, NAME_LIMIT)


def _other_name(raw: str, _today: date) -> str | None:
    # Optional: a blank answer is no name, a name of invisible characters is refused.
    return read_name(raw, NAME_LIMIT) if clean_text(raw, multiline=False) else None


def _founded_year(raw: str | int, today: date) -> int:
    year = raw if isinstance(raw, int) else read_year(raw)
    check_founded_year(year, today)
    return year


def _people(raw: str | int, _today: date) -> int:
    count = raw if isinstance(raw, int) else read_count(raw)
    check_people_count(count)
    return count


def _choice(allowed: Callable[[str], bool]) -> Callable[[Any, date], str]:
    def check(value: Any, _today: date) -> str:
        if not isinstance(value, str) or not allowed(value):
            raise InvalidChoice(ChoiceProblem.UNKNOWN)
        return value

    return check


def _areas(value: Any, _today: date) -> list[str]:
    if not isinstance(value, list | tuple) or not all(isinstance(a, str) for a in value):
        raise InvalidChoice(ChoiceProblem.UNKNOWN)
    if not value:
        raise InvalidChoice(ChoiceProblem.NONE_CHOSEN)
    if not all(is_area(area) for area in value):
        raise InvalidChoice(ChoiceProblem.UNKNOWN)
    return sorted(set(value))


def _flag(value: Any, _today: date) -> bool:
    if not isinstance(value, bool):
        raise InvalidChoice(ChoiceProblem.UNKNOWN)
    return value


_LEGAL_FORMS = frozenset(form.value for form in LegalForm)

_CHECKS: dict[str, Callable[[Any, date], Any]] = {
    "bin": lambda raw, _today: validate_bin(raw),
    "name": _name,
    "name_alt": _other_name,
    "legal_form": _choice(_LEGAL_FORMS.__contains__),
    "region": _choice(is_region),
    "areas": _areas,
    "description": lambda raw, _today: _text(raw, ORGANISATION_DESCRIPTION_LIMIT),
    "phone": lambda raw, _today: normalize_phone(raw),
    "email": lambda raw, _today: normalize_email(raw),
    "website": lambda raw, _today: optional_website(raw),
    "founded_year": _founded_year,
    "staff_count": _people,
    "volunteer_count": _people,
    "public_listing": _flag,
}


def check_value(field: str, value: Any, today: date) -> Any:
    """The clean value of one field, from typed text or a chosen option; raises RuleViolation.

    An optional field takes None (skipped). Typed text may be any string the
    person sent; a chosen option must be one of the field's codes.
    """
    if field not in _CHECKS:
        raise KeyError(field)
    if value is None and field in OPTIONAL_FIELDS:
        return None
    if not _has_input_type(field, value):
        raise InvalidChoice(ChoiceProblem.UNKNOWN)
    return _CHECKS[field](value, today)


def _has_input_type(field: str, value: Any) -> bool:
    if field in NUMBER_FIELDS:
        return isinstance(value, str | int) and not isinstance(value, bool)
    if field in TYPED_FIELDS:
        return isinstance(value, str)
    return True


def missing_fields(answers: Mapping[str, Any]) -> list[str]:
    """Required fields with no answer yet, in the form's order."""
    return [f for f in FIELDS if f not in OPTIONAL_FIELDS and answers.get(f) is None]


def check_form(answers: Mapping[str, Any], today: date) -> dict[str, Any]:
    """Every field checked again; raises RuleViolation on the first bad one, KeyError on a gap."""
    missing = missing_fields(answers)
    if missing:
        raise KeyError(missing[0])
    return {field: check_value(field, answers.get(field), today) for field in FIELDS}
