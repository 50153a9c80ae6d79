"""Backups taken while the bot runs restore to a working bot.

SQLite: `ngo-bot backup FILE` (SQLite's online backup API). PostgreSQL: the
documented `pg_dump` / `pg_restore` (docs/RELIABILITY.md, "Backups"); the
`backup` command refuses a PostgreSQL URL and points there. Each test runs on
the backend it is about and says so when skipped on the other.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import shutil

import pytest
from sqlalchemy.engine import make_url

from bot.backup import BackupError, backup_sqlite, sqlite_file
from bot.cli import main
from bot.local_world import LocalWorld
from tests import services
from tests.conftest import TEST_BACKEND
from tests.e2e.journeys import register_organisation
from tests.reliability import support

OWNER = 770001
_restores = itertools.count(1)


async def _run(*command: str) -> None:
    process = await asyncio.create_subprocess_exec(
        *command, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    _out, err = await process.communicate()
    assert process.returncode == 0, f"{command[0]}: {err.decode(errors='replace')}"


async def _restart_on(world: LocalWorld, database_url: str, owner) -> bool:
    """Restore: the same Telegram (update ids go on), the bot now on the copy."""
    await world.stop_bot()
    world.settings = world.settings.model_copy(update={"database_url": database_url})
    await world.start_bot()
    before = len(owner.messages())
    await owner.send("/menu")
    return len(owner.messages()) > before


@pytest.mark.skipif(
    TEST_BACKEND != "sqlite",
    reason="`ngo-bot backup` is SQLite's online backup; PostgreSQL is backed up with "
    "pg_dump (test_a_pg_dump_taken_while_the_bot_runs_restores_to_a_working_bot)",
)
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
        answered = await _restart_on(world, f"sqlite+aiosqlite:///{made.path}", owner)
    finally:
        await world.stop()
    assert answered, "the restored bot answers"
    assert await support.names_of_organisations(f"sqlite+aiosqlite:///{made.path}") == [
        "Backup Fund"
    ]
    figures("backup", bytes=made.size, pages=made.pages, restored_and_answered=True)


@pytest.mark.skipif(
    TEST_BACKEND != "postgres",
    reason="a PostgreSQL backup needs the bot on PostgreSQL (NGO_BOT_TEST_DB=postgres)",
)
@pytest.mark.skipif(
    shutil.which("pg_dump") is None or shutil.which("pg_restore") is None,
    reason="pg_dump and pg_restore (the PostgreSQL client tools) are not installed",
)
async def test_a_pg_dump_taken_while_the_bot_runs_restores_to_a_working_bot(
    settings, tmp_path, figures
):
    dump = tmp_path / "ngo-bot.dump"
    plain = make_url(settings.database_url).set(drivername="postgresql")
    restored = f"ngo_restored_{os.getpid()}_{next(_restores)}"
    world = LocalWorld(settings)
    await world.start()
    try:
        owner = world.emulator.user(OWNER, language_code="en")
        await register_organisation(owner, "en", name="Backup Fund")
        # The commands of docs/RELIABILITY.md, with the plain postgresql:// URL; the
        # bot answers a message while the dump runs.
        dumping = asyncio.create_task(
            _run("pg_dump", "--format=custom", f"--file={dump}", plain.render_as_string(False))
        )
        await owner.send("/start")
        await dumping
        await services._admin(f"CREATE DATABASE {restored}")
        target = plain.set(database=restored).render_as_string(False)
        restore = ("pg_restore", "--clean", "--if-exists", "--no-owner", f"--dbname={target}")
        await _run(*restore, str(dump))
        answered = await _restart_on(world, services.postgres_url(restored), owner)
        names = await support.names_of_organisations(services.postgres_url(restored))
    finally:
        await world.stop()
        await services._admin(f"DROP DATABASE IF EXISTS {restored} WITH (FORCE)")
    assert answered, "the restored bot answers"
    assert names == ["Backup Fund"]
    figures("backup_postgres", dump_bytes=dump.stat().st_size, restored_and_answered=True)


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
