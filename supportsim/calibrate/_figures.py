"""Figures of a calibration and its back-test (matplotlib object API, no pyplot).

Every figure has a title, axes with units and, when the data needs one, the data credit
in its footer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.ticker import FuncFormatter, NullFormatter, PercentFormatter
from scipy import stats

from supportsim.calibrate._estimate import ALL
from supportsim.demand import weekly_profile

if TYPE_CHECKING:
    from supportsim.calibrate._api import CalibrationResult
    from supportsim.calibrate._backtest import Backtest

__all__ = ["arrivals_figure", "backtest_figure", "resolution_fit_figure"]

WIDTH = 8.0
_FOOTER = 0.32  # inches kept at the bottom for the credit (two lines of small text)


def _figure(panels: int, credit: str | None) -> tuple[Figure, list[Axes]]:
    cols = 1 if panels == 1 else (2 if panels <= 4 else 3)
    rows = -(-panels // cols)
    height = 1.2 + 2.6 * rows
    footer = _FOOTER / height if credit else 0.0
    fig = Figure(figsize=(WIDTH, height),
                 layout=ConstrainedLayoutEngine(rect=(0.0, footer, 1.0, 1.0 - footer)))
    if credit:
        fig.text(0.01, 0.008, credit, fontsize=6.5, color="0.35", ha="left", va="bottom",
                 wrap=True)
    axes = list(np.atleast_1d(fig.subplots(rows, cols, squeeze=False)).ravel())
    for ax in axes[panels:]:
        ax.set_visible(False)
    return fig, axes[:panels]


def _ecdf(ax: Axes, values: np.ndarray, label: str, **style: object) -> None:
    ordered = np.sort(values[np.isfinite(values) & (values > 0)])
    if ordered.size:
        ax.step(ordered, np.arange(1, ordered.size + 1) / ordered.size, where="post",
                label=label, **style)  # type: ignore[arg-type]


def _hours_axis(ax: Axes) -> None:
    ax.set_xscale("log")
    # Plain numbers, not mathtext powers of ten: easier to read, and far cheaper to draw.
    ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("resolution time [h, log scale]")
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_ylim(0, 1.02)


def resolution_fit_figure(cal: CalibrationResult) -> Figure:
    """ECDF of observed resolution times against the fitted lognormal, per priority."""
    fits = cal.estimates.resolution
    names = [ALL, *(p for p in cal.estimates.priorities if p in fits)]
    fig, axes = _figure(len(names), cal.credit)
    times = cal.tickets["resolution_time"]
    for ax, name in zip(axes, names, strict=True):
        fit = fits[name]
        rows = times if name == ALL else times[cal.tickets["priority"] == name]
        values = rows.dropna().to_numpy()
        _ecdf(ax, values, f"history ({fit.n} resolved)", color="C0")
        positive = values[values > 0]
        grid = np.geomspace(positive.min(), positive.max(), 200)
        ax.plot(grid, stats.lognorm(fit.sigma, 0, fit.median).cdf(grid), color="C3",
                label=f"lognormal: median {fit.median:.3g} h, s {fit.sigma:.2f}")
        ax.set_title(f"{name}: KS D = {fit.ks_statistic:.3f} (p = {fit.ks_pvalue:.2g})",
                     fontsize="small")
        _hours_axis(ax)
        ax.set_ylabel("share of resolved tickets")
        ax.legend(loc="lower right", fontsize="x-small")
    fig.suptitle(f"Resolution time: history vs fitted lognormal — {cal.scenario.name}",
                 fontsize="medium")
    return fig


def arrivals_figure(cal: CalibrationResult) -> Figure:
    """Arrivals per hour over the history with the fitted rate (x weekly profile)."""
    fig, (ax,) = _figure(1, cal.credit)
    sc = cal.scenario
    start = pd.Timestamp(sc.start)
    opened = cal.tickets["opened_at"]
    hours = np.arange(0.0, sc.horizon + 1.0)
    edges = start + pd.to_timedelta(hours, unit="h")
    counts = np.histogram((opened - start).dt.total_seconds() / 3600, bins=hours)[0]
    ax.bar(edges[:-1], counts, width=1 / 24, align="edge", color="C0", alpha=0.6,
           label=f"history ({len(opened)} tickets)")
    offset = start.day_of_week * 24 + start.hour
    week_hour = (hours[:-1].astype(int) + offset) % 168
    fitted = sc.demand.rate * weekly_profile(sc.demand.profile)[week_hour]
    shape = sc.demand.profile if isinstance(sc.demand.profile, str) else "weekly profile"
    ax.step(edges[:-1], fitted, where="post", color="C3", label=f"fitted rate ({shape})")
    locator = AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    ax.set_xlabel("opened at (local time)")
    ax.set_ylabel("tickets per hour")
    ax.legend(loc="upper right", fontsize="small")
    fig.suptitle(f"Arrivals per hour — {sc.name}", fontsize="medium")
    return fig


def backtest_figure(bt: Backtest) -> Figure:
    """Resolution-time ECDF per priority and arrivals per day: history vs simulation."""
    scenario = bt.result.scenario
    names = scenario.priority_names
    fig, axes = _figure(len(names) + 1, bt.credit)
    sim = bt.result.tickets
    for ax, name in zip(axes, names, strict=False):
        obs = bt.observed.loc[bt.observed["priority"] == name, "resolution_time"]
        simulated = sim.loc[sim["priority"] == name, "resolution_time"]
        _ecdf(ax, obs.to_numpy(dtype=float), f"history ({obs.notna().sum()} resolved)",
              color="C0")
        _ecdf(ax, simulated.to_numpy(dtype=float),
              f"simulated ({simulated.notna().sum()}, {bt.result.replications} reps)",
              color="C1", ls="--")
        ax.set_title(name, fontsize="medium")
        _hours_axis(ax)
        ax.set_ylabel("share of resolved tickets")
        ax.legend(loc="lower right", fontsize="x-small")
    ax = axes[-1]
    daily = bt.daily
    ax.bar(daily["day"], daily["observed"], color="C0", alpha=0.6, label="history")
    err = np.vstack([daily["simulated"] - daily["simulated_low"],
                     daily["simulated_high"] - daily["simulated"]])
    ax.errorbar(daily["day"], daily["simulated"], yerr=np.nan_to_num(err), fmt="o",
                color="C1", capsize=3, label="simulated (mean, 95% CI)")
    ax.set_xticks(daily["day"], [f"{d:%d %b}" for d in daily["date"]], fontsize="small")
    ax.set_xlabel("day of the window (the last may be partial)")
    ax.set_ylabel("tickets per day")
    ax.set_title("Arrivals per day", fontsize="medium")
    ax.legend(loc="lower right", fontsize="x-small")
    fig.suptitle(f"Back-test: history vs simulation — {scenario.name}\n"
                 f"{bt.window:g} h of arrivals, {bt.follow_up:g} h follow-up",
                 fontsize="medium")
    return fig
