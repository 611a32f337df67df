"""SLA attainment per replication and priority, vectorised over the tickets table.

Scoring rules (documented in docs/results.md):

- tickets that arrived during the warm-up are not scored;
- each priority's targets run on its own clock: ``24x7`` (wall hours) or ``business``
  (calendar business hours, holidays excluded);
- response is met when the first agent started work within the target; resolution
  when the ticket was resolved within the target;
- an abandoned ticket misses both (the customer gave up; it was never resolved);
- a ticket without a response (or resolution) at the horizon is a miss once its
  deadline lies before the horizon, and is not scored while it could still make it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from supportsim.analysis._intervals import t_interval
from supportsim.scenario import Scenario

__all__ = ["score_tickets", "sla_attainment", "sla_table"]


def _clock_elapsed(
    scenario: Scenario, business: np.ndarray, start: np.ndarray, end: np.ndarray
) -> np.ndarray:
    """Elapsed hours on each ticket's clock (business where `business`, wall otherwise)."""
    elapsed = end - start
    if business.any():
        elapsed = elapsed.copy()
        elapsed[business] = scenario.calendar.elapsed(start[business], end[business])
    return elapsed


def score_tickets(tickets: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """Per-ticket SLA outcome: ``response_scored``, ``response_met``, ``resolution_scored``,
    ``resolution_met`` (booleans), for tickets after the warm-up."""
    scored = tickets[~tickets["warmup"].to_numpy()]
    priorities = list(scenario.priorities.values())
    rank = _rank_codes(scored, scenario)
    business = np.array([p.clock == "business" for p in priorities], dtype=bool)[rank]
    response_target = np.array([p.response for p in priorities])[rank]
    resolution_target = np.array([p.resolution for p in priorities])[rank]
    arrived = scored["arrived_at"].to_numpy()
    abandoned = scored["abandoned"].to_numpy()
    horizon = np.full_like(arrived, scenario.horizon)
    elapsed_by_horizon = _clock_elapsed(scenario, business, arrived, horizon)

    out = {}
    for kind, column, target in (("response", "first_response_at", response_target),
                                 ("resolution", "resolved_at", resolution_target)):
        done_at = scored[column].to_numpy()
        happened = ~np.isnan(done_at)
        taken = _clock_elapsed(scenario, business, arrived, np.where(happened, done_at, arrived))
        met = happened & ~abandoned & (taken <= target)
        out[f"{kind}_scored"] = happened | abandoned | (elapsed_by_horizon > target)
        out[f"{kind}_met"] = met
    return pd.DataFrame(out, index=scored.index)


def _rank_codes(tickets: pd.DataFrame, scenario: Scenario) -> np.ndarray:
    names = scenario.priority_names
    priority = tickets["priority"]
    if isinstance(priority.dtype, pd.CategoricalDtype) and list(priority.cat.categories) == names:
        return priority.cat.codes.to_numpy().astype(np.intp)
    codes = pd.Categorical(priority, categories=names).codes
    if (codes < 0).any():
        raise ValueError(f"tickets have priorities not in the scenario ({names})")
    return codes.astype(np.intp)


def sla_attainment(tickets: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """Share of scored tickets that met response and resolution targets.

    Parameters
    ----------
    tickets : DataFrame
        ``SimulationResult.tickets`` (or the same columns).
    scenario : Scenario
        Supplies targets, clocks, calendar, warm-up and horizon.

    Returns
    -------
    DataFrame
        One row per replication x priority: ``replication``, ``priority``,
        ``response_met``, ``resolution_met`` (shares; NaN where nothing was scored),
        ``response_tickets``, ``resolution_tickets`` (tickets scored) and ``tickets``
        (tickets after the warm-up).
    """
    outcome = score_tickets(tickets, scenario)
    kept = tickets.loc[outcome.index]
    names = scenario.priority_names
    reps = kept["replication"].to_numpy()
    rep_values = np.unique(tickets["replication"].to_numpy())
    rep_index = np.searchsorted(rep_values, reps)
    cell = rep_index * len(names) + _rank_codes(kept, scenario)
    cells = len(rep_values) * len(names)

    def count(mask: np.ndarray) -> np.ndarray:
        return np.bincount(cell[mask], minlength=cells)

    frame = pd.DataFrame({
        "replication": np.repeat(rep_values, len(names)),
        "priority": pd.Categorical(np.tile(names, len(rep_values)), categories=names),
    })
    with np.errstate(invalid="ignore", divide="ignore"):
        for kind in ("response", "resolution"):
            scored = count(outcome[f"{kind}_scored"].to_numpy())
            met = count(outcome[f"{kind}_met"].to_numpy())
            frame[f"{kind}_met"] = np.where(scored > 0, met / np.maximum(scored, 1), np.nan)
            frame[f"{kind}_tickets"] = scored
    frame["tickets"] = np.bincount(cell, minlength=cells)
    return frame


def sla_table(
    attainment: pd.DataFrame, scenario: Scenario, confidence: float = 0.95
) -> pd.DataFrame:
    """Aggregate :func:`sla_attainment` across replications, with t-intervals.

    Returns
    -------
    DataFrame
        One row per priority: ``priority``, ``clock``, ``response_target``,
        ``resolution_target`` (hours), ``response_attainment`` with ``_low``/``_high``,
        ``resolution_attainment`` with ``_low``/``_high`` (bounds clipped to [0, 1]),
        ``tickets`` (scored after warm-up, all replications) and ``replications``.
    """
    rows = []
    for name, group in attainment.groupby("priority", observed=False, sort=False):
        priority = scenario.priorities[str(name)]
        row = {"priority": name, "clock": priority.clock,
               "response_target": priority.response, "resolution_target": priority.resolution}
        for kind in ("response", "resolution"):
            mean, low, high = t_interval(group[f"{kind}_met"].to_numpy(), confidence=confidence)
            row[f"{kind}_attainment"] = float(mean)
            row[f"{kind}_attainment_low"] = float(np.clip(low, 0, 1))
            row[f"{kind}_attainment_high"] = float(np.clip(high, 0, 1))
        row["tickets"] = int(group["tickets"].sum())
        row["replications"] = int(group["replication"].nunique())
        rows.append(row)
    return pd.DataFrame(rows)
