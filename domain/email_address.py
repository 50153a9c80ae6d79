"""A sane e-mail address check.

Not RFC 5322 in full (quoted local parts and IP literals are legal and never
used by an NGO); the aim is to catch typos like a missing ``@`` or domain.
"""

from __future__ import annotations

import re
from enum import StrEnum

from domain.errors import RuleViolation
from domain.hostname import ascii_hostname

# RFC 5321 limits: 64 octets for the local part, 254 for a usable address.
MAX_LOCAL_PART_LENGTH = 64
MAX_EMAIL_LENGTH = 254

_LOCAL_PART = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")


class EmailProblem(StrEnum):
    EMPTY = "empty"
    TOO_LONG = "too_long"
    NO_AT_SIGN = "no_at_sign"
    LOCAL_PART = "local_part"
    DOMAIN = "domain"


class InvalidEmail(RuleViolation):
    def __init__(self, reason: EmailProblem) -> None:
        super().__init__(reason)


def normalize_email(raw: str) -> str:
    """The address with its domain in lower case; the local part keeps its case."""
    address = raw.strip()
    if not address:
        raise InvalidEmail(EmailProblem.EMPTY)
    if len(address) > MAX_EMAIL_LENGTH:
        raise InvalidEmail(EmailProblem.TOO_LONG)
    local, at_sign, domain = address.rpartition("@")
    if not at_sign:
        raise InvalidEmail(EmailProblem.NO_AT_SIGN)
    if len(local) > MAX_LOCAL_PART_LENGTH or not _LOCAL_PART.fullmatch(local):
        raise InvalidEmail(EmailProblem.LOCAL_PART)
    if ascii_hostname(domain) is None or domain.endswith("."):
        raise InvalidEmail(EmailProblem.DOMAIN)
    return f"{local}@{domain.lower()}"
