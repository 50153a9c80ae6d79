"""Golden transcripts of the example scripts: what may differ from run to run is masked.

`examples/golden/<script>.<lang>.txt` holds each example's transcript in each
language. The examples run with the bot's clock set to PINNED_NOW, since what
the bot says depends on the date (an activity report due or overdue). Only what
still changes is masked: dates and times of day (some come from the real
clock), and the pinned year, its neighbours and this year (references such as
GR-2026-000001 carry the year).
Regenerate them all with

    UPDATE_GOLDEN=1 .venv/bin/pytest tests/sandbox -n 2 -k example

and read the diff before committing it.
"""

from __future__ import annotations

import os
import re
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
GOLDEN = EXAMPLES / "golden"
LANGUAGES = ("kk", "ru", "en")
PINNED_NOW = "2026-12-07T15:00+05:00"

DATE = re.compile(r"\b\d{1,2}\.\d{2}\.\d{4}\b|\b\d{4}-\d{2}-\d{2}\b")
TIME_OF_DAY = re.compile(r"\b\d{1,2}:\d{2}(:\d{2})?\b")


def mask(transcript: str) -> str:
    pinned = datetime.fromisoformat(PINNED_NOW).year
    years = {pinned - 1, pinned, pinned + 1, date.today().year}
    text = DATE.sub("<date>", transcript)
    text = TIME_OF_DAY.sub("<time>", text)
    return re.sub(rf"\b({'|'.join(map(str, sorted(years)))})\b", "<year>", text)


def golden_path(script: str, lang: str) -> Path:
    return GOLDEN / f"{Path(script).stem}.{lang}.txt"


def updating() -> bool:
    return os.environ.get("UPDATE_GOLDEN") == "1"
