"""`ngo-bot backup FILE`: a consistent copy of the SQLite database while the bot runs.

SQLite's online backup API copies the pages inside one read transaction, so
the copy is the database as of one moment even while the bot writes (WAL
mode lets the bot go on writing meanwhile). The copy is written beside FILE
and renamed into place only once complete and checked, so a half-written
backup never carries the name. PostgreSQL has its own tools: see
docs/RELIABILITY.md.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url


class BackupError(Exception):
    """One line saying why no backup was made."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    pages: int
    size: int


def sqlite_file(database_url: str) -> Path:
    url = make_url(database_url)
    if not url.drivername.startswith("sqlite"):
        raise BackupError(
            "DATABASE_URL is PostgreSQL: back it up with pg_dump or continuous archiving "
            "(see docs/RELIABILITY.md)"
        )
    if not url.database or url.database == ":memory:":
        raise BackupError("DATABASE_URL is an in-memory SQLite database: nothing to back up")
    path = Path(url.database)
    if not path.is_file():
        raise BackupError(f"there is no database file at {path}")
    return path


def backup_sqlite(source: Path, target: Path) -> BackupResult:
    target = Path(target)
    if target.exists():
        raise BackupError(f"{target} already exists: choose a new file name")
    if target.resolve() == source.resolve():
        raise BackupError("the backup cannot be the database itself")
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        # Read-only: a backup never changes the live database.
        with _connect(f"file:{source}?mode=ro", uri=True) as live, _connect(partial) as copy:
            live.backup(copy)
            pages = copy.execute("PRAGMA page_count").fetchone()[0]
            copy.execute("PRAGMA journal_mode=DELETE")
            check = copy.execute("PRAGMA integrity_check").fetchone()[0]
        if check != "ok":
            raise BackupError(f"the copy failed its integrity check: {check}")
        os.replace(partial, target)
    except sqlite3.Error as exc:
        raise BackupError(f"cannot back up {source}: {exc}") from None
    except OSError as exc:
        raise BackupError(f"cannot write {target}: {exc.strerror}") from None
    finally:
        partial.unlink(missing_ok=True)
    return BackupResult(path=target, pages=pages, size=target.stat().st_size)


class _connect:
    """sqlite3.connect whose `with` closes the connection (sqlite3's own only commits)."""

    def __init__(self, database: str | Path, *, uri: bool = False) -> None:
        self.connection = sqlite3.connect(database, timeout=30, uri=uri)

    def __enter__(self) -> sqlite3.Connection:
        return self.connection

    def __exit__(self, *exc: object) -> None:
        self.connection.close()
