"""What the benchmarks seed a database with, importable without the bot's frameworks
(bench.data_scale measures its own process's memory)."""

from __future__ import annotations

from pathlib import Path

from domain.bin import bin_check_digit

TOPICS = Path(__file__).parents[1] / "grants" / "demo" / "topics-2016.yaml"


def bins(count: int, first_serial: int = 1) -> list[str]:
    """Distinct valid BINs (registered January 2015, resident head offices)."""
    found, serial = [], first_serial
    while len(found) < count:
        first11 = f"150140{serial:05d}"
        digit = bin_check_digit(first11)
        if digit is not None:
            found.append(first11 + str(digit))
        serial += 1
    return found
