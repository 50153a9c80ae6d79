"""An organisation's optional website address, or its page on a social network.

Many NGOs in Kazakhstan have an Instagram, Facebook or Telegram page instead of a
site, and people write it the way the app shows it: "@qamqor_almaty",
"instagram.com/qamqor_almaty/?igsh=…", "t.me/qamqor". A page is stored as a
plain https link on the network's own host, without the tracking part of the
address; a bare "@name" is read as an Instagram page (the network NGOs here use
most; the link is shown back on the form, so a wrong guess is seen and changed).
"""

from __future__ import annotations

import re
from enum import StrEnum
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

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
    CREDENTIALS = "credentials"  # "https://name@ngo.kz": something before an @ in the host
    EMAIL = "email"  # "info@ngo.kz": an e-mail address typed where the site is asked
    HANDLE = "handle"  # "@" followed by what no network allows in a page name
    PAGE = "page"  # "instagram.com": the network itself, not the organisation's page on it


class InvalidWebsite(RuleViolation):
    def __init__(self, reason: WebsiteProblem) -> None:
        super().__init__(reason)


# The host each network's pages are stored under, by the hosts people paste.
SOCIAL_HOSTS: dict[str, str] = {
    "instagram.com": "instagram.com",
    "instagr.am": "instagram.com",
    "facebook.com": "facebook.com",
    "fb.com": "facebook.com",
    "t.me": "t.me",
    "telegram.me": "t.me",
    "vk.com": "vk.com",
    "tiktok.com": "tiktok.com",
    "youtube.com": "youtube.com",
    "x.com": "x.com",
    "twitter.com": "x.com",
    "linkedin.com": "linkedin.com",
    "threads.net": "threads.net",
}
# Mobile and "www" variants of those hosts lead to the same page.
_HOST_PREFIXES = ("www.", "m.", "mobile.", "web.")
# Query parameters the apps add to a shared link to track who shared it.
_TRACKING = re.compile(r"^(utm_.*|igsh|igshid|fbclid|mibextid|si|s|t|ref|share_id)$")
# Instagram's rule for a user name: Latin letters, digits, dots and underscores.
_HANDLE = re.compile(r"@([A-Za-z0-9._]{1,30})")
_INSTAGRAM = "https://instagram.com/"


def normalize_website(raw: str) -> str:
    """An http(s) URL; ``ngo.kz`` becomes ``https://ngo.kz``, ``@ngo`` an Instagram page."""
    text = raw.strip()
    if not text:
        raise InvalidWebsite(WebsiteProblem.EMPTY)
    if any(char.isspace() for char in text):
        raise InvalidWebsite(WebsiteProblem.SPACES)
    if text.startswith("@"):
        handle = _HANDLE.fullmatch(text)
        if handle is None:
            raise InvalidWebsite(WebsiteProblem.HANDLE)
        return _INSTAGRAM + handle[1]
    if "://" not in text and "@" in text.partition("/")[0]:
        # "info@ngo.kz": the e-mail was asked a step before; this one is the site.
        raise InvalidWebsite(WebsiteProblem.EMAIL)
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
    social = _social_host(host)
    if social is not None and port is None:
        return _social_page(social, parts.path, parts.query)
    netloc = host if port is None else f"{host}:{port}"
    return urlunsplit((scheme, netloc, parts.path, parts.query, parts.fragment))


def _social_host(host: str) -> str | None:
    for prefix in ("", *_HOST_PREFIXES):
        if host.startswith(prefix) and host[len(prefix) :] in SOCIAL_HOSTS:
            return SOCIAL_HOSTS[host[len(prefix) :]]
    return None


def _social_page(host: str, path: str, query: str) -> str:
    """The page on the network's own host, over https, without the share-tracking part."""
    kept = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if not _TRACKING.match(k)]
    page = path.rstrip("/")
    if not page:
        raise InvalidWebsite(WebsiteProblem.PAGE)
    stored = urlunsplit(("https", host, page, urlencode(kept), ""))
    if len(stored) > MAX_WEBSITE_LENGTH:  # "fb.com/…" grows into "facebook.com/…"
        raise InvalidWebsite(WebsiteProblem.TOO_LONG)
    return stored


def optional_website(raw: str | None) -> str | None:
    """None for a blank answer (the field is optional), else the normalised URL."""
    if raw is None or not raw.strip():
        return None
    return normalize_website(raw)
