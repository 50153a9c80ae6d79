"""How long the free-text answers of an application and a profile may be, and their cleaning.

Lengths count Unicode characters after cleaning, which is what the user sees
for Kazakh and Russian text.
"""

from __future__ import annotations

from domain.text_input import InvalidText, TextProblem, clean_text, has_visible_character

APPLICATION_TITLE_LIMIT = 150
PROBLEM_LIMIT = 1000
ACTIVITIES_LIMIT = 1500
EXPECTED_RESULTS_LIMIT = 1000
ORGANISATION_DESCRIPTION_LIMIT = 1000


def clean_user_text(text: str) -> str:
    """Typed multi-line text as it is stored; see `domain.text_input.clean_text`."""
    return clean_text(text, multiline=True)


def check_length(text: str, limit: int, *, required: bool = True) -> None:
    """Refuse text longer than ``limit`` characters, and blank text when it is required."""
    if required and not has_visible_character(text):
        raise InvalidText(TextProblem.EMPTY)
    if len(text) > limit:
        raise InvalidText(TextProblem.TOO_LONG, limit=limit, count=len(text))


__all__ = ["InvalidText", "TextProblem", "check_length", "clean_user_text"]
