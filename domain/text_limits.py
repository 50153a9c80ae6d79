"""How long the free-text answers of an application and a profile may be, and their cleaning.

Lengths count Unicode characters after cleaning, which is what the user sees
for Kazakh and Russian text.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum

from domain.errors import RuleViolation

APPLICATION_TITLE_LIMIT = 150
PROBLEM_LIMIT = 1000
GOAL_LIMIT = 1000
ACTIVITIES_LIMIT = 1500
EXPECTED_RESULTS_LIMIT = 1000
ORGANISATION_DESCRIPTION_LIMIT = 1000

# Bidi embeddings, overrides and isolates can reorder the text around them in
# the operator's view (the "Trojan source" trick); a zero-width space and a stray
# BOM only break search. Joiners (U+200C/U+200D) stay: emoji sequences need them.
_DISPLAY_BREAKERS = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200B, 0xFEFF])
_TRAILING_SPACE = re.compile(r"[^\S\n]+$", re.MULTILINE)


class TextProblem(StrEnum):
    EMPTY = "empty"
    TOO_LONG = "too_long"


class InvalidText(RuleViolation):
    def __init__(self, reason: TextProblem, **params: int | str) -> None:
        super().__init__(reason, **params)


def clean_user_text(text: str) -> str:
    """Typed text without invisible control characters; letters and line breaks stay.

    Windows and old Mac line ends become ``\\n``, tabs become spaces, other control
    characters and display-breaking format characters are dropped, and the whole
    is stripped. NFC makes a "й" typed as и + breve the same as the one-key "й".
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    text = "".join(char for char in text if char == "\n" or unicodedata.category(char) != "Cc")
    text = text.translate(_DISPLAY_BREAKERS)
    text = _TRAILING_SPACE.sub("", text)
    return unicodedata.normalize("NFC", text).strip()


def check_length(text: str, limit: int, *, required: bool = True) -> None:
    """Refuse text longer than ``limit`` characters, and blank text when it is required."""
    if required and not text.strip():
        raise InvalidText(TextProblem.EMPTY)
    if len(text) > limit:
        raise InvalidText(TextProblem.TOO_LONG, limit=limit, length=len(text))
