"""Erlang B (M/M/c/c) and Erlang C (M/M/c): blocking, the probability of waiting, and
the waits of M/M/c (mean, tail, service level)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from supportsim.analytic._numerics import FloatArray, _check, _log_erlang_b


def erlang_b(servers: npt.ArrayLike, offered_load: npt.ArrayLike) -> FloatArray:
    """Blocking probability of the M/M/c/c loss system (Erlang B).

    Parameters
    ----------
    servers, offered_load : array_like
        Servers c >= 0 (non-integers use the continuous extension) and load a >= 0.

    Returns
    -------
    numpy.ndarray
        B(c, a) = poisson_pmf(c; a) / Q(c + 1, a); 0 when a = 0 < c and 1 when c = 0
        (as the recursion B(k) = a B(k-1) / (k + a B(k-1)) from B(0) = 1 gives).

    Raises
    ------
    ValueError
        If an argument is negative or not finite.

    References
    ----------
    D. L. Jagerman, "Some properties of the Erlang loss function", Bell System
    Technical Journal 53(3), 1974.

    Examples
    --------
    >>> round(float(erlang_b(7, 5)), 6)
    0.120519
    """
    c = _check("servers", servers, ">= 0")
    return np.exp(_log_erlang_b(c, _check("offered_load", offered_load, ">= 0")))


def _erlang_c(c: FloatArray, a: FloatArray) -> FloatArray:
    b = np.exp(_log_erlang_b(c, a))
    with np.errstate(divide="ignore", invalid="ignore"):
        stable = b / (b + (1 - b) * (1 - a / c))
    return np.asarray(np.where(a < c, stable, 1.0), dtype=np.float64)


def erlang_c(servers: npt.ArrayLike, offered_load: npt.ArrayLike) -> FloatArray:
    """Probability that an arrival waits in M/M/c (Erlang C).

    Parameters
    ----------
    servers, offered_load : array_like
        Servers c >= 0 and offered load a >= 0 in Erlangs.

    Returns
    -------
    numpy.ndarray
        c B / (c - a (1 - B)) for a < c, and exactly 1.0 when a >= c (unstable queue).

    Raises
    ------
    ValueError
        If an argument is negative or not finite.

    Examples
    --------
    >>> round(float(erlang_c(7, 5)), 6)
    0.32415
    """
    c = _check("servers", servers, ">= 0")
    return _erlang_c(c, _check("offered_load", offered_load, ">= 0"))


def _mmc(
    servers: npt.ArrayLike, arrival_rate: npt.ArrayLike, service_rate: npt.ArrayLike
) -> tuple[FloatArray, FloatArray]:
    """Validate M/M/c arguments; return Erlang C and the drain rate c mu - lambda."""
    c = _check("servers", servers, ">= 0")
    lam = _check("arrival_rate", arrival_rate, ">= 0")
    mu = _check("service_rate", service_rate, "> 0")
    a = lam / mu
    # (c - a) mu rather than c mu - lambda keeps the sign consistent with the test a < c.
    return _erlang_c(c, a), (c - a) * mu


def wait_probability(
    servers: npt.ArrayLike, arrival_rate: npt.ArrayLike, service_rate: npt.ArrayLike
) -> FloatArray:
    """P(wait > 0) in M/M/c: ``erlang_c(servers, arrival_rate / service_rate)``.

    Parameters
    ----------
    servers, arrival_rate, service_rate : array_like
        Servers >= 0, arrivals per hour >= 0, services per hour per server > 0.

    Returns
    -------
    numpy.ndarray
        Probability of waiting; 1.0 when the queue is unstable.

    Raises
    ------
    ValueError
        If an argument breaks its rule.

    Examples
    --------
    >>> round(float(wait_probability(7, 20, 4)), 6)
    0.32415
    """
    return _mmc(servers, arrival_rate, service_rate)[0]


def mean_wait(
    servers: npt.ArrayLike, arrival_rate: npt.ArrayLike, service_rate: npt.ArrayLike
) -> FloatArray:
    """Mean time in queue of M/M/c over all arrivals: C / (c mu - lambda) hours.

    Parameters
    ----------
    servers, arrival_rate, service_rate : array_like
        Servers >= 0, arrivals per hour >= 0, services per hour per server > 0.

    Returns
    -------
    numpy.ndarray
        Mean wait in hours; inf when the queue is unstable.

    Raises
    ------
    ValueError
        If an argument breaks its rule.

    Examples
    --------
    >>> float(mean_wait(1, 3, 4))
    0.75
    """
    wait_p, drain = _mmc(servers, arrival_rate, service_rate)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(np.where(drain > 0, wait_p / drain, np.inf), dtype=np.float64)


def mean_sojourn(
    servers: npt.ArrayLike, arrival_rate: npt.ArrayLike, service_rate: npt.ArrayLike
) -> FloatArray:
    """Mean time in system of M/M/c: ``mean_wait + 1 / service_rate`` hours.

    Parameters
    ----------
    servers, arrival_rate, service_rate : array_like
        Servers >= 0, arrivals per hour >= 0, services per hour per server > 0.

    Returns
    -------
    numpy.ndarray
        Mean sojourn time in hours; inf when the queue is unstable.

    Raises
    ------
    ValueError
        If an argument breaks its rule.

    Examples
    --------
    >>> float(mean_sojourn(1, 3, 4))
    1.0
    """
    return mean_wait(servers, arrival_rate, service_rate) + 1 / np.asarray(service_rate)


def _tail(wait_p: FloatArray, drain: FloatArray, t: FloatArray) -> FloatArray:
    with np.errstate(invalid="ignore"):
        tail = wait_p * np.exp(-np.maximum(drain, 0.0) * t)
    return np.asarray(np.where(drain > 0, tail, 1.0), dtype=np.float64)


def wait_tail(
    servers: npt.ArrayLike,
    arrival_rate: npt.ArrayLike,
    service_rate: npt.ArrayLike,
    t: npt.ArrayLike,
) -> FloatArray:
    """P(wait > t) in M/M/c: C exp(-(c mu - lambda) t).

    Parameters
    ----------
    servers, arrival_rate, service_rate : array_like
        Servers >= 0, arrivals per hour >= 0, services per hour per server > 0.
    t : array_like
        Hours, >= 0 (inf allowed).

    Returns
    -------
    numpy.ndarray
        Tail probability of the wait; 1 when the queue is unstable.

    Raises
    ------
    ValueError
        If an argument breaks its rule.

    Examples
    --------
    >>> round(float(wait_tail(7, 20, 4, 0.0)), 6)
    0.32415
    """
    wait_p, drain = _mmc(servers, arrival_rate, service_rate)
    return _tail(wait_p, drain, _check("t", t, ">= 0", allow_inf=True))


def service_level(
    servers: npt.ArrayLike,
    arrival_rate: npt.ArrayLike,
    service_rate: npt.ArrayLike,
    target_time: npt.ArrayLike,
) -> FloatArray:
    """P(wait <= target_time) in M/M/c, i.e. ``1 - wait_tail``.

    Parameters
    ----------
    servers, arrival_rate, service_rate : array_like
        Servers >= 0, arrivals per hour >= 0, services per hour per server > 0.
    target_time : array_like
        Answer-time target in hours, >= 0 (inf allowed).

    Returns
    -------
    numpy.ndarray
        Fraction answered within the target; 0 when the queue is unstable.

    Raises
    ------
    ValueError
        If an argument breaks its rule.

    Examples
    --------
    >>> round(float(service_level(7, 20, 4, 20 / 3600)), 4)
    0.6899
    """
    wait_p, drain = _mmc(servers, arrival_rate, service_rate)
    return 1.0 - _tail(wait_p, drain, _check("target_time", target_time, ">= 0", allow_inf=True))
