"""Engine time per ticket against horizon, staff and backlog.

Each sweep varies one thing and reports microseconds per ticket of the engine alone
(:func:`supportsim.engine.run_replication` on a pre-generated ticket stream) and the
ratio to the sweep's smallest case: a flat line is linear scaling.

Against staff, the plain-SimPy floor (:func:`benchmarks.core.floor_mmc`) runs on the same
streams too, alternating with supportsim. Any discrete-event simulation pays more per
ticket as staff grows, because its event heap holds one pending departure per busy agent
(log n per push and pop). Both views are reported: supportsim's raw per-ticket time
against its time at 10 agents, and its cost relative to the floor. The target ("flat
within 20 %") is checked on the second: the two run alternately, so a slow patch of a
shared machine hits both, where it can push a raw time alone over 20 %.
"""

from __future__ import annotations

from functools import partial

import numpy as np

from benchmarks._common import Row, Target, best_of, best_of_each, mmc_scenario, say
from benchmarks.core import _lists, floor_mmc
from supportsim.demand import generate
from supportsim.engine import run_replication
from supportsim.scenario import Scenario

__all__ = ["run"]

WEEK = 168.0
SEED = 1


def _per_ticket(sc: Scenario) -> tuple[float, int, int]:
    """Best engine time per ticket (s), tickets, tickets never started by the horizon."""
    stream = generate(sc, 0, SEED)
    seconds, rec = best_of(lambda: run_replication(sc, stream))
    n = len(stream)
    return seconds / n, n, int(np.isnan(rec.first_response_at).sum())


def _sweep(label: str, cases: list[tuple[str, Scenario]], targets: tuple[Target, ...] = ()
           ) -> list[Row]:
    rows: list[Row] = []
    base = 0.0
    for case, sc in cases:
        per_ticket, n, queued = _per_ticket(sc)
        base = base or per_ticket
        detail = f"{n:,} tickets" + (f", {queued:,} queued at end" if label == "backlog" else "")
        say(f"scaling: {label} {case} ({detail})")
        rows.append(Row("scaling", f"{label}: {case} ({detail})", per_ticket * 1e6,
                        "us/ticket", ratio=per_ticket / base, targets=targets))
    return rows


def _staff_sweep(cases: list[tuple[int, Scenario]]) -> list[Row]:
    """supportsim engine and the SimPy floor per staff level, and their ratio."""
    rows: list[Row] = []
    base_ours = base_floor = base_cost = 0.0
    for staff, sc in cases:
        stream = generate(sc, 0, SEED)
        n = len(stream)
        gaps, service = _lists(stream)
        timed = best_of_each({
            "ours": partial(run_replication, sc, stream),
            "floor": partial(floor_mmc, gaps, service, staff, sc.horizon),
        })
        ours, floor = timed["ours"][0] / n, timed["floor"][0] / n
        cost = ours / floor
        base_ours, base_floor = base_ours or ours, base_floor or floor
        base_cost = base_cost or cost
        say(f"scaling: staff {staff} agents ({n:,} tickets)")
        case = f"staff: {staff} agents ({n:,} tickets)"
        rows += [
            Row("scaling", f"{case}, supportsim engine (ratio: / at {cases[0][0]} agents)",
                ours * 1e6, "us/ticket", ratio=ours / base_ours),
            Row("scaling", f"{case}, SimPy floor (same tickets)", floor * 1e6, "us/ticket",
                ratio=floor / base_floor),
            Row("scaling", f"{case}, supportsim / floor (ratio: / at {cases[0][0]} agents; "
                "the check: timed alternately, so machine load hits both)",
                cost, "x", ratio=cost / base_cost,
                targets=(Target("<=", 1.2),)),
        ]
    return rows


def run(quick: bool) -> list[Row]:
    """The three sweeps (smaller sizes with `quick`)."""
    weeks = [1, 4, 13] if quick else [1, 4, 26, 52]
    by_horizon = [(f"{w} week{'s' * (w > 1)}", mmc_scenario(9.0, 10, w * WEEK)) for w in weeks]

    tickets = 10_000 if quick else 100_000
    staff = [10, 50, 200] if quick else [10, 50, 200, 500]
    # lambda = 0.9 c keeps utilisation at 0.9; the horizon keeps ~`tickets` tickets.
    by_staff = [(c, mmc_scenario(0.9 * c, c, tickets / (0.9 * c))) for c in staff]

    # An overloaded M/M/10: with N tickets at load rho the queue ends near N (1 - 1/rho).
    tickets = 20_000 if quick else 200_000
    backlog = [100, 1_000, 10_000] if quick else [1_000, 10_000, 100_000]
    by_backlog = []
    for queue in backlog:
        rate = 10.0 / (1.0 - queue / tickets)
        by_backlog.append((f"~{queue:,} queued", mmc_scenario(rate, 10, tickets / rate)))

    return (_sweep("horizon", by_horizon, (Target("<=", 1.2),)) + _staff_sweep(by_staff)
            + _sweep("backlog", by_backlog))
