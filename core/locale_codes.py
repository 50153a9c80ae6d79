"""The languages the bot speaks and how Telegram's language codes map onto them."""

from __future__ import annotations

SUPPORTED_LOCALES: tuple[str, ...] = ("kk", "ru", "en")


def normalise_language_code(code: str | None) -> str | None:
    """Map Telegram's `language_code` ("ru-RU", "kk_KZ", "EN") to a supported locale."""
    if not code:
        return None
    primary = code.replace("_", "-").split("-", 1)[0].strip().lower()
    return primary if primary in SUPPORTED_LOCALES else None


def choose_locale(saved: str | None, telegram_code: str | None, default: str) -> str:
    """The user's saved choice, then Telegram's language, then the default."""
    if saved in SUPPORTED_LOCALES:
        return saved
    return normalise_language_code(telegram_code) or default
