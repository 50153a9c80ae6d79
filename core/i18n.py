"""Translations from the gettext catalogs in `locales/`, with no aiogram in sight.

Message ids are symbolic keys ("start.greeting"), so a missing translation is
easy to detect and an English wording change does not invalidate the others.
Placeholders use `str.format` names. Every string argument is HTML-escaped
unless wrapped in `Html`, because parameters are what users typed and every
message is sent with parse_mode=HTML.
"""

from __future__ import annotations

import gettext
import html
import io
import logging
import string
from collections.abc import Mapping
from functools import cached_property
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from core.locale_codes import SUPPORTED_LOCALES
from locales import catalog_files

log = logging.getLogger(__name__)

FALLBACK_ORDER = ("ru", "en", "kk")


class Html(str):
    """A string that is already safe HTML and must not be escaped again."""


def escape_value(value: Any) -> Any:
    if isinstance(value, Html) or not isinstance(value, str):
        return value
    return html.escape(value, quote=False)


class _Params(dict):
    """Formatting mapping that escapes what it hands out."""

    def __init__(self, values: Mapping[str, Any], escape: bool) -> None:
        super().__init__(values)
        self._escape = escape

    def __getitem__(self, key: str) -> Any:
        value = super().__getitem__(key)
        return escape_value(value) if self._escape else value

    def __missing__(self, key: str) -> str:
        # A placeholder the caller did not supply is a bug; show it rather
        # than crash in front of a user, and say so in the log.
        log.error("translation placeholder %r was not supplied", key)
        return "{" + key + "}"


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


class Translator:
    """All catalogs, loaded once at start."""

    def __init__(self, locales: tuple[str, ...] = SUPPORTED_LOCALES) -> None:
        self.locales = locales
        self._translations = {locale: self._load(locale) for locale in locales}

    @staticmethod
    def _load(locale: str) -> gettext.GNUTranslations:
        merged: gettext.GNUTranslations | None = None
        for path in catalog_files(locale):
            with path.open("rb") as po_file:
                catalog = read_po(po_file, locale=locale)
            compiled = io.BytesIO()
            write_mo(compiled, catalog, use_fuzzy=False)
            compiled.seek(0)
            translations = gettext.GNUTranslations(compiled)
            if merged is None:
                merged = translations
            else:
                merged._catalog.update(translations._catalog)  # type: ignore[attr-defined]  # gettext keeps it private
        if merged is None:
            raise FileNotFoundError(f"no message catalog for {locale}")
        return merged

    @cached_property
    def keys(self) -> dict[str, set[str]]:
        """Message ids per locale, for the completeness tests."""
        return {locale: set(t._catalog) for locale, t in self._translations.items()}  # type: ignore[attr-defined]  # gettext keeps it private

    def messages(self, locale: str) -> dict[str, str]:
        """Every singular message of one locale, key to text (the sandbox matches labels)."""
        catalog = self._translations[locale]._catalog  # type: ignore[attr-defined]
        return {key: text for key, text in catalog.items() if isinstance(key, str) and key}

    def forms(self, locale: str) -> dict[str, tuple[str, ...]]:
        """Every message of one locale as compiled, key to its forms (one, or its plural forms)."""
        catalog = self._translations[locale]._catalog  # type: ignore[attr-defined]
        found: dict[str, list[tuple[int, str]]] = {}
        for key, text in catalog.items():
            if isinstance(key, tuple):
                found.setdefault(key[0], []).append((key[1], text))
            elif key:
                found[key] = [(0, text)]
        return {key: tuple(text for _, text in sorted(forms)) for key, forms in found.items()}

    def _lookup(self, key: str, locale: str, count: int | None) -> str:
        for candidate in (locale, *FALLBACK_ORDER):
            translations = self._translations.get(candidate)
            if translations is None:
                continue
            if count is None:
                text = translations.gettext(key)
            else:
                text = translations.ngettext(key, key, count)
            if text != key:
                if candidate != locale:
                    log.warning("message %r missing in %s, used %s", key, locale, candidate)
                return text
        log.error("message %r missing in every locale", key)
        return key

    @cached_property
    def plural_keys(self) -> frozenset[str]:
        """Message ids that have plural forms (msgid_plural): a count chooses their form."""
        return frozenset(
            key[0]
            for translations in self._translations.values()
            for key in translations._catalog  # type: ignore[attr-defined]  # gettext keeps it private
            if isinstance(key, tuple)
        )

    def get(self, key: str, locale: str, /, *, escape: bool = True, **params: Any) -> str:
        """A message; one with plural forms takes its form from the `count` parameter, so
        a refusal raised with `count=` deep in a rule reads right wherever it is shown."""
        count = params.get("count")
        if key in self.plural_keys and isinstance(count, int):
            return self._lookup(key, locale, count).format_map(_Params(params, escape))
        return self._lookup(key, locale, None).format_map(_Params(params, escape))

    def plural(
        self, key: str, count: int, locale: str, /, *, escape: bool = True, **params: Any
    ) -> str:
        params.setdefault("count", count)
        return self._lookup(key, locale, count).format_map(_Params(params, escape))

    def for_locale(self, locale: str) -> Texts:
        return Texts(self, locale)


class Texts:
    """The translator bound to one user's locale; handlers receive this as `t`."""

    __slots__ = ("locale", "translator")

    def __init__(self, translator: Translator, locale: str) -> None:
        self.translator = translator
        self.locale = locale

    def __call__(self, key: str, /, **params: Any) -> str:
        return self.translator.get(key, self.locale, **params)

    def label(self, key: str, /, **params: Any) -> str:
        """Button text: plain, not HTML, so nothing is escaped."""
        return self.translator.get(key, self.locale, escape=False, **params)

    def plural(self, key: str, count: int, /, **params: Any) -> str:
        return self.translator.plural(key, count, self.locale, **params)
