"""``warmup = "auto"``: the warm-up found by MSER-5 after the run, applied to scoring.

The scenario is simulated from an empty start with nothing flagged; once every
replication has finished, MSER-5 (:func:`supportsim.analysis.warmup`) runs on the
replication average of the waiting time by arrival order, and tickets that arrived before
the cut are flagged ``warmup`` and left out of scoring, exactly as an explicit ``warmup``
of that many hours would have flagged them.
"""

from __future__ import annotations

import dataclasses
import warnings

import pandas as pd

from supportsim.analysis import abandonment_counts, sla_attainment, warmup
from supportsim.results import SimulationResult, ticket_metrics

__all__ = ["AUTO_SERIES", "AutoWarmupWarning", "apply_auto_warmup"]

#: The output series MSER-5 runs on for ``warmup = "auto"``: the waiting time by arrival
#: order (what SLA attainment and ``mean_wait`` score), averaged across replications.
AUTO_SERIES = "wait"


class AutoWarmupWarning(UserWarning):
    """``warmup = "auto"`` found no steady state: the cut is not to be trusted."""


def apply_auto_warmup(res: SimulationResult) -> SimulationResult:
    """`res` (simulated with nothing flagged) with the MSER-5 warm-up applied.

    Returns
    -------
    SimulationResult
        Its scenario has ``warmup`` set to the cut in hours; ``auto_warmup`` holds the
        :class:`~supportsim.analysis.Warmup` found (series, cut, `settled`).

    Warns
    -----
    AutoWarmupWarning
        When the series does not settle (an overloaded desk, or too short a horizon).
    """
    found = warmup(res, AUTO_SERIES)
    if not found.settled:
        warnings.warn(f"warmup = 'auto' ({res.scenario.name}): {found.message} The cut at "
                      f"{found.hours:.1f} h is applied but the figures are not steady-state.",
                      AutoWarmupWarning, stacklevel=4)
    scenario = res.scenario.with_overrides({"warmup": found.hours})
    scores, metrics, fresh, abandonment = [], [], [], []
    tickets = []
    for frame, path in _ticket_frames(res):
        frame = frame.assign(warmup=(frame["arrived_at"].to_numpy() < found.hours)
                             & ~frame["initial"].to_numpy(dtype=bool))
        scores.append(sla_attainment(frame, scenario))
        metrics.append(ticket_metrics(frame))
        abandonment.append(abandonment_counts(frame))
        if scenario.backlog is not None:
            fresh.append(sla_attainment(frame, scenario, initial=False))
        if path is not None:
            frame.to_parquet(path, index=False)  # the spilled table flags the cut too
        elif res.ticket_table is not None:
            tickets.append(frame)
    return dataclasses.replace(
        res, scenario=scenario, scores=pd.concat(scores, ignore_index=True),
        metrics=pd.concat(metrics), auto_warmup=found,
        abandonment_counts=pd.concat(abandonment, ignore_index=True),
        ticket_table=pd.concat(tickets, ignore_index=True) if tickets else None,
        fresh_scores=pd.concat(fresh, ignore_index=True) if fresh else None)


def _ticket_frames(res: SimulationResult) -> list[tuple[pd.DataFrame, object]]:
    """Each replication's tickets with the file it came from (None when in memory)."""
    if res.ticket_files:
        return [(pd.read_parquet(path), path) for path in res.ticket_files]
    table = res.tickets
    return [(frame.reset_index(drop=True), None)
            for _, frame in table.groupby("replication", sort=True)]

