"""Memory of results: bytes per ticket of the tickets table and the peak of one simulate call.

Same M/M/10 workload as :mod:`benchmarks.core`.
"""

from __future__ import annotations

import gc
import tracemalloc

import supportsim as ss
from benchmarks import core
from benchmarks._common import Row, Target, mmc_scenario, say

__all__ = ["run"]


def run(quick: bool) -> list[Row]:
    """Measure ``res.tickets`` bytes per ticket and the traced peak of ``simulate``."""
    sc = mmc_scenario(core.RATE, core.SERVERS, core.HORIZON[quick], core.MEAN_EFFORT)
    say("memory: one traced simulate call")
    gc.collect()
    tracemalloc.start()
    try:
        res = ss.simulate(sc, replications=1, seed=core.SEED)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    n = len(res.tickets)
    table = res.tickets.memory_usage(deep=True).sum()
    return [
        Row("memory", f"res.tickets bytes per ticket ({n:,} tickets)", table / n, "B",
            targets=(Target("<=", 150),)),
        Row("memory", "simulate: traced peak per ticket", peak / n, "B"),
    ]
