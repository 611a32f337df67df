"""Offered load against the capacity on duty: where the work outruns the people."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from supportsim.plot._common import (
    _TIER_COLOURS,
    HEIGHT,
    _figure,
    _format_stacked_time_axes,
    _replication_note,
    _shade_events,
    _tiers,
    _time_values,
    _wide,
)
from supportsim.results import SimulationResult

__all__ = ["capacity", "offered_load"]

HEIGHT_TWO_PANELS = 6.0  # inches: total above, per tier below
_LOAD_COLOUR = "C3"
_TOTAL_COLOUR = "C4"  # not a tier colour, nor the warm-up grey


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
    """Hourly on duty (filled, the rota's shape) with its reserve part hatched, and the
    rolling effective FTE the rolling load is read against."""
    on_duty = _mean(timeline, "on_duty", 1)
    reserve = _mean(timeline, "reserve_on_duty", 1)
    ax.fill_between(x, 0, on_duty, step="post", color=colour, alpha=0.2, lw=0,
                    label=f"{name} on duty (hourly)")
    if (reserve > 0).any():
        # The reserve is part of on duty: hatch the top slice it makes up.
        ax.fill_between(x, on_duty - reserve, on_duty, step="post", facecolor="none",
                        edgecolor=colour, hatch="////", lw=0, label="reserve on duty")
    ax.step(x, _mean(timeline, "effective_fte", steps), where="post", color=colour, lw=1.8,
            label=f"effective FTE ({_smoothing(steps)})")


def _draw_tier(ax: Axes, x: np.ndarray, timeline: pd.DataFrame, steps: int, name: str,
               colour: str | None) -> None:
    """One tier's rolling on duty (thin) and effective FTE (bold), the gap between them
    (proficiency lost to learning) shaded, and its reserve part hatched."""
    on_duty = _mean(timeline, f"on_duty_{name}", steps)
    effective = _mean(timeline, f"effective_fte_{name}", steps)
    reserve = _mean(timeline, f"reserve_on_duty_{name}", steps)
    ax.plot(x, on_duty, drawstyle="steps-post", color=colour, lw=0.8,
            label=f"{name} on duty")
    ax.fill_between(x, effective, on_duty, step="post", color=colour, alpha=0.2, lw=0)
    if (reserve > 0).any():
        ax.fill_between(x, on_duty - reserve, on_duty, step="post", facecolor="none",
                        edgecolor=colour, hatch="////", lw=0, label=f"{name} reserve on duty")
    ax.step(x, effective, where="post", color=colour, lw=1.8, label=f"{name} effective FTE")


def _smoothing(steps: int) -> str:
    return f"{steps} h mean" if steps > 1 else "hourly"


def _vacancy_axis(ax: Axes, x: np.ndarray, vacancies: dict[str, tuple[pd.Series, str | None]]
                  ) -> Axes | None:
    """Vacant seats on a secondary axis, only if any seat ever stood empty."""
    shown = {k: v for k, v in vacancies.items() if (v[0] > 0).any()}
    if not shown:
        return None
    twin = ax.twinx()
    for name, (series, colour) in shown.items():
        twin.step(x, series, where="post", color=colour, lw=1.0, ls=":",
                  label=f"{name} vacancies (right axis)")
    twin.set_ylabel("vacant seats")
    twin.set_ylim(bottom=0, top=max(float(v[0].max()) for v in shown.values()) * 1.6 + 0.5)
    return twin


def _legend(ax: Axes, twin: Axes | None) -> None:
    handles, labels = ax.get_legend_handles_labels()
    if twin is not None:
        more, more_labels = twin.get_legend_handles_labels()
        handles, labels = handles + more, labels + more_labels
    # Outside the axes: a peak of load or a shift change can sit anywhere in the plot.
    ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.08 if twin else 1.01, 1.0),
              fontsize="small", frameon=False)


def capacity(result: SimulationResult, *, window: float = 24.0, dates: bool = True) -> Figure:
    """Offered load over time against the agents on duty and their effective FTE.

    Parameters
    ----------
    result : SimulationResult
    window : float, default 24
        Hours of the centred rolling mean of the offered load (and of the bold effective
        FTE line it is read against); 1 shows hourly values.
    dates : bool, default True
        Calendar dates on the time axis; False shows days since the start.

    Returns
    -------
    Figure
        Top panel, all tiers: the offered load in Erlangs (agent-hours of work arriving
        per hour, from :func:`offered_load`, rolling mean) against the agents on duty
        (filled), the reserve among them (hatched), the effective FTE (on duty weighted
        by proficiency; thin hourly, bold with the same rolling mean) and, on a
        secondary axis, vacant seats if any. Bottom panel (several tiers only): on duty,
        reserve, effective FTE and vacancies per tier. Work cannot be attributed to
        tiers exactly (a ticket's effort spans the tiers it passed through), so the load
        is only drawn against the total. All values are means across replications; the
        warm-up and bursts are shaded.

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
    fig = _figure(HEIGHT_TWO_PANELS if several else HEIGHT)
    if several:
        top, bottom = fig.subplots(2, 1, sharex=True)
    else:
        top = bottom = fig.subplots()
    load = offered_load(result)
    x = _time_values(result, load.index.to_numpy(), dates)
    total = "all tiers" if several else tiers[0]
    colour = _TOTAL_COLOUR if several else _TIER_COLOURS.get(tiers[0], _TOTAL_COLOUR)

    _shade_events(top, result, dates, label=True)
    _draw_total(top, x, timeline, steps, colour, total)
    top.step(x, _rolling(load.mean(axis=1), steps), where="post", color=_LOAD_COLOUR, lw=1.8,
             label=f"offered load ({_smoothing(steps)})")
    top.set_ylabel("agents / Erlangs")
    top.set_ylim(0, max(float(_wide(timeline, "on_duty").mean(axis=1).max()), 1.0) * 1.1)
    top.set_title(f"Offered load and capacity — {result.scenario.name}\n"
                  f"mean of {_replication_note(result)}; load = effort of tickets arriving "
                  "per hour", fontsize="medium")
    _legend(top, _vacancy_axis(top, x, {total: (_mean(timeline, "vacancies", steps), colour)}))

    if several:
        _shade_events(bottom, result, dates, label=False)
        vacancies = {}
        for name in tiers:
            tier_colour = _TIER_COLOURS.get(name)
            _draw_tier(bottom, x, timeline, steps, name, tier_colour)
            vacancies[name] = (_mean(timeline, f"vacancies_{name}", steps), tier_colour)
        bottom.set_ylabel(f"agents per tier\n({_smoothing(steps)})")
        bottom.set_ylim(bottom=0)
        _legend(bottom, _vacancy_axis(bottom, x, vacancies))
    _format_stacked_time_axes(top, bottom, result, dates)
    return fig
