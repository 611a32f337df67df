"""Verdicts a readiness review can use: does each priority's attainment goal hold?

A scenario states goals per priority and target (``[priorities.P1] goal = {response =
0.95, resolution = 0.9}``). A goal **holds** when the whole confidence interval of the
attainment lies at or above it, **fails** when the whole interval lies below it, and is
**uncertain** when the interval straddles it (more replications would decide) or there
is no interval (one replication). Where nothing was scored the verdict is ``"n/a"``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd

from supportsim.scenario import Scenario

__all__ = ["VERDICTS", "goals", "verdict", "verdict_changes", "verdicts"]

#: The verdicts, best first.
VERDICTS: tuple[str, ...] = ("holds", "uncertain", "fails", "n/a")
KINDS = ("response", "resolution")

GoalSpec = float | Mapping[str, float | Mapping[str, float]] | None


def verdict(attainment: float, low: float, high: float, goal: float) -> str:
    """``"holds"``, ``"fails"``, ``"uncertain"`` or ``"n/a"`` for one estimate and goal.

    Parameters
    ----------
    attainment : float
        The estimate (NaN: nothing scored, the verdict is ``"n/a"``).
    low, high : float
        Its confidence interval (NaN with one replication: ``"uncertain"``).
    goal : float
        The share that must be met.
    """
    if math.isnan(attainment):
        return "n/a"
    if math.isnan(low) or math.isnan(high):
        return "uncertain"
    if low >= goal:
        return "holds"
    if high < goal:
        return "fails"
    return "uncertain"


def goals(scenario: Scenario, goal: GoalSpec = None) -> dict[tuple[str, str], float]:
    """The goals to judge, ``(priority, kind) -> share``, in rank order.

    Parameters
    ----------
    scenario : Scenario
    goal : float or mapping, optional
        None: the scenario's ``priorities.NAME.goal``. A share: that goal for every
        priority and target. A mapping ``{priority: share or {kind: share}}``: those
        goals, replacing the scenario's for the priorities it names.

    Raises
    ------
    ValueError
        A share outside [0, 1], an unknown priority or kind.
    """
    out: dict[tuple[str, str], float] = {}
    for name, priority in scenario.priorities.items():
        own = priority.goal
        for kind in KINDS:
            value = None if own is None else getattr(own, kind)
            if value is not None:
                out[(name, kind)] = float(value)
    if goal is None:
        return out
    if isinstance(goal, Mapping):
        unknown = [p for p in goal if p not in scenario.priorities]
        if unknown:
            raise ValueError(f"goal names priorities {unknown} not in the scenario "
                             f"({scenario.priority_names})")
        for name, spec in goal.items():
            given = spec if isinstance(spec, Mapping) else dict.fromkeys(KINDS, spec)
            wrong = [k for k in given if k not in KINDS]
            if wrong:
                raise ValueError(f"goal[{name!r}] keys must be 'response' or 'resolution', "
                                 f"got {wrong}")
            for kind in KINDS:
                out.pop((name, kind), None)
            for kind, value in given.items():
                out[(name, kind)] = _share(value, f"goal[{name!r}][{kind!r}]")
        return {key: out[key] for key in ((p, k) for p in scenario.priorities for k in KINDS)
                if key in out}
    share = _share(goal, "goal")
    return {(p, k): share for p in scenario.priorities for k in KINDS}


def _share(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise ValueError(f"{name} must be a share in [0, 1], got {value!r}")
    return float(value)


def verdicts(sla: pd.DataFrame, scenario: Scenario, goal: GoalSpec = None) -> pd.DataFrame:
    """Judge an SLA table against the goals: one row per (variant,) priority and target.

    Parameters
    ----------
    sla : DataFrame
        :meth:`supportsim.SimulationResult.sla` (or ``SweepResult.sla()``, whose
        ``variant``, ``strategy`` and factor columns are kept in front).
    scenario : Scenario
        Supplies the goals and the targets as written.
    goal : float or mapping, optional
        Goals replacing the scenario's (:func:`goals`).

    Returns
    -------
    DataFrame
        The key columns of `sla` if any, then ``priority``, ``target`` (``"response"``
        or ``"resolution"``), ``target_time`` (as written, e.g. ``"15min"``), ``clock``,
        ``goal``, ``attainment``, ``low``, ``high`` (the interval of `sla`) and
        ``verdict`` (``"holds"``, ``"fails"``, ``"uncertain"`` or ``"n/a"``).
        Targets without a goal have no row; without any goal the frame is empty.
    """
    wanted = goals(scenario, goal)
    # Whatever identifies a row besides its priority (a sweep's variant, strategy and
    # factors) leads the verdicts; the figures of the SLA table do not.
    keys = [c for c in sla.columns if c not in ("priority", "clock") and not c.startswith(
        ("response_", "resolution_", "tickets", "replications"))]
    rows = []
    for record in sla.to_dict("records"):
        name = str(record["priority"])
        priority = scenario.priorities[name]
        for kind in KINDS:
            if (name, kind) not in wanted:
                continue
            share = wanted[(name, kind)]
            mean, low, high = (float(record[f"{kind}_attainment{s}"])
                               for s in ("", "_low", "_high"))
            rows.append({**{k: record[k] for k in keys}, "priority": name, "target": kind,
                         "target_time": priority.target(kind), "clock": priority.clock,
                         "goal": share, "attainment": mean, "low": low, "high": high,
                         "verdict": verdict(mean, low, high, share)})
    columns = [*keys, "priority", "target", "target_time", "clock", "goal", "attainment",
               "low", "high", "verdict"]
    return pd.DataFrame(rows, columns=columns)


def verdict_changes(baseline: pd.DataFrame, other: pd.DataFrame) -> pd.DataFrame:
    """Two results' verdicts side by side (e.g. a variant against the base of
    :func:`supportsim.compare`), one row per goal of `other`.

    Parameters
    ----------
    baseline, other : DataFrame
        :func:`verdicts` of the two results.

    Returns
    -------
    DataFrame
        ``priority``, ``target``, ``target_time``, ``goal``, ``baseline_attainment``,
        ``attainment``, ``baseline_verdict`` (``"-"`` where the baseline has no such
        goal), ``verdict`` and ``changed`` (the verdicts differ). The layout of
        :func:`supportsim.compare`: ``baseline_*`` columns for the first result.
    """
    keys = ["priority", "target"]
    base = baseline.set_index(keys)
    rows = []
    for record in other.to_dict("records"):
        key = (record["priority"], record["target"])
        found = key in base.index
        before = base.loc[key, "verdict"] if found else "-"
        rows.append({"priority": record["priority"], "target": record["target"],
                     "target_time": record["target_time"], "goal": record["goal"],
                     "baseline_attainment": float(base.loc[key, "attainment"]) if found
                     else float("nan"),
                     "attainment": record["attainment"], "baseline_verdict": before,
                     "verdict": record["verdict"], "changed": before != record["verdict"]})
    return pd.DataFrame(rows, columns=["priority", "target", "target_time", "goal",
                                       "baseline_attainment", "attainment",
                                       "baseline_verdict", "verdict", "changed"])
