"""Run replications in batches, here or on an executor, for the sequential drivers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from supportsim.results import SimulationResult
from supportsim.scenario import Scenario
from supportsim.sequential._merge import merge_results
from supportsim.sequential._precision import run_sequential
from supportsim.simulation import Tickets, estimate_size, simulate_replications

__all__ = ["batch_runner", "simulate_sequentially"]


def batch_runner(scenario: Scenario, seed: int, *, tickets: Tickets = "keep",
                 max_tickets: int | None = None, executor: Any = None,
                 progress: bool | None = False) -> Any:
    """A function simulating ``range(a, b)`` of `scenario` from `seed`: here when
    `executor` is None, else one task per replication on it
    (:func:`supportsim.sweeps._executors.open_executor`)."""

    held = [0]  # replications run so far: with tickets kept, all of them are in memory

    def run(numbers: range) -> SimulationResult:
        held[0] += len(numbers)
        if tickets == "keep":  # refused before the batch runs, as simulate refuses
            estimate_size(scenario, held[0], keep=True).check(max_tickets, scenario.source)
        if executor is None:
            return simulate_replications(scenario, numbers, seed, tickets=tickets,
                                         max_tickets=max_tickets, progress=progress)
        from supportsim.sweeps._executors import open_executor

        with open_executor(executor, len(numbers)) as backend:
            futures = [backend.executor.submit(simulate_replications, scenario, [r], seed,
                                               tickets=tickets, max_tickets=max_tickets)
                       for r in numbers]
            return merge_results([future.result() for future in futures])

    return run


def simulate_sequentially(scenario: Scenario, count: int, seed: int, *,
                          tickets: Tickets, max_tickets: int | None,
                          precision: Mapping[str, float] | None,
                          max_replications: int | None, executor: Any,
                          progress: bool | None = None) -> SimulationResult:
    """:func:`supportsim.simulate` with `precision`, an `executor` or ``warmup = "auto"``
    (arguments as there)."""
    keep = tickets == "keep"
    base = scenario
    if scenario.auto_warmup:
        # Simulated with nothing flagged; the cut is found once replications are in. The
        # tickets are needed for that, so "drop" holds them until the end.
        base = scenario.with_overrides({"warmup": 0.0})
        if tickets == "drop":
            tickets = "keep"
    run = batch_runner(base, seed, tickets=tickets, max_tickets=max_tickets,
                       executor=executor, progress=progress)
    return run_sequential(scenario, count, seed, run, precision=precision,
                          max_replications=max_replications, keep_tickets=keep or
                          tickets != "keep")
