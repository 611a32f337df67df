"""The cost–SLA frontier figure: cost against attainment, one marker per strategy (one
panel per condition of a sweep, e.g. per demand rate)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, PercentFormatter

from supportsim.plot._common import HEIGHT, _figure, _grid
from supportsim.plot._style import title

if TYPE_CHECKING:
    from supportsim.results import SimulationResult
    from supportsim.sweeps import SweepResult

__all__ = ["frontier"]

_MARKERS = ("o", "s", "D", "^", "v", "P", "X", "<", ">", "h")
_FAINT = 0.25  # alpha of dominated variants: visible, but plainly not a choice


def frontier(
    results: pd.DataFrame | SweepResult | Mapping[str, SimulationResult]
    | Sequence[SimulationResult],
    *,
    metric: str = "resolution",
    priority: str | None = None,
    cost: str = "total",
    target: float | None = None,
    confidence: float = 0.95,
    labels: bool = True,
    by: str | Sequence[str] | None = None,
) -> Figure:
    """Cost against attainment per variant, the non-dominated ones joined as the frontier.

    Parameters
    ----------
    results : DataFrame, SweepResult, dict or list of SimulationResult
        A table from :func:`supportsim.frontier`, or what it takes (then `metric`,
        `priority`, `cost` and `confidence` are passed on).
    metric, priority, cost, confidence, by
        As in :func:`supportsim.frontier` (ignored when `results` is its table).
    target : float, optional
        An attainment goal, drawn as a dashed line.
    labels : bool, default True
        Name the variants on the frontier next to their points.

    Returns
    -------
    Figure
        One colour and marker per strategy; each variant at its mean cost and attainment
        with both intervals as error bars; the frontier (non-dominated variants) joined
        by a step line from the cheapest up; dominated variants faint. A table with a
        ``condition`` column (a sweep over a condition such as ``demand.rate``) gets one
        panel per condition, on shared axes, each with its own frontier.
    """
    if isinstance(results, pd.DataFrame):
        table = results
    else:
        from supportsim.pareto import frontier as compute

        table = compute(results, metric=metric, priority=priority, cost=cost,
                        confidence=confidence, by=by)
    missing = [c for c in ("variant", "strategy", "cost", "attainment", "dominated")
               if c not in table.columns]
    if missing:
        raise ValueError(f"results must be a table of supportsim.frontier; it lacks {missing}")
    attrs = table.attrs
    column = table["strategy"]
    strategies = ([str(c) for c in column.cat.categories if (column == c).any()]
                  if isinstance(column.dtype, pd.CategoricalDtype)
                  else list(dict.fromkeys(column.astype(str))))
    # One panel per condition (a demand level...): variants under different conditions
    # are never compared, so they are not drawn on one frontier either.
    conditions = (list(dict.fromkeys(table["condition"].astype(str)))
                  if "condition" in table.columns else [""])
    rows_, cols = _grid(len(conditions))
    fig = _figure(HEIGHT if rows_ == 1 else HEIGHT * 0.6 * rows_ + 0.6)
    axes = fig.subplots(rows_, cols, squeeze=False, sharex=True, sharey=True).ravel()
    for ax in axes[len(conditions):]:
        ax.set_visible(False)
    handles: list[Line2D] = []
    for ax, condition in zip(axes, conditions, strict=False):
        part = table if condition == "" else table[table["condition"].astype(str) == condition]
        handles = _panel(ax, part, strategies, labels, condition)
        if condition:
            ax.set_title(condition, fontsize="small")
        if target is not None:
            ax.axhline(target, color="C3", ls="--", lw=1.0)
    if table["dominated"].to_numpy(dtype=bool).any():
        handles.append(Line2D([], [], marker="o", color="0.5", alpha=_FAINT, ls="none",
                              label="dominated (faint)"))
    if target is not None:
        handles.append(Line2D([], [], color="C3", ls="--", lw=1.0,
                              label=f"goal {target:.0%}"))
    who = attrs.get("priority") or "all priorities"
    currency = attrs.get("currency", "")
    for ax in axes[:len(conditions)]:
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    xlabel = f"{attrs.get('cost', 'total')} cost per replication [{currency}]"
    ylabel = f"{attrs.get('metric', '')} attainment ({who})"
    if len(conditions) == 1:
        axes[0].set_xlabel(xlabel)
        axes[0].set_ylabel(ylabel)
    else:
        fig.supxlabel(xlabel, fontsize="medium")
        fig.supylabel(ylabel, fontsize="medium")
    level = attrs.get("confidence", 0.95)
    clearly = (f", {int(table['clearly_dominated'].sum())} clearly dominated"
               if "clearly_dominated" in table.columns else "")
    per = " of their condition (a panel each)" if len(conditions) > 1 else ""
    # The house title over the whole figure: over the axes alone, narrowed by the legend
    # outside, the line was clipped at the figure's edges.
    title(fig, f"Cost against {attrs.get('metric', '')} attainment ({who})",
          f"{int((~table['dominated']).sum())} of {len(table)} variants on the frontier"
          f"{per}{clearly}{chr(10) if per else '; '}means across replications, "
          f"{level:.0%} intervals")
    axes[cols - 1].legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0),
                          fontsize="small", frameon=False)  # outside, as _common._outside_legend
    return fig


def _panel(ax: Any, table: pd.DataFrame, strategies: list[str], labels: bool,
           condition: str) -> list[Line2D]:
    """One frontier on `ax`; the legend handles (strategies, the frontier line)."""
    shown = set(condition.split(" "))  # the panel's title says it: not in every label
    # Legend entries are made by hand, in this order: error-bar containers would
    # otherwise come after every line, whatever the drawing order.
    handles: list[Line2D] = []
    for k, strategy in enumerate(strategies):
        rows = table[table["strategy"].astype(str) == strategy]
        colour, marker = f"C{k % 10}", _MARKERS[k % len(_MARKERS)]
        for faint in (False, True):
            part = rows[rows["dominated"].to_numpy(dtype=bool) == faint]
            if part.empty:
                continue
            x = part["cost"].to_numpy(dtype=float)
            y = part["attainment"].to_numpy(dtype=float)
            ax.errorbar(x, y, xerr=_errors(part, "cost", x), yerr=_errors(part, "attainment", y),
                        fmt=marker, color=colour, ms=6, elinewidth=1.0, capsize=2,
                        alpha=_FAINT if faint else 1.0, zorder=2 if faint else 3)
        handles.append(Line2D([], [], marker=marker, color=colour, ls="none", label=strategy))
    front = table[~table["dominated"].to_numpy(dtype=bool)].sort_values("cost")
    if len(front):
        ax.step(front["cost"], front["attainment"], where="post", color="0.3", lw=1.0,
                zorder=1)
        handles.append(Line2D([], [], color="0.3", lw=1.0, label="frontier (not dominated)"))
        if labels:
            for k, row in enumerate(front.itertuples(index=False)):
                # Alternately below and above: neighbours on the frontier are often close.
                name = " ".join(w for w in str(row.variant).split(" ") if w not in shown)
                ax.annotate(name, (row.cost, row.attainment), fontsize="x-small",
                            xytext=(4, -11 if k % 2 == 0 else 5), textcoords="offset points")
    return handles


def _errors(part: pd.DataFrame, column: str, centre: np.ndarray) -> Any:
    """Asymmetric error bars from ``<column>_low`` / ``_high`` (none where NaN)."""
    if f"{column}_low" not in part.columns:
        return None
    low = centre - part[f"{column}_low"].to_numpy(dtype=float)
    high = part[f"{column}_high"].to_numpy(dtype=float) - centre
    return np.vstack([np.nan_to_num(low), np.nan_to_num(high)])
