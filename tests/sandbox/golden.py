"""Golden transcripts of the example scripts: what may differ from run to run is masked.

`examples/golden/<script>.<lang>.txt` holds each example's transcript in each
language. Only what legitimately changes is masked: this year and its
neighbours (references such as GR-2026-000001 carry it), dates and times of day.
Regenerate them all with

    UPDATE_GOLDEN=1 .venv/bin/pytest tests/sandbox -n 2 -k example

and read the diff before committing it.
"""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
GOLDEN = EXAMPLES / "golden"
LANGUAGES = ("kk", "ru", "en")

DATE = re.compile(r"\b\d{1,2}\.\d{2}\.\d{4}\b|\b\d{4}-\d{2}-\d{2}\b")
TIME_OF_DAY = re.compile(r"\b\d{1,2}:\d{2}(:\d{2})?\b")


def mask(transcript: str, today: date | None = None) -> str:
    year = (today or date.today()).year
    text = DATE.sub("<date>", transcript)
    text = TIME_OF_DAY.sub("<time>", text)
    return re.sub(rf"\b({year - 1}|{year}|{year + 1})\b", "<year>", text)


def golden_path(script: str, lang: str) -> Path:
    return GOLDEN / f"{Path(script).stem}.{lang}.txt"


def updating() -> bool:
    return os.environ.get("UPDATE_GOLDEN") == "1"
