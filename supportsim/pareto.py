"""`frontier`: the cost–SLA frontier of a set of variants, the picture a manager chooses from.

Each variant is one point: its mean cost per replication (``res.costs()``, by the
scenario's ``[costs]``) against its mean attainment (one priority, or all priorities
pooled), each with an interval across replications. A variant is **dominated** when
another costs no more and attains no less, and is strictly better on one of the two; the
non-dominated variants are the frontier: along it, each extra point of attainment has a
price, and everything off it is money spent for nothing.

On a sweep whose factors include a condition (``demand.rate``: what the desk faces, not
what the planner chooses; :mod:`supportsim.sweeps._conditions`), variants are compared
only within one combination of condition values: one frontier per condition.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from supportsim.analysis import mean_interval, t_interval
from supportsim.analysis._costs import COST_COLUMNS, require_costs
from supportsim.results import SimulationResult
from supportsim.sweeps import SweepResult
from supportsim.sweeps._conditions import condition_keys, condition_labels

__all__ = ["dominated", "frontier"]

METRICS = ("response", "resolution")


def dominated(cost: Sequence[float] | np.ndarray, attainment: Sequence[float] | np.ndarray
              ) -> np.ndarray:
    """For each point, the index of the cheapest point dominating it, or -1.

    Point ``j`` dominates ``i`` when ``cost[j] <= cost[i]`` and ``attainment[j] >=
    attainment[i]``, one of them strictly. Points with a NaN are neither dominated nor
    dominating; equal points do not dominate each other. Among several dominating points
    the cheapest is named (then the higher attainment, then the first).

    Returns
    -------
    ndarray of int
        -1 on the frontier (non-dominated), else the dominating point's index.
    """
    c = np.asarray(cost, dtype=float)
    a = np.asarray(attainment, dtype=float)
    if c.shape != a.shape or c.ndim != 1:
        raise ValueError(f"cost and attainment must be 1-d of one length, got shapes "
                         f"{c.shape} and {a.shape}")
    ok = ~(np.isnan(c) | np.isnan(a))
    # NOTE: an n x n comparison: a frontier is drawn from tens or hundreds of variants.
    no_worse = (c[:, None] <= c[None, :]) & (a[:, None] >= a[None, :])  # [j, i]: j vs i
    better = (c[:, None] < c[None, :]) | (a[:, None] > a[None, :])
    beats = no_worse & better & ok[:, None] & ok[None, :]
    out = np.full(c.size, -1, dtype=np.int64)
    order = np.lexsort((np.arange(c.size), -np.nan_to_num(a), np.nan_to_num(c)))
    for i in np.flatnonzero(beats.any(axis=0)):
        out[i] = next(j for j in order if beats[j, i])
    return out


def _clearly(better: pd.DataFrame, worse: pd.DataFrame, confidence: float) -> bool:
    """Whether `better` dominates `worse` beyond the noise: on common random numbers (one
    seed, the same replications), the paired t-interval of the cost difference lies at or
    below 0 and that of the attainment difference at or above 0, one of them strictly."""
    if (better["seed"].iloc[0] != worse["seed"].iloc[0]
            or sorted(better.index) != sorted(worse.index) or len(better) < 2):
        return False
    worse = worse.reindex(better.index)
    _, _, cost_high = t_interval((better["cost"] - worse["cost"]).to_numpy(dtype=float),
                                 confidence=confidence)
    _, att_low, _ = t_interval(
        (better["attainment"] - worse["attainment"]).to_numpy(dtype=float),
        confidence=confidence)
    return bool(cost_high <= 0 and att_low >= 0 and (cost_high < 0 or att_low > 0))


def _per_replication(result: SimulationResult, cost: str, metric: str,
                     priority: str | None) -> pd.DataFrame:
    """``replication``, ``cost``, ``attainment``, ``scored`` of one result."""
    table = result.costs()
    if cost not in table.columns:
        raise ValueError(f"cost must be a column of res.costs() "
                         f"({', '.join(c for c in table.columns if c != 'replication')}), "
                         f"got {cost!r}")
    costs = table.set_index("replication")[cost]
    scores = result.attainment()
    return _attainment(scores, metric, priority).join(costs.rename("cost"), how="outer")


def _attainment(scores: pd.DataFrame, metric: str, priority: str | None) -> pd.DataFrame:
    """Per replication, `metric` attainment of `priority` (None: pooled by scored tickets)
    and the tickets scored, from rows with ``replication`` and ``priority``."""
    share, count = f"{metric}_attainment", f"{metric}_tickets"
    rows = scores if priority is None else scores[scores["priority"].astype(str) == priority]
    met = rows[share].fillna(0.0) * rows[count]
    sums = pd.DataFrame({"met": met, "scored": rows[count],
                         "replication": rows["replication"]}).groupby("replication").sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        attainment = np.where(sums["scored"] > 0, sums["met"] / sums["scored"], np.nan)
    return pd.DataFrame({"attainment": attainment, "scored": sums["scored"]},
                        index=sums.index)


def _from_sweep(sw: SweepResult, cost: str, metric: str, priority: str | None
                ) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    column = f"cost_{cost}"
    # The base's [costs] names the currency of every variant (a strategy may change the
    # prices, and then the frontier shows what they cost).
    require_costs(sw.scenario)
    if column not in sw.table.columns:
        raise ValueError(f"the sweep table has no {column!r} column (the tiers it prices "
                         f"are {[c for c in sw.table.columns if c.startswith('cost_staff_')]})")
    keys = sw.variants[["variant", "strategy", *sw.factors]].copy()
    parts = {}
    for name, rows in sw.table.groupby("variant", observed=True, sort=False):
        frame = _attainment(rows, metric, priority)
        frame["cost"] = rows.groupby("replication")[column].first()
        parts[str(name)] = frame.assign(seed=sw.seed)
    return keys, parts


def _from_results(results: Mapping[str, SimulationResult] | Sequence[SimulationResult],
                  cost: str, metric: str, priority: str | None
                  ) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    if isinstance(results, Mapping):
        named = {str(k): v for k, v in results.items()}
    else:
        names = [r.scenario.name for r in results]
        if len(set(names)) != len(names):
            raise ValueError(f"results must have distinct scenario names to label them, got "
                             f"{names}; pass a dict {{label: result}} instead")
        named = dict(zip(names, results, strict=True))
    for label, result in named.items():
        if not isinstance(result, SimulationResult):
            raise TypeError(f"results must be SimulationResults, got "
                            f"{type(result).__name__} for {label!r}")
    currencies = {require_costs(r.scenario).currency for r in named.values()}
    if len(currencies) > 1:
        raise ValueError(f"the results price their costs in different currencies "
                         f"({', '.join(sorted(currencies))})")
    keys = pd.DataFrame({"variant": list(named), "strategy": list(named)})
    return keys, {label: _per_replication(r, cost, metric, priority).assign(seed=r.seed)
                  for label, r in named.items()}


def frontier(
    results: SweepResult | Mapping[str, SimulationResult] | Sequence[SimulationResult],
    *,
    metric: str = "resolution",
    priority: str | None = None,
    cost: str = "total",
    confidence: float = 0.95,
    by: str | Sequence[str] | None = None,
) -> pd.DataFrame:
    """The cost–SLA frontier: each variant's cost against its attainment, dominated or not.

    Parameters
    ----------
    results : SweepResult, dict of SimulationResult, or list of SimulationResult
        The variants: a sweep's (scenario with ``[costs]``), or results labelled by the
        dict's keys (a list is labelled by scenario names, which must differ). Compare
        variants on the same seed and replications (common random numbers), so that
        their differences are not noise.
    metric : {"resolution", "response"}
        The SLA target whose attainment is on the other axis.
    priority : str, optional
        One priority; None pools all priorities (met over scored tickets, as
        ``sw.summary()``).
    cost : str, default "total"
        The cost column (``res.costs()``): ``"total"``, or e.g. ``"staff"`` to leave the
        penalties (which follow attainment) out of the price.
    confidence : float, default 0.95
    by : str or list of str, optional
        A sweep's factors that are conditions (what the desk faces, not a choice): one
        frontier per combination of their values, and no variant is dominated by one
        under another condition. Default: the factors under ``demand.``, ``initial.``,
        and ``horizon``, ``warmup``, ``start``, ``start_zone``
        (:data:`supportsim.sweeps._conditions.CONDITION_ROOTS`); ``()``: one frontier
        over all variants. Only for a sweep.

    Returns
    -------
    DataFrame
        One row per variant, cheapest first: ``variant``, ``strategy`` (a sweep's
        strategy, else the label), a sweep's factors, ``cost`` with ``cost_low`` and
        ``cost_high`` (mean per replication, t-interval cut at 0), ``attainment``
        with ``attainment_low`` and ``attainment_high`` (mean across replications, the
        intervals of ``res.sla()``), ``replications``, ``dominated`` (bool) and
        ``dominated_by`` (the cheapest variant dominating it, ``""`` on the frontier) and
        ``clearly_dominated``: dominated beyond the noise, where the paired t-intervals
        (common random numbers: one seed, the same replications) of ``dominated_by``'s
        cost and attainment minus this variant's lie at or below and at or above 0, one
        strictly (False where they do not, or the two are not on common random numbers).
        Dominance is judged on the means; ``clearly_dominated`` says where it is firm.
        With conditions, a ``condition`` column (e.g. ``"rate=16.0"``) follows the
        factors, dominance is judged within each condition, and rows come by condition
        (in grid order), cheapest first within each. ``attrs`` holds ``currency``,
        ``metric``, ``priority``, ``cost``, ``confidence`` and ``by`` (the condition
        keys, ``[]`` for none).

    Raises
    ------
    ValueError
        A scenario without ``[costs]``, an unknown metric, priority or cost column,
        results priced in different currencies, or `by` naming a key that is not a
        factor of the sweep (or given with results that are not a sweep).
    """
    if metric not in METRICS:
        raise ValueError(f"metric must be 'response' or 'resolution', got {metric!r}")
    if cost not in COST_COLUMNS and not cost.startswith("staff_"):
        raise ValueError(f"cost must be a column of res.costs() ({', '.join(COST_COLUMNS)}, "
                         f"staff_lN), got {cost!r}")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")
    if isinstance(results, SweepResult):
        scenario = results.scenario
        keys, parts = _from_sweep(results, cost, metric, priority)
        conditions = condition_keys(list(results.factors), by)
    else:
        if by is not None and (isinstance(by, str) or len(by)):
            raise ValueError(f"by={by!r} names a sweep's factors; results that are not a "
                             "sweep have none (compare them under one condition)")
        conditions = []
        if not results:
            raise ValueError("results must hold at least one result")
        first = next(iter(results.values())) if isinstance(results, Mapping) else results[0]
        scenario = first.scenario
        keys, parts = _from_results(results, cost, metric, priority)
    if priority is not None and priority not in scenario.priorities:
        raise ValueError(f"priority must be one of {scenario.priority_names} or None, "
                         f"got {priority!r}")
    rows = []
    for label, frame in parts.items():
        if frame["cost"].isna().all():
            raise ValueError(f"variant {label!r} has no {cost!r} cost")
        c = mean_interval(frame["cost"].to_numpy(dtype=float), scale="nonnegative",
                          confidence=confidence)
        a = mean_interval(frame["attainment"].to_numpy(dtype=float), scale="logit",
                          confidence=confidence, trials=np.asarray(frame["scored"].sum()))
        rows.append({"variant": label, **dict(zip(
            ("cost", "cost_low", "cost_high", "attainment", "attainment_low",
             "attainment_high"), (float(x) for x in (*c, *a)), strict=True)),
            "replications": int(frame["attainment"].notna().sum())})
    points = pd.DataFrame(rows)
    # Strategies keep the order they were given in (colours and legends follow it).
    keys = keys.assign(variant=keys["variant"].astype(str), strategy=pd.Categorical(
        keys["strategy"].astype(str), categories=list(dict.fromkeys(keys["strategy"].astype(str)))))
    out = keys.merge(points, on="variant", how="inner")
    if conditions:
        factors = list(results.factors) if isinstance(results, SweepResult) else []
        labels = condition_labels(factors, conditions, out.to_dict("records"))
        out.insert(2 + len(factors), "condition", labels)
    else:
        labels = [""] * len(out)
    group = pd.Series(labels).map({c: k for k, c in enumerate(dict.fromkeys(labels))})
    beaten = np.full(len(out), -1, dtype=np.int64)
    for members in group.groupby(group).indices.values():
        inner = dominated(out["cost"].to_numpy()[members], out["attainment"].to_numpy()[members])
        beaten[members] = np.where(inner >= 0, members[inner], -1)
    out["dominated"] = beaten >= 0
    names = out["variant"].to_numpy(dtype=object)
    out["dominated_by"] = [names[j] if j >= 0 else "" for j in beaten]
    out["clearly_dominated"] = [
        j >= 0 and _clearly(parts[str(names[j])], parts[str(names[i])], confidence)
        for i, j in enumerate(beaten)]
    out = (out.assign(_group=group.to_numpy())
           .sort_values(["_group", "cost", "attainment"], ascending=[True, True, False],
                        kind="stable", ignore_index=True).drop(columns="_group"))
    out.attrs.update(currency=require_costs(scenario).currency, metric=metric,
                     priority=priority, cost=cost, confidence=confidence, by=conditions)
    return out

