"""Sweep figures: attainment over two factors as a heat map, per-strategy lines over one."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from supportsim.analysis import goals as scenario_goals
from supportsim.plot._common import HEIGHT, WIDTH
from supportsim.plot._style import SMALL, goal_line, legend_outside, title
from supportsim.sweeps import SweepResult

__all__ = ["sweep_heatmap", "sweep_lines"]

_METRICS = {"response_attainment": "response", "resolution_attainment": "resolution"}


def _frame(sweep: SweepResult, metric: str, priority: str | None,
           confidence: float) -> pd.DataFrame:
    """Per variant (and the priority asked for): the metric with its interval."""
    if priority is not None:
        names = sweep.scenario.priority_names
        if priority not in names:
            raise ValueError(f"priority must be one of {names}, got {priority!r}")
        table = sweep.sla(confidence)
        table = table[table["priority"].astype(str) == priority]
    else:
        table = sweep.summary(confidence)
    if metric not in table.columns or f"{metric}_low" not in table.columns:
        options = sorted(c for c in table.columns if f"{c}_low" in table.columns)
        raise ValueError(f"metric must be one of {options}, got {metric!r}")
    return table


def _factor(sweep: SweepResult, name: str) -> list[Any]:
    if name not in sweep.factors:
        raise ValueError(f"factor must be one of {list(sweep.factors)}, got {name!r}")
    return list(sweep.factors[name])


def _what(metric: str, priority: str | None) -> str:
    """``Response attainment (P1)``: the subject of a sweep figure's title."""
    who = priority if priority is not None else "all priorities"
    text = metric.replace("_", " ")
    return f"{text[:1].upper()}{text[1:]} ({who})"


def _goal(sweep: SweepResult, metric: str, priority: str | None,
          goal: float | None) -> float | None:
    """The goal to mark: the one given, else the scenario's for that priority and target."""
    if goal is not None or priority is None or metric not in _METRICS:
        return goal
    return scenario_goals(sweep.scenario).get((priority, _METRICS[metric]))


def sweep_heatmap(sweep: SweepResult, x: str | None = None, y: str | None = None, *,
                  metric: str = "response_attainment", priority: str | None = None,
                  goal: float | None = None, confidence: float = 0.95) -> Figure:
    """The mean of `metric` over two factors as a heat map, one panel per strategy.

    Parameters
    ----------
    sweep : SweepResult
    x, y : str, optional
        Factors (dotted keys) on the horizontal and vertical axes; default the first two.
    metric : str, default "response_attainment"
        A metric with an interval in ``sweep.summary()`` (all priorities) or, with
        `priority`, in ``sweep.sla()``.
    priority : str, optional
        One priority; default all priorities together.
    goal : float, optional
        A share: cells below it are outlined. Default: the scenario's goal for `priority`
        and the metric's target, if stated.
    confidence : float, default 0.95

    Returns
    -------
    Figure
        Cells annotated with the mean (percent for shares); the colour scale is shared
        by the panels.

    Raises
    ------
    ValueError
        Fewer than two factors, an unknown factor, metric or priority, or a third factor
        with several values (fix it with ``--set`` or sweep it separately).
    """
    names = list(sweep.factors)
    x = x if x is not None else (names[0] if names else None)
    y = y if y is not None else (names[1] if len(names) > 1 else None)
    if x is None or y is None or x == y:
        raise ValueError(f"a heat map needs two different factors, the sweep has {names}")
    xs, ys = _factor(sweep, x), _factor(sweep, y)
    others = [n for n in names if n not in (x, y) and len(sweep.factors[n]) > 1]
    if others:
        raise ValueError(f"factors {others} take several values: a heat map of {x} x {y} "
                         "would mix them")
    table = _frame(sweep, metric, priority, confidence)
    strategies = list(dict.fromkeys(table["strategy"].astype(str)))
    share = metric.endswith(("attainment", "share")) or metric.startswith("utilisation")
    goal = _goal(sweep, metric, priority, goal)
    fig = Figure(figsize=(WIDTH, HEIGHT * (1 if len(strategies) == 1 else 0.9)),
                 layout="constrained")
    axes = fig.subplots(1, len(strategies), squeeze=False, sharey=True)[0]
    values = table[metric].to_numpy(dtype=float)
    finite = values[np.isfinite(values)]
    vmin, vmax = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    image = None
    for ax, strategy in zip(axes, strategies, strict=True):
        rows = table[table["strategy"].astype(str) == strategy]
        grid = np.full((len(ys), len(xs)), np.nan)
        for row in rows.to_dict("records"):
            grid[ys.index(row[y]), xs.index(row[x])] = row[metric]
        image = ax.imshow(grid, origin="lower", aspect="auto", cmap="viridis",
                          vmin=vmin, vmax=vmax)
        for (i, j), value in np.ndenumerate(grid):
            text = "n/a" if np.isnan(value) else f"{value:.0%}" if share else f"{value:.3g}"
            ax.text(j, i, text, ha="center", va="center", fontsize=SMALL,
                    color="white" if np.isnan(value) or value < (vmin + vmax) / 2 else "black")
            if goal is not None and not np.isnan(value) and value < goal:
                ax.add_patch(_outline(j, i))
        ax.set_xticks(range(len(xs)), [f"{v:g}" if isinstance(v, float) else str(v)
                                       for v in xs])
        ax.set_yticks(range(len(ys)), [f"{v:g}" if isinstance(v, float) else str(v)
                                       for v in ys])
        ax.set_xlabel(x)
        if len(strategies) > 1:
            ax.set_title(f"strategy {strategy}", fontsize=SMALL)
    axes[0].set_ylabel(y)
    assert image is not None
    bar = fig.colorbar(image, ax=list(axes), shrink=0.9)
    bar.set_label(metric.replace("_", " ") + (" [%]" if share else ""))
    if share:
        bar.formatter = PercentFormatter(1.0)
        bar.update_ticks()
    below = f"; outlined: below the goal of {goal:.0%}" if goal is not None else ""
    title(fig, f"{_what(metric, priority)} over {x} and {y} — {sweep.scenario.name}",
          f"mean of {sweep.replications} replications per cell{below}")
    return fig


def _outline(j: int, i: int) -> Any:
    from matplotlib.patches import Rectangle

    return Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, edgecolor="#d55e00", lw=2.0,
                     gid="below-goal")


def sweep_lines(sweep: SweepResult, factor: str | None = None, *,
                metric: str = "response_attainment", priority: str | None = None,
                goal: float | None = None, confidence: float = 0.95) -> Figure:
    """The mean of `metric` over one factor, one line per strategy (and per value of any
    other factor), with its interval as a band.

    Parameters
    ----------
    sweep : SweepResult
    factor : str, optional
        The factor on the horizontal axis; default the first. Non-numeric factor values
        are placed evenly.
    metric, priority, goal, confidence
        As in :func:`sweep_heatmap`; the goal is a dashed line (gid ``"goal"``).

    Returns
    -------
    Figure
    """
    names = list(sweep.factors)
    factor = factor if factor is not None else (names[0] if names else None)
    if factor is None:
        raise ValueError("the sweep has no factor to draw lines over")
    values = _factor(sweep, factor)
    numeric = all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)
    table = _frame(sweep, metric, priority, confidence)
    share = metric.endswith(("attainment", "share")) or metric.startswith("utilisation")
    others = [n for n in names if n != factor and len(sweep.factors[n]) > 1]
    fig = Figure(figsize=(WIDTH, HEIGHT), layout="constrained")
    ax = fig.subplots()
    keys = ["strategy", *others]
    for k, (key, rows) in enumerate(table.groupby(keys, sort=False, observed=True)):
        key = key if isinstance(key, tuple) else (key,)
        rows = rows.assign(_at=[values.index(v) for v in rows[factor]]).sort_values("_at")
        at = rows[factor].to_numpy(dtype=float) if numeric else rows["_at"].to_numpy()
        label = ", ".join([str(key[0])] + [f"{n}={v}" for n, v in zip(others, key[1:],
                                                                      strict=True)])
        colour = f"C{k % 10}"
        ax.plot(at, rows[metric], marker="o", ms=4, color=colour, label=label)
        ax.fill_between(at, rows[f"{metric}_low"].to_numpy(dtype=float),
                        rows[f"{metric}_high"].to_numpy(dtype=float), color=colour,
                        alpha=0.15, lw=0)
    goal = _goal(sweep, metric, priority, goal)
    if goal is not None:
        goal_line(ax, goal, f"goal {goal:.0%}")
    if not numeric:
        ax.set_xticks(range(len(values)), [str(v) for v in values])
    elif all(isinstance(v, int) for v in values):  # a head count: no 9.25 agents
        ax.set_xticks(values, [str(v) for v in values])
    ax.set_xlabel(factor)
    ax.set_ylabel(metric.replace("_", " ") + (" [%]" if share else ""))
    if share:
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    title(ax, f"{_what(metric, priority)} against {factor} — "
              f"{sweep.scenario.name}",
          f"mean of {sweep.replications} replications with {confidence:.0%} CI")
    legend_outside(ax)
    return fig
