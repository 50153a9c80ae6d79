"""Every wrong setting or argument ends `ngo-bot` with one line that names it, and status 2."""

from __future__ import annotations

import pytest

from core.settings import Settings
from tests.cli.test_cli import ngo_bot

# (setting, value, what the line says after "ngo-bot: SETTING: "). Each case starts a
# Python process; the first few run by default, the rest with the slow tests.
SLOW = pytest.mark.slow
FIRST_CASES = 4
BAD_SETTINGS_TABLE = [
    ("DATABASE_URL", "sqlite:///:memory:", "in-memory SQLite"),
    ("REMINDER_DAYS_BEFORE", "x", "like 7,1"),
    ("TIMEZONE", "Mars/Olympus", "unknown time zone"),
    ("QUIET_HOURS_START", "25:00", "HH:MM, like 21:00"),
    ("DATABASE_URL", "sqlite://", "give a file (sqlite:///ngo-bot.db) or a PostgreSQL server"),
    ("DATABASE_URL", "sqlite:///file:x?mode=memory&uri=true", "in-memory SQLite"),
    ("REMINDER_DAYS_BEFORE", "7,-1", "like 7,1"),
    ("REMINDER_DAYS_BEFORE", "7,1000", "from 0 to 366"),
    ("TIMEZONE", "../../etc/passwd", "unknown time zone"),
    ("DEFAULT_LOCALE", "de", "'kk', 'ru' or 'en'"),
    ("QUIET_HOURS_END", "nine", "HH:MM, like 21:00"),
    ("RATE_GLOBAL_PER_SECOND", "-5", "greater than 0"),
    ("RATE_PER_CHAT_PER_SECOND", "0", "greater than 0"),
    ("RATE_INTERACTIVE_RESERVE", "1.5", "less than 1"),
    ("INSTITUTIONAL_PERCENT", "-1", "greater than or equal to 0"),
    ("DELIVERY_BATCH_SIZE", "lots", "valid integer"),
    ("LOG_LEVEL", "LOUD", "DEBUG, INFO, WARNING, ERROR, CRITICAL"),
    ("LOG_FORMAT", "xml", "'json' or 'text'"),
    ("REDIS_URL", "localhost:6379", "redis://"),
    ("WEBHOOK_URL", "ftp://bot.example", "http:// or https://"),
    ("WEBHOOK_LISTEN", "0.0.0.0:99999", "HOST:PORT"),
    ("ADMIN_IDS", "me", "numeric Telegram ids"),
    ("MCI_KZT_BY_YEAR", "{2026: 4325}", "not valid JSON"),
]
BAD_SETTINGS = [
    case if index < FIRST_CASES else pytest.param(*case, marks=SLOW)
    for index, case in enumerate(BAD_SETTINGS_TABLE)
]


def one_line(result) -> str:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    line = result.stderr.strip()
    assert line and "\n" not in line, result.stderr
    return line


@pytest.mark.parametrize(("name", "value", "says"), BAD_SETTINGS)
def test_a_wrong_setting_is_one_line_and_status_2(tmp_path, name, value, says):
    line = one_line(ngo_bot("migrate", env={name: value}, cwd=tmp_path))
    assert line.startswith(f"ngo-bot: {name}: ")
    assert says in line
    assert not (tmp_path / "ngo-bot.db").exists()  # nothing was started


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("sandbox", "--db", "/no/such/folder/sandbox.db"), "--db /no/such/folder/sandbox.db: "),
        (("sandbox", "--db", "/proc/sandbox.db"), "cannot open the database"),
        (("export", "filings", "--out", "x.xlsx", "--year", "twenty"), "invalid int value"),
        pytest.param(("sandbox", "--db", "."), "is a folder", marks=SLOW),
        pytest.param(("sandbox", "--now", "tomorrow"), "not a date and time", marks=SLOW),
        pytest.param(("sandbox", "--lang", "de"), "invalid choice", marks=SLOW),
        pytest.param(("sandbox", "--script", "nothing.txt"), "cannot read the script", marks=SLOW),
        pytest.param(("export", "grants", "--out", "x.xlsx"), "invalid choice", marks=SLOW),
        pytest.param(("admin", "grant", "@someone", "operator"), "invalid int", marks=SLOW),
        pytest.param(("nonsense",), "invalid choice", marks=SLOW),
        pytest.param((), "required: COMMAND", marks=SLOW),
    ],
)
def test_a_wrong_argument_is_one_line_and_status_2(tmp_path, args, says):
    line = one_line(ngo_bot(*args, cwd=tmp_path))
    assert line.startswith("ngo-bot")
    assert says in line


def test_a_bad_setting_in_the_sandbox_is_one_line_too(tmp_path):
    (tmp_path / "hello.txt").write_text("/start\n", encoding="utf-8")
    result = ngo_bot("sandbox", "--script", "hello.txt", env={"TIMEZONE": "Mars"}, cwd=tmp_path)
    line = one_line(result)
    assert line == "ngo-bot: TIMEZONE: unknown time zone 'Mars'"


@pytest.mark.parametrize(
    ("typed", "days"),
    [("7,1", [7, 1]), ("7, 1", [7, 1]), ("1 7", [7, 1]), ("[7, 1]", [7, 1]), ("3;0", [3, 0])],
)
def test_reminder_days_are_read_as_people_write_a_list(monkeypatch, typed, days):
    monkeypatch.setenv("REMINDER_DAYS_BEFORE", typed)
    assert Settings(_env_file=None).reminder_days_before == days


def test_a_quiet_hour_without_its_leading_zero_is_taken(monkeypatch):
    monkeypatch.setenv("QUIET_HOURS_END", "9:00")
    assert Settings(_env_file=None).quiet_hours_end == "09:00"
