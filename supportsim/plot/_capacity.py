"""Offered load against the capacity on duty: where the work outruns the people."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from supportsim.plot._common import (
    HEIGHT,
    _figure,
    _format_stacked_time_axes,
    _replication_note,
    _shade_events,
    _tiers,
    _time_values,
    _wide,
)
from supportsim.plot._style import (
    LOAD_COLOUR,
    TIER_COLOURS,
    TOTAL_COLOUR,
    legend_outside,
    title,
)
from supportsim.results import SimulationResult

__all__ = ["capacity", "offered_load"]

PANEL_HEIGHT = 2.0  # inches added per panel below the first


def offered_load(result: SimulationResult) -> pd.DataFrame:
    """Agent-hours of work arriving per hour, per replication (Erlangs).

    Parameters
    ----------
    result : SimulationResult

    Returns
    -------
    DataFrame
        One row per timeline hour ``t`` (index, hours since start), one column per
        replication: the sum of ``effort`` of the tickets arriving in ``[t, t + 1)``.

    Notes
    -----
    ``effort`` is the work actually spent on each ticket, so it includes triage,
    hand-offs, learning-curve slow-down and swarm overhead, and it excludes abandoned
    tickets. Work still undone at the horizon is missing, so the last hours of a run
    under-state the load.
    """
    tickets = result.tickets
    hours = np.sort(result.timeline["t"].unique())
    steps = len(hours)
    reps, codes = np.unique(tickets["replication"].to_numpy(), return_inverse=True)
    if not len(reps):
        reps = np.sort(result.timeline["replication"].unique())
    # Tickets arrive before the horizon, so floor(arrived_at) is a timeline hour; the clip
    # only guards against a horizon that is not a whole number of hours.
    hour = np.clip(np.floor(tickets["arrived_at"].to_numpy()).astype(np.int64), 0, steps - 1)
    effort = np.nan_to_num(tickets["effort"].to_numpy(dtype=float))
    # NOTE: one bincount over (replication, hour) cells instead of a groupby: this runs on
    # every ticket of every replication.
    sums = np.bincount(codes * steps + hour, weights=effort, minlength=len(reps) * steps)
    return pd.DataFrame(sums.reshape(len(reps), steps).T, index=pd.Index(hours, name="t"),
                        columns=pd.Index(reps, name="replication"))


def _rolling(series: pd.Series, steps: int) -> pd.Series:
    return series.rolling(steps, center=True, min_periods=1).mean()


def _mean(timeline: pd.DataFrame, column: str, steps: int) -> pd.Series:
    """Mean across replications of a timeline column, as a centred rolling mean."""
    return _rolling(_wide(timeline, column).mean(axis=1), steps)


def _draw_total(ax: Axes, x: np.ndarray, timeline: pd.DataFrame, steps: int, colour: str,
                name: str) -> None:
    """Hourly on duty (filled, the rota's shape) and the rolling effective FTE the rolling
    load is read against."""
    on_duty = _mean(timeline, "on_duty", 1)
    ax.fill_between(x, 0, on_duty, step="post", color=colour, alpha=0.2, lw=0,
                    label=f"{name} on duty (hourly)")
    ax.step(x, _mean(timeline, "effective_fte", steps), where="post", color=colour, lw=1.8,
            label=f"effective FTE ({_smoothing(steps)})")


def _draw_tier(ax: Axes, x: np.ndarray, timeline: pd.DataFrame, steps: int, name: str,
               colour: str | None) -> None:
    """One tier's rolling on duty (thin) and effective FTE (bold), the gap between them
    (proficiency lost to learning) shaded."""
    on_duty = _mean(timeline, f"on_duty_{name}", steps)
    effective = _mean(timeline, f"effective_fte_{name}", steps)
    ax.plot(x, on_duty, drawstyle="steps-post", color=colour, lw=0.8,
            label=f"{name} on duty")
    ax.fill_between(x, effective, on_duty, step="post", color=colour, alpha=0.2, lw=0)
    ax.step(x, effective, where="post", color=colour, lw=1.8, label=f"{name} effective FTE")


def _smoothing(steps: int) -> str:
    return f"{steps} h mean" if steps > 1 else "hourly"


def _workforce_series(timeline: pd.DataFrame, tiers: list[str], steps: int
                      ) -> dict[str, dict[str, pd.Series]]:
    """Per tier, the vacancies and reserve on duty that were ever above zero."""
    out: dict[str, dict[str, pd.Series]] = {}
    for name in tiers:
        for column, what in ((f"vacancies_{name}", "vacancies"),
                             (f"reserve_on_duty_{name}", "reserve on duty")):
            if column in timeline and (timeline[column] > 0).any():
                out.setdefault(name, {})[what] = _mean(timeline, column, steps)
    return out


def capacity(result: SimulationResult, *, window: float = 24.0, dates: bool = True) -> Figure:
    """Offered load against effective capacity, capacity per tier, vacancies and reserve.

    Parameters
    ----------
    result : SimulationResult
    window : float, default 24
        Hours of the centred rolling mean of the offered load (and of the lines it is
        read against); 1 shows hourly values.
    dates : bool, default True
        Calendar dates on the time axis; False shows days since the start.

    Returns
    -------
    Figure
        Panels on a shared time axis, each telling one thing. Top, all tiers: the offered
        load in Erlangs (agent-hours of work arriving per hour, from
        :func:`offered_load`, rolling mean) against the effective FTE (agents on duty
        weighted by proficiency, same rolling mean) and the agents on duty hour by hour
        (filled). Middle (several tiers only): on duty (thin) and effective FTE (bold) per
        tier. Bottom (only where a seat stood empty or a reserve agent worked): vacant
        seats (solid) and reserve agents on duty (dashed) per tier. Work cannot be
        attributed to tiers exactly (a ticket's effort spans the tiers it passed
        through), so the load is only drawn against the total. All values are means
        across replications; the warm-up and bursts are shaded.

    Notes
    -----
    Where the rolling load approaches the rolling effective FTE, utilisation approaches
    100 % and queues grow. The load counts effort as spent, which is cut at the horizon,
    so its last hours are too low.
    """
    steps = max(round(window), 1)
    timeline = result.timeline
    tiers = _tiers(result)
    several = len(tiers) > 1
    workforce = _workforce_series(timeline, tiers, steps)
    panels = 1 + several + bool(workforce)
    fig = _figure(HEIGHT + PANEL_HEIGHT * (panels - 1))
    axes = fig.subplots(panels, 1, sharex=True, squeeze=False,
                        height_ratios=[2] + [1.3] * (panels - 1))[:, 0]
    top = axes[0]
    load = offered_load(result)
    x = _time_values(result, load.index.to_numpy(), dates)
    total = "all tiers" if several else tiers[0]
    colour = TOTAL_COLOUR if several else TIER_COLOURS.get(tiers[0], TOTAL_COLOUR)

    _shade_events(top, result, dates, label=True)
    _draw_total(top, x, timeline, steps, colour, total)
    top.step(x, _rolling(load.mean(axis=1), steps), where="post", color=LOAD_COLOUR, lw=1.8,
             label=f"offered load ({_smoothing(steps)})")
    top.set_ylabel("agents / Erlangs")
    top.set_ylim(0, max(float(_wide(timeline, "on_duty").mean(axis=1).max()), 1.0) * 1.1)
    title(top, f"Offered load and capacity — {result.scenario.name}",
          f"mean of {_replication_note(result)}; load = effort of tickets arriving per hour")
    legend_outside(top)

    panel = 1
    if several:
        ax = axes[panel]
        _shade_events(ax, result, dates, label=False)
        for name in tiers:
            _draw_tier(ax, x, timeline, steps, name, TIER_COLOURS.get(name))
        ax.set_ylabel(f"agents per tier\n({_smoothing(steps)})")
        ax.set_ylim(bottom=0)
        ax.set_title("Capacity per tier: on duty and effective FTE", fontsize="small")
        legend_outside(ax)
        panel += 1
    if workforce:
        ax = axes[panel]
        _shade_events(ax, result, dates, label=False)
        for name, series in workforce.items():
            for what, values in series.items():
                ax.step(x, values, where="post", color=TIER_COLOURS.get(name, TOTAL_COLOUR),
                        lw=1.4, ls="-" if what == "vacancies" else "--",
                        label=f"{name} {what}")
        ax.set_ylabel(f"seats / agents\n({_smoothing(steps)})")
        ax.set_ylim(bottom=0)
        ax.set_title("Vacant seats and reserve agents on duty", fontsize="small")
        legend_outside(ax)
    _format_stacked_time_axes(top, axes[-1], result, dates)
    for ax in axes[1:-1]:
        ax.tick_params(labelbottom=False)
    return fig
