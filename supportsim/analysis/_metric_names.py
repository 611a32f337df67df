"""The names of per-replication metrics that precision targets and selection accept.

One grammar for :func:`supportsim.simulate` (``precision=``), :func:`supportsim.select_best`
and :func:`~supportsim.analysis.replications_needed`:

- ``PRIORITY.response``, ``PRIORITY.resolution``: attainment of that priority, a share
  (0.01 is one point); higher is better;
- ``wait`` (= ``mean_wait``, hours), ``resolution_time`` (= ``mean_resolution_time``),
  ``abandoned`` (= ``abandoned_share``), ``backlog`` (= ``backlog_at_end``): lower;
- ``resolved`` (= ``resolved_share``): higher;
- ``cost`` (= ``cost_total``) and every ``cost_*`` metric, with ``[costs]``: lower;
- any other metric of ``res.summary()``, e.g. ``p90_wait``, ``utilisation_l1``.

Summary metrics that are times, shares abandoned, backlogs, hand-offs or overtime are
better lower; attainment and ``resolved_share`` higher; the others (utilisation, head
counts, ticket counts) have no better direction, and selection needs ``better=`` for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from supportsim.scenario._validation import closest

if TYPE_CHECKING:
    from supportsim.results import SimulationResult
    from supportsim.scenario import Scenario

__all__ = ["ALIASES", "Metric", "metric_series", "resolve_metric"]

#: Short names and the summary metric they stand for.
ALIASES = {"wait": "mean_wait", "abandoned": "abandoned_share", "resolved": "resolved_share",
           "resolution_time": "mean_resolution_time", "backlog": "backlog_at_end"}
#: Summary metrics every scenario has, and whether higher is better (None: neither).
_SUMMARY: dict[str, bool | None] = {
    "tickets_per_replication": None, "resolved_share": True, "abandoned_share": False,
    "mean_wait": False, "median_wait": False, "p90_wait": False,
    "mean_resolution_time": False, "median_resolution_time": False,
    "p90_resolution_time": False, "escalations_per_ticket": False,
    "bounces_per_ticket": False, "backlog_at_end": False, "on_duty": None,
    "effective_fte": None, "vacancies": None, "reserve_on_duty": None,
    "reserve_activations": None, "leavers": None,
}


@dataclass(frozen=True)
class Metric:
    """A resolved metric name.

    Attributes
    ----------
    name : str
        As the user wrote it (``"P1.response"``, ``"wait"``).
    column : str
        The key of :meth:`~supportsim.SimulationResult.per_replication`.
    higher_is_better : bool or None
        None when the metric has no better direction.
    unit : str
    """

    name: str
    column: str
    higher_is_better: bool | None
    unit: str


def _known(scenario: Scenario) -> dict[str, tuple[str, bool | None, str]]:
    known: dict[str, tuple[str, bool | None, str]] = {}
    for name, better in _SUMMARY.items():
        unit = "share" if name.endswith("_share") else "h" if "wait" in name or \
            "resolution_time" in name else ""
        known[name] = (name, better, unit)
    for level in scenario.levels:
        known[f"utilisation_l{level}"] = (f"utilisation_l{level}", None, "share")
        known[f"overtime_l{level}"] = (f"overtime_l{level}", False, "agent-h/week")
    costs = getattr(scenario, "costs", None)
    if costs is not None:  # [costs]: money, lower is better
        from supportsim.analysis._costs import COST_COLUMNS

        for column in COST_COLUMNS:
            known[f"cost_{column}"] = (f"cost_{column}", False, costs.currency)
        known["cost"] = known["cost_total"]
    for alias, target in ALIASES.items():
        known[alias] = known[target]
    for priority in scenario.priority_names:
        for kind in ("response", "resolution"):
            column = f"{kind}_attainment_{priority}"
            known[f"{priority}.{kind}"] = (column, True, "share")
            known[column] = (column, True, "share")
    return known


def resolve_metric(name: str, scenario: Scenario, *,
                   better: Literal["higher", "lower"] | None = None) -> Metric:
    """The metric `name` names for `scenario` (module table).

    Parameters
    ----------
    name : str
    scenario : Scenario
        Supplies the priorities and tiers the name may refer to.
    better : {"higher", "lower"}, optional
        Overrides the metric's own direction.

    Raises
    ------
    ValueError
        An unknown name (the message lists the known ones), or a `better` that is
        neither ``"higher"`` nor ``"lower"``.
    """
    known = _known(scenario)
    if not isinstance(name, str) or name not in known:
        names = sorted(k for k in known if not k.startswith(("response_att",
                                                              "resolution_att")))
        close = closest(name, names) if isinstance(name, str) else None
        if close is not None:  # "p1.response" for "P1.response": the list would bury it
            raise ValueError(f"unknown metric {name!r} (did you mean {close!r}?)")
        raise ValueError(f"unknown metric {name!r}; known: {', '.join(names)}")
    if better not in (None, "higher", "lower"):
        raise ValueError(f"better must be 'higher' or 'lower', got {better!r}")
    column, higher, unit = known[name]
    if better is not None:
        higher = better == "higher"
    return Metric(name=name, column=column, higher_is_better=higher, unit=unit)


def metric_series(res: SimulationResult, metric: Metric) -> pd.Series:
    """Per-replication values of `metric` in `res`, indexed by replication (ascending;
    a replication without a value, e.g. no ticket scored, is NaN)."""
    per_rep = res.per_replication()
    if metric.column not in per_rep:
        raise ValueError(f"metric {metric.name!r} ({metric.column}) is not in this result")
    series = per_rep[metric.column][0].astype(float)
    numbers = np.sort(res.timeline["replication"].unique())
    return series.reindex(pd.Index(numbers, name="replication"))
