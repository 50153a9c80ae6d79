"""Whether a text is a public internet host name: shared by e-mail and website checks."""

from __future__ import annotations

import re

MAX_HOSTNAME_LENGTH = 253

_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")
# A top-level domain is letters, or an IDN in its ASCII form (.қаз is xn--80ao21a).
_TOP_LEVEL = re.compile(r"[a-z]{2,63}|xn--[a-z0-9-]{1,59}")


def ascii_hostname(host: str) -> str | None:
    """The host in lower-case ASCII (IDN labels punycoded), or None if it is not a host name.

    A host must have at least two labels: a bare ``localhost`` or an IP address
    is no organisation's public address.
    """
    host = host.removesuffix(".").lower()
    try:
        # The stdlib IDNA 2003 codec is enough to accept Cyrillic names like сайт.қаз.
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    if not ascii_host or len(ascii_host) > MAX_HOSTNAME_LENGTH:
        return None
    labels = ascii_host.split(".")
    if len(labels) < 2 or not all(_LABEL.fullmatch(label) for label in labels):
        return None
    if not _TOP_LEVEL.fullmatch(labels[-1]):
        return None
    return ascii_host
