"""The backlog by age at chosen instants, rebuilt from the tickets table."""

from __future__ import annotations

import itertools
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
from supportsim.units import format_duration

__all__ = ["AGE_EDGES", "backlog_by_age"]

#: Default lower edges of the age buckets, hours: <4 h, 4–8 h, 8 h–1 d, 1–3 d, 3 d–1 w, >= 1 w.
AGE_EDGES = (0.0, 4.0, 8.0, 24.0, 72.0, 168.0)


def _text(hours: float) -> str:
    text = format_duration(hours)
    return text if isinstance(text, str) else f"{hours:g}h"


def age_labels(edges: Sequence[float]) -> list[str]:
    """Bucket labels such as ``"4h–8h"`` and ``">=1w"`` for lower edges `edges`."""
    labels = [f"{_text(lo)}–{_text(hi)}" if lo > 0 else f"<{_text(hi)}"
              for lo, hi in itertools.pairwise(edges)]
    return [*labels, f">={_text(edges[-1])}"]


def backlog_by_age(
    tickets: pd.DataFrame,
    scenario: Scenario,
    at: npt.ArrayLike | None = None,
    *,
    edges: Sequence[float] = AGE_EDGES,
    by_priority: bool = True,
    clock: Literal["wall", "sla"] = "wall",
) -> pd.DataFrame:
    """Open tickets per age bucket at given instants, per replication.

    A ticket is open at instant ``t`` when it arrived at or before ``t``, was not resolved
    by ``t`` (``resolved_at <= t``) and did not abandon. Its age is ``t - arrived_at``.

    Parameters
    ----------
    tickets : DataFrame
        ``SimulationResult.tickets``. Warm-up tickets count: the backlog is a state, not
        a score.
    scenario : Scenario
    at : array_like of float, optional
        Instants, hours since start; default the end of every week and the horizon.
    edges : sequence of float, default ``AGE_EDGES``
        Increasing lower edges of the age buckets in hours, the first 0.
    by_priority : bool, default True
        One row per priority as well; False pools the priorities.
    clock : {"wall", "sla"}, default "wall"
        ``"sla"`` measures the age of tickets of business-clock priorities in business
        hours, as their targets are.

    Returns
    -------
    DataFrame
        ``replication``, ``at``, ``priority`` (when `by_priority`), ``age`` (ordered
        categorical of the bucket labels, e.g. ``"<4h"``, ``"4h–8h"``, ``">=1w"``) and
        ``tickets``, with every combination present (zero counts included).

    Notes
    -----
    Abandoned tickets are left out at every instant: the table records that they
    abandoned, not when (patience is minutes, so they are rarely part of a backlog).
    The hourly ``timeline.backlog`` counts them while they wait.
    """
    cuts = np.asarray(edges, dtype=float)
    if cuts.ndim != 1 or cuts.size == 0 or cuts[0] != 0 or np.any(np.diff(cuts) <= 0):
        raise ValueError(f"edges must increase from 0, got {list(edges)!r}")
    if clock not in ("wall", "sla"):
        raise ValueError(f"clock must be 'wall' or 'sla', got {clock!r}")
    horizon = float(scenario.horizon)
    instants = (np.append(np.arange(168.0, horizon, 168.0), horizon) if at is None
                else np.atleast_1d(np.asarray(at, dtype=float)))
    names = scenario.priority_names
    codes, lookup = _rank_source(tickets, scenario)
    everything = slice(0, len(tickets))
    rank = _ranks(codes, lookup, everything, scenario)
    rep_values, rep_position = _replication_index(tickets["replication"].to_numpy())
    groups = len(names) if by_priority else 1
    cell = rep_position(everything) * groups + (rank if by_priority else 0)
    arrived = tickets["arrived_at"].to_numpy(dtype=float)
    resolved = tickets["resolved_at"].to_numpy(dtype=float)
    candidate = ~tickets["abandoned"].to_numpy(dtype=bool)
    business = np.array([p.clock == "business" for p in scenario.priorities.values()])[rank]
    sla_clock = clock == "sla" and business.any()
    site = ticket_sites(tickets, scenario) if sla_clock else None
    size = rep_values.size * groups * cuts.size
    counts = np.empty((instants.size, size), dtype=np.int64)
    for k, t in enumerate(instants):
        # NaN resolved_at compares False: still open.
        idx = np.flatnonzero(candidate & (arrived <= t) & ~(resolved <= t))
        age = t - arrived[idx]
        if sla_clock:
            sub = np.flatnonzero(business[idx])
            age[sub] = business_elapsed(scenario, None if site is None else site[idx[sub]],
                                        arrived[idx[sub]], t)
        bucket = np.searchsorted(cuts, age, side="right") - 1
        counts[k] = np.bincount(cell[idx] * cuts.size + bucket, minlength=size)
    labels = age_labels(list(cuts))
    reps = rep_values.size
    frame: dict[str, object] = {
        "replication": np.tile(np.repeat(rep_values, groups * cuts.size), instants.size),
        "at": np.repeat(instants, size),
    }
    if by_priority:
        frame["priority"] = pd.Categorical(
            np.tile(np.repeat(names, cuts.size), reps * instants.size), categories=names)
    frame["age"] = pd.Categorical(np.tile(labels, reps * groups * instants.size),
                                  categories=labels, ordered=True)
    frame["tickets"] = counts.reshape(-1)
    return pd.DataFrame(frame)
