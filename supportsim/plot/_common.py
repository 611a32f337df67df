"""Shared pieces of the figures: sizes, time axes, event shading (colours, titles and
legends come from the house style, :mod:`supportsim.plot._style`)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
from matplotlib.figure import Figure

from supportsim.plot._style import TIER_COLOURS, legend_outside
from supportsim.results import SimulationResult
from supportsim.scenario import Scenario

WIDTH = 8.0  # inches: a notebook cell at the default dpi
HEIGHT = 4.5
_TIER_COLOURS = TIER_COLOURS  # the house colours (supportsim.plot._style)
_WARMUP_COLOUR = "0.85"
_BURST_COLOUR = "tab:red"
_DECAY_SPANS = 3.0  # a decaying burst is shaded for three time constants (95 % of it)
_ECDF_POINTS = 1001
_MINUTES_UP_TO = 2.0  # hours: targets up to this are plotted in minutes, longer in hours




def _figure(height: float = HEIGHT) -> Figure:
    return Figure(figsize=(WIDTH, height), layout="constrained")


def _tiers(result: SimulationResult) -> list[str]:
    return list(result.scenario.team.tiers)


def _replication_note(result: SimulationResult) -> str:
    n = result.replications
    return f"{n} replication{'s' if n != 1 else ''}"


def _wide(timeline: pd.DataFrame, column: str) -> pd.DataFrame:
    """One row per hour, one column per replication."""
    return timeline.pivot(index="t", columns="replication", values=column).astype(float)


def _time_values(result: SimulationResult, hours: np.ndarray, dates: bool) -> np.ndarray:
    if dates:
        return result.scenario.calendar.datetime_at(hours)
    return np.asarray(hours, dtype=float) / 24.0


def _label_time_axis(ax: Axes, scenario: Scenario, dates: bool) -> None:
    """Calendar dates (concise ticks, the start named) or days since start on x."""
    if dates:
        locator = AutoDateLocator()
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))
        ax.set_xlabel(f"date (simulation starts {scenario.start:%a %Y-%m-%d %H:%M})")
    else:
        ax.set_xlabel("time since start [days]")


def _format_time_axis(ax: Axes, result: SimulationResult, dates: bool) -> None:
    _label_time_axis(ax, result.scenario, dates)
    start, end = _time_values(result, np.array([0.0, result.scenario.horizon]), dates)
    ax.set_xlim(start, end)


def _format_stacked_time_axes(top: Axes, bottom: Axes, result: SimulationResult,
                              dates: bool) -> None:
    """Format the time axis of panels stacked on a shared x axis (`top` may be `bottom`).

    Both axes report the quantity (``get_xlabel``), but only the bottom one draws it.
    """
    _format_time_axis(bottom, result, dates)
    if top is not bottom:
        top.tick_params(labelbottom=False)
        top.set_xlabel(bottom.get_xlabel())
        top.xaxis.label.set_visible(False)


def _shade_events(ax: Axes, result: SimulationResult, dates: bool, *, label: bool) -> None:
    """Shade the warm-up and each demand burst (labelled once, on the axes given `label`)."""
    scenario = result.scenario
    horizon = scenario.horizon
    if scenario.warmup > 0:
        lo, hi = _time_values(result, np.array([0.0, scenario.warmup]), dates)
        ax.axvspan(lo, hi, color=_WARMUP_COLOUR, alpha=0.5, lw=0,
                   label="warm-up (not scored)" if label else None)
    for burst in scenario.demand.bursts:
        span = burst.duration if burst.duration is not None else _DECAY_SPANS * (burst.decay or 0)
        end = min(burst.at + span, horizon)
        if burst.at >= horizon:
            continue
        lo, hi = _time_values(result, np.array([burst.at, end]), dates)
        name = burst.name or "burst"
        ax.axvspan(lo, hi, color=_BURST_COLOUR, alpha=0.08, lw=0,
                   label=f"{name} (x{burst.multiplier:g})" if label else None)


def _outside_legend(ax: Axes) -> None:
    # Outside the axes: a backlog peak or a busy hour can sit anywhere in the plot.
    legend_outside(ax)


def _grid(count: int) -> tuple[int, int]:
    if count <= 3:
        return 1, max(count, 1)
    if count == 4:
        return 2, 2
    return -(-count // 3), 3

