"""Every benchmark at small sizes (about six minutes on 2 cores), then the generated
section of docs/PERFORMANCE.md.

python -m bench.all            # the "small" sizes below
python -m bench.all --tiny     # about a minute, no PostgreSQL
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from bench import (
    broadcast,
    data_scale,
    explain,
    figures,
    journeys,
    replies_during_broadcast,
    startup,
)

DOC = Path(__file__).parents[1] / "docs" / "PERFORMANCE.md"
RESULTS_START = "<!-- bench.all results: start -->"
RESULTS_END = "<!-- bench.all results: end -->"

SIZES = {
    "small": {
        "users": [50],
        "databases": ["sqlite", "postgres"],
        "recipients": 5000,
        "fault_recipients": 300,
        "paid_recipients": 5000,
        "organisations": [2500, 25000],
        "explain_organisations": 25000,
        "repeats": 3,
    },
    "tiny": {
        "users": [2],
        "databases": ["sqlite"],
        "recipients": 50,
        "fault_recipients": 0,
        "paid_recipients": 0,
        "organisations": [50, 100],
        "explain_organisations": 0,
        "repeats": 1,
    },
}


def run_all(size: str) -> list[dict]:
    sizes = SIZES[size]
    documents = [
        asyncio.run(journeys.measure(sizes["users"], ["polling", "webhook"], sizes["databases"])),
        asyncio.run(
            broadcast.measure(
                sizes["recipients"],
                10,
                sizes["fault_recipients"],
                paid_recipients=sizes["paid_recipients"],
            )
        ),
        asyncio.run(replies_during_broadcast.measure(sizes["recipients"] // 2)),
        data_scale.measure(sizes["organisations"], sizes["databases"]),
        asyncio.run(startup.measure(sizes["repeats"])),
    ]
    if sizes["explain_organisations"]:
        documents.append(asyncio.run(explain.measure(sizes["explain_organisations"], 10)))
    return documents


def rewrite_doc(documents: list[dict], doc: Path = DOC) -> None:
    """Replace the generated section of docs/PERFORMANCE.md; the prose around it stays."""
    machine = documents[0]["machine"]
    body = "\n".join(
        [
            RESULTS_START,
            f"Measured {machine['measured_at']} on {machine['cpus']} CPUs, "
            f"load average {machine['load_average_1m']} when the first figures were written "
            "(the machine is shared: figures from a busy machine are slower than an idle one's).",
            "",
            *(d["markdown"] for d in documents),
            RESULTS_END,
        ]
    )
    text = doc.read_text(encoding="utf-8") if doc.exists() else f"{RESULTS_START}\n{RESULTS_END}\n"
    before, _, rest = text.partition(RESULTS_START)
    _, _, after = rest.partition(RESULTS_END)
    doc.write_text(before + body + after, encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.all", description=__doc__)
    parser.add_argument("--tiny", action="store_true", help="the smoke test's sizes")
    parser.add_argument("--no-doc", action="store_true", help="leave docs/PERFORMANCE.md alone")
    args = parser.parse_args(argv)
    documents = run_all("tiny" if args.tiny else "small")
    for document in documents:
        figures.show(document)
    if not args.no_doc:
        rewrite_doc(documents)
        print(f"rewrote {DOC}")


if __name__ == "__main__":
    main()
