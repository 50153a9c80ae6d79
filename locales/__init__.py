"""The kk, ru and en message catalogs: gettext .po files, compiled in memory at start.

Each feature keeps its messages in its own file (`core.po`, `registry.po`, ...)
under `<locale>/LC_MESSAGES/`; a locale's files are merged when loaded.
"""

from pathlib import Path

CATALOG_DIR = Path(__file__).parent


def catalog_files(locale: str) -> list[Path]:
    return sorted((CATALOG_DIR / locale / "LC_MESSAGES").glob("*.po"))
