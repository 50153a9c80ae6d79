"""Seeded fault injection: 5xx answers, latency, slow answers, dropped connections,
hanging requests (timeouts), 429 bursts; and scripted faults per method (an HTML
page, malformed JSON, an unknown method, or any seeded kind) that tests set."""

from __future__ import annotations

import random
from dataclasses import dataclass

from emulator.config import Faults, MethodFault
from emulator.records import FaultRecord


@dataclass
class FaultDecision:
    latency: float = 0.0
    # "error_500", "error_502", "drop_before", "drop_after", "burst_429",
    # "timeout_before", "timeout_after", "slow" (answered, late); scripted only:
    # "html_<status>", "malformed_json", "unknown_method" (see MethodFault)
    kind: str | None = None
    retry_after: int = 1


class FaultInjector:
    """Decides the fault for each eligible call.

    Every eligible call consumes the same number of random draws, whatever the
    outcome, so one seed always yields one fault sequence for one call sequence.
    (Timeouts and slow answers take draws of their own only when configured, so
    a configuration without them keeps the sequences it always had.)

    A scripted fault (`Faults.per_method`, or `script` at run time) answers its
    method's calls before any draw and takes none, so the seeded sequence of the
    other calls is the same with or without it.
    """

    def __init__(self, faults: Faults) -> None:
        self.configure(faults)
        self.records: list[FaultRecord] = []
        self._seq = 0

    def configure(self, faults: Faults) -> None:
        self.faults = faults
        self._random = random.Random(faults.seed)
        self._burst_left = 0
        # method (lower case) -> [kind, calls left or None for every call]
        self._scripted: dict[str, list] = {}
        for method, fault in faults.per_method.items():
            self.script(method, fault)

    def script(self, method: str, fault: MethodFault | None) -> None:
        """Answer `method`'s calls with `fault` from now on (None lifts it); the seeded
        sequence goes on where it was."""
        if fault is None:
            self._scripted.pop(method.lower(), None)
        else:
            self._scripted[method.lower()] = [fault.kind, fault.times]

    def _scripted_kind(self, method: str) -> str | None:
        entry = self._scripted.get(method.lower())
        if entry is None:
            return None
        kind, left = entry
        if left is not None:
            entry[1] = left - 1
            if entry[1] == 0:
                del self._scripted[method.lower()]
        return kind

    def decide(self, method: str) -> FaultDecision | None:
        faults = self.faults
        scripted = self._scripted_kind(method)
        if scripted is not None:
            self._seq += 1
            self.records.append(FaultRecord(self._seq, method, scripted, {"scripted": True}))
            return FaultDecision(kind=scripted, retry_after=faults.burst_retry_after)
        if not faults.active or not faults.eligible(method):
            return None
        draws = [self._random.random() for _ in range(6)]
        # Draws for the kinds added later are taken only when those kinds are
        # configured, so older configurations keep their exact sequences.
        timeout_draw = self._random.random() if faults.timeout_rate else 1.0
        slow_draw, slow_amount = (
            (self._random.random(), self._random.random()) if faults.slow_rate else (1.0, 0.0)
        )
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
            decision.kind = f"drop_{self._mode(faults.drop_mode, draws[5])}"
        elif timeout_draw < faults.timeout_rate:
            decision.kind = f"timeout_{self._mode(faults.timeout_mode, draws[5])}"
        elif slow_draw < faults.slow_rate:
            slow_low, slow_high = faults.slow_latency
            decision.kind = "slow"
            decision.latency += slow_low + (slow_high - slow_low) * slow_amount
        decision.retry_after = faults.burst_retry_after
        self._seq += 1
        if decision.kind or decision.latency:
            detail: dict = {"latency": round(decision.latency, 6)}
            if decision.kind and decision.kind.startswith("timeout_"):
                detail["hold"] = faults.timeout_hold
            self.records.append(FaultRecord(self._seq, method, decision.kind or "latency", detail))
        return decision

    def _mode(self, mode: str, draw: float) -> str:
        if mode == "mixed":
            return "after" if draw < self.faults.drop_after_fraction else "before"
        return mode

    @property
    def eligible_calls(self) -> int:
        """Calls the current configuration was asked about (faulted or not, scripted
        faults included)."""
        return self._seq

    def sequence(self) -> list[tuple[str, str]]:
        """(method, kind) of every injected fault, for determinism checks."""
        return [(r.method, r.kind) for r in self.records]
