"""SLA attainment figures: bars per priority, and attainment week by week."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from supportsim import analysis
from supportsim.plot._common import (
    _figure,
    _format_stacked_time_axes,
    _outside_legend,
    _replication_note,
    _shade_events,
    _time_values,
)
from supportsim.results import SimulationResult

__all__ = ["sla_bars", "weekly_attainment"]

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
             goal: float | None = None) -> Figure:
    """Response and resolution attainment per priority with confidence intervals.

    Parameters
    ----------
    result : SimulationResult
    confidence : float, default 0.95
        Level of the t-interval across replications (error bars).
    goal : float, optional
        An attainment goal (a share, e.g. 0.9) drawn as a horizontal line.

    Returns
    -------
    Figure
        Grouped bars from :meth:`SimulationResult.sla`, in percent.
    """
    table = result.sla(confidence=confidence)
    x = np.arange(len(table))
    width = 0.38
    fig = _figure()
    ax = fig.subplots()
    for offset, kind, colour in ((-width / 2, "response", "C0"),
                                 (width / 2, "resolution", "C1")):
        values = table[f"{kind}_attainment"].to_numpy(dtype=float) * 100
        bars = ax.bar(x + offset, np.nan_to_num(values), width, color=colour,
                      yerr=_error(table, kind), capsize=3, ecolor="0.2",
                      label=f"{kind} (mean, {confidence:.0%} CI)")
        ax.bar_label(bars, labels=["n/a" if np.isnan(v) else f"{v:.0f}%" for v in values],
                     label_type="center", fontsize="small", color="white")
    if goal is not None:
        ax.axhline(goal * 100, color="C3", ls="--", lw=1.0, label=f"goal {goal:.0%}")
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
    ax.set_title(f"SLA attainment — {result.scenario.name}\n"
                 f"{_replication_note(result)}, tickets after warm-up", fontsize="medium")
    _outside_legend(ax)
    return fig




# --------------------------------------------------------------------------- weekly


def weekly_attainment(result: SimulationResult, *, goal: float | None = 0.9,
                      confidence: float = 0.95, dates: bool = True) -> Figure:
    """Response and resolution attainment per week of arrival, one line per priority.

    Parameters
    ----------
    result : SimulationResult
    goal : float or None, default 0.9
        Attainment goal (a share) drawn as a dashed line; None draws none.
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
        if goal is not None:
            ax.axhline(goal, color="0.3", ls="--", lw=1.0, label=f"goal {goal:.0%}")
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        ax.set_ylim(0, 1.03)
        ax.set_ylabel(f"{kind}\nwithin target")
    top.set_title(f"Weekly SLA attainment by week of arrival — {result.scenario.name}\n"
                  f"mean of {_replication_note(result)} with {confidence:.0%} CI",
                  fontsize="medium")
    _outside_legend(top)
    _format_stacked_time_axes(top, bottom, result, dates)
    return fig

