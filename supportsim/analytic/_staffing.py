"""Staffing: the fewest servers for an M/M/c service-level target, and the square-root
(Halfin-Whitt) staffing rule."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from scipy import optimize, special

from supportsim.analytic._erlang import _erlang_c, _tail
from supportsim.analytic._numerics import _LOG_SQRT_2PI, FloatArray, IntArray, _check


def required_staff(
    arrival_rate: npt.ArrayLike,
    service_rate: npt.ArrayLike,
    target_level: npt.ArrayLike,
    target_time: npt.ArrayLike,
) -> IntArray:
    """Smallest integer c > a whose M/M/c service level meets a target (e.g. 80/20).

    Parameters
    ----------
    arrival_rate, service_rate : array_like
        Arrivals per hour >= 0 and services per hour per server > 0.
    target_level : array_like
        Required fraction answered within `target_time`, in (0, 1).
    target_time : array_like
        Answer-time target in hours, >= 0 (inf allowed).

    Returns
    -------
    numpy.ndarray
        int64 servers with ``service_level(c, ...) >= target_level``; at least 1.

    Raises
    ------
    ValueError
        If an argument breaks its rule.

    Examples
    --------
    >>> int(required_staff(20, 4, 0.8, 20 / 3600))
    8
    """
    lam = _check("arrival_rate", arrival_rate, ">= 0")
    mu = _check("service_rate", service_rate, "> 0")
    level = _check("target_level", target_level, "in (0, 1)")
    t = _check("target_time", target_time, ">= 0", allow_inf=True)
    a, mu, level, t = np.broadcast_arrays(lam / mu, mu, level, t)

    def meets(c: FloatArray) -> npt.NDArray[np.bool_]:
        return (c > a) & (1.0 - _tail(_erlang_c(c, a), (c - a) * mu, t) >= level)

    # Invariant: lo fails and hi meets. Every c <= a fails, and the answer lies O(sqrt a)
    # above a, so doubling steps of sqrt(a), then bisection, take O(log a) rounds.
    lo = np.floor(a)
    step = np.maximum(1.0, np.ceil(np.sqrt(a)))
    hi = lo + step
    ok = meets(hi)
    while not ok.all():
        lo, step = np.where(ok, lo, hi), 2 * step
        hi = np.where(ok, hi, hi + step)
        ok = meets(hi)
    while (hi - lo > 1).any():
        mid = np.floor((lo + hi) / 2)
        ok = meets(mid)
        lo, hi = np.where(ok, lo, mid), np.where(ok, mid, hi)
    return hi.astype(np.int64)


def sqrt_staffing(offered_load: npt.ArrayLike, beta: npt.ArrayLike) -> IntArray:
    """Square-root staffing rule: ceil(a + beta sqrt(a)), never below 0.

    Parameters
    ----------
    offered_load, beta : array_like
        Offered load a >= 0 in Erlangs; finite beta, e.g. from :func:`halfin_whitt_beta`.

    Returns
    -------
    numpy.ndarray
        Servers, int64.

    Raises
    ------
    ValueError
        If `offered_load` is negative or an argument is not finite.

    References
    ----------
    S. Halfin and W. Whitt, "Heavy-traffic limits for queues with many exponential
    servers", Operations Research 29(3), 1981.

    Examples
    --------
    >>> int(sqrt_staffing(100, 1.0))
    110
    """
    a = _check("offered_load", offered_load, ">= 0")
    b = _check("beta", beta, "finite")
    return np.maximum(np.ceil(a + b * np.sqrt(a)), 0).astype(np.int64)


def halfin_whitt_beta(wait_probability_target: npt.ArrayLike) -> FloatArray:
    """Beta with Halfin-Whitt limit P(wait) = [1 + beta Phi(beta) / phi(beta)]**-1 on target.

    Parameters
    ----------
    wait_probability_target : array_like
        Target probability of waiting, in (0, 1).

    Returns
    -------
    numpy.ndarray
        beta > 0, to pair with :func:`sqrt_staffing`.

    Raises
    ------
    ValueError
        If a target is outside (0, 1).

    References
    ----------
    S. Halfin and W. Whitt, "Heavy-traffic limits for queues with many exponential
    servers", Operations Research 29(3), 1981.

    Examples
    --------
    >>> round(float(halfin_whitt_beta(0.2)), 4)
    1.0615
    """
    targets = _check("wait_probability_target", wait_probability_target, "in (0, 1)")

    def solve(target: float) -> float:
        # Solve log(beta Phi / phi) = log(1/target - 1): log_ndtr keeps it finite up to
        # beta ~ 37, where targets near 1e-300 land.
        goal = math.log1p(-target) - math.log(target)

        def gap(beta: float) -> float:
            log_ratio = float(special.log_ndtr(beta)) + beta**2 / 2 + _LOG_SQRT_2PI
            return math.log(beta) + log_ratio - goal

        return float(optimize.brentq(gap, 1e-300, 50.0, xtol=1e-300))

    return np.asarray(np.vectorize(solve, otypes=[np.float64])(targets), dtype=np.float64)
