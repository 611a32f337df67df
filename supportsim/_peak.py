"""Peak and burst load per tier: the busiest hour, day and week of the demand curve.

A horizon's average hides the go-live: a desk at 58 % on average can be past 100 % in the
go-live week. :func:`peak_loads` finds, from the expected demand curve
(:func:`supportsim.demand_curve`: growth, profile, bursts, storms' mean and rollout waves),
the busiest hour, 24 hours and 168 hours, and sets each tier's offered load in that period
against the agents rostered then. Each tier's load scales with the total rate by its
horizon-wide share of the work (a wave with its own priority shares shifts the mix a little;
that is not followed).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from supportsim.engine._hours import duty_groups
from supportsim.scenario import Scenario
from supportsim.sites import wall_clock

__all__ = ["LABELS", "PERIODS", "peak_loads"]

#: Period name -> hours.
PERIODS: dict[str, int] = {"hour": 1, "day": 24, "week": 168}
#: Period name -> how tables print it: the windows start at any whole hour (the busiest
#: 168 h may run Monday 10:00 to Monday 10:00), so they are not calendar days and weeks.
LABELS: dict[str, str] = {"hour": "hour", "day": "24 h", "week": "168 h"}


def _duty_up_to(intervals: np.ndarray | None, edges: np.ndarray) -> np.ndarray:
    """Hours on duty of one agent from 0 to each edge (intervals sorted, disjoint)."""
    if intervals is None:
        return edges.astype(float)
    on, off = intervals[:, 0], intervals[:, 1]
    done = np.concatenate([[0.0], np.cumsum(off - on)])
    # NOTE: a search per edge instead of an edges x intervals matrix: a 10-year horizon has
    # 87,600 hours and thousands of shifts.
    k = np.searchsorted(off, edges, side="right")  # intervals over by each edge
    partial = np.zeros_like(edges, dtype=float)
    inside = k < len(on)
    partial[inside] = np.clip(edges[inside] - on[k[inside]], 0.0, None)
    return done[k] + partial


def peak_loads(scenario: Scenario, loads: pd.DataFrame | None = None) -> pd.DataFrame:
    """Offered load against agents on duty in the busiest hour, day and week, per tier.

    Parameters
    ----------
    scenario : Scenario
    loads : DataFrame, optional
        :func:`supportsim.capacity.tier_loads` of `scenario`, if already computed.

    Returns
    -------
    DataFrame
        One row per period (``"hour"``, ``"day"``, ``"week"``; those no longer than the
        horizon) x tier: ``period``, ``start`` (datetime of the busiest period's start, on
        whole hours), ``tickets_per_hour`` (all tickets, mean over the period), ``tier``,
        ``offered_load`` (Erlangs at the tier), ``on_duty`` (mean agents rostered over the
        period, base staff: no vacancies or reserve) and ``utilisation`` (offered load /
        on duty; inf where nobody is rostered).
    """
    from supportsim.capacity import tier_loads
    from supportsim.curve import demand_curve

    loads = tier_loads(scenario) if loads is None else loads
    curve = demand_curve(scenario, step=1.0)
    rate = curve["total"].to_numpy(dtype=float)
    hours = rate.size
    mean_rate = float(np.sum(rate * np.diff(np.append(curve["t"].to_numpy(),
                                                      scenario.horizon)))) / scenario.horizon
    tiers = scenario.team.tiers
    members = {"team": list(tiers.values())} if "team" in set(loads["tier"]) else {
        name: [tier] for name, tier in tiers.items()}
    cumulative = np.concatenate([[0.0], np.cumsum(rate)])
    edges = np.arange(hours + 1, dtype=float)
    edges[-1] = scenario.horizon  # a horizon that is not whole hours ends the last bin
    duty = {name: np.sum([g.size * _duty_up_to(g.intervals, edges)
                          for tier in group for g in duty_groups(scenario, tier)], axis=0)
            for name, group in members.items()}
    rows = []
    for period, length in PERIODS.items():
        if length > hours:
            continue
        sums = cumulative[length:] - cumulative[:-length]
        first = int(np.argmax(sums))
        busiest = float(sums[first]) / length
        span = edges[first + length] - edges[first]
        for row in loads.itertuples():
            on_duty = float(duty[row.tier][first + length] - duty[row.tier][first]) / span
            offered = float(row.offered_load) * busiest / mean_rate if mean_rate else 0.0
            rows.append({
                "period": period,
                "start": wall_clock(scenario.start, float(edges[first]), scenario.zone_of_start),
                "tickets_per_hour": busiest, "tier": row.tier, "offered_load": offered,
                "on_duty": on_duty,
                "utilisation": offered / on_duty if on_duty > 0 else np.inf,
            })
    return pd.DataFrame(rows)
