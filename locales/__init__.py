"""The kk, ru and en message catalogs (gettext .po files, compiled in memory at start)."""

from pathlib import Path

CATALOG_DIR = Path(__file__).parent
DOMAIN = "messages"


def catalog_path(locale: str) -> Path:
    return CATALOG_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
