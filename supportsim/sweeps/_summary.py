"""Reduce one replication's result to the sweep's summary rows (one per priority).

What a sweep keeps of a task instead of its ticket table (DESIGN.md section 9). Columns:

- per priority: ``tickets`` (after warm-up, in this replication), ``response_attainment``,
  ``resolution_attainment`` (shares met, :func:`supportsim.analysis.sla_attainment`),
  ``response_tickets``, ``resolution_tickets`` (tickets scored), ``abandoned_share``,
  ``resolved_share``, ``mean_wait``, ``median_wait``, ``p90_wait`` (wall-clock hours, over
  tickets that got a response), ``mean_resolution_time``, ``median_resolution_time``,
  ``p90_resolution_time`` (wall-clock hours, over resolved tickets) -- the names of
  :meth:`supportsim.SimulationResult.summary`;
- per replication, repeated on each priority row: ``utilisation_l1`` .. (busy over paid
  agent-hours per tier present, paid = on duty + overtime; at most 1), ``overtime_l1`` ..
  (overtime agent-hours per week), ``backlog_at_end`` (open tickets at the last hourly
  snapshot) and ``backlog_growth`` (tickets per hour: least-squares slope of the hourly
  backlog over the second half of the scored window, from the middle of warm-up end and
  horizon; clearly above 0 means the desk is not keeping up, see
  :mod:`supportsim.sweeps._overload`);
- per replication, only when the variant's scenario has ``[costs]``: ``cost_staff_l1`` ..
  per tier, ``cost_staff``, ``cost_overtime``, ``cost_reserve``, ``cost_hiring``,
  ``cost_penalties``, ``cost_total`` and ``cost_per_resolved_ticket``
  (:meth:`supportsim.SimulationResult.costs`, in the scenario's currency).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from supportsim.results import SimulationResult

__all__ = ["COST_PREFIX", "METRICS", "summarise"]

#: Metric columns in table order (utilisation columns follow, one per tier present).
METRICS: tuple[str, ...] = (
    "tickets", "response_attainment", "resolution_attainment", "response_tickets",
    "resolution_tickets", "abandoned_share", "resolved_share", "mean_wait", "median_wait",
    "p90_wait", "mean_resolution_time", "median_resolution_time", "p90_resolution_time",
    "backlog_at_end", "backlog_growth",
)
COUNTS = ("tickets", "response_tickets", "resolution_tickets")
#: Per-tier columns, one per tier present, after :data:`METRICS`.
TIER_PREFIXES = ("utilisation_", "overtime_")
#: Cost columns, after the per-tier ones, where the scenario has ``[costs]``.
COST_PREFIX = "cost_"


def _stats(values: np.ndarray) -> tuple[float, float, float]:
    """Mean, median and 90th percentile of the finite values (NaN when there are none)."""
    values = values[~np.isnan(values)]
    if not values.size:
        return (np.nan, np.nan, np.nan)
    p50, p90 = np.percentile(values, [50, 90])
    return float(values.mean()), float(p50), float(p90)


def _slope(t: np.ndarray, y: np.ndarray) -> float:
    if t.size < 2:
        return np.nan
    dt = t - t.mean()
    return float(np.dot(dt, y - y.mean()) / np.dot(dt, dt))


def summarise(result: SimulationResult) -> pd.DataFrame:
    """The summary rows of a single-replication result, one per priority in rank order.

    Parameters
    ----------
    result : SimulationResult
        Exactly one replication.

    Returns
    -------
    DataFrame
        ``replication`` (int64), ``priority`` (str) and the metrics listed in the module
        notes, counts as int64 and everything else as float64.
    """
    scenario = result.scenario
    names = scenario.priority_names
    att = result.attainment().set_index("priority").reindex(names)
    replications = att["replication"].unique()
    if len(replications) != 1:
        raise ValueError(f"summarise expects one replication, got {len(replications)}")
    replication = int(replications[0])

    tickets = result.tickets[~result.tickets["warmup"].to_numpy()]
    rank = pd.Categorical(tickets["priority"], categories=names).codes
    columns: dict[str, list[float]] = {name: [] for name in METRICS[5:13]}
    for code in range(len(names)):
        rows = tickets[rank == code]
        count = len(rows)
        columns["abandoned_share"].append(rows["abandoned"].mean() if count else np.nan)
        columns["resolved_share"].append(rows["resolved_at"].notna().mean()
                                         if count else np.nan)
        for name, column in (("wait", "wait_time"), ("resolution_time", "resolution_time")):
            mean, p50, p90 = _stats(rows[column].to_numpy(dtype=float))
            columns[f"mean_{name}"].append(mean)
            columns[f"median_{name}"].append(p50)
            columns[f"p90_{name}"].append(p90)

    timeline = result.timeline
    t = timeline["t"].to_numpy(dtype=float)
    backlog = timeline["backlog"].to_numpy(dtype=float)
    # Half the scored window: long enough for daily and weekly cycles to average out.
    late = t >= scenario.warmup + 0.5 * (scenario.horizon - scenario.warmup)
    frame = pd.DataFrame({
        "replication": np.full(len(names), replication, dtype=np.int64),
        "priority": list(names),
        **{name: att[name].to_numpy(dtype=np.int64 if name in COUNTS else float)
           for name in METRICS[:5]},
        **{name: np.asarray(values, dtype=float) for name, values in columns.items()},
        "backlog_at_end": float(backlog[-1]) if backlog.size else np.nan,
        "backlog_growth": _slope(t[late], backlog[late]),
    })
    util = result.utilisation()
    weeks = scenario.horizon / 168.0
    for level, value in zip(util["tier"], util["utilisation"], strict=True):
        frame[f"utilisation_l{int(level)}"] = float(value)
    for level, value in zip(util["tier"], util["overtime_time"], strict=True):
        frame[f"overtime_l{int(level)}"] = float(value) / weeks
    if scenario.costs is not None:
        from supportsim.analysis._costs import COST_COLUMNS

        costs = result.costs()
        money = [c for c in costs.columns if c.startswith("staff_")] + list(COST_COLUMNS)
        for column in money:
            frame[f"{COST_PREFIX}{column}"] = float(costs[column].iloc[0])
    return frame
