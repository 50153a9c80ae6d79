"""Typed configuration from environment variables and an optional `.env` file.

Every policy value from REFERENCE.md that is a choice rather than a law is a
setting here, with the reference value as its default.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from core.locale_codes import SUPPORTED_LOCALES
from domain.competition_rules import DEFAULT_MIN_SENT_SCORES
from domain.grants import MCI_KZT_BY_YEAR, check_mci_table

TELEGRAM_API_URL = "https://api.telegram.org"
DEFAULT_SQLITE_FILE = "ngo-bot.db"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
TIME_OF_DAY = r"^([01]\d|2[0-3]):[0-5]\d$"
# Reminders go out this many days before a deadline at most: a year.
MAX_REMINDER_DAYS = 366


def default_database_url() -> str:
    return f"sqlite+aiosqlite:///{Path.cwd() / DEFAULT_SQLITE_FILE}"


def is_in_memory_sqlite(url: str) -> bool:
    """`sqlite://`, `sqlite:///:memory:` or a `mode=memory` URI: a database per connection."""
    if not url.startswith("sqlite+aiosqlite://"):
        return False
    rest = url.removeprefix("sqlite+aiosqlite://")
    path, _, query = rest.partition("?")
    return path in ("", "/", "/:memory:") or ":memory:" in path or "mode=memory" in query


def normalise_database_url(url: str) -> str:
    """Accept the usual DSN spellings and pick the async driver for them."""
    url = url.strip()
    for plain, asynchronous in (
        ("postgres://", "postgresql+asyncpg://"),
        ("postgresql://", "postgresql+asyncpg://"),
        ("sqlite://", "sqlite+aiosqlite://"),
    ):
        if url.startswith(plain):
            return asynchronous + url[len(plain) :]
    return url


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        case_sensitive=False,
    )

    bot_token: SecretStr | None = None
    database_url: str = Field(default_factory=default_database_url)
    redis_url: str | None = None
    telegram_api_url: str = TELEGRAM_API_URL
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    # The operators' group chat where support questions arrive; none: each operator privately.
    operator_chat_id: int | None = None
    # A Telegram channel every operator broadcast is also published to (the bot is its admin).
    broadcast_channel_id: int | None = None
    default_locale: Literal["kk", "ru", "en"] = "ru"
    timezone: str = "Asia/Almaty"

    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_listen: str = "0.0.0.0:8080"

    # Grant rules that are policy, not law (REFERENCE.md): settings with the reference defaults.
    institutional_percent: int = Field(default=10, ge=0, le=100)
    # The monthly calculation index in tenge by year, which the budget law sets each
    # year: a grant type's bounds in tenge are those of its topic's year. JSON in the
    # environment, MCI_KZT_BY_YEAR='{"2025": 3932, "2026": 4325}'.
    mci_kzt_by_year: dict[int, int] = Field(default_factory=lambda: dict(MCI_KZT_BY_YEAR))
    # The activity-information year an NGO must have filed to apply; empty means
    # "the latest year whose deadline (31 March) has passed".
    required_filing_year: int | None = None
    # Sent expert scores an application needs before any decision on it.
    min_sent_scores: int = Field(default=DEFAULT_MIN_SENT_SCORES, ge=1, le=20)

    # Delivery engine (REFERENCE "Telegram platform limits"; kept under Telegram's ceilings).
    rate_global_per_second: float = Field(default=25, gt=0)
    rate_per_chat_per_second: float = Field(default=1, gt=0)
    rate_per_chat_burst: int = Field(default=3, ge=1)
    rate_group_per_minute: float = Field(default=20, gt=0)
    rate_paid_per_second: float = Field(default=1000, gt=0)
    # The window Telegram counts those rates in (a test's emulator may run faster).
    rate_window_seconds: float = Field(default=1, gt=0)
    # Share of the global budget that only replies to people may use, never a broadcast.
    rate_interactive_reserve: float = Field(default=0.2, ge=0, lt=1)
    allow_paid_broadcast: bool = False
    quiet_hours_start: str = "21:00"
    quiet_hours_end: str = "09:00"
    # People write the list as they would in a letter: "7,1", "7, 1" or "7 1" (JSON works too).
    reminder_days_before: Annotated[list[int], NoDecode] = Field(default_factory=lambda: [7, 1])
    delivery_batch_size: int = Field(default=50, ge=1, le=1000)
    delivery_concurrency: int = Field(default=16, ge=1, le=200)
    # A row left in "sending" by a crashed process is taken again after this long.
    delivery_lease_seconds: float = Field(default=60, gt=0)
    delivery_max_attempts: int = Field(default=8, ge=1)
    delivery_retry_base_seconds: float = Field(default=2, gt=0)
    delivery_retry_max_seconds: float = Field(default=600, gt=0)
    delivery_tick_seconds: float = Field(default=1, gt=0)

    # Per-user flood control: more updates than this in a minute are dropped, with one notice.
    flood_updates_per_minute: int = Field(default=40, ge=1)
    # Updates the bot could not read are kept (redacted) this long for diagnosis.
    dead_letter_retention_days: int = Field(default=30, ge=1)

    log_level: str = "INFO"
    log_format: Literal["json", "text"] = "json"
    # Each update gets its own task so one slow user never holds up the others;
    # the test harness turns this off to know exactly when an update is done.
    concurrent_updates: bool = True

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _parse_admin_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p.strip() for p in value.replace(";", ",").split(",") if p.strip()]
            if not all(p.lstrip("-").isdigit() for p in parts):
                raise ValueError("must be comma-separated numeric Telegram ids, like 12345,67890")
            return frozenset(int(p) for p in parts)
        if isinstance(value, int):
            return frozenset({value})
        return value

    @field_validator("database_url")
    @classmethod
    def _normalise_database_url(cls, value: str) -> str:
        value = normalise_database_url(value)
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("must start with sqlite:// or postgresql://")
        if is_in_memory_sqlite(value):
            raise ValueError(
                "an in-memory SQLite database is empty for each connection and lost on exit, "
                "so the migrations never reach the bot; give a file (sqlite:///ngo-bot.db) "
                "or a PostgreSQL server"
            )
        return value

    @field_validator("redis_url")
    @classmethod
    def _check_redis_url(cls, value: str | None) -> str | None:
        if not value:
            return None
        if not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must start with redis://, rediss:// or unix://")
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _check_log_level(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.strip().upper()
            if value not in LOG_LEVELS:
                raise ValueError(f"must be one of {', '.join(LOG_LEVELS)}")
        return value

    @field_validator("quiet_hours_start", "quiet_hours_end")
    @classmethod
    def _check_time_of_day(cls, value: str) -> str:
        value = value.strip()
        if re.fullmatch(r"\d:[0-5]\d", value):  # "9:00"
            value = "0" + value
        if not re.fullmatch(TIME_OF_DAY, value):
            raise ValueError("must be a time of day as HH:MM, like 21:00")
        return value

    @field_validator("reminder_days_before", mode="before")
    @classmethod
    def _parse_reminder_days(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p for p in re.split(r"[\s,;\[\]]+", value) if p]
            if not all(p.isascii() and p.isdigit() for p in parts):
                raise ValueError(
                    "must be whole numbers of days before a deadline, separated by commas, like 7,1"
                )
            value = [int(p) for p in parts]
        return value

    @field_validator("reminder_days_before")
    @classmethod
    def _check_reminder_days(cls, value: list[int]) -> list[int]:
        if any(not 0 <= days <= MAX_REMINDER_DAYS for days in value):
            raise ValueError(f"each number of days must be from 0 to {MAX_REMINDER_DAYS}, like 7,1")
        return sorted(set(value), reverse=True)

    @field_validator("timezone")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("telegram_api_url", "webhook_url")
    @classmethod
    def _check_url(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return value.rstrip("/")

    @field_validator("mci_kzt_by_year")
    @classmethod
    def _check_mci_table(cls, value: dict[int, int]) -> dict[int, int]:
        check_mci_table(value)
        return value

    @field_validator("webhook_listen")
    @classmethod
    def _check_listen(cls, value: str) -> str:
        host, sep, port = value.rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError("must be HOST:PORT, for example 0.0.0.0:8080")
        return value

    @model_validator(mode="after")
    def _check_combinations(self) -> Settings:
        if self.default_locale not in SUPPORTED_LOCALES:  # pragma: no cover - Literal guards it
            raise ValueError("default_locale must be kk, ru or en")
        return self

    @property
    def listen_host(self) -> str:
        return self.webhook_listen.rpartition(":")[0]

    @property
    def listen_port(self) -> int:
        return int(self.webhook_listen.rpartition(":")[2])

    @property
    def uses_webhook(self) -> bool:
        return bool(self.webhook_url)

    def secrets(self) -> list[str]:
        """Values that must never appear in a log line or an error text."""
        found = []
        if self.bot_token is not None:
            found.append(self.bot_token.get_secret_value())
        if self.webhook_secret is not None:
            found.append(self.webhook_secret.get_secret_value())
        from sqlalchemy.engine import make_url

        try:
            password = make_url(self.database_url).password
        except Exception:  # an unparsable URL has no password to hide
            password = None
        if password:
            found.append(password)
        return [s for s in found if s]
