"""The expected demand over the horizon, by rollout wave: :func:`demand_curve`."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd

from supportsim._errors import ScenarioError
from supportsim._rates import (
    GROWTH_PERIOD,
    HOURS_PER_WEEK,
    _dips_below_zero,
    _week_offset,
    rate_at,
    wave_integrals,
    wave_rates,
    weekly_profile,
)
from supportsim._site_clocks import site_offsets
from supportsim.scenario import Scenario
from supportsim.waves import Term, integrate, with_bursts

__all__ = ["demand_curve"]

#: Shortest bin: a minute (the clock-hour profile changes no faster than that matters).
MIN_STEP = 1 / 60
#: Most bins of one curve (the longest horizon at hourly steps has 87,360).
MAX_BINS = 1_000_000


def demand_curve(scenario: Scenario, *, step: float = 1.0) -> pd.DataFrame:
    """Expected tickets per hour over the horizon: the base demand and each rollout wave.

    Each row is a bin ``[t, t + step)`` (the last may be shorter) and each value the
    expected tickets arriving in it divided by its length, so a column sums, times the
    bin lengths, to the expected tickets of that part. The base includes growth, bursts
    and the change storms' mean; the waves include the weekly profile and the bursts, as
    tickets are generated (docs/assumptions.md). Exact (integrated in closed form per
    clock hour) unless dips push the rate below zero, where a five-minute midpoint rule
    is used, as by :func:`supportsim.demand.expected_arrivals`.

    Parameters
    ----------
    scenario : Scenario
    step : float, default 1.0
        Bin length in hours, at least a minute; at most a million bins.

    Returns
    -------
    DataFrame
        ``t`` (hours since start, bin start), ``base``, one column per wave named by the
        wave's ``name`` (file order), ``total``; tickets per hour.

    Raises
    ------
    ScenarioError
        If `step` is not a positive number of hours or gives too many bins.

    Examples
    --------
    >>> import supportsim as ss
    >>> sc = ss.load_scenario("scenarios/rollout_waves.toml")  # doctest: +SKIP
    >>> curve = ss.demand_curve(sc, step=24)  # doctest: +SKIP
    >>> (curve.drop(columns="t") * 24).sum()  # expected tickets by part  # doctest: +SKIP
    """
    if isinstance(step, bool) or not isinstance(step, int | float) or not math.isfinite(step) \
            or step < MIN_STEP:
        raise ScenarioError(f"demand_curve: step must be a number of hours >= {MIN_STEP:g}, "
                            f"got {step!r}")
    horizon = scenario.horizon
    if horizon / step > MAX_BINS:
        raise ScenarioError(f"demand_curve: step {step:g} h gives more than {MAX_BINS:,} bins "
                            f"over the horizon ({horizon:g} h); use a longer step")
    edges = np.append(np.arange(0.0, horizon, step), horizon)
    if edges.size > 2 and edges[-1] - edges[-2] <= 1e-9 * step:
        edges = np.delete(edges, -2)  # a rounding sliver at the end
    widths = np.diff(edges)
    demand = scenario.demand
    if _dips_below_zero(demand):
        base, waves = _grid(scenario, edges)
    else:
        g = math.log1p(demand.growth) / GROWTH_PERIOD
        terms = with_bursts([Term(0.0, math.inf, demand.rate, c=g)], demand.bursts)
        sites = site_offsets(scenario) or [(0, 1.0, 0.0)]
        base = np.zeros(len(edges) - 1)
        for _, share, shift in sites:
            base = base + share * integrate(terms, weekly_profile(demand.profile),
                                            _week_offset(scenario) + shift, edges)
        waves = wave_integrals(scenario, edges)
    base = base + _storm_means(scenario, edges)
    frame = {"t": edges[:-1], "base": base / widths}
    for wave, row in zip(demand.waves, waves, strict=True):
        frame[wave.name] = row / widths
    frame["total"] = (base + waves.sum(axis=0)) / widths
    return pd.DataFrame(frame)


def _storm_means(scenario: Scenario, edges: np.ndarray) -> np.ndarray:
    """Expected storm tickets per bin (the closed form of ``expected_arrivals``)."""
    storms = scenario.demand.storms
    if storms is None:
        return np.zeros(len(edges) - 1)
    change_rate = storms.changes_per_week / HOURS_PER_WEEK * storms.failure_rate
    t0, t1 = edges[:-1], edges[1:]
    d = storms.decay
    kept = (t1 - t0) + d * np.exp(-t0 / d) * np.expm1(-(t1 - t0) / d)
    return change_rate * storms.tickets * kept


def _grid(scenario: Scenario, edges: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Midpoint rule on five-minute steps within each bin (dips clipped at zero)."""
    demand = scenario.demand
    base = np.zeros(len(edges) - 1)
    waves = np.zeros((len(demand.waves), len(edges) - 1))
    for i, (lo, hi) in enumerate(itertools.pairwise(edges)):
        steps = max(int(np.ceil((hi - lo) * 12)), 1)
        cuts = np.linspace(lo, hi, steps + 1)
        mid = (cuts[:-1] + cuts[1:]) / 2
        width = (hi - lo) / steps
        base[i] = float(np.sum(rate_at(scenario, mid))) * width
        if demand.waves:
            waves[:, i] = wave_rates(scenario, mid).sum(axis=1) * width
    return base, waves
