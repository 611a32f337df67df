"""Figures over time: backlog with the agents on duty, and utilisation per tier (or per
agent group, or per site)."""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from supportsim.analysis._utilisation import _units
from supportsim.plot._common import (
    _TIER_COLOURS,
    _figure,
    _format_stacked_time_axes,
    _format_time_axis,
    _outside_legend,
    _replication_note,
    _shade_events,
    _tiers,
    _time_values,
    _wide,
)
from supportsim.plot._style import title
from supportsim.results import SimulationResult

__all__ = ["backlog", "utilisation"]

# --------------------------------------------------------------------------- backlog


def backlog(result: SimulationResult, *, dates: bool = True) -> Figure:
    """Open tickets over time, total and per tier, above the agents on duty.

    Parameters
    ----------
    result : SimulationResult
    dates : bool, default True
        Calendar dates on the time axis; False shows days since the start.

    Returns
    -------
    Figure
        Top panel: mean open tickets across replications (total with a min–max band, and
        per tier when there are several). Bottom panel: mean agents on duty per tier,
        stacked. The warm-up and demand bursts are shaded.
    """
    timeline = result.timeline
    tiers = _tiers(result)
    fig = _figure()
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=[3, 1.4])
    total = _wide(timeline, "backlog")
    x = _time_values(result, total.index.to_numpy(), dates)
    _shade_events(top, result, dates, label=True)
    _shade_events(bottom, result, dates, label=False)
    top.fill_between(x, total.min(axis=1), total.max(axis=1), color="0.5", alpha=0.3, lw=0,
                     step="post", label=f"min–max over {_replication_note(result)}")
    top.step(x, total.mean(axis=1), where="post", color="black", lw=1.0, label="all tiers (mean)")
    if len(tiers) > 1:
        for name in tiers:
            top.step(x, _wide(timeline, f"backlog_{name}").mean(axis=1), where="post", lw=0.8,
                     color=_TIER_COLOURS.get(name), label=f"{name} (mean)")
    top.set_ylabel("open tickets")
    top.set_ylim(bottom=0)
    title(top, f"Backlog and staffing — {result.scenario.name}",
          f"mean of {_replication_note(result)}")
    _outside_legend(top)

    duty = [_wide(timeline, f"on_duty_{name}").mean(axis=1) for name in tiers]
    bottom.stackplot(x, *duty, step="post", labels=[f"{name} on duty" for name in tiers],
                     colors=[_TIER_COLOURS.get(name, "C7") for name in tiers], alpha=0.7)
    bottom.set_ylabel("agents")
    bottom.set_ylim(bottom=0)
    _outside_legend(bottom)
    _format_stacked_time_axes(top, bottom, result, dates)
    return fig


# --------------------------------------------------------------------------- utilisation


#: Share of a typical window's paid agent-hours below which no rolling value is drawn.
MIN_PAID_SHARE = 0.25


def _tier_utilisation(timeline: pd.DataFrame, name: str, window: int) -> tuple[
        pd.Series, pd.Series]:
    """Hourly and rolling utilisation of one tier (or group ``lN_GROUP``, site
    ``site_NAME``, or the whole desk for ``""``), each the mean across replications.

    Utilisation is busy over paid agents: on duty plus those finishing a ticket after
    their duty ended (overtime), so it never exceeds 100 %. The rolling value is a ratio
    of sums over the hours when someone is paid (agent-hours busy / agent-hours paid),
    not a mean of hourly ratios, drawn where the window holds at least `MIN_PAID_SHARE`
    of a typical window's paid hours.
    """
    suffix = f"_{name}" if name else ""
    busy = _wide(timeline, f"busy{suffix}")
    duty = _wide(timeline, f"on_duty{suffix}") + _wide(timeline, f"overtime{suffix}")
    staffed = duty > 0
    hourly = (busy / duty.where(staffed)).mean(axis=1)
    busy_sum = busy.where(staffed, 0.0).rolling(window, center=True, min_periods=1).sum()
    duty_sum = duty.rolling(window, center=True, min_periods=1).sum()
    # A window with under a quarter of a typical window's paid agent-hours (a weekend of
    # a business-hours tier: only Friday's overtime) is left as a gap: a ratio over a
    # few paid hours reads 100 % or 0 % and says nothing about the tier.
    typical = duty_sum.where(duty_sum > 0).median()
    rolling = (busy_sum / duty_sum.where(duty_sum >= MIN_PAID_SHARE * typical)).mean(axis=1)
    return hourly, rolling


def utilisation(result: SimulationResult, *, window: float = 24.0,
                dates: bool = True, groups: bool = False, sites: bool = False) -> Figure:
    """Busy agents over paid agents (on duty plus overtime) per tier, over time.

    Parameters
    ----------
    result : SimulationResult
    window : float, default 24
        Hours of the centred rolling window of the bold lines; 1 shows hourly values only.
    dates : bool, default True
        Calendar dates on the time axis; False shows days since the start.
    groups : bool, default False
        One line per agent group (``team.tiers.lN.groups``; a tier without groups keeps
        its line), from the timeline's ``busy_lN_GROUP`` columns.
    sites : bool, default False
        One line per site agents work at (``busy_site_NAME``), agents of every tier.
        With `groups` too, each group's line is labelled with its site.

    Returns
    -------
    Figure
        Faint lines: hourly utilisation (state at the top of each hour, busy / paid,
        where paid counts agents on duty and those finishing a ticket after their shift);
        bold lines: rolling utilisation over the paid hours of the window. Both are
        means across replications with a gap where nobody is paid (rolling: where the
        window holds under a quarter of a typical window's paid hours, as over a weekend
        of a business-hours tier), and at most 100 %.
    """
    steps = max(round(window), 1)
    fig = _figure()
    ax = fig.subplots()
    _shade_events(ax, result, dates, label=True)
    top = 1.05
    lines: list[tuple[str, str, str | None]]
    if groups or sites:
        units = _units(result.timeline, result.scenario, groups, sites)
        lines = [(unit["suffix"], _unit_label(unit, groups, sites), f"C{k % 10}")
                 for k, unit in enumerate(units)]
    else:
        lines = [(name, name, _TIER_COLOURS.get(name)) for name in _tiers(result)]
    for column, label, colour in lines:
        hourly, rolling = _tier_utilisation(result.timeline, column, steps)
        x = _time_values(result, hourly.index.to_numpy(), dates)
        if steps > 1:
            ax.plot(x, hourly, color=colour, lw=0.4, alpha=0.25)
            ax.plot(x, rolling, color=colour, lw=1.5, label=f"{label} ({steps} h rolling)")
        else:
            ax.plot(x, hourly, color=colour, lw=0.8, label=f"{label} (hourly)")
    ax.axhline(1.0, color="0.3", lw=0.8, ls="--", label="all paid agents busy")
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_ylim(0, top)
    ax.set_ylabel("utilisation [%]\n(busy / on duty + overtime)")
    per = "agent group" if groups else "site" if sites else "tier"
    title(ax, f"Utilisation per {per} — {result.scenario.name}",
          f"mean of {_replication_note(result)}")
    _format_time_axis(ax, result, dates)
    _outside_legend(ax)
    return fig


def _unit_label(unit: dict[str, str], groups: bool, sites: bool) -> str:
    """A line's legend label: ``l1 chinese`` (``@ shanghai`` with `sites`), or the site."""
    if not groups:
        return unit["site"]
    label = f"{unit['tier']} {unit['group']}".rstrip()
    return f"{label} @ {unit['site']}" if sites else label
