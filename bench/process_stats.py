"""CPU time and resident memory of a process: psutil when the bench extra is installed,
else Linux's /proc (so the smoke test runs where only the dev extra is)."""

from __future__ import annotations

import os

try:
    import psutil
except ImportError:  # pragma: no cover - depends on the installed extras
    psutil = None


def cpu_seconds(pid: int) -> float:
    if psutil is not None:
        times = psutil.Process(pid).cpu_times()
        return times.user + times.system
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    if psutil is not None:
        return psutil.Process(pid).memory_info().rss / 2**20
    with open(f"/proc/{pid}/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
