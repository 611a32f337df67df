"""SLA attainment figures: bars per priority, and attainment week by week."""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import PercentFormatter

from supportsim import analysis
from supportsim.analysis import verdicts
from supportsim.analysis._verdict import GoalSpec
from supportsim.analysis._window import Window
from supportsim.plot._common import (
    _figure,
    _format_stacked_time_axes,
    _outside_legend,
    _replication_note,
    _shade_events,
    _time_values,
)
from supportsim.plot._style import (
    GOAL_COLOUR,
    NEUTRAL_COLOUR,
    SMALL,
    VERDICT_COLOURS,
    goal_line,
    legend_outside,
    title,
)
from supportsim.results import SimulationResult

__all__ = ["sla_bars", "weekly_attainment"]


def _goal_levels(result: SimulationResult, goal: GoalSpec | Literal[False], kind: str
                 ) -> dict[float, list[str]]:
    """Distinct goals of target `kind` -> the priorities that have each (none for False)."""
    levels: dict[float, list[str]] = {}
    if goal is False:
        return levels
    for (name, which), share in analysis.goals(result.scenario, goal).items():
        if which == kind:
            levels.setdefault(share, []).append(name)
    return levels

HEIGHT_WEEKLY = 5.5  # inches: two stacked panels

# --------------------------------------------------------------------------- SLA bars


def _error(table: pd.DataFrame, kind: str) -> np.ndarray:
    mean = table[f"{kind}_attainment"].to_numpy(dtype=float)
    low = table[f"{kind}_attainment_low"].to_numpy(dtype=float)
    high = table[f"{kind}_attainment_high"].to_numpy(dtype=float)
    # One replication gives no interval (NaN): draw no error bar rather than fail.
    err = np.vstack([mean - low, high - mean]) * 100
    return np.nan_to_num(np.clip(err, 0, None), nan=0.0)


def sla_bars(result: SimulationResult, *, confidence: float = 0.95,
             goal: GoalSpec = None, window: Window | None = None) -> Figure:
    """Response and resolution attainment per priority against each goal.

    Parameters
    ----------
    result : SimulationResult
    confidence : float, default 0.95
        Level of the t-interval across replications (error bars) and of the verdicts.
    goal : float or mapping, optional
        Goals replacing the scenario's ``priorities.NAME.goal``
        (:meth:`SimulationResult.verdicts`); a share applies to every target.
    window : (start, length or end), optional
        Score the tickets that arrived in this window (:meth:`SimulationResult.sla`).

    Returns
    -------
    Figure
        Grouped bars from :meth:`SimulationResult.sla`, in percent: response plain,
        resolution hatched. Where a target has a goal, a dashed line marks it over its
        bar (gid ``"goal"``) and the bar is coloured by the verdict: green where the
        whole interval is at or above the goal, red where below, amber where it
        straddles it; bars without a goal are grey-blue.
    """
    table = result.sla(confidence=confidence, window=window)
    judged = verdicts(table, result.scenario, goal).set_index(["priority", "target"])
    x = np.arange(len(table))
    width = 0.38
    fig = _figure()
    ax = fig.subplots()
    for offset, kind, hatch in ((-width / 2, "response", ""), (width / 2, "resolution", "//")):
        values = table[f"{kind}_attainment"].to_numpy(dtype=float) * 100
        keys = [(str(p), kind) for p in table["priority"]]
        colours = [VERDICT_COLOURS[judged.loc[k, "verdict"]] if k in judged.index
                   else NEUTRAL_COLOUR for k in keys]
        bars = ax.bar(x + offset, np.nan_to_num(values), width, color=colours, hatch=hatch,
                      edgecolor="white", yerr=_error(table, kind), capsize=3, ecolor="0.2")
        ax.bar_label(bars, labels=["n/a" if np.isnan(v) else f"{v:.0f}%" for v in values],
                     label_type="center", fontsize=SMALL, color="white")
        for position, key in zip(x + offset, keys, strict=True):
            if key in judged.index:
                line = ax.hlines(judged.loc[key, "goal"] * 100, position - width / 2,
                                 position + width / 2, color=GOAL_COLOUR, ls="--", lw=1.5)
                line.set_gid("goal")
    priorities = result.scenario.priorities
    # Targets as the scenario writes them ("3bd", "15min"), not converted to hours.
    ax.set_xticks(x, [
        f"{row.priority}\n{priorities[str(row.priority)].target('response')} / "
        f"{priorities[str(row.priority)].target('resolution')}\n{row.clock}"
        for row in table.itertuples()
    ])
    ax.set_xlabel("priority (response / resolution target, clock)")
    ax.set_ylabel("tickets within target [%]")
    ax.set_ylim(0, 105)
    scope = "tickets after warm-up" if window is None else "tickets that arrived in the window"
    title(ax, f"SLA attainment against goals — {result.scenario.name}",
          f"{_replication_note(result)}, {scope}, {confidence:.0%} CI")
    shown = set(judged["verdict"]) if len(judged) else set()
    handles: list[Artist] = [Patch(facecolor="0.6", label="response"),
               Patch(facecolor="0.6", hatch="//", edgecolor="white", label="resolution")]
    handles += [Patch(facecolor=VERDICT_COLOURS[v], label=_VERDICT_LABELS[v])
                for v in _VERDICT_LABELS if v in shown]
    if len(judged) < 2 * len(table):
        handles.append(Patch(facecolor=NEUTRAL_COLOUR, label="no goal"))
    if len(judged):
        handles.append(Line2D([], [], color=GOAL_COLOUR, ls="--", label="goal"))
    legend_outside(ax, handles=handles)
    return fig


_VERDICT_LABELS = {"holds": "goal holds (interval above)",
                   "uncertain": "uncertain (interval across)",
                   "fails": "goal fails (interval below)", "n/a": "nothing scored"}


# --------------------------------------------------------------------------- weekly


def weekly_attainment(result: SimulationResult, *, goal: GoalSpec | Literal[False] = None,
                      confidence: float = 0.95, dates: bool = True) -> Figure:
    """Response and resolution attainment per week of arrival, one line per priority.

    Parameters
    ----------
    result : SimulationResult
    goal : float or mapping, optional
        Goals replacing the scenario's ``priorities.NAME.goal``; each distinct goal of a
        panel's target is drawn as a dashed line (gid ``"goal"``); False draws none.
    confidence : float, default 0.95
        Level of the t-interval across replications (bands).
    dates : bool, default True
        Calendar dates on the time axis; False shows days since the start.

    Returns
    -------
    Figure
        Two panels (response, resolution) from
        :func:`supportsim.analysis.weekly_attainment`: the mean across replications at
        the middle of each week with its interval as a band. The warm-up and bursts are
        shaded, so a dip can be read against its cause. The last week is biased upwards
        (tickets still within their deadline at the horizon are not scored).
    """
    frame = analysis.weekly_attainment(result.tickets, result.scenario)
    fig = _figure(HEIGHT_WEEKLY)
    top, bottom = fig.subplots(2, 1, sharex=True)
    for ax, kind in ((top, "response"), (bottom, "resolution")):
        _shade_events(ax, result, dates, label=ax is top)
        for k, (name, rows) in enumerate(frame.groupby("priority", observed=True, sort=False)):
            wide = rows.pivot(index="week", columns="replication",
                              values=f"{kind}_attainment")
            mean, low, high = analysis.mean_interval(wide.to_numpy(dtype=float), axis=1,
                                                     scale="logit", confidence=confidence)
            middle = (rows.groupby("week")["week_start"].first()
                      + rows.groupby("week")["week_end"].first()) / 2
            x = _time_values(result, middle.to_numpy(), dates)
            colour = f"C{k}"
            ax.plot(x, mean, marker="o", ms=3, lw=1.2, color=colour, label=f"{name}")
            ax.fill_between(x, low, high, color=colour, alpha=0.15, lw=0)
        for share, names in _goal_levels(result, goal, kind).items():
            goal_line(ax, share, f"goal {share:.0%} ({', '.join(names)})")
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        ax.set_ylim(0, 1.03)
        ax.set_ylabel(f"{kind}\nwithin target")
    title(top, f"Weekly SLA attainment by week of arrival — {result.scenario.name}",
          f"mean of {_replication_note(result)} with {confidence:.0%} CI")
    _outside_legend(top)
    if bottom.get_legend_handles_labels()[0] and any(
            line.get_gid() == "goal" for line in bottom.get_lines()):
        _outside_legend(bottom)  # the resolution goals may differ from the response ones
    _format_stacked_time_axes(top, bottom, result, dates)
    return fig

