"""Where a curve crosses a goal: the first-crossing rule of the breaking-point search
(also vectorised over bootstrap resamples), and the same crossing from Erlang C."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.optimize import brentq

from supportsim import analytic
from supportsim.scenario import Scenario

__all__ = ["crossing", "crossings", "erlang_estimate", "last_met"]

FloatArray = npt.NDArray[np.float64]


# --------------------------------------------------------------------------- crossing


def crossing(values: FloatArray, means: FloatArray, target: float) -> tuple[float, int]:
    """First crossing of `target` walking `values` (ordered good end first).

    `means` holds one attainment per value. Returns the crossing, linear between the last
    value at or above target and the first below it, and the index of that first value;
    -inf when the first value is already below (index 0), +inf when none is (index
    ``len(values)``), both in the walking order.
    """
    below = means < target
    if not below.any():
        return math.inf, len(values)
    i = int(np.argmax(below))
    if i == 0:
        return -math.inf, 0
    return float(_interpolate(values[i - 1], values[i], means[i - 1], means[i], target)), i


def _interpolate(v0: Any, v1: Any, f0: Any, f1: Any, target: float) -> Any:
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(f0 > f1, (f0 - target) / np.where(f0 > f1, f0 - f1, 1.0), 0.5)
    return v0 + np.clip(share, 0.0, 1.0) * (v1 - v0)


def crossings(values: FloatArray, means: FloatArray, target: float) -> FloatArray:
    """Vectorised :func:`crossing` over resamples (axis 1); ±inf as there."""
    below = means < target
    first = np.argmax(below, axis=0)
    found = below.any(axis=0)
    prev = np.maximum(first - 1, 0)
    cols = np.arange(means.shape[1])
    out = _interpolate(values[prev], values[first], means[prev, cols], means[first, cols],
                       target)
    out = np.where(first == 0, -np.inf, out)
    return np.asarray(np.where(found, out, np.inf), dtype=float)


def last_met(values: FloatArray, means: FloatArray, target: float) -> FloatArray:
    """The integer rule: the last value before the first one below `target`.

    `values` in walking order (good end first); `means` one row per value, resamples on
    further axes. -inf where the first value is already below, +inf where none is: the
    conventions of :func:`crossing`.
    """
    below = means < target
    first = np.argmax(below, axis=0)
    out = np.where(first == 0, -np.inf, values[np.maximum(first - 1, 0)])
    return np.asarray(np.where(below.any(axis=0), out, np.inf), dtype=float)


# --------------------------------------------------------------------------- Erlang C


def _mmc_rates(scenario: Scenario) -> tuple[float, float, float] | None:
    """(servers, arrival rate, service rate) when the desk is exactly M/M/c, else None."""
    from supportsim.capacity import tier_loads

    if len(scenario.team.tiers) != 1 or len(scenario.priorities) != 1:
        return None
    if any(ch.patience is not None for ch in scenario.demand.channels.values()):
        return None
    if next(iter(scenario.priorities.values())).clock != "24x7":
        return None
    row = tier_loads(scenario).iloc[0]
    if row["model"] != "M/M/c" or not row["work_time"] > 0:
        return None
    return float(row["staff"]), float(row["arrival_rate"]), 1.0 / float(row["work_time"])


def erlang_estimate(variant: Callable[[float], Scenario], grid: FloatArray, target: float,
                    direction: str, integer: bool) -> float:
    """Where the M/M/c service level of ``variant(value)`` crosses `target` over the grid's
    range (response metric), walking from the good end; for an integer factor the last
    integer that meets it (:func:`last_met`). NaN where a variant is not M/M/c or the
    level does not cross."""

    def level(value: float) -> float:
        scenario = variant(value)
        rates = _mmc_rates(scenario)
        if rates is None:
            raise LookupError
        c, lam, mu = rates
        answer = next(iter(scenario.priorities.values())).response
        return float(analytic.service_level(c, lam, mu, answer))

    walk = grid if direction == "up" else grid[::-1]
    try:
        if integer:
            lo, hi = round(float(grid.min())), round(float(grid.max()))
            points = np.arange(lo, hi + 1, dtype=float)
            points = points if direction == "up" else points[::-1]
            estimate = float(last_met(points, np.array([level(v) for v in points]), target))
            return estimate if math.isfinite(estimate) else math.nan
        ends = [level(float(walk[0])) - target, level(float(walk[-1])) - target]
        if ends[0] < 0 or ends[1] >= 0:
            return math.nan
        return float(brentq(lambda v: level(v) - target, float(grid.min()),
                            float(grid.max()), xtol=1e-6 * float(np.ptp(grid) or 1.0)))
    except (LookupError, ValueError):
        return math.nan
