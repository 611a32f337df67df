"""Planning (issue 13): ss.plan on the flagship desk, 1 and 2 workers.

Workload: ``scenarios/rollout_tiered.toml`` (26 weeks, every mechanism on), three
decisions (the staff of L1, L2 and L3, default bounds from the analytic lower bound),
response and resolution targets for all four priorities, 10 replications per
evaluation (8 and 3 per evaluation with ``--quick``, on a 4-week horizon). Reported:
replications simulated (search and verification), wall time on 2 local worker processes
(pool start-up included) and on 1 (in this process), and the speed-up. The two plans
must be the same: evaluations are cached per point and seeds, and the seeds do not
depend on the workers. A control row times a pure-Python loop on 2 processes against 1:
when the machine gives no second core (other jobs), that ratio is near 1 too, and the
planning speed-up cannot be judged from this run.
"""

from __future__ import annotations

import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import supportsim as ss
from benchmarks._common import Row, Target, say

__all__ = ["SCENARIO", "TARGETS", "run"]

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "rollout_tiered.toml"
#: Tighter than today's roster meets on P1/P2 (so the search must add staff) and
#: looser on P3/P4 (so it can remove some).
TARGETS = {"P1": {"response": 0.93, "resolution": 0.85},
           "P2": {"response": 0.95, "resolution": 0.88},
           "P3": {"response": 0.9, "resolution": 0.9},
           "P4": {"response": 0.9, "resolution": 0.9}}


def _plan(base: ss.Scenario, replications: int, workers: int) -> tuple[float, Any]:
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ss.CapacityWarning)
        result = ss.plan(base, TARGETS, replications=replications, executor=workers,
                         seed=20260105)
    return time.perf_counter() - start, result


def _spin(n: int) -> int:
    total = 0
    for i in range(n):
        total += i * i
    return total


def _control() -> float:
    """Speed-up of 8 pure-Python loops on 2 processes over 1: what the machine allows."""
    n = 3_000_000
    start = time.perf_counter()
    for _ in range(8):
        _spin(n)
    one = time.perf_counter() - start
    with ProcessPoolExecutor(max_workers=2) as pool:
        list(pool.map(time.sleep, [0.05, 0.05]))  # both workers started before timing
        start = time.perf_counter()
        list(pool.map(_spin, [n] * 8))
        two = time.perf_counter() - start
    return one / two


def run(quick: bool) -> list[Row]:
    """Plan on 2 workers, then on 1; compare the plans."""
    base = ss.load_scenario(SCENARIO)
    replications = 10
    if quick:
        base = base.with_overrides({"horizon": "4w", "warmup": "1w"})
        replications = 3
    say(f"planning: ss.plan on {SCENARIO.name}, {replications} replications per point, "
        f"2 workers then 1")
    t_two, two = _plan(base, replications, 2)
    t_one, one = _plan(base, replications, 1)
    say(f"planning: plan {two.values}, cost {two.cost:,.0f}, "
        f"{len(two.trace)} evaluations, verified {two.verified}")
    same = 1.0 if one.values == two.values and one.cost == two.cost else 0.0
    control = _control()
    return [
        Row("planning", "replications simulated (search + verification)",
            float(two.replications), "replications"),
        Row("planning", "points evaluated", float(len(two.trace)), "points"),
        Row("planning", "wall time, 2 workers (pool start-up included)", t_two, "s",
            targets=(Target("<=", 300),)),
        Row("planning", "wall time, 1 worker", t_one, "s"),
        Row("planning", "speed-up, 2 workers / 1", t_one / t_two, "x",
            targets=(Target(">=", 1.7),)),
        Row("planning", "same plan on 1 and 2 workers (1 = yes)", same, "",
            targets=(Target(">=", 1),)),
        Row("planning", "control: pure-Python loop, 2 processes / 1 (the machine's ceiling)",
            control, "x"),
    ]
