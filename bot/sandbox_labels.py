"""Scripts name buttons in English; this finds the same button in the person's language.

A label is matched through the catalogs: the message ids whose English text
equals the label (texts with placeholders are matched as patterns) give, in
the person's locale, the text the button must have. A placeholder's value is
matched the same way, so "📨 Submitted · GR-2026-000001 · Qamqor Foundation"
finds the Kazakh button whose status is the Kazakh "submitted". A label that is
in no catalog (a number, a topic code, a person's name) must be shown as it is.
"""

from __future__ import annotations

import re
import string
from functools import lru_cache

from core.i18n import Translator

# Longer texts are never button labels; leaving them out keeps matching quick.
LONGEST_LABEL = 120
DEEPEST_PLACEHOLDER = 3
JOINER = " · "


def _pattern(template: str) -> re.Pattern[str] | None:
    """The template as a regular expression, a group per placeholder; None when it
    has no placeholder or nothing but placeholders (it would match any text)."""
    parts: list[str] = []
    named: set[str] = set()
    literal = ""
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError:
        return None
    for text, name, _, _ in parsed:
        literal += text
        parts.append(re.escape(text))
        if name is None:
            continue
        if not name.isidentifier():
            return None
        parts.append(f"(?P={name})" if name in named else f"(?P<{name}>.+?)")
        named.add(name)
    if not named or not literal.strip():
        return None
    return re.compile("".join(parts), re.DOTALL)


class ButtonLabels:
    def __init__(self, translator: Translator) -> None:
        self._exact: dict[str, list[str]] = {}
        self._patterns: list[tuple[str, re.Pattern[str]]] = []
        for key, text in translator.messages("en").items():
            if "\n" in text or len(text) > LONGEST_LABEL:
                continue
            pattern = _pattern(text)
            if pattern is not None:
                self._patterns.append((key, pattern))
            elif "{" not in text:
                self._exact.setdefault(text, []).append(key)
        self._texts = {locale: translator.messages(locale) for locale in translator.locales}
        self._local_patterns: dict[tuple[str, str], re.Pattern[str] | None] = {}
        self.english_keys = lru_cache(maxsize=4096)(self._english_keys)

    def _english_keys(self, label: str) -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
        """(message id, placeholder values) for each message whose English text is `label`."""
        found: list[tuple[str, tuple[tuple[str, str], ...]]] = [
            (key, ()) for key in self._exact.get(label, [])
        ]
        for key, pattern in self._patterns:
            match = pattern.fullmatch(label)
            if match:
                found.append((key, tuple(match.groupdict().items())))
        return tuple(found)

    def _local_pattern(self, locale: str, key: str) -> re.Pattern[str] | None:
        if (locale, key) not in self._local_patterns:
            text = self._texts[locale].get(key)
            self._local_patterns[(locale, key)] = _pattern(text) if text else None
        return self._local_patterns[(locale, key)]

    def shows(self, button: str, label: str, locale: str, depth: int = 0) -> bool:
        """Does a button reading `button` in `locale` say what `label` says in English?"""
        if button == label:
            return True
        if depth >= DEEPEST_PLACEHOLDER:
            return False
        if self._shows_parts(button, label, locale, depth):
            return True
        for key, values in self.english_keys(label):
            if not values:
                if self._texts[locale].get(key) == button:
                    return True
                continue
            pattern = self._local_pattern(locale, key)
            match = pattern.fullmatch(button) if pattern else None
            if match and all(
                self.shows(match[name], value, locale, depth + 1) for name, value in values
            ):
                return True
        return False

    def _shows_parts(self, button: str, label: str, locale: str, depth: int) -> bool:
        """Labels some code joins from parts ("📨 Submitted · GR-2026-000001 · Qamqor"):
        part for part."""
        parts, shown = label.split(JOINER), button.split(JOINER)
        return (
            len(parts) > 1
            and len(parts) == len(shown)
            and all(self.shows(b, p, locale, depth + 1) for b, p in zip(shown, parts, strict=True))
        )

    def text_of(self, key: str, locale: str) -> str:
        return self._texts[locale].get(key, key)
