"""`ngo-bot` as a newcomer meets it: help, and one clear line for each wrong setting."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import TEST_TOKEN


def ngo_bot(*args: str, env: dict[str, str] | None = None, cwd=None) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.upper().startswith(("BOT_", "DATABASE_"))}
    clean.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env=clean,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_help_lists_the_subcommands():
    result = ngo_bot("--help")
    assert result.returncode == 0
    for command in ("run", "migrate", "emulator", "sandbox"):
        assert command in result.stdout


def test_run_without_a_token_exits_2_with_one_line(tmp_path):
    result = ngo_bot("run", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "BOT_TOKEN" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "url",
    [
        "mysql://root@localhost/x",
        "sqlite:////no/such/folder/bot.db",
        "postgresql://bot:s3cretpass@127.0.0.1:1/ngo",
    ],
)
def test_run_with_a_wrong_database_url_exits_2_with_one_line(tmp_path, url):
    result = ngo_bot("run", env={"BOT_TOKEN": TEST_TOKEN, "DATABASE_URL": url}, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("ngo-bot: DATABASE_URL")
    assert "Traceback" not in result.stderr
    assert "s3cretpass" not in result.stderr
    assert TEST_TOKEN not in result.stderr


@pytest.mark.parametrize(
    ("table", "reason"),
    [
        ("{}", "needs at least one year"),
        ('{"2026": 0}', "the MCI of 2026 must be a positive whole number of tenge"),
        ("4325", "valid dictionary"),
        ("{2026: 4325}", "not valid JSON"),
    ],
)
def test_a_wrong_mci_table_exits_2_with_one_line(tmp_path, table, reason):
    env = {"BOT_TOKEN": TEST_TOKEN, "MCI_KZT_BY_YEAR": table}
    result = ngo_bot("run", env=env, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().count("\n") == 0
    assert result.stderr.startswith("ngo-bot: MCI_KZT_BY_YEAR: ")
    assert reason in result.stderr


def test_migrate_creates_the_schema(tmp_path):
    result = ngo_bot("migrate", cwd=tmp_path, env={"LOG_LEVEL": "WARNING"})
    assert result.returncode == 0, result.stderr
    assert "revision" in result.stdout
    assert (tmp_path / "ngo-bot.db").exists()
