"""Percentiles of the wait for a first response and of the resolution time, per priority."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from supportsim.analysis._sla import (
    _rank_source,
    _ranks,
    _replication_index,
    business_elapsed,
    ticket_sites,
)
from supportsim.scenario import Scenario

__all__ = ["time_percentiles"]

QUANTILES = (0.5, 0.8, 0.9, 0.95, 0.99)
_MEASURES = {"wait": ("first_response_at", "response"),
             "resolution": ("resolved_at", "resolution")}


def _name(q: float) -> str:
    return f"p{100 * q:g}"


def time_percentiles(
    tickets: pd.DataFrame,
    scenario: Scenario,
    q: Sequence[float] = QUANTILES,
    *,
    clock: Literal["wall", "sla"] = "wall",
    by_replication: bool = False,
) -> pd.DataFrame:
    """Percentiles of wait and resolution time per priority, tickets after the warm-up.

    Parameters
    ----------
    tickets : DataFrame
        ``SimulationResult.tickets``.
    scenario : Scenario
    q : sequence of float, default (0.5, 0.8, 0.9, 0.95, 0.99)
        Quantiles in [0, 1].
    clock : {"wall", "sla"}, default "wall"
        ``"wall"``: the ``wait_time`` / ``resolution_time`` columns in wall hours.
        ``"sla"``: each priority on its own SLA clock (business hours for business-clock
        priorities), comparable with its targets.
    by_replication : bool, default False
        One row per replication as well, instead of pooling replications.

    Returns
    -------
    DataFrame
        One row per (replication x) priority x measure: ``replication`` (if asked),
        ``priority``, ``measure`` (``"wait"`` or ``"resolution"``), ``clock``
        (``"24x7"`` or ``"business"`` when `clock` is ``"sla"``, else ``"wall"``),
        ``target`` (hours, the priority's response or resolution target), ``tickets``
        (with the event), ``missing`` (after the warm-up without it: abandoned or still
        open at the horizon), then one column per quantile named ``p50``, ``p90``,
        ``p99.9`` ... in hours (NaN when no ticket had the event).

    Notes
    -----
    Tickets without the event are left out of the percentiles, not counted as infinite;
    the ``missing`` column says how many there were (SLA attainment counts them).
    """
    quantiles = np.asarray(q, dtype=float)
    if quantiles.ndim != 1 or np.any((quantiles < 0) | (quantiles > 1)):
        raise ValueError(f"q must be quantiles in [0, 1], got {list(q)!r}")
    if clock not in ("wall", "sla"):
        raise ValueError(f"clock must be 'wall' or 'sla', got {clock!r}")
    names = scenario.priority_names
    priorities = list(scenario.priorities.values())
    keep = np.flatnonzero(~tickets["warmup"].to_numpy(dtype=bool))
    codes, lookup = _rank_source(tickets, scenario)
    rank = _ranks(codes[keep], lookup, slice(0, keep.size), scenario)
    rep_values, rep_position = _replication_index(tickets["replication"].to_numpy()[keep])
    groups = rep_values.size if by_replication else 1
    group = rep_position(slice(0, keep.size)) if by_replication else np.zeros(keep.size, np.intp)
    cell = group * len(names) + rank
    cells = groups * len(names)
    arrived = tickets["arrived_at"].to_numpy(dtype=float)[keep]
    business = np.array([p.clock == "business" for p in priorities])[rank]
    site = ticket_sites(tickets, scenario) if clock == "sla" and business.any() else None
    site = None if site is None else site[keep]
    per_measure = {}
    for measure, (column, _) in _MEASURES.items():
        done = tickets[column].to_numpy(dtype=float)[keep]
        taken = done - arrived
        if clock == "sla" and business.any():
            sub = np.flatnonzero(business & ~np.isnan(done))
            taken[sub] = business_elapsed(scenario, None if site is None else site[sub],
                                          arrived[sub], done[sub])
        has = ~np.isnan(taken)
        where = cell[has]
        order = np.argsort(where, kind="stable")
        ends = np.cumsum(np.bincount(where, minlength=cells))
        per_measure[measure] = (taken[has][order], ends - np.bincount(where, minlength=cells),
                                ends, np.bincount(cell[~has], minlength=cells))
    rows = []
    for c in range(cells):
        priority = priorities[c % len(names)]
        for measure, (_, kind) in _MEASURES.items():
            values, starts, ends, missing = per_measure[measure]
            part: npt.NDArray[np.float64] = values[starts[c]:ends[c]]
            row: dict[str, object] = {}
            if by_replication:
                row["replication"] = rep_values[c // len(names)]
            row.update({
                "priority": names[c % len(names)], "measure": measure,
                "clock": priority.clock if clock == "sla" else "wall",
                "target": getattr(priority, kind),
                "tickets": int(part.size), "missing": int(missing[c]),
            })
            stats = (np.quantile(part, quantiles) if part.size
                     else np.full(quantiles.size, np.nan))
            row.update({_name(x): float(v) for x, v in zip(quantiles, stats, strict=True)})
            rows.append(row)
    frame = pd.DataFrame(rows)
    frame["priority"] = pd.Categorical(frame["priority"], categories=names)
    return frame
