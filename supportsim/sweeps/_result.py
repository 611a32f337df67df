"""`SweepResult`: the tidy table of a sweep and its aggregated views."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from supportsim.analysis import mean_interval
from supportsim.scenario import Scenario

__all__ = ["SweepResult"]

_SHARES = ("response_attainment", "resolution_attainment", "abandoned_share",
           "resolved_share")
_SIGNED = ("backlog_growth", "difference")  # every other metric is >= 0
_PER_REPLICATION = ("backlog_at_end", "backlog_growth")
#: Attainment columns and the scored-ticket columns that bound them where all met.
_TRIALS = {"response_attainment": "response_tickets",
           "resolution_attainment": "resolution_tickets"}
#: Metrics where a higher value is better (True) or worse (False), for ``better``.
_DIRECTION = {"response_attainment": True, "resolution_attainment": True,
              "resolved_share": True, "abandoned_share": False, "mean_wait": False,
              "median_wait": False, "p90_wait": False, "mean_resolution_time": False,
              "median_resolution_time": False, "p90_resolution_time": False,
              "backlog_at_end": False, "backlog_growth": False,
              # Costs: lower is better (per tier, parts, total, per resolved ticket).
              **{f"cost_{c}": False for c in (
                  "staff_l1", "staff_l2", "staff_l3", "staff", "overtime", "reserve",
                  "hiring", "penalties", "total", "per_resolved_ticket")}}


def _scale(column: str) -> str:
    """The scale of a metric's interval (:func:`supportsim.analysis.mean_interval`)."""
    if column in _SIGNED:
        return "linear"
    return "logit" if column in _SHARES or column.startswith("utilisation_") else "nonnegative"


def _intervals(frame: pd.DataFrame, keys: list[str], columns: Sequence[str],
               confidence: float, names: dict[str, str] | None = None) -> pd.DataFrame:
    """Mean and t-interval of each column across replications, per combination of `keys`.

    `frame` has the `keys`, ``replication`` and the `columns`; keys that are categorical
    keep their category order. Returns the keys, then ``<name>``, ``<name>_low``,
    ``<name>_high`` per column and ``replications``. Each interval is built on the
    metric's scale (logit for shares, log for times and counts, linear for signed
    figures), so it contains the mean and stays in the metric's range.
    """
    names = names or {}
    if frame.empty:
        cols = [*keys] + [f"{names.get(c, c)}{s}" for c in columns for s in ("", "_low", "_high")]
        return pd.DataFrame(columns=[*cols, "replications"])
    extra = [_TRIALS[c] for c in columns if c in _TRIALS and _TRIALS[c] in frame.columns]
    wide = frame.set_index([*keys, "replication"])[[*columns, *extra]].unstack("replication")
    out = wide.index.to_frame(index=False)
    counts = np.zeros(len(out), dtype=np.int64)
    for column in columns:
        values = wide[column].to_numpy(dtype=float)
        trials = (np.nansum(wide[_TRIALS[column]].to_numpy(dtype=float), axis=1)
                  if column in _TRIALS and _TRIALS[column] in extra else None)
        with warnings.catch_warnings():
            # One replication (or all NaN) has no spread: NaN bounds, said in the docs.
            warnings.simplefilter("ignore", RuntimeWarning)
            mean, low, high = mean_interval(values, scale=_scale(column), axis=1,
                                            confidence=confidence, trials=trials)
        name = names.get(column, column)
        out[name], out[f"{name}_low"], out[f"{name}_high"] = mean, low, high
        counts = np.maximum(counts, np.sum(~np.isnan(values), axis=1))
    out["replications"] = counts
    return out


@dataclass(frozen=True)
class SweepResult:
    """What :func:`supportsim.sweep` returns.

    Attributes
    ----------
    scenario : Scenario
        The base scenario.
    seed : int
        The root seed; demand streams are keyed by (seed, replication) alone, so every
        variant saw the same tickets in replication ``r``.
    replications : int
    factors : dict
        Dotted key -> the values swept.
    strategies : dict
        Strategy name -> its overrides (``{"base": {}}`` when none were given).
    variants : DataFrame
        One row per variant in grid order: ``variant`` (name), ``variant_id`` (stable hash
        of strategy and overrides; names the store files), ``strategy``, one column per
        factor, ``overrides`` (dict).
    table : DataFrame
        Tidy: one row per variant x replication x priority; ``variant``, ``strategy``,
        each factor (column named by its dotted key), ``replication``, ``priority`` and the
        summary metrics (:mod:`supportsim.sweeps._summary`; docs/sweeps.md). Replication-level
        metrics (utilisation, backlog) repeat on each priority row of that replication.
    failures : DataFrame
        One row per failed task: ``variant``, ``replication``, ``error`` (exception type),
        ``message``.
    tickets : DataFrame or None
        With ``keep_tickets=True``: every ticket of every task, ``variant`` first.
    tasks_run, tasks_reused : int
        Tasks executed by this call, and finished tasks read back from the store.
    wall_seconds : float
    executor : str
        What ran the tasks, e.g. ``"2 processes"``.
    store : Path or None
    """

    scenario: Scenario = field(repr=False)
    seed: int
    replications: int
    factors: dict[str, list[Any]]
    strategies: dict[str, dict[str, Any]]
    variants: pd.DataFrame = field(repr=False)
    table: pd.DataFrame = field(repr=False)
    failures: pd.DataFrame = field(repr=False)
    tickets: pd.DataFrame | None = field(default=None, repr=False)
    tasks_run: int = 0
    tasks_reused: int = 0
    wall_seconds: float = 0.0
    executor: str = ""
    store: Path | None = None

    def __repr__(self) -> str:
        from supportsim.report._others import sweep_repr

        return sweep_repr(self)

    def _repr_html_(self) -> str:
        from supportsim.report._display import render_card
        from supportsim.report._others import sweep_card

        return render_card(sweep_card(self))

    def to_html(self, path: str | Path | None = None, *, command: str | None = None,
                by: str | Sequence[str] | None = None) -> str:
        """A self-contained HTML report of the sweep
        (:func:`supportsim.report.write_sweep_report`); written to `path` if given. `by`
        names the factors that are conditions, for the cost–SLA frontier, as in
        :func:`supportsim.frontier` (None: the default rule; ``()``: none)."""
        from supportsim.report import write_sweep_report

        return write_sweep_report(self, path, command=command, by=by)

    # ------------------------------------------------------------------ helpers

    @property
    def _keys(self) -> list[str]:
        return ["variant", "strategy", *self.factors]

    def _with_keys(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Prefix strategy and factor columns to a frame keyed by ``variant``."""
        head = self.variants[self._keys].copy()
        head["variant"] = pd.Categorical(head["variant"],
                                         categories=self.table["variant"].cat.categories)
        return head.merge(frame, on="variant", how="inner", sort=False)

    # ------------------------------------------------------------------ views

    def sla(self, confidence: float = 0.95) -> pd.DataFrame:
        """Attainment per variant x priority, mean across replications with intervals.

        The intervals are those of :meth:`supportsim.SimulationResult.sla` (t on the logit
        scale), so a variant's row equals ``simulate(variant).sla()``.

        Returns
        -------
        DataFrame
            ``variant``, ``strategy``, the factors, ``priority``, ``response_attainment``
            and ``resolution_attainment`` each with ``_low``/``_high``,
            ``response_tickets`` and ``resolution_tickets`` (scored, all replications),
            ``tickets`` (after the warm-up, all replications), ``tickets_per_replication``
            (their mean) and ``replications``.
        """
        keys = ["variant", "priority"]
        out = _intervals(self.table, keys, ["response_attainment", "resolution_attainment"],
                         confidence)
        sums = self.table.groupby(keys, observed=True)[
            ["response_tickets", "resolution_tickets", "tickets"]].sum()
        sums = sums.reindex(pd.MultiIndex.from_frame(out[keys])) if len(out) else sums
        replications = out.pop("replications")
        for column in ("response_tickets", "resolution_tickets", "tickets"):
            out[column] = sums[column].to_numpy(dtype=np.int64) if len(out) else []
        with np.errstate(invalid="ignore", divide="ignore"):
            out["tickets_per_replication"] = out["tickets"] / replications
        out["replications"] = replications
        return self._with_keys(out)

    def summary(self, confidence: float = 0.95) -> pd.DataFrame:
        """Per variant: attainment over all priorities, utilisation and backlog, with intervals.

        ``response_attainment`` and ``resolution_attainment`` weigh priorities by their
        scored tickets; ``abandoned_share`` by their tickets. Intervals as in
        :meth:`supportsim.SimulationResult.summary`: each contains its value and stays in
        the metric's range.

        Returns
        -------
        DataFrame
            ``variant``, ``strategy``, the factors, ``tickets`` (after the warm-up, all
            replications), then each of ``tickets_per_replication``,
            ``response_attainment``, ``resolution_attainment``, ``abandoned_share``,
            ``utilisation_l*``, ``overtime_l*``, the ``cost_*`` columns of the table
            (with ``[costs]``), ``backlog_at_end``, ``backlog_growth`` with
            ``_low``/``_high``, and ``replications``.
        """
        table = self.table
        tiers = [c for c in table.columns
                 if c.startswith(("utilisation_", "overtime_", "cost_"))]
        per_rep = table.groupby(["variant", "replication"], observed=True, sort=True)
        weighted = table.assign(
            _response=table["response_attainment"].fillna(0) * table["response_tickets"],
            _resolution=table["resolution_attainment"].fillna(0)
            * table["resolution_tickets"],
            _abandoned=table["abandoned_share"].fillna(0) * table["tickets"])
        sums = weighted.groupby(["variant", "replication"], observed=True, sort=True)[
            ["tickets", "response_tickets", "resolution_tickets", "_response", "_resolution",
             "_abandoned"]].sum()
        with np.errstate(invalid="ignore", divide="ignore"):
            frame = pd.DataFrame({
                "tickets_per_replication": sums["tickets"].astype(float),
                "response_attainment": sums["_response"] / sums["response_tickets"],
                "resolution_attainment": sums["_resolution"] / sums["resolution_tickets"],
                "response_tickets": sums["response_tickets"],
                "resolution_tickets": sums["resolution_tickets"],
                "abandoned_share": sums["_abandoned"] / sums["tickets"],
            })
        frame = frame.join(per_rep[[*tiers, *_PER_REPLICATION]].first()).reset_index()
        columns = ["tickets_per_replication", "response_attainment", "resolution_attainment",
                   "abandoned_share", *tiers, *_PER_REPLICATION]
        out = _intervals(frame, ["variant"], columns, confidence)
        totals = frame.groupby("variant", observed=True)["tickets_per_replication"].sum()
        out.insert(1, "tickets", totals.reindex(out["variant"]).to_numpy(dtype=np.int64)
                   if len(out) else [])
        return self._with_keys(out)

    def verdicts(self, goal: Any = None, confidence: float = 0.95) -> pd.DataFrame:
        """Holds / fails / uncertain per variant, priority and target against the goals.

        Parameters
        ----------
        goal : float or mapping, optional
            None: the base scenario's ``priorities.NAME.goal`` (a factor or strategy that
            changes goals is not followed); otherwise as in
            :meth:`supportsim.SimulationResult.verdicts`.
        confidence : float, default 0.95

        Returns
        -------
        DataFrame
            ``variant``, ``strategy``, the factors, then the columns of
            :func:`supportsim.analysis.verdicts`.
        """
        from supportsim.analysis import verdicts

        return verdicts(self.sla(confidence), self.scenario, goal)

    def overload(self, confidence: float = 0.95) -> pd.DataFrame:
        """Per variant: offered load against capacity, the backlog trend, and whether
        either says the desk is overloaded (:func:`supportsim.sweeps._overload.overload`).

        Returns
        -------
        DataFrame
            ``variant``, ``offered_utilisation``, ``offered_tier``, ``backlog_growth``
            with ``_low``/``_high``, ``arrival_rate``, ``growing``, ``overloaded``.
        """
        from supportsim.sweeps._overload import overload

        return overload(self, confidence)

    def compare(self, baseline: str,
                metrics: Sequence[str] = ("response_attainment", "resolution_attainment"),
                confidence: float = 0.95) -> pd.DataFrame:
        """Paired differences against a baseline, per replication (common random numbers).

        Parameters
        ----------
        baseline : str
            A variant name: every other variant is compared with it. Or a strategy name:
            each variant of another strategy is compared with the baseline strategy's
            variant of the same factor values.
        metrics : sequence of str
            Numeric columns of :attr:`table`.
        confidence : float

        Returns
        -------
        DataFrame
            One row per variant x priority x metric: ``variant``, ``strategy``, the
            factors, ``baseline`` (the variant compared against), ``priority``,
            ``metric``, ``value`` and ``baseline_value`` (means over the paired
            replications), ``difference`` (mean of variant - baseline) with ``low`` and
            ``high`` (t-interval of the paired differences; within [-1, 1] for shares),
            ``better`` (the better of the two where the interval excludes 0 and the metric
            has a direction, else ``""``) and ``replications`` (pairs). The layout of
            :func:`supportsim.compare`, with strategy and factors added; displayed in a
            notebook as a card, like it.

        Raises
        ------
        ValueError
            `baseline` names neither a variant nor a strategy, or a metric is unknown.
        """
        from supportsim._comparison_frame import Comparison

        partner = self._partners(baseline)
        numeric = [c for c in self.table.columns
                   if c not in self._keys and c not in ("replication", "priority")]
        unknown = [m for m in metrics if m not in numeric]
        if unknown or not metrics:
            raise ValueError(f"metrics must be columns of the sweep table ({', '.join(numeric)})"
                             f", got {list(metrics)!r}")
        table = self.table
        pairs = ["replication", "priority"]
        left = table.loc[table["variant"].astype(str).isin(list(partner)),
                         ["variant", *pairs, *metrics]].copy()
        left["baseline"] = left["variant"].astype(str).map(partner)
        right = table[["variant", *pairs, *metrics]].copy()
        right["baseline"] = right["variant"].astype(str)
        right = right.drop(columns="variant").rename(columns={m: f"{m}__base" for m in metrics})
        merged = left.merge(right, on=["baseline", *pairs], how="inner")
        long = []
        for metric in metrics:
            long.append(pd.DataFrame({
                "variant": merged["variant"], "baseline": merged["baseline"],
                "priority": merged["priority"], "replication": merged["replication"],
                "metric": metric, "value": merged[metric].astype(float),
                "baseline_value": merged[f"{metric}__base"].astype(float),
                "difference": merged[metric].astype(float)
                - merged[f"{metric}__base"].astype(float),
            }))
        frame = pd.concat(long, ignore_index=True) if long else pd.DataFrame()
        if frame.empty:
            return Comparison(self._with_keys(pd.DataFrame(columns=[
                "variant", "baseline", "priority", "metric", "value", "baseline_value",
                "difference", "low", "high", "better", "replications"])))
        frame["metric"] = pd.Categorical(frame["metric"], categories=list(metrics))
        keys = ["variant", "baseline", "priority", "metric"]
        frame = frame.drop(columns="baseline").assign(
            baseline=pd.Categorical(frame["baseline"],
                                    categories=list(dict.fromkeys(partner.values()))))
        means = frame.groupby(keys, observed=True)[["value", "baseline_value"]].mean()
        out = _intervals(frame, keys, ["difference"], confidence)
        out = out.rename(columns={"difference_low": "low", "difference_high": "high"})
        out = out.join(means, on=keys)
        shares = out["metric"].astype(str).map(lambda m: _scale(m) == "logit").to_numpy(bool)
        out.loc[shares, "low"] = out.loc[shares, "low"].clip(lower=-1.0)
        out.loc[shares, "high"] = out.loc[shares, "high"].clip(upper=1.0)
        # A group's own-rate staff cost (cost_staff_lN_GROUP) is a cost too: lower is better.
        higher = out["metric"].astype(str).map(lambda m: _DIRECTION.get(
            m, False if m.startswith("cost_staff_") else None))
        up, down = out["low"] > 0, out["high"] < 0
        variant_wins = (up & (higher == True)) | (down & (higher == False))  # noqa: E712
        baseline_wins = (down & (higher == True)) | (up & (higher == False))  # noqa: E712
        out["better"] = np.where(variant_wins, out["variant"].astype(str),
                                 np.where(baseline_wins, out["baseline"].astype(str), ""))
        out = out[[*keys, "value", "baseline_value", "difference", "low", "high", "better",
                   "replications"]]
        out["baseline"] = out["baseline"].astype(str)
        return Comparison(self._with_keys(out))

    def _partners(self, baseline: str) -> dict[str, str]:
        variants = self.variants
        names = variants["variant"].astype(str).tolist()
        if baseline in names:
            return {name: baseline for name in names if name != baseline}
        strategies = variants["strategy"].astype(str)
        if baseline in set(strategies):
            factor_values = [tuple(row) for row in variants[list(self.factors)]
                             .astype(str).itertuples(index=False)]
            base_of = {values: name for values, name, strategy
                       in zip(factor_values, names, strategies, strict=True)
                       if strategy == baseline}
            return {name: base_of[values] for values, name, strategy
                    in zip(factor_values, names, strategies, strict=True)
                    if strategy != baseline and values in base_of}
        raise ValueError(f"baseline must name a variant or a strategy of this sweep, got "
                         f"{baseline!r} (strategies: {', '.join(dict.fromkeys(strategies))})")
