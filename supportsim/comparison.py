"""Paired comparison of two results on common random numbers.

Two variants simulated with the same seed see the same tickets in replication ``r``
(:mod:`supportsim.demand`), so the per-replication differences cancel most of the demand
noise: the interval on the difference is far narrower than two separate intervals.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import special

from supportsim._comparison_frame import Comparison
from supportsim.analysis import t_interval
from supportsim.analysis._costs import COST_COLUMNS, require_costs
from supportsim.results import SimulationResult
from supportsim.scenario import Scenario

__all__ = ["compare", "has_tickets", "replication_metrics", "ticket_changes"]

#: metric -> True when higher is better.
METRICS: dict[str, bool] = {
    "response_attainment": True,
    "resolution_attainment": True,
    "mean_resolution_time": False,
    "p90_resolution_time": False,
}
#: Metrics scored as each replication finished (``res.scores``): no ticket table needed.
SCORED = ("response_attainment", "resolution_attainment")


#: Top-level scenario keys the ticket stream never depends on (:mod:`supportsim.demand`):
#: who works (except the review work of ``team.tennis.review``), what it costs, how and
#: when tickets are scored. Everything else (demand, priority shares, work, sites, the
#: initial backlog, start and horizon) shapes the tickets.
_NOT_TICKETS = ("name", "seed", "replications", "warmup", "calendar", "team", "workforce",
                "costs")
_SCORING = ("response", "resolution", "clock", "goal")


def _leaves(data: object, prefix: str = "") -> dict[str, object]:
    if not isinstance(data, dict):
        return {prefix: data}
    out: dict[str, object] = {}
    for key, value in data.items():
        out.update(_leaves(value, f"{prefix}.{key}" if prefix else str(key)))
    return out


def ticket_changes(a: Scenario, b: Scenario) -> list[str]:
    """Dotted keys where `b` differs from `a` in what generates the tickets.

    Empty when the two see the very same tickets in replication ``r`` under one seed;
    otherwise a paired comparison is still on common random numbers (the same streams),
    but of different tickets: a change of demand, priority shares, work, sites or span.
    """
    left, right = _leaves(a.to_dict()), _leaves(b.to_dict())
    changed = sorted(k for k in left.keys() | right.keys() if left.get(k) != right.get(k))
    return [key for key in changed
            if not (key.split(".")[0] in _NOT_TICKETS
                    and not key.startswith("team.tennis.review"))
            and not (key.startswith("priorities.") and key.split(".")[2] in _SCORING)]


def _ids(replications: list[int]) -> str:
    """Replication numbers for a message, the middle of a long run elided."""
    if len(replications) > 6:
        return f"[{', '.join(map(str, replications[:3]))}, ..., {replications[-1]}]"
    return str(replications)


def has_tickets(result: SimulationResult) -> bool:
    """Whether `result` kept its ticket table (in memory or spilled), without reading it."""
    return result.ticket_table is not None or bool(result.ticket_files)


def replication_metrics(result: SimulationResult,
                        metrics: Sequence[str] = tuple(METRICS)) -> pd.DataFrame:
    """Per replication x priority: attainment and resolution-time figures (warm-up excluded).

    Parameters
    ----------
    result : SimulationResult
    metrics : sequence of str, default every metric in :data:`METRICS`
        The attainment metrics come from the scores kept in every ``tickets=`` mode; the
        resolution times per priority need the ticket table.

    Returns
    -------
    DataFrame
        ``replication``, ``priority`` and one column per metric in `metrics`
        (times in hours, over tickets resolved before the horizon).

    Raises
    ------
    ValueError
        A resolution-time metric of a result simulated with ``tickets="drop"``.
    """
    att = result.attainment()
    times = [m for m in metrics if m not in SCORED]
    if not times:
        return att[["replication", "priority", *metrics]]
    kept = result.tickets[~result.tickets["warmup"]]
    by = kept.groupby(["replication", "priority"], observed=False)["resolution_time"]
    stats = pd.DataFrame({"mean_resolution_time": by.mean(),
                          "p90_resolution_time": by.quantile(0.9)}).reset_index()
    merged = att.merge(stats, on=["replication", "priority"], how="left")
    return merged[["replication", "priority", *metrics]]


def _metrics(a: SimulationResult, b: SimulationResult, labels: tuple[str, str],
             metrics: Sequence[str] | None) -> list[str]:
    """The metrics to compare: those asked for, checked; by default every metric both
    results can give (the resolution times per priority only where both kept tickets)."""
    both = has_tickets(a) and has_tickets(b)
    if metrics is None:
        return list(METRICS) if both else list(SCORED)
    names = [str(m) for m in ([metrics] if isinstance(metrics, str) else metrics)]
    unknown = [m for m in names if m not in METRICS]
    if unknown:
        raise ValueError(f"metrics: unknown {', '.join(map(repr, unknown))}; "
                         f"choose from {', '.join(METRICS)}")
    needs = [m for m in names if m not in SCORED]
    if needs and not both:
        dropped = [label for label, r in zip(labels, (a, b), strict=True) if not has_tickets(r)]
        raise ValueError(
            f"metrics {', '.join(needs)} per priority need the ticket table, and "
            f"{' and '.join(map(repr, dropped))} {'was' if len(dropped) == 1 else 'were'} "
            "simulated with tickets='drop'; "
            "simulate with tickets='keep' or tickets=DIRECTORY, or compare "
            f"{', '.join(SCORED)} and the costs, which need no tickets")
    return names


def _t_half_width(values: np.ndarray, confidence: float) -> float:
    values = values[~np.isnan(values)]
    if len(values) < 2:
        return float("nan")
    quantile = special.stdtrit(len(values) - 1, 0.5 + confidence / 2)
    return float(quantile * values.std(ddof=1) / np.sqrt(len(values)))


def _welch_half_width(a: np.ndarray, b: np.ndarray, confidence: float) -> float:
    a, b = a[~np.isnan(a)], b[~np.isnan(b)]
    if len(a) < 2 or len(b) < 2:
        return float("nan")
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    if va + vb == 0:
        return 0.0
    dof = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    return float(special.stdtrit(dof, 0.5 + confidence / 2) * np.sqrt(va + vb))


def compare(
    a: SimulationResult,
    b: SimulationResult,
    *,
    labels: tuple[str, str] = ("a", "b"),
    confidence: float = 0.95,
    paired: bool = True,
    metrics: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Differences ``b - a`` per priority and metric, with confidence intervals.

    Parameters
    ----------
    a, b : SimulationResult
        Two variants of one scenario. With ``paired=True`` they must share the seed and
        the replication numbers (common random numbers), and the interval comes from the
        replication-paired differences; ``paired=False`` gives Welch's interval instead.
    labels : (str, str)
        Names of `a` and `b` in the ``better`` column.
    confidence : float
        Two-sided confidence level.
    paired : bool
    metrics : sequence of str, optional
        Per-priority metrics among ``response_attainment``, ``resolution_attainment``,
        ``mean_resolution_time`` and ``p90_resolution_time``. By default every one both
        results can give: the attainment metrics always (scored as each replication
        finished), the resolution times only where both kept their ticket table (not
        ``tickets="drop"``).

    Returns
    -------
    DataFrame
        The layout of :meth:`supportsim.SweepResult.compare`: one row per priority x
        metric with ``variant`` (the label of `b`), ``baseline`` (the label of `a`),
        ``priority``, ``metric``, ``value`` and ``baseline_value`` (means across
        replications of `b` and `a`), ``difference`` (b - a) with ``low`` and ``high``
        (the interval; for attainment kept within [-1, 1], the range of a difference of
        shares), ``better`` (the label of the better variant where the interval excludes
        zero, else ``""``) and ``replications`` (pairs, or the smaller sample unpaired).
        When both scenarios have ``[costs]``, rows with ``priority`` ``"all"`` follow for
        the metrics ``cost_staff``, ``cost_overtime``, ``cost_reserve``, ``cost_hiring``,
        ``cost_penalties``, ``cost_total`` and ``cost_per_resolved_ticket``
        (:meth:`SimulationResult.costs`; lower is better). Costs and attainment work in
        every ``tickets=`` mode. A :class:`pandas.DataFrame` (its subclass
        ``Comparison``, whose notebook display is a card of which variant is better;
        every frame derived from it is a plain DataFrame).

    Raises
    ------
    ValueError
        If a paired comparison is asked of results not on common random numbers, their
        costs are in different currencies, or `metrics` asks for resolution times of a
        result without its ticket table.
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")
    if a.scenario.priority_names != b.scenario.priority_names:
        raise ValueError("the two results have different priorities: "
                         f"{a.scenario.priority_names} vs {b.scenario.priority_names}")
    names = _metrics(a, b, labels, metrics)
    ma, mb = replication_metrics(a, names), replication_metrics(b, names)
    if paired:
        # Plain ints: numpy's would print as np.int64(0) in the message.
        reps_a, reps_b = ([int(r) for r in sorted(m.replication.unique())] for m in (ma, mb))
        if a.seed != b.seed or reps_a != reps_b:
            raise ValueError(
                f"a paired comparison needs common random numbers: seeds {a.seed} vs {b.seed}, "
                f"replications {_ids(reps_a)} vs {_ids(reps_b)}; simulate {labels[1]!r} "
                f"with seed={a.seed}, replications={len(reps_a)} as {labels[0]!r} was, or "
                "pass paired=False (Welch intervals, wider)")
    rows = []
    for name in a.scenario.priority_names:
        pa = ma[ma.priority == name].sort_values("replication")
        pb = mb[mb.priority == name].sort_values("replication")
        for metric in names:
            higher_is_better = METRICS[metric]
            va, vb = pa[metric].to_numpy(float), pb[metric].to_numpy(float)
            if paired:
                diffs = vb - va
                diff = float(np.nanmean(diffs)) if np.isfinite(diffs).any() else np.nan
                half = _t_half_width(diffs, confidence)
            else:
                diff = float(np.nanmean(vb) - np.nanmean(va))
                half = _welch_half_width(va, vb, confidence)
            low, high = diff - half, diff + half
            if metric.endswith("attainment"):
                low, high = max(low, -1.0), min(high, 1.0)
            better = ""
            if low > 0 or high < 0:
                b_wins = (diff > 0) == higher_is_better
                better = labels[1] if b_wins else labels[0]
            count = (int(np.sum(~np.isnan(vb - va))) if paired
                     else int(min(np.sum(~np.isnan(va)), np.sum(~np.isnan(vb)))))
            rows.append({"variant": labels[1], "baseline": labels[0], "priority": name,
                         "metric": metric, "value": np.nanmean(vb),
                         "baseline_value": np.nanmean(va), "difference": diff, "low": low,
                         "high": high, "better": better, "replications": count})
    if a.scenario.costs is not None and b.scenario.costs is not None:
        rows += _cost_rows(a.costs(), b.costs(), a.scenario, b.scenario, labels=labels,
                           confidence=confidence, paired=paired)
    return Comparison(rows)


def _cost_rows(a: pd.DataFrame, b: pd.DataFrame, scenario_a: Scenario, scenario_b: Scenario,
               *, labels: tuple[str, str], confidence: float, paired: bool
               ) -> list[dict[str, object]]:
    """Rows of :func:`supportsim.compare` for the costs ``b - a`` (priority ``"all"``).

    Paired: the t-interval of the per-replication differences (common random numbers:
    the same replications of both); unpaired: Welch's interval. Lower cost is better.
    """
    currency = {require_costs(scenario_a).currency, require_costs(scenario_b).currency}
    if len(currency) > 1:
        raise ValueError(f"the two results price their costs in different currencies "
                         f"({' and '.join(sorted(currency))}); give both the same [costs] "
                         "currency to compare them")
    a, b = a.set_index("replication"), b.set_index("replication")
    rows: list[dict[str, object]] = []
    for column in COST_COLUMNS:
        va, vb = a[column].to_numpy(dtype=float), b[column].to_numpy(dtype=float)
        if paired:  # compare() checked that both have the same replications
            diffs = b[column].reindex(a.index).to_numpy(dtype=float) - va
            mean, low, high = (float(x) for x in t_interval(diffs, confidence=confidence))
            count = int(np.sum(~np.isnan(diffs)))
        else:
            mean = float(np.nanmean(vb) - np.nanmean(va))
            half = _welch_half_width(va, vb, confidence)
            low, high = mean - half, mean + half
            count = int(min(np.sum(~np.isnan(va)), np.sum(~np.isnan(vb))))
        better = "" if not (low > 0 or high < 0) else labels[0] if mean > 0 else labels[1]
        rows.append({"variant": labels[1], "baseline": labels[0], "priority": "all",
                     "metric": f"cost_{column}", "value": float(np.nanmean(vb)),
                     "baseline_value": float(np.nanmean(va)), "difference": mean,
                     "low": low, "high": high, "better": better, "replications": count})
    return rows
