"""Shared pieces of the benchmarks: timing, result rows and the M/M/c scenario."""

from __future__ import annotations

import gc
import math
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import supportsim as ss

__all__ = ["REPEAT", "Row", "Target", "best_of", "best_of_each", "mmc_scenario", "say"]

T = TypeVar("T")

#: Repetitions per timing; the minimum is reported (``--repeat`` changes it). Five, not
#: three: on a shared 2-core machine single timings vary by +-15 %.
REPEAT = 5


@dataclass(frozen=True)
class Target:
    """A goal for a row's value (or ratio): ``value >= bound`` or ``value <= bound``."""

    op: str  # ">=" or "<="
    bound: float
    stage: str = ""  # "foundation", "later", ...

    def met(self, value: float) -> bool:
        """Whether `value` reaches the target."""
        return value >= self.bound if self.op == ">=" else value <= self.bound

    def __str__(self) -> str:
        stage = f" ({self.stage})" if self.stage else ""
        return f"{self.op} {self.bound:g}{stage}"


@dataclass(frozen=True)
class Row:
    """One line of the results table.

    Attributes
    ----------
    family : str
        Benchmark family (``core``, ``memory``, ...).
    case : str
        What was measured.
    value : float
        The measurement, in `unit`.
    unit : str
    ratio : float or None
        A ratio measured in the same run (its meaning is in `case`), if any.
    targets : tuple of Target
        Goals for `ratio` when given, else for `value`.
    """

    family: str
    case: str
    value: float
    unit: str
    ratio: float | None = None
    targets: tuple[Target, ...] = ()

    def status(self) -> str:
        """``yes``/``no`` per target, in order (empty without targets)."""
        subject = self.value if self.ratio is None else self.ratio
        if not math.isfinite(subject):
            return ""
        return ", ".join("yes" if t.met(subject) else "no" for t in self.targets)

    def as_dict(self) -> dict[str, Any]:
        """Plain data for the JSON output."""
        return {
            "family": self.family,
            "case": self.case,
            "value": _round(self.value),
            "unit": self.unit,
            "ratio": None if self.ratio is None else _round(self.ratio),
            "targets": [str(t) for t in self.targets],
            "met": self.status(),
        }


def _round(x: float) -> float | None:
    return float(f"{x:.4g}") if math.isfinite(x) else None


def best_of(fn: Callable[[], T], repeat: int | None = None) -> tuple[float, T]:
    """Run `fn` `repeat` times (default :data:`REPEAT`); return the fastest wall time (s)
    and the last result.

    The garbage collector stays on (it is part of the real cost), but runs before each
    repetition so one repetition does not pay for the garbage of the previous one.
    """
    best = math.inf
    result: T
    for _ in range(repeat or REPEAT):
        gc.collect()
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def best_of_each(
    fns: dict[str, Callable[[], Any]], repeat: int | None = None
) -> dict[str, tuple[float, Any]]:
    """Like :func:`best_of` for several functions, interleaved round by round.

    Interleaving spreads any drift in machine load over all of them, so their ratios
    stay fair on a busy machine.
    """
    best = dict.fromkeys(fns, math.inf)
    results: dict[str, Any] = {}
    for _ in range(repeat or REPEAT):
        for name, fn in fns.items():
            gc.collect()
            start = time.perf_counter()
            results[name] = fn()
            best[name] = min(best[name], time.perf_counter() - start)
    return {name: (best[name], results[name]) for name in fns}


def mmc_scenario(
    rate: float, staff: int, horizon: float, mean_effort: float = 1.0,
    extra: dict[str, Any] | None = None,
) -> ss.Scenario:
    """An M/M/c desk: Poisson arrivals at `rate`/h, exponential effort, one priority, FIFO,
    `staff` agents on duty 24x7, one replication without warm-up.

    `extra` adds top-level sections (e.g. ``{"workforce": {...}}``); demand does not depend
    on them, so the ticket stream stays that of the plain desk.
    """
    data = {
        "name": f"M/M/{staff} benchmark",
        "horizon": float(horizon),
        "warmup": 0.0,
        "replications": 1,
        "demand": {"rate": float(rate), "profile": "flat"},
        "priorities": {"P1": {"share": 1.0, "response": "1h", "resolution": "8h"}},
        "work": {"mix": {"l1": 1.0},
                 "effort": {"l1": {"dist": "exponential", "mean": float(mean_effort)}}},
        "team": {"structure": "tiered", "discipline": "fifo",
                 "tiers": {"l1": {"staff": staff, "hours": "24x7"}}},
        **(extra or {}),
    }
    with warnings.catch_warnings():
        # Overloaded desks are built on purpose (the backlog benchmark).
        warnings.simplefilter("ignore", ss.CapacityWarning)
        return ss.Scenario.from_dict(data, source="benchmarks")


def say(message: str) -> None:
    """Progress on stderr, so stdout stays the results table."""
    import sys

    print(message, file=sys.stderr, flush=True)
