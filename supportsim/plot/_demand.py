"""The expected demand by rollout wave, before any simulation: :func:`demand`."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from supportsim.plot._common import _figure, _label_time_axis, _outside_legend
from supportsim.plot._style import title
from supportsim.scenario import Scenario

__all__ = ["demand"]

_BASE_COLOUR = "0.7"


def demand(source: Scenario | pd.DataFrame, *, step: float = 24.0,
           dates: bool = True) -> Figure:
    """Expected tickets per hour over the horizon, stacked: the base demand, then each wave.

    Parameters
    ----------
    source : Scenario or DataFrame
        A scenario (its curve is computed with :func:`supportsim.demand_curve`), or a
        curve as that function returns it.
    step : float, default 24.0
        Bin length in hours when `source` is a scenario: the default shows each day's
        mean hourly rate, which hides the hours of the day; 1 shows them.
    dates : bool, default True
        Calendar dates on the time axis (a scenario only); False shows days since start.

    Returns
    -------
    Figure
        A stacked area: base demand (growth, bursts and the storms' mean) at the bottom,
        each wave above it in file order; each wave's go-live is marked.
    """
    from supportsim.curve import demand_curve

    scenario = source if isinstance(source, Scenario) else None
    curve = demand_curve(source, step=step) if isinstance(source, Scenario) else source
    missing = {"t", "base", "total"} - set(curve.columns)
    if missing:
        raise ValueError(f"plot.demand needs a scenario or a demand_curve frame; the frame "
                         f"lacks {sorted(missing)}")
    waves = [c for c in curve.columns if c not in ("t", "base", "total")]
    hours = curve["t"].to_numpy(dtype=float)
    bins = np.diff(hours)
    width = float(np.median(bins)) if bins.size else 1.0
    # A closing point so the last bin shows as wide as it is.
    end = hours[-1] + (scenario.horizon - hours[-1] if scenario is not None else width)
    edges = np.append(hours, end)
    use_dates = dates and scenario is not None
    x = scenario.calendar.datetime_at(edges) if use_dates else edges / 24.0  # type: ignore[union-attr]
    layers = [np.append(curve[c].to_numpy(dtype=float), curve[c].iloc[-1])
              for c in ("base", *waves)]
    fig = _figure()
    ax = fig.subplots()
    colours = [_BASE_COLOUR] + [f"C{k % 10}" for k in range(len(waves))]
    ax.stackplot(x, *layers, step="post", colors=colours, alpha=0.85,
                 labels=["base (with growth, bursts, storms)", *waves])
    if scenario is not None:
        for k, wave in enumerate(scenario.demand.waves):
            if wave.at < scenario.horizon:
                at = scenario.calendar.datetime_at(np.array([wave.at]))[0] if use_dates \
                    else wave.at / 24.0
                ax.axvline(at, color=f"C{k % 10}", lw=0.8, ls="--")
    per = "hour" if abs(width - 1.0) < 1e-9 else (
        "day" if abs(width - 24.0) < 1e-9 else f"{width:g} h")
    ax.set_ylabel("expected tickets per hour")
    ax.set_ylim(bottom=0)
    if use_dates:
        assert scenario is not None
        _label_time_axis(ax, scenario, dates=True)
    else:
        ax.set_xlabel("time since start [days]")
    ax.set_xlim(x[0], x[-1])
    name = f" — {scenario.name}" if scenario is not None else ""
    marks = "; dashed: go-live" if scenario is not None else ""
    title(ax, f"Expected demand by rollout wave{name}", f"(mean rate per {per}{marks})")
    _outside_legend(ax)
    return fig
