"""The catalogs as the bot compiles them, and the button labels its keyboards use.

Tests read the messages through `Translator` (the .po files compiled in memory, as
at start), so what they check is what a person is shown.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from core.i18n import Translator
from core.locale_codes import SUPPORTED_LOCALES

ROOT = Path(__file__).resolve().parents[2]
LOCALES = SUPPORTED_LOCALES

# Keys that are buttons although the code builds their ids at run time
# (Select items, ItemLabel, t.label(f"area.{code}") in a keyboard).
BUTTON_FAMILIES = (
    "area.",
    "region.",
    "legal_form.",
    "field.edit.",
    "filing.field.",
    "topic_admin.field.",
    "application.field.",
    "broadcast.segment.",
    "broadcast.role.",
    "broadcast.lang.",
    "broadcast.preview.",
    "language.name.",
    "topics.filter.",
    "topics.alerts.",
    "settings.state_",
)
# Keys of buttons that are drawn two to a row: Group(width=2) grids of areas,
# regions, fields; Row pairs.
TWO_COLUMN_FAMILIES = (
    "area.",
    "region.",
    "field.edit.",
    "filing.field.",
    "topic_admin.field.",
)
TWO_COLUMN_KEYS = frozenset(
    {
        "directory.filter_region",
        "directory.filter_area",
        "filing.add_project",
        "filing.remove_project",
        "registration.save",
        "common.cancel",
        "common.yes",
        "common.no",
    }
)
# Realistic values for the placeholders of button labels.
SAMPLE_VALUES = {
    "expires": "31.03.2026 18:00",
    "request_count": "12",
    "name": "Жаңа грант тақырыптары",
    "area": "Барлығы",
    "region": "Барлығы",
    "page": "2",
    "pages": "10",
}

_LABEL_CALL = re.compile(
    r"""(?:\bLabel\(|KeyboardButton\(text=t\.label\(|text=t\.label\()\s*"([a-z_][\w.]*)\""""
)


@cache
def translator() -> Translator:
    return Translator()


@cache
def texts(locale: str) -> dict[str, tuple[str, ...]]:
    """Every message of a locale, key to its forms."""
    return translator().forms(locale)


@cache
def button_keys() -> frozenset[str]:
    """Message ids shown on buttons: `Label("…")` in the dialogs, labels handed to
    keyboard buttons, the families above, and keys named `…_button`."""
    keys: set[str] = set()
    for path in (ROOT / "bot").rglob("*.py"):
        keys.update(_LABEL_CALL.findall(path.read_text(encoding="utf-8")))
    every = set(texts("en"))
    keys.update(
        k
        for k in every
        if k.startswith(BUTTON_FAMILIES) or (k.endswith("_button") and not k.startswith("input."))
    )
    return frozenset(keys & every)


def is_two_column(key: str) -> bool:
    return key in TWO_COLUMN_KEYS or key.startswith(TWO_COLUMN_FAMILIES)


def rendered(text: str) -> str:
    return text.format_map(_Samples())


class _Samples(dict):
    def __missing__(self, key: str) -> str:
        return SAMPLE_VALUES.get(key, "00")


def visible_length(text: str) -> int:
    """Characters a phone draws: joiners and variation selectors take no room."""
    return len(text.replace("\u200d", "").replace("\ufe0f", ""))
