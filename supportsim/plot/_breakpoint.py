"""The breaking-point figure: attainment against a factor, per strategy."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from supportsim.plot._common import _figure, _outside_legend
from supportsim.plot._style import goal_line, title

if TYPE_CHECKING:
    from supportsim.breakpoint import BreakingPoints

__all__ = ["breaking_points", "factor_unit"]

_UNITS = (
    ("demand.rate", "tickets/h"),
    ("demand.growth", "per 4 weeks, compound"),
    (".multiplier", "x base rate"),
    (".staff", "agents"),
    (".annual_rate", "leavers per head-year"),
    (".transfers", "moves per head-year"),
    (".fraction", "share of staff"),
)


def factor_unit(factor: str) -> str:
    """The unit of a well-known factor key, or "" when unknown."""
    for suffix, unit in _UNITS:
        if factor.endswith(suffix):
            return unit
    return ""


def breaking_points(bp: BreakingPoints) -> Figure:
    """Attainment against the factor per strategy, with the breaking points marked.

    Parameters
    ----------
    bp : BreakingPoints
        The result of :func:`supportsim.find_breaking_point`.

    Returns
    -------
    Figure
        One line per strategy through the evaluated values (mean across replications,
        t-interval band; grid points as circles, refinement points as small dots), the
        goal as a dashed line, each breaking value as a vertical line with its bootstrap
        interval shaded, and the Erlang C estimate as a dotted black line where the desk
        is M/M/c.
    """
    fig = _figure()
    ax = fig.subplots()
    curve, table = bp.curve, bp.table
    left, right = float(curve["value"].min()), float(curve["value"].max())
    erlang_drawn: set[float] = set()
    for k, row in enumerate(table.itertuples(index=False)):
        colour = f"C{k}"
        points = curve[curve["strategy"] == row.strategy].sort_values("value")
        x = points["value"].to_numpy(dtype=float)
        ax.fill_between(x, points["low"].to_numpy(dtype=float),
                        points["high"].to_numpy(dtype=float), color=colour, alpha=0.15, lw=0)
        note = "" if row.status == "crossed" else f" ({row.status})"
        ax.plot(x, points["attainment"], color=colour, lw=1.4, label=f"{row.strategy}{note}")
        grid = (points["stage"] == "grid").to_numpy()
        ax.plot(x[grid], points["attainment"].to_numpy()[grid], "o", color=colour, ms=4)
        ax.plot(x[~grid], points["attainment"].to_numpy()[~grid], ".", color=colour, ms=4)
        value = float(row.breaking_value)
        if not math.isfinite(value):  # beyond the range: nothing to mark inside it
            continue
        low = left if row.low < left else float(row.low)
        high = right if row.high > right else float(row.high)
        ax.axvspan(low, high, color=colour, alpha=0.12, lw=0)
        ax.axvline(value, color=colour, ls="--", lw=1.0)
        interval = f"[{row.low:.4g}, {row.high:.4g}]"
        ax.plot([value], [bp.target], marker="D", color=colour, ms=6, ls="none",
                label=f"{row.strategy}: breaks at {value:.4g} {interval}")
        estimate = float(row.erlang_c_estimate)
        if not math.isnan(estimate) and round(estimate, 6) not in erlang_drawn:
            erlang_drawn.add(round(estimate, 6))
            ax.axvline(estimate, color="black", ls=":", lw=1.2,
                       label=f"Erlang C estimate {estimate:.4g}")
    goal_line(ax, bp.target, f"goal {bp.target:.0%}")
    unit = factor_unit(bp.factor)
    ax.set_xlabel(f"{bp.factor} [{unit}]" if unit else bp.factor)
    ax.set_ylabel(f"{bp.metric} within target [%]")
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_ylim(max(0.0, min(float(np.nanmin(curve["low"].to_numpy(dtype=float)))
                             if curve["low"].notna().any() else 0.0, bp.target) - 0.05), 1.01)
    ax.set_xlim(left, right)
    who = bp.priority or "all priorities"
    reps = int(curve["replications"].max()) if len(curve) else 0
    title(ax, f"Breaking point: {bp.metric} attainment ({who}) against {bp.factor}",
          f"{reps} replications per point on common seeds, {bp.confidence:.0%} intervals")
    _outside_legend(ax)
    return fig
