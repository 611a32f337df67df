"""Sweeps (issue 6): speed-up on 2 workers, identical tables, flat parent memory.

Workload: ``scenarios/golive_tiered.toml``, ``demand.rate`` in {3.5, 4.0, 4.5, 5.0} x 8
replications = 32 tasks (2 rates x 2 replications = 4 with ``--quick``), on 1 worker
(in-process, no pool) and on 2 worker processes, alternating round by round; the pool's
start-up (~0.25 s) is part of the 2-worker time, so the sweep must be long enough for
it not to dominate, as in real sweeps of hundreds of tasks. The two result tables must
be identical to the bit.

Memory: the peak traced by tracemalloc in the parent process of the same sweep on 2
workers at 32 and 128 tasks (4 and 16 with ``--quick``); sweeps return summaries, not
ticket tables, so the peak should not grow with the number of tasks. The 2 workers are a
process pool started (and warmed) before tracing begins and passed as the executor: workers
forked while tracemalloc runs inherit it and run several times slower, and their memory is
not the parent's anyway.
"""

from __future__ import annotations

import gc
import time
import tracemalloc
from concurrent.futures import Executor, ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pandas as pd

import supportsim as ss
from benchmarks._common import Row, Target, best_of_each, say

__all__ = ["SCENARIO", "run"]

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "golive_tiered.toml"
RATES = {False: [3.5, 4.0, 4.5, 5.0], True: [4.0, 5.0]}
REPLICATIONS = {False: 8, True: 2}  # x len(RATES): 32 / 4 tasks
MEMORY_SCALE = 4  # the memory check also runs 4 x the replications


def _sweep(base: ss.Scenario, rates: list[float], replications: int,
           workers: Any) -> ss.SweepResult:
    return ss.sweep(base, factors={"demand.rate": rates}, replications=replications,
                    executor=workers, progress=False)


def _peak(base: ss.Scenario, rates: list[float], replications: int, pool: Executor) -> int:
    """Peak bytes traced in this (the parent) process during a sweep on `pool`."""
    gc.collect()
    tracemalloc.start()
    try:
        _sweep(base, rates, replications, pool)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def run(quick: bool) -> list[Row]:
    """Time the sweep on 1 and 2 workers, compare the tables, trace the parent's peak."""
    base = ss.load_scenario(SCENARIO)
    rates, reps = RATES[quick], REPLICATIONS[quick]
    tasks = len(rates) * reps
    say(f"sweep: {SCENARIO.name}, {tasks} tasks on 1 and 2 workers")
    timed = best_of_each({"1": lambda: _sweep(base, rates, reps, 1),
                          "2": lambda: _sweep(base, rates, reps, 2)})
    (t_one, one), (t_two, two) = timed["1"], timed["2"]
    try:
        pd.testing.assert_frame_equal(one.table, two.table, check_exact=True)
        identical = 1.0
    except AssertionError as error:
        say(f"sweep: tables differ between 1 and 2 workers: {error}")
        identical = 0.0

    more = reps * MEMORY_SCALE
    say(f"sweep: parent peak memory at {tasks} and {len(rates) * more} tasks, 2 workers")
    with ProcessPoolExecutor(max_workers=2) as pool:
        list(pool.map(time.sleep, [0.1, 0.1]))  # both workers forked before tracing
        peak_few = _peak(base, rates, reps, pool)
        peak_many = _peak(base, rates, more, pool)
    return [
        Row("sweep", f"{tasks} tasks, 1 worker", t_one, "s"),
        Row("sweep", f"{tasks} tasks, 2 workers (pool start-up included)", t_two, "s"),
        Row("sweep", "speed-up, 2 workers / 1", t_one / t_two, "x",
            targets=(Target(">=", 1.7),)),
        Row("sweep", "tables identical, 1 vs 2 workers (1 = yes)", identical, "",
            targets=(Target(">=", 1),)),
        Row("sweep", f"parent peak memory, {tasks} tasks", peak_few / 1e6, "MB"),
        Row("sweep", f"parent peak memory, {len(rates) * more} tasks "
            f"(ratio: / {tasks} tasks; flat = 1)", peak_many / 1e6, "MB",
            ratio=peak_many / peak_few, targets=(Target("<=", 1.25),)),
    ]
