"""Writing results: JSON for machines, a Markdown table for people, both in bench/results/."""

from __future__ import annotations

import json
import os
import platform
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

RESULTS = Path(os.environ.get("BENCH_RESULTS", Path(__file__).parent / "results"))


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """Nearest-rank percentile; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(fraction * len(ordered) + 0.5)))
    return ordered[rank - 1]


def machine() -> dict[str, Any]:
    """What the figures were measured on; the load says how busy the machine was."""
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    return {
        "cpus": os.cpu_count(),
        "load_average_1m": round(load[0], 2),
        "python": platform.python_version(),
        "measured_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }


def cell(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 100 else f"{value:,.0f}"
    return str(value)


def markdown_table(columns: Sequence[str], rows: Sequence[dict[str, Any]]) -> str:
    lines = ["| " + " | ".join(columns) + " |", "|" + " --- |" * len(columns)]
    for row in rows:
        lines.append("| " + " | ".join(cell(row.get(c)) for c in columns) + " |")
    return "\n".join(lines)


def write(name: str, title: str, columns: Sequence[str], rows: list[dict], **extra) -> dict:
    """Save `rows` (and `extra` facts) as NAME.json and NAME.md; returns the JSON document."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    document = {"benchmark": name, "machine": machine(), "rows": rows, **extra}
    (RESULTS / f"{name}.json").write_text(json.dumps(document, indent=2, ensure_ascii=False))
    notes = extra.get("notes") or []
    text = f"### {title}\n\n{markdown_table(columns, rows)}\n"
    if notes:
        text += "\n" + "\n".join(f"- {note}" for note in notes) + "\n"
    document["markdown"] = text
    (RESULTS / f"{name}.md").write_text(text, encoding="utf-8")
    return document


def show(document: dict) -> None:
    print(document["markdown"])
    print(f"(JSON: {RESULTS / (document['benchmark'] + '.json')})")
