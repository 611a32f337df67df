"""What a simulated desk costs, per replication: pure functions over the result tables.

The amounts come from the scenario's ``[costs]`` section (:mod:`supportsim.scenario._costs`);
the quantities from the staff table (hours on duty and overtime per agent, who joined)
and the per-replication SLA scores (misses per priority). Nothing is simulated here, so
costs can be recomputed for other prices without running again, and they work whatever
was kept of the ticket table (``simulate(..., tickets="drop")``).

Rules (docs/results.md, "Costs"):

- an agent is paid its tier's ``hourly`` (its group's, where ``costs.tiers.lN.groups.NAME``
  gives the group its own) for every hour on duty (the staff table's
  ``on_duty_time``: rostered and present, busy or idle) and at the same rate for overtime
  (``overtime_time``: finishing the ticket in hand after the shift), reported apart;
- a reserve agent is paid only while called in and on duty, and while finishing its last
  ticket: at ``hourly x reserve_premium`` in "surge" and "backfill" mode, at ``hourly``
  in "pool" mode (ordinary rostered staff);
- each joiner during the horizon (``origin == "hire"``: attrition refills and planned
  refills) costs ``joiner``; the team present at the start (initial joiners included)
  does not;
- each scored ticket that misses a target costs its priority's credit, scored as in
  ``res.sla()``: warm-up tickets are not scored and cost no credit, ``[initial]``
  backlog tickets are;
- people are paid for the whole horizon, warm-up included: a planner pays for every
  week; only the penalties follow the SLA scoring.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from supportsim.analysis._intervals import mean_interval
from supportsim.scenario import Scenario
from supportsim.scenario._costs import Costs
from supportsim.scenario._schema import TIERS

__all__ = ["COST_COLUMNS", "cost_table", "replication_costs", "require_costs", "summary_costs"]

#: Money columns of :func:`replication_costs` after the per-tier ``staff_lN`` columns.
COST_COLUMNS: tuple[str, ...] = ("staff", "overtime", "reserve", "hiring", "penalties",
                                 "total", "per_resolved_ticket")
#: Count columns at the end of :func:`replication_costs`, with their units.
COUNT_UNITS: dict[str, str] = {"joiners": "people", "missed_response": "tickets",
                               "missed_resolution": "tickets", "resolved_tickets": "tickets"}


def require_costs(scenario: Scenario) -> Costs:
    """The scenario's ``[costs]``; a ValueError saying it has none (never zeros)."""
    if scenario.costs is None:
        where = f" ({scenario.source})" if scenario.source else ""
        raise ValueError(
            f"scenario {scenario.name!r} has no [costs] section, so it has no costs{where}; "
            "add [costs] with currency and costs.tiers.lN.hourly for every tier (optionally "
            "reserve_premium, joiner and costs.penalties.NAME), or "
            "sc.with_overrides({'costs': {...}}); see docs/results.md, Costs")
    return scenario.costs


def _misses(scores: pd.DataFrame, kind: str) -> pd.Series:
    """Scored tickets that missed the `kind` target, per row of `scores` (exact integers)."""
    scored = scores[f"{kind}_tickets"].to_numpy(dtype=float)
    share = np.nan_to_num(scores[f"{kind}_attainment"].to_numpy(dtype=float), nan=1.0)
    # attainment = met / scored exactly, so scored x attainment is met to within rounding.
    met = np.rint(scored * share)
    return pd.Series((scored - met).astype(np.int64), index=scores.index)


def replication_costs(
    staff: pd.DataFrame,
    scores: pd.DataFrame,
    scenario: Scenario,
    *,
    resolved: pd.Series | None = None,
    replications: Sequence[int] | None = None,
) -> pd.DataFrame:
    """Costs of each replication, from the staff table and the SLA scores.

    Parameters
    ----------
    staff : DataFrame
        ``SimulationResult.staff`` (``replication``, ``tier``, ``origin``,
        ``on_duty_time``, ``overtime_time``).
    scores : DataFrame
        Per replication x priority attainment (``SimulationResult.attainment()``:
        ``response_attainment``, ``response_tickets``, ``resolution_attainment``,
        ``resolution_tickets``).
    scenario : Scenario
        With a ``[costs]`` section.
    resolved : Series, optional
        Tickets resolved before the horizon per replication (whole horizon, warm-up
        included), for ``per_resolved_ticket``; NaN there without it.
    replications : sequence of int, optional
        The replications to report (default: those of `staff` and `scores`); one with
        no agent and no ticket costs nothing.

    Returns
    -------
    DataFrame
        One row per replication: ``replication``; money in the scenario's currency:
        ``staff_lN`` per tier of the team (hours on duty x hourly, each agent at its
        group's own rate where ``costs.tiers.lN.groups.NAME`` sets one), then
        ``staff_lN_GROUP`` for each group with its own rate (its part of ``staff_lN``),
        ``staff`` (the sum of the ``staff_lN``), ``overtime``, ``reserve``, ``hiring``,
        ``penalties``, ``total`` (the sum of
        staff, overtime, reserve, hiring and penalties) and ``per_resolved_ticket``
        (total / resolved_tickets); counts: ``joiners``, ``missed_response``,
        ``missed_resolution`` and ``resolved_tickets``.

    Raises
    ------
    ValueError
        The scenario has no ``[costs]`` section.
    """
    costs = require_costs(scenario)
    if replications is None:
        replications = sorted({*staff["replication"].tolist(), *scores["replication"].tolist()})
    index = pd.Index([int(r) for r in replications], name="replication")
    out = pd.DataFrame(index=index)
    reserve = staff["origin"].to_numpy() == "reserve"
    mode = scenario.workforce.reserve.mode if (scenario.workforce is not None and
                                               scenario.workforce.reserve is not None) else None
    premium = costs.reserve_premium if mode in ("surge", "backfill") else 1.0
    level = staff["tier"].to_numpy(dtype=np.int64)
    group = (staff["group"].astype(str).to_numpy() if "group" in staff.columns
             else np.full(len(staff), "", dtype=object))
    rate = np.zeros(len(staff))
    own: list[tuple[str, str, np.ndarray]] = []  # (tier, group, its rows) with own rates
    for name, tier in costs.tiers.items():
        rate[level == TIERS.index(name) + 1] = tier.hourly
        for group_name, group_cost in tier.groups.items():
            rows = (level == TIERS.index(name) + 1) & (group == group_name)
            rate[rows] = group_cost.hourly
            own.append((name, group_name, rows))
    on_duty = staff["on_duty_time"].to_numpy(dtype=float)
    overtime = staff["overtime_time"].to_numpy(dtype=float)
    rep = staff["replication"].to_numpy()

    def per_replication(values: np.ndarray, rows: np.ndarray) -> np.ndarray:
        sums = pd.Series(values[rows]).groupby(rep[rows]).sum()
        return sums.reindex(index, fill_value=0.0).to_numpy(dtype=float)

    for name in scenario.team.tiers:
        out[f"staff_{name}"] = per_replication(on_duty * rate,
                                               ~reserve & (level == TIERS.index(name) + 1))
    for priced, group_name, rows in own:
        out[f"staff_{priced}_{group_name}"] = per_replication(on_duty * rate, ~reserve & rows)
    out["staff"] = out[[f"staff_{name}" for name in scenario.team.tiers]].sum(axis=1)
    out["overtime"] = per_replication(overtime * rate, ~reserve)
    out["reserve"] = per_replication((on_duty + overtime) * rate * premium, reserve)
    joiners = pd.Series(staff["origin"].to_numpy() == "hire").groupby(rep).sum()
    out["hiring"] = joiners.reindex(index, fill_value=0).to_numpy(dtype=float) * costs.joiner
    missed = {kind: _misses(scores, kind) for kind in ("response", "resolution")}
    credit = {kind: scores["priority"].astype(str).map(
        lambda name, kind=kind: getattr(costs.penalties[name], kind)
        if name in costs.penalties else 0.0).to_numpy(dtype=float)
        for kind in ("response", "resolution")}
    amount = missed["response"] * credit["response"] + missed["resolution"] * credit["resolution"]
    by_rep = scores["replication"].to_numpy()
    out["penalties"] = amount.groupby(by_rep).sum().reindex(index, fill_value=0.0).to_numpy(
        dtype=float)
    out["total"] = out[["staff", "overtime", "reserve", "hiring", "penalties"]].sum(axis=1)
    done = (resolved.reindex(index).to_numpy(dtype=float) if resolved is not None
            else np.full(len(index), np.nan))
    with np.errstate(invalid="ignore", divide="ignore"):
        out["per_resolved_ticket"] = np.where(done > 0, out["total"].to_numpy() / done, np.nan)
    out["joiners"] = joiners.reindex(index, fill_value=0).to_numpy(dtype=np.int64)
    for kind in ("response", "resolution"):
        out[f"missed_{kind}"] = missed[kind].groupby(by_rep).sum().reindex(
            index, fill_value=0).to_numpy(dtype=np.int64)
    out["resolved_tickets"] = done
    return out.reset_index()


def cost_table(costs: pd.DataFrame, scenario: Scenario, confidence: float = 0.95
               ) -> pd.DataFrame:
    """Mean and interval across replications of each column of :func:`replication_costs`.

    Returns
    -------
    DataFrame
        One row per column, in its order: ``item`` (the column name), ``value`` (mean
        across replications), ``low`` and ``high`` (Student-t interval of the mean cut
        at 0, :func:`supportsim.analysis.mean_interval`: it contains the mean
        and stays >= 0; NaN with one replication), ``unit`` (the currency, or
        ``people`` / ``tickets`` for the counts) and ``share`` (of the mean total, for
        the parts that make it up; NaN for the rest).
    """
    currency = require_costs(scenario).currency
    total = float(costs["total"].mean()) if len(costs) else np.nan
    parts = {*(c for c in costs.columns if c.startswith("staff_")), "staff", "overtime",
             "reserve", "hiring", "penalties", "total"}
    rows = []
    for item in costs.columns:
        if item == "replication":
            continue
        values = costs[item].to_numpy(dtype=float)
        mean, low, high = (float(x) for x in mean_interval(values, scale="nonnegative",
                                                           confidence=confidence))
        rows.append({"item": item, "value": mean, "low": low, "high": high,
                     "unit": COUNT_UNITS.get(item, currency),
                     "share": mean / total if item in parts and total > 0 else np.nan})
    return pd.DataFrame(rows, columns=["item", "value", "low", "high", "unit", "share"])


def summary_costs(costs: pd.DataFrame, scenario: Scenario) -> dict[str, tuple[pd.Series, str]]:
    """The cost metrics of ``res.summary()``: ``cost_<column>`` for each column of
    :data:`COST_COLUMNS`, one value per replication, in the scenario's currency."""
    currency = require_costs(scenario).currency
    frame = costs.set_index("replication")
    return {f"cost_{column}": (frame[column], currency) for column in COST_COLUMNS}

