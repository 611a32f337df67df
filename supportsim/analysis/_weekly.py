"""SLA attainment per week (or any period) of arrival: where a burst bites, and for how long."""

from __future__ import annotations

import numpy as np
import pandas as pd

from supportsim.analysis._sla import KINDS, _shares, tally
from supportsim.scenario import Scenario

__all__ = ["weekly_attainment"]

WEEK = 168.0


def weekly_attainment(
    tickets: pd.DataFrame, scenario: Scenario, *, period: float = WEEK
) -> pd.DataFrame:
    """Response and resolution attainment per replication x priority x week of arrival.

    Tickets are scored by the rules of :func:`sla_attainment` and counted in the period
    in which they *arrived*, so a burst shows in the weeks it hit even when its tickets
    were resolved later. An ``[initial]`` backlog's tickets (opened before start) count in
    the first period shown, whatever the warm-up.

    Parameters
    ----------
    tickets : DataFrame
        ``SimulationResult.tickets``.
    scenario : Scenario
    period : float, default 168
        Length of a bucket in hours (a week); buckets start at the scenario start.

    Returns
    -------
    DataFrame
        One row per replication x priority x period from the one holding the warm-up end
        to the one holding the horizon: ``replication``, ``priority``, ``week`` (0-based
        period number), ``week_start``, ``week_end`` (hours since start; the last period
        ends at the horizon), ``response_attainment``, ``resolution_attainment`` (shares
        met, NaN where nothing was scored), ``response_tickets``, ``resolution_tickets``,
        ``tickets``.

    Notes
    -----
    The last period(s) before the horizon are biased upwards: a ticket still open at the
    horizon is scored only once its deadline has passed, and late tickets of the final
    days are often still within theirs. Compare them with care.
    """
    if not period > 0:
        raise ValueError(f"period must be > 0 hours, got {period!r}")
    horizon = float(scenario.horizon)
    periods = max(int(np.ceil(horizon / period)), 1)
    first = min(int(scenario.warmup // period), periods - 1)

    def bucket_of(arrived: np.ndarray) -> np.ndarray:
        # Tickets scored though they arrived before the first period shown (an
        # [initial] backlog, opened before start) count in that first period.
        week = np.floor_divide(arrived, period).astype(np.intp)
        return np.clip(week, first, periods - 1, out=week)

    rep_values, counts = tally(tickets, scenario, buckets=periods, bucket_of=bucket_of)
    counts = counts[:, :, first:]
    shares = _shares(counts)
    names = scenario.priority_names
    reps, prios, weeks = counts.shape[:3]
    week = np.arange(first, periods)
    frame = pd.DataFrame({
        "replication": np.repeat(rep_values, prios * weeks),
        "priority": pd.Categorical(np.tile(np.repeat(names, weeks), reps), categories=names),
        "week": np.tile(week, reps * prios),
        "week_start": np.tile(week * period, reps * prios),
        "week_end": np.tile(np.minimum((week + 1) * period, horizon), reps * prios),
    })
    for kind in KINDS:
        frame[f"{kind}_attainment"] = shares[f"{kind}_attainment"].reshape(-1)
        frame[f"{kind}_tickets"] = shares[f"{kind}_tickets"].reshape(-1)
    frame["tickets"] = shares["tickets"].reshape(-1)
    return frame
