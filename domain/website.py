"""An organisation's optional website address."""

from __future__ import annotations

from enum import StrEnum
from urllib.parse import urlsplit, urlunsplit

from domain.errors import RuleViolation
from domain.hostname import ascii_hostname

# The organisation's column holds 300 characters (storage/models.py): the address as
# stored, with the https:// that a bare "ngo.kz" gains.
MAX_WEBSITE_LENGTH = 300
_ALLOWED_SCHEMES = frozenset({"http", "https"})


class WebsiteProblem(StrEnum):
    EMPTY = "empty"
    TOO_LONG = "too_long"
    SCHEME = "scheme"
    HOST = "host"
    SPACES = "spaces"
    CREDENTIALS = "credentials"


class InvalidWebsite(RuleViolation):
    def __init__(self, reason: WebsiteProblem) -> None:
        super().__init__(reason)


def normalize_website(raw: str) -> str:
    """An http(s) URL; ``ngo.kz`` becomes ``https://ngo.kz``."""
    text = raw.strip()
    if not text:
        raise InvalidWebsite(WebsiteProblem.EMPTY)
    if any(char.isspace() for char in text):
        raise InvalidWebsite(WebsiteProblem.SPACES)
    if "://" not in text:
        # People type "www.ngo.kz"; https is the safe guess today.
        text = "https://" + text
    if len(text) > MAX_WEBSITE_LENGTH:
        raise InvalidWebsite(WebsiteProblem.TOO_LONG)
    try:
        parts = urlsplit(text)
    except ValueError:  # "a[31mb": an unbalanced bracket reads as a broken IPv6 address
        raise InvalidWebsite(WebsiteProblem.HOST) from None
    scheme = parts.scheme.lower()
    if scheme not in _ALLOWED_SCHEMES:
        raise InvalidWebsite(WebsiteProblem.SCHEME)
    # A user:password@ part is a phishing trick at worst and a leaked secret at best.
    if parts.username is not None or parts.password is not None:
        raise InvalidWebsite(WebsiteProblem.CREDENTIALS)
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        raise InvalidWebsite(WebsiteProblem.HOST) from None
    if host is None or ascii_hostname(host) is None:
        raise InvalidWebsite(WebsiteProblem.HOST)
    netloc = host if port is None else f"{host}:{port}"
    return urlunsplit((scheme, netloc, parts.path, parts.query, parts.fragment))


def optional_website(raw: str | None) -> str | None:
    """None for a blank answer (the field is optional), else the normalised URL."""
    if raw is None or not raw.strip():
        return None
    return normalize_website(raw)
