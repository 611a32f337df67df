"""The task function that runs on workers: build a variant, simulate one replication, reduce.

:func:`run_task` is a module-level function of picklable arguments, so process pools
(fork, forkserver or spawn) and Dask workers can all import and call it; workers need
supportsim installed, nothing else. It never raises for a failing variant: the error
travels back as data, so one broken variant cannot take the sweep down and exceptions
that do not pickle still arrive as a readable message.
"""

from __future__ import annotations

import os
import socket
import time
import traceback
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from supportsim.results import SimulationResult
from supportsim.scenario import Scenario
from supportsim.simulation import simulate_replications
from supportsim.sweeps._seeds import TaskSeeds, task_seeds
from supportsim.sweeps._summary import summarise

__all__ = ["TaskOutput", "TaskSpec", "build_variant", "run_task", "simulate_task"]


@dataclass(frozen=True)
class TaskSpec:
    """Everything a worker needs for one task (picklable)."""

    base: Scenario
    variant_id: str
    overrides: dict[str, Any]
    replication: int
    seed: int
    keep_tickets: bool = False


@dataclass
class TaskOutput:
    """What a task sends back: summary rows (and tickets) or the error, plus where it ran."""

    variant_id: str
    replication: int
    summary: pd.DataFrame | None = field(default=None, repr=False)
    tickets: pd.DataFrame | None = field(default=None, repr=False)
    error: str | None = None  # exception type name
    message: str = ""
    traceback: str = field(default="", repr=False)
    seconds: float = 0.0
    host: str = ""
    pid: int = 0

    @property
    def ok(self) -> bool:
        return self.error is None


def build_variant(base: Scenario, overrides: dict[str, Any]) -> Scenario:
    """The variant's scenario (overriding never warns: the sweep measures overload)."""
    if not overrides:
        return base
    return base.with_overrides(overrides)


def simulate_task(scenario: Scenario, seeds: TaskSeeds) -> SimulationResult:
    """One replication of `scenario` on the task's streams (:mod:`supportsim.sweeps._seeds`).

    Demand and engine streams come from (seed, replication) alone, shared by every
    variant (DESIGN section 7): the tables equal ``simulate``'s for that replication.
    """
    return simulate_replications(scenario, [seeds.replication], seeds.seed)


def run_task(spec: TaskSpec) -> TaskOutput:
    """Run one task; failures are returned in the output, not raised."""
    started = time.perf_counter()
    out = TaskOutput(variant_id=spec.variant_id, replication=spec.replication,
                     host=socket.gethostname(), pid=os.getpid())
    try:
        scenario = build_variant(spec.base, spec.overrides)
        result = simulate_task(scenario, task_seeds(spec.seed, spec.replication))
        out.summary = summarise(result)
        if spec.keep_tickets:
            out.tickets = result.tickets
    except Exception as exc:  # any failure of this variant is reported, not fatal
        out.error = type(exc).__name__
        out.message = " ".join(str(exc).split())
        out.traceback = traceback.format_exc()
    out.seconds = time.perf_counter() - started
    return out
