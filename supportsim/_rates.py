"""The expected arrival rate of a scenario and its closed-form integrals.

``rate(t) = rate * profile(t) * (1 + growth) ** (t / 672) * (1 + sum of burst extras)``
plus rollout waves; with sites on different clocks, each site's share follows the
weekly profile on its own clock. :func:`expected_arrivals` integrates it exactly where
it can (split from :mod:`supportsim.demand`, which draws the tickets and re-exports
these names).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from supportsim._site_clocks import site_offsets, wave_shift
from supportsim.scenario import Scenario
from supportsim.scenario._demand import Burst, Demand, WeeklyProfile
from supportsim.waves import integrate, wave_terms, with_bursts

__all__ = ["expected_arrivals", "rate_at", "wave_integrals", "wave_rates", "weekly_profile"]

HOURS_PER_WEEK = 168
GROWTH_PERIOD = 672.0  # growth is quoted per 4 weeks


# Stylised service-desk contact pattern: quiet nights, a mid-morning peak, a lunch dip, a
# smaller afternoon peak; Monday busiest, weekends light (shape of typical desk reports).
_OFFICE_HOURLY = (0.10, 0.08, 0.07, 0.07, 0.08, 0.12, 0.25, 0.60, 1.40, 1.90, 2.00, 1.80,
                  1.25, 1.60, 1.80, 1.60, 1.20, 0.70, 0.40, 0.30, 0.22, 0.18, 0.14, 0.12)
_OFFICE_DAILY = (1.25, 1.10, 1.05, 1.00, 0.90, 0.20, 0.15)


def weekly_profile(profile: str | WeeklyProfile) -> np.ndarray:
    """168 hourly weights, Monday 00:00 first, with mean 1."""
    if profile == "flat":
        weights = np.ones(HOURS_PER_WEEK)
    else:
        hourly, daily = ((_OFFICE_HOURLY, _OFFICE_DAILY) if profile == "office" else
                         (profile.hourly, profile.daily))  # type: ignore[union-attr]
        # Each scaled to a largest weight of 1 first: the product of two tiny (or huge)
        # weights would underflow to 0 (or overflow), making the mean 0 (or inf).
        days, hours = (np.asarray(w, dtype=float) for w in (daily, hourly))
        weights = np.outer(days / days.max(), hours / hours.max()).ravel()
    return weights / weights.mean()


def _week_offset(scenario: Scenario) -> float:
    """Hours from the Monday 00:00 before `start` to `start`."""
    s = scenario.start
    return s.weekday() * 24 + s.hour + s.minute / 60 + s.second / 3600


def _burst_extra(demand: Demand, t: np.ndarray) -> np.ndarray:
    return _extra(demand.bursts, t)


def _extra(bursts: Sequence[Burst], t: np.ndarray) -> np.ndarray:
    extra = np.zeros_like(t)
    for burst in bursts:
        since = t - burst.at
        if burst.decay is not None:
            shape = np.exp(-np.maximum(since, 0.0) / burst.decay)
        else:
            assert burst.duration is not None
            shape = (since < burst.duration).astype(float)
        extra += np.where(since >= 0, (burst.multiplier - 1.0) * shape, 0.0)
    return extra


def rate_at(scenario: Scenario, t: np.ndarray | float) -> np.ndarray:
    """Arrival rate (tickets/hour) at instants `t`, excluding change storms (with several
    sites, the sum of each site's share on its own clock: :mod:`supportsim._site_clocks`)."""
    sites = site_offsets(scenario)
    if sites is not None:
        return sum((share * _rate_at(scenario, t, shift) for _, share, shift in sites),
                   np.zeros(np.shape(t)))
    return _rate_at(scenario, t)


def _rate_at(scenario: Scenario, t: np.ndarray | float, shift: float = 0.0) -> np.ndarray:
    """:func:`rate_at` on a clock `shift` hours ahead of start's."""
    t = np.asarray(t, dtype=float)
    demand = scenario.demand
    hour = np.floor(t + (_week_offset(scenario) + shift)).astype(np.int64) % HOURS_PER_WEEK
    growth = (1.0 + demand.growth) ** (t / GROWTH_PERIOD)
    factor = np.maximum(1.0 + _burst_extra(demand, t), 0.0)
    return demand.rate * weekly_profile(demand.profile)[hour] * growth * factor


def expected_arrivals(scenario: Scenario, t0: float = 0.0, t1: float | None = None) -> float:
    """Expected number of tickets arriving in ``[t0, t1)`` (default: the horizon), storms included.

    Integrated in closed form, so a 50-year horizon costs what a week does: the profile
    is constant within each clock hour and repeats every week, and growth and decaying
    bursts are exponentials, so each term is a weekly integral times a geometric series
    (:func:`_periodic_exp_integral`). Storms by their closed-form mean; rollout waves
    exactly, clock hour by clock hour (:func:`wave_integrals`). The one case without a
    closed form, dips (multipliers below 1) deep enough together to push the
    rate below zero where it is clipped, is integrated numerically (midpoint rule on a
    five-minute grid).
    """
    t1 = scenario.horizon if t1 is None else t1
    if t1 <= t0:
        return 0.0
    demand = scenario.demand
    clipped = _dips_below_zero(demand)
    base = _grid_arrivals(scenario, t0, t1) if clipped else _smooth_arrivals(scenario, t0, t1)
    if demand.waves and not clipped:
        base += float(wave_integrals(scenario, np.array([t0, t1])).sum())
    storms = demand.storms
    if storms is None:
        return base
    # Changes arrive uniformly on [0, t1) at `change_rate`; a storm from a change at c
    # contributes tickets * (exp(-max(t0 - c, 0)/decay) - exp(-(t1 - c)/decay)) to
    # [t0, t1). Integrated over c: (t1 - t0) - decay * (exp(-t0/decay) - exp(-t1/decay)).
    change_rate = storms.changes_per_week / HOURS_PER_WEEK * storms.failure_rate
    d = storms.decay
    kept = (t1 - t0) + d * np.exp(-t0 / d) * np.expm1(-(t1 - t0) / d)
    return base + change_rate * storms.tickets * float(kept)


def _dips_below_zero(demand: Demand) -> bool:
    """Whether dips (multipliers below 1) together ever push ``1 + extra`` below zero.

    Each dip's depth is zero before its start and non-increasing after it, so their sum
    peaks at one of the starts: checking those instants is exact.
    """
    dips = [b for b in demand.bursts if b.multiplier < 1.0]
    if sum(1.0 - b.multiplier for b in dips) <= 1.0:
        return False
    starts = np.array([b.at for b in dips])
    return bool(np.any(1.0 + _extra(dips, starts) < 0.0))


def _periodic_exp_integral(weights: np.ndarray, offset: float, c: float, a: float,
                           b: float) -> float:
    """Exact ``integral of weights[hour(t)] * exp(c * t) dt`` over ``[a, b)``.

    ``hour(t) = floor(t + offset) mod 168``. The integrand over ``[a + 168k, a + 168(k+1))``
    is ``exp(168 c k)`` times the one over the first week, so full weeks sum as a geometric
    series and only the first week and the remainder are integrated hour by hour.
    """
    if b <= a:
        return 0.0

    def cells(lo: float, hi: float) -> float:
        # Pieces of [lo, hi) split at clock-hour boundaries (at most 170 of them).
        inner = np.arange(np.floor(lo + offset) + 1.0, hi + offset, 1.0) - offset
        edges = np.concatenate([[lo], inner[(inner > lo) & (inner < hi)], [hi]])
        x, y = edges[:-1], edges[1:]
        hour = np.floor((x + y) / 2 + offset).astype(np.int64) % HOURS_PER_WEEK
        parts = y - x if c == 0.0 else np.exp(c * x) * np.expm1(c * (y - x)) / c
        return float(np.sum(weights[hour] * parts))

    weeks = int((b - a) // HOURS_PER_WEEK)
    total = 0.0
    if weeks:
        step = c * HOURS_PER_WEEK
        series = float(weeks) if step == 0.0 else float(np.expm1(step * weeks) / np.expm1(step))
        total = cells(a, a + HOURS_PER_WEEK) * series
    return total + cells(a + weeks * HOURS_PER_WEEK, b)


def _smooth_arrivals(scenario: Scenario, t0: float, t1: float) -> float:
    """Closed-form integral of :func:`rate_at` when no clipping at zero can occur."""
    sites = site_offsets(scenario)
    if sites is not None:
        return sum(share * _smooth_arrivals_at(scenario, t0, t1, shift)
                   for _, share, shift in sites)
    return _smooth_arrivals_at(scenario, t0, t1)


def _smooth_arrivals_at(scenario: Scenario, t0: float, t1: float,
                        shift: float = 0.0) -> float:
    """:func:`_smooth_arrivals` on a clock `shift` hours ahead of start's."""
    demand = scenario.demand
    weights = weekly_profile(demand.profile)
    offset = _week_offset(scenario) + shift
    g = np.log1p(demand.growth) / GROWTH_PERIOD  # growth as exp(g t)
    with np.errstate(over="ignore", invalid="ignore"):
        total = _periodic_exp_integral(weights, offset, g, t0, t1)
        for burst in demand.bursts:
            start = max(burst.at, t0)
            if burst.decay is not None:
                # (m - 1) exp(-(t - at)/decay) exp(g t) = (m - 1) e^{at/decay} e^{(g - 1/decay) t}
                # NOTE: shifted to `start` so the exponent stays small for late bursts.
                scale = np.exp(-(start - burst.at) / burst.decay)
                part = _periodic_exp_integral(weights, offset + start, g - 1 / burst.decay,
                                              0.0, t1 - start) * np.exp(g * start) * scale
            else:
                assert burst.duration is not None
                end = min(burst.at + burst.duration, t1)
                part = _periodic_exp_integral(weights, offset, g, start, end)
            total += (burst.multiplier - 1.0) * part
    return float(demand.rate * total)


def _grid_arrivals(scenario: Scenario, t0: float, t1: float) -> float:
    """Midpoint rule on a five-minute grid, a week at a time (bounded memory)."""
    total = 0.0
    for lo in np.arange(t0, t1, HOURS_PER_WEEK):
        hi = min(lo + HOURS_PER_WEEK, t1)
        steps = max(int(np.ceil((hi - lo) * 12)), 1)
        edges = np.linspace(lo, hi, steps + 1)
        mid = (edges[:-1] + edges[1:]) / 2
        rate = rate_at(scenario, mid)
        if scenario.demand.waves:
            rate = rate + wave_rates(scenario, mid).sum(axis=0)
        total += float(np.sum(rate) * (hi - lo) / steps)
    return total


def wave_rates(scenario: Scenario, t: np.ndarray | float) -> np.ndarray:
    """Arrival rate (tickets/hour) of each wave at instants `t`: shape ``(waves, len(t))``.

    The wave's curve times the weekly profile and the bursts' factor, as generated.
    """
    t = np.atleast_1d(np.asarray(t, dtype=float))
    demand = scenario.demand
    factor = np.maximum(1.0 + _burst_extra(demand, t), 0.0)
    rows = []
    for wave in demand.waves:
        offset = _week_offset(scenario) + wave_shift(scenario, wave.site)
        hour = np.floor(t + offset).astype(np.int64) % HOURS_PER_WEEK
        shape = weekly_profile(demand.profile)[hour] * factor
        rows.append(sum((term.value(t) for term in wave_terms(wave)), np.zeros_like(t))
                    * shape)
    return np.array(rows).reshape(len(demand.waves), t.size)


def wave_integrals(scenario: Scenario, edges: np.ndarray) -> np.ndarray:
    """Expected tickets of each wave in each bin of `edges`: shape ``(waves, bins)``.

    Exact (:func:`supportsim.waves.integrate`) unless dips push the bursts' factor below
    zero, which :func:`expected_arrivals` integrates on a grid instead.
    """
    demand = scenario.demand
    weights, offset = weekly_profile(demand.profile), _week_offset(scenario)
    rows = [integrate(with_bursts(wave_terms(wave), demand.bursts), weights,
                      offset + wave_shift(scenario, wave.site), edges)
            for wave in demand.waves]
    return np.array(rows).reshape(len(demand.waves), len(edges) - 1)
