"""SLA scoring of a large tickets table against a bare numpy pass over the same rows.

The synthetic table has the columns :func:`supportsim.analysis.sla_attainment` reads
(``replication``, ``priority``, ``arrived_at``, ``first_response_at``, ``resolved_at``,
``abandoned``, ``warmup``), 10 replications and two priorities: P1 on a 24x7 clock, P2 on
the default business calendar (Mon-Fri 08:00-17:00). Peak memory is relative to that
input, so it is stricter than against a full result table with all its columns.
"""

from __future__ import annotations

import gc
import tracemalloc
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

import supportsim as ss
from benchmarks._common import Row, Target, best_of_each, say
from supportsim.analysis import sla_attainment

__all__ = ["numpy_pass", "run", "synthetic_tickets"]

REPLICATIONS = 10
HORIZON = 52 * 168.0


def _scenario() -> ss.Scenario:
    return ss.Scenario.from_dict({
        "name": "SLA scoring benchmark",
        "horizon": HORIZON,
        "demand": {"rate": 10.0},
        "priorities": {
            "P1": {"share": 0.3, "response": "1h", "resolution": "8h", "clock": "24x7"},
            "P2": {"share": 0.7, "response": "4h", "resolution": "3d", "clock": "business"},
        },
        "work": {"mix": {"l1": 1.0}, "effort": {"l1": {"mean": "30min"}}},
        "team": {"tiers": {"l1": {"staff": 10}}},
    }, source="benchmarks")


def synthetic_tickets(rows: int, seed: int = 0) -> pd.DataFrame:
    """A tickets table of `rows` rows with plausible response and resolution times."""
    rng = np.random.default_rng(seed)
    arrived = rng.uniform(0.0, HORIZON, rows)
    first = arrived + rng.exponential(1.0, rows)
    resolved = first + rng.exponential(12.0, rows)
    abandoned = rng.random(rows) < 0.02
    first[abandoned] = np.nan
    resolved[abandoned | (resolved > HORIZON)] = np.nan
    first[first > HORIZON] = np.nan
    codes = (rng.random(rows) >= 0.3).astype(np.int8)
    return pd.DataFrame({
        "replication": np.repeat(np.arange(REPLICATIONS, dtype=np.int32),
                                 -(-rows // REPLICATIONS))[:rows],
        "priority": pd.Categorical.from_codes(codes, ["P1", "P2"]),
        "arrived_at": arrived,
        "first_response_at": first,
        "resolved_at": resolved,
        "abandoned": abandoned,
        "warmup": np.zeros(rows, dtype=bool),
    })


def numpy_pass(tickets: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Wall-clock response and resolution hits per replication x priority: the floor."""
    rank = tickets["priority"].cat.codes.to_numpy()
    cell = tickets["replication"].to_numpy() * 2 + rank
    arrived = tickets["arrived_at"].to_numpy()
    response = (tickets["first_response_at"].to_numpy() - arrived) <= np.array([1.0, 4.0])[rank]
    resolution = (tickets["resolved_at"].to_numpy() - arrived) <= np.array([8.0, 72.0])[rank]
    cells = 2 * REPLICATIONS
    return (np.bincount(cell, weights=response, minlength=cells),
            np.bincount(cell, weights=resolution, minlength=cells))


def _peak(fn: Callable[[], Any]) -> int:
    """Peak traced bytes allocated while `fn` runs."""
    gc.collect()
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def run(quick: bool) -> list[Row]:
    """Time and trace ``sla_attainment`` and the numpy pass on the same table."""
    rows = 1_000_000 if quick else 10_000_000
    sc = _scenario()
    tickets = synthetic_tickets(rows)
    size = tickets.memory_usage(deep=True).sum()
    say(f"analysis: sla_attainment on {rows:,} rows ({size / 1e6:,.0f} MB)")
    timed = best_of_each({"sla": lambda: sla_attainment(tickets, sc),
                          "numpy": lambda: numpy_pass(tickets)})
    t_sla, t_numpy = timed["sla"][0], timed["numpy"][0]
    peak_sla = _peak(lambda: sla_attainment(tickets, sc))
    peak_numpy = _peak(lambda: numpy_pass(tickets))
    return [
        Row("analysis", f"sla_attainment, {rows:,} rows", t_sla, "s",
            ratio=t_sla / t_numpy, targets=(Target("<=", 20),)),
        Row("analysis", f"numpy pass, {rows:,} rows", t_numpy, "s", ratio=1.0),
        Row("analysis", "sla_attainment: peak memory / input", peak_sla / 1e6, "MB",
            ratio=peak_sla / size, targets=(Target("<=", 2),)),
        Row("analysis", "numpy pass: peak memory / input", peak_numpy / 1e6, "MB",
            ratio=peak_numpy / size),
    ]
