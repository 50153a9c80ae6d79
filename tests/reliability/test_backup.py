"""`ngo-bot backup FILE` copies SQLite consistently while the bot runs; the copy works."""

from __future__ import annotations

import sqlite3

import pytest

from bot.backup import BackupError, backup_sqlite, sqlite_file
from bot.cli import main
from bot.local_world import LocalWorld
from tests.e2e.journeys import register_organisation

OWNER = 770001


async def test_a_backup_taken_while_the_bot_runs_restores_to_a_working_bot(
    settings, tmp_path, figures
):
    world = LocalWorld(settings)
    await world.start()
    try:
        owner = world.emulator.user(OWNER, language_code="en")
        await register_organisation(owner, "en", name="Backup Fund")
        made = backup_sqlite(sqlite_file(world.settings.database_url), tmp_path / "copy.db")
        await owner.send("/start")  # the bot goes on working during and after the backup
        # Restore: the same Telegram (update ids go on), the bot now on the copy.
        await world.stop_bot()
        world.settings = world.settings.model_copy(
            update={"database_url": f"sqlite+aiosqlite:///{made.path}"}
        )
        await world.start_bot()
        before = len(owner.messages())
        await owner.send("/menu")
        assert len(owner.messages()) > before, "the restored bot answers"
    finally:
        await world.stop()
    with sqlite3.connect(made.path) as copy:
        names = [row[0] for row in copy.execute("SELECT name FROM organisations")]
    assert names == ["Backup Fund"]
    figures("backup", bytes=made.size, pages=made.pages, restored_and_answered=True)


def test_the_command_refuses_postgresql_and_existing_files(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", "postgresql://ngo:pw@localhost/ngo")
    monkeypatch.setenv("BOT_TOKEN", "1:x")
    with pytest.raises(SystemExit) as exit_:
        main(["backup", str(tmp_path / "x.db")])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "pg_dump" in err and "RELIABILITY.md" in err and "pw" not in err
    existing = tmp_path / "there.db"
    existing.write_bytes(b"")
    with pytest.raises(BackupError):
        backup_sqlite(existing, existing)
