"""Every SQL statement a process sends, counted, with the parameters of its first call.

    python -m bench.sql_trace OUT.pickle bot run      # runs `python -m bot run` traced

The bot under test runs unchanged: a listener on every SQLAlchemy engine notes each
statement, and the tally is written to OUT.pickle when the process exits. bench.explain
reads it back and asks PostgreSQL how it runs each statement. `install()` does the same
inside the calling process.
"""

from __future__ import annotations

import atexit
import pickle
import runpy
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine


@dataclass
class Statement:
    text: str
    calls: int = 0
    parameters: Any = None  # the first call's, as the driver got them
    executemany: bool = False
    sources: set[str] = field(default_factory=set)


class Tally:
    def __init__(self, source: str) -> None:
        self.source = source
        self.statements: dict[str, Statement] = {}

    def seen(self, _connection, _cursor, statement, parameters, _context, executemany) -> None:
        entry = self.statements.get(statement)
        if entry is None:
            entry = self.statements[statement] = Statement(
                statement, parameters=parameters, executemany=executemany
            )
        entry.calls += 1
        entry.sources.add(self.source)

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as out:
            pickle.dump(list(self.statements.values()), out)


def install(source: str) -> Tally:
    """Count the statements every engine of this process sends from now on."""
    tally = Tally(source)
    event.listen(Engine, "before_cursor_execute", tally.seen)
    return tally


def load(path: Path) -> list[Statement]:
    with path.open("rb") as source:
        return pickle.load(source)  # our own file, written by save()


def main() -> None:
    # Pickle the records as bench.sql_trace's, not __main__'s, so load() can read them.
    from bench.sql_trace import install as install_here

    out, module, *arguments = sys.argv[1:]
    tally = install_here(module)
    atexit.register(tally.save, Path(out))
    sys.argv = [module, *arguments]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
