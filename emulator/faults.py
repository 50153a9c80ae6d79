"""Seeded fault injection: 5xx answers, latency, dropped connections, 429 bursts."""

from __future__ import annotations

import random
from dataclasses import dataclass

from emulator.config import Faults
from emulator.records import FaultRecord


@dataclass
class FaultDecision:
    latency: float = 0.0
    kind: str | None = None  # "error_500", "error_502", "drop_before", "drop_after", "burst_429"
    retry_after: int = 1


class FaultInjector:
    """Decides the fault for each eligible call.

    Every eligible call consumes the same number of random draws, whatever the
    outcome, so one seed always yields one fault sequence for one call sequence.
    """

    def __init__(self, faults: Faults) -> None:
        self.configure(faults)
        self.records: list[FaultRecord] = []
        self._seq = 0

    def configure(self, faults: Faults) -> None:
        self.faults = faults
        self._random = random.Random(faults.seed)
        self._burst_left = 0

    def decide(self, method: str) -> FaultDecision | None:
        faults = self.faults
        if not faults.active or not faults.eligible(method):
            return None
        draws = [self._random.random() for _ in range(6)]
        low, high = faults.latency
        decision = FaultDecision(latency=low + (high - low) * draws[0])
        if self._burst_left > 0:
            self._burst_left -= 1
            decision.kind = "burst_429"
        elif draws[1] < faults.burst_429_rate:
            self._burst_left = max(faults.burst_length - 1, 0)
            decision.kind = "burst_429"
        elif draws[2] < faults.error_rate:
            statuses = faults.error_statuses or (500,)
            decision.kind = f"error_{statuses[int(draws[3] * len(statuses))]}"
        elif draws[4] < faults.drop_rate:
            mode = faults.drop_mode
            if mode == "mixed":
                mode = "after" if draws[5] < faults.drop_after_fraction else "before"
            decision.kind = f"drop_{mode}"
        decision.retry_after = faults.burst_retry_after
        self._seq += 1
        if decision.kind or decision.latency:
            detail = {"latency": round(decision.latency, 6)}
            self.records.append(FaultRecord(self._seq, method, decision.kind or "latency", detail))
        return decision

    def sequence(self) -> list[tuple[str, str]]:
        """(method, kind) of every injected fault, for determinism checks."""
        return [(r.method, r.kind) for r in self.records]
