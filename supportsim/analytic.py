"""Closed-form queueing results: Erlang B, Erlang C (M/M/c) and Erlang A (M/M/c+M).

They validate the simulator and give planners an analytic sanity view. Rates are per
hour, times are hours, and the offered load ``a = arrival_rate / service_rate`` is in
Erlangs. Every function broadcasts its arguments like a numpy ufunc and returns arrays
(0-d for scalar arguments). The work is done in log space through the regularized
incomplete gamma function, so thousands of servers neither overflow nor lose precision.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import optimize, special

__all__ = [
    "ErlangA",
    "erlang_a",
    "erlang_b",
    "erlang_c",
    "halfin_whitt_beta",
    "mean_sojourn",
    "mean_wait",
    "required_staff",
    "service_level",
    "sqrt_staffing",
    "wait_probability",
    "wait_tail",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
_Rule = Literal[">= 0", "> 0", "in (0, 1)", "finite"]
_RULES: dict[_Rule, Callable[[FloatArray], npt.NDArray[np.bool_]]] = {
    ">= 0": lambda v: v >= 0,
    "> 0": lambda v: v > 0,
    "in (0, 1)": lambda v: (v > 0) & (v < 1),
    "finite": np.isfinite,
}
_LOG_SQRT_2PI = 0.5 * math.log(2 * math.pi)
# Enough terms for double precision in the regions where the Watson expansions are used.
_WATSON_TERMS = 30


def _check(name: str, value: npt.ArrayLike, rule: _Rule, *, allow_inf: bool = False) -> FloatArray:
    """Return `value` as a float array, or raise ValueError naming argument, rule and value."""
    arr = np.asarray(value, dtype=np.float64)
    bad = ~_RULES[rule](arr)  # NaN fails every comparison, so it is reported here too
    if not bad.any() and not allow_inf:
        bad, rule = ~np.isfinite(arr), "finite"
    if bad.any():
        raise ValueError(f"{name} must be {rule}, got {arr[bad].flat[0]:.12g}")
    return arr


def _log_poisson_pmf(k: FloatArray, lam: FloatArray) -> FloatArray:
    """log(lam**k exp(-lam) / Gamma(k + 1)) for real k >= 0 and lam > 0."""
    # Loader's saddle-point form: for large k the naive k log(lam) - gammaln(k + 1) cancels
    # two numbers of size k log k, and the absolute error would ruin the ratios built on it.
    kb = np.maximum(k, 10.0)
    i2 = (1 / kb) ** 2
    stirlerr = (1 / 12 - (1 / 360 - (1 / 1260 - (1 / 1680 - i2 / 1188) * i2) * i2) * i2) / kb
    # bd0 = k log(k / lam) + lam - k through log1p, whose terms do not cancel; the plain
    # form only where lam << k, so that d cannot overflow.
    with np.errstate(all="ignore"):
        d = (kb - lam) / lam
        bd0 = np.where(
            d < 1e10,
            lam * ((1 + d) * np.log1p(d) - d),
            kb * (np.log(kb) - np.log(lam)) + lam - kb,
        )
    loader = -stirlerr - bd0 - _LOG_SQRT_2PI - 0.5 * np.log(kb)
    direct = special.xlogy(k, lam) - lam - special.gammaln(k + 1)
    return np.asarray(np.where(k >= 10, loader, direct), dtype=np.float64)


def _watson_table(weights: list[float]) -> FloatArray:
    """table[k, m] = weights[m] (k-1)! / (k-m)! for the recursion in :func:`_watson`."""
    table = np.zeros((_WATSON_TERMS + 1, _WATSON_TERMS + 1))
    for k in range(2, _WATSON_TERMS + 1):
        for m in range(2, k + 1):
            table[k, m] = weights[m] * math.perm(k - 1, m - 1)
    return table


# u(s) = -c (s - log(1 + s)) for Erlang B and -y (s - 1 + exp(-s)) for Erlang A.
_ORDERS = range(_WATSON_TERMS + 1)
_B_TABLE = _watson_table([(-1.0) ** (m + 1) for m in _ORDERS])
_A_TABLE = _watson_table([(-1.0) ** (m + 1) / math.gamma(max(m, 1)) for m in _ORDERS])


def _watson(delta: FloatArray, scale: FloatArray, table: FloatArray) -> FloatArray:
    """R in ``delta * integral_0^inf exp(-delta s + u(s)) ds = 1 + R`` (Watson's lemma).

    ``u(s) = scale * sum_m weights[m] s**m / m`` starts at s**2; R sums g_k = k! h_k /
    delta**k for k >= 2, with h_k the Taylor coefficients of exp(u), which obey
    g_k = scale * sum_m table[k, m] delta**-m g_(k-m).
    """
    powers = (1 / delta) ** np.arange(_WATSON_TERMS + 1)[:, None]  # underflow is harmless
    g = np.zeros((_WATSON_TERMS + 1, delta.size))
    g[0] = 1.0
    for k in range(2, _WATSON_TERMS + 1):
        g[k] = scale * (table[k, 2 : k + 1, None] * powers[2 : k + 1] * g[k - 2 :: -1]).sum(0)
    return np.asarray(g[2:].sum(0), dtype=np.float64)


def _log_erlang_b(c: FloatArray, a: FloatArray) -> FloatArray:
    """log B(c, a) = log poisson_pmf(c; a) - log Q(c + 1, a), with the edge cases."""
    c, a = np.broadcast_arrays(c, a)
    out = np.empty(c.shape)
    delta = a - c
    # Many standard deviations above c, Q(c + 1, a) underflows; there the integral
    # 1/B = a * int_0^inf exp(-a s) (1 + s)**c ds has a fast Watson expansion instead.
    far = (delta >= 40) & (delta >= np.sqrt(c) * math.sqrt(1e3))
    if far.any():
        r = _watson(delta[far], c[far], _B_TABLE)
        out[far] = np.log(delta[far] / a[far]) - np.log1p(r)
    cn, an = c[~far], a[~far]
    with np.errstate(divide="ignore", invalid="ignore"):
        near = _log_poisson_pmf(cn, an) - np.log(special.gammaincc(cn + 1, an))
    out[~far] = np.where(cn == 0, 0.0, np.where(an == 0, -np.inf, near))
    return np.minimum(out, 0.0)  # rounding can push B a hair above 1 as c -> 0


def _log_kummer(x: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray]:
    """log A and log T, where A = sum_j t_j, T = sum_j j t_j, t_j = prod_{i<=j} y / (x + i).

    A(x, y) = x e**y y**-x gamma_lower(x, y) is Mandelbaum & Zeltyn's A, and
    T = x + (y - x) A weights the same sum by queue length (for abandonment).
    """
    x, y = np.broadcast_arrays(x, y)
    log_a, log_t = np.empty(x.shape), np.empty(x.shape)
    delta = x - y
    series = y <= 0.5 * (x + 1)  # terms shrink at least geometrically by 1/2
    # Far below the saddle point gammainc underflows, and Watson's expansion converges.
    watson = ~series & (delta > 0) & (delta >= np.sqrt(y) * math.sqrt(200))
    rest = ~series & ~watson

    j = np.arange(1, 65)
    terms = np.cumprod(y[series, None] / (x[series, None] + j), axis=1)
    log_a[series] = np.log1p(terms.sum(1))
    with np.errstate(divide="ignore"):
        log_t[series] = np.log((terms * j).sum(1))

    if watson.any():
        # A = (x / delta)(1 + R) with R < 0, so T = x - delta A = -x R without cancellation.
        xw, r = x[watson], _watson(delta[watson], y[watson], _A_TABLE)
        log_a[watson] = np.log(xw / delta[watson]) + np.log1p(r)
        with np.errstate(divide="ignore"):  # R underflows to -0 only for absurd x, y ~ 1e300
            log_t[watson] = np.log(xw) + np.log(-r)

    xr, yr = x[rest], y[rest]
    la = np.log(special.gammainc(xr, yr)) - _log_poisson_pmf(xr, yr)
    with np.errstate(all="ignore"):  # each branch is only kept where it is well defined
        over = np.logaddexp(np.log(xr), np.log(yr - xr) + la)
        under = np.log(xr) + np.log1p(-(xr - yr) * np.exp(la) / xr)
    log_a[rest] = la
    log_t[rest] = np.where(yr >= xr, over, under)
    return log_a, log_t


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


def _erlang_a_logs(
    c: FloatArray, a: FloatArray, x: FloatArray, y: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """log P(N < c), log P(N >= c) and log E[(N - c)+], each times 1/pi_c, and log 1/pi_c."""
    log_b = _log_erlang_b(c, a)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_idle = np.log1p(-np.exp(log_b)) - log_b
    log_a, log_t = _log_kummer(x, y)
    return log_idle, log_a, log_t, np.logaddexp(log_a, log_idle)


@dataclass(frozen=True, eq=False)
class ErlangA:
    """Steady state of M/M/c+M (Erlang A); every field is broadcast over the inputs.

    Attributes
    ----------
    wait_probability : numpy.ndarray
        P(wait > 0) = P(N >= c), by PASTA.
    abandon_probability : numpy.ndarray
        Fraction of arrivals that abandon.
    mean_wait : numpy.ndarray
        Mean time in queue over all arrivals, served or not, in hours; it equals
        ``abandon_probability / patience_rate`` for exponential patience.
    servers, arrival_rate, service_rate, patience_rate : numpy.ndarray
        The inputs, kept for :meth:`service_level`.
    """

    wait_probability: FloatArray
    abandon_probability: FloatArray
    mean_wait: FloatArray
    servers: FloatArray
    arrival_rate: FloatArray
    service_rate: FloatArray
    patience_rate: FloatArray

    def service_level(self, target_time: npt.ArrayLike) -> FloatArray:
        """P(answered and wait <= target_time): abandoned contacts count as misses.

        Parameters
        ----------
        target_time : array_like
            Answer-time target in hours, >= 0 (inf allowed), broadcast with the fields.

        Returns
        -------
        numpy.ndarray
            ``1 - wait_probability`` at 0, rising to ``1 - abandon_probability`` at inf.

        Raises
        ------
        ValueError
            If `target_time` is negative or NaN.

        Examples
        --------
        >>> round(float(erlang_a(7, 20, 4, 6).service_level(20 / 3600)), 4)
        0.7938
        """
        t = _check("target_time", target_time, ">= 0", allow_inf=True)
        c, mu, theta = self.servers, self.service_rate, self.patience_rate
        x, y = c * mu / theta, self.arrival_rate / theta
        log_idle, log_a, _, log_norm = _erlang_a_logs(c, self.arrival_rate / mu, x, y)
        # Integrating the phase-type offered wait over the queue seen on arrival gives
        # P(served, wait <= t) - P(N < c) = pi_c x/(x+1) [A(x+1, y) - A(x+1, z) e**(y(1 -
        # e**-s) - (x+1) s)] with s = theta t and z = y e**-s.
        s = theta * t
        with np.errstate(divide="ignore", invalid="ignore"):
            shift = np.log(x / (x + 1)) - log_norm
            later = _log_kummer(x + 1, y * np.exp(-s))[0] - y * np.expm1(-s) - (x + 1) * s
            served = np.exp(shift + _log_kummer(x + 1, y)[0]) - np.exp(shift + later)
        # expit of the log-odds stays 1 without arrivals, where log_idle = log_norm = inf.
        level = special.expit(log_idle - log_a) + served
        return np.asarray(np.clip(level, 0.0, 1.0), dtype=np.float64)


def erlang_a(
    servers: npt.ArrayLike,
    arrival_rate: npt.ArrayLike,
    service_rate: npt.ArrayLike,
    patience_rate: npt.ArrayLike,
) -> ErlangA:
    """Performance of M/M/c+M (Palm / Erlang A): exponential patience of rate theta.

    With x = c mu / theta, y = lambda / theta, rho = y / x, B = Erlang B(c, lambda / mu)
    and A(x, y) = (x e**y / y**x) gamma_lower(x, y):
    P(wait > 0) = A B / (1 + (A - 1) B),
    P(abandon) = (1/rho + (1 - 1/rho) A) B / (1 + (A - 1) B), E[wait] = P(abandon) / theta.

    Parameters
    ----------
    servers, arrival_rate, service_rate : array_like
        Servers >= 0, arrivals per hour >= 0, services per hour per server > 0.
    patience_rate : array_like
        Abandonment rate theta > 0 per hour (1 / mean patience).

    Returns
    -------
    ErlangA
        Wait and abandon probabilities, mean wait, and a ``service_level`` method.

    Raises
    ------
    ValueError
        If an argument breaks its rule.

    References
    ----------
    O. Garnett, A. Mandelbaum and M. Reiman, "Designing a call center with impatient
    customers", Manufacturing & Service Operations Management 4(3), 2002.
    A. Mandelbaum and S. Zeltyn, "The M/M/n+G queue: summary of performance measures",
    Technion, 2005.

    Examples
    --------
    >>> result = erlang_a(7, 20, 4, 6)
    >>> round(float(result.wait_probability), 4), round(float(result.abandon_probability), 4)
    (0.2221, 0.0604)
    """
    c = _check("servers", servers, ">= 0")
    lam = _check("arrival_rate", arrival_rate, ">= 0")
    mu = _check("service_rate", service_rate, "> 0")
    theta = _check("patience_rate", patience_rate, "> 0")
    c, lam, mu, theta = np.broadcast_arrays(c, lam, mu, theta)
    x, y = c * mu / theta, lam / theta
    _, log_a, log_t, log_norm = _erlang_a_logs(c, lam / mu, x, y)
    with np.errstate(divide="ignore", invalid="ignore"):
        # T / y -> 1 / (x + 1) as y -> 0; the limit keeps lambda = 0 well defined.
        log_t_over_y = np.where(y > 0, log_t - np.log(y), -np.log1p(x))
    wait_p = np.exp(log_a - log_norm)
    # T / (y A) = P(abandon | wait); capping it at 1 keeps rounding out of the identities.
    abandon = wait_p * np.minimum(np.exp(log_t_over_y - log_a), 1.0)
    return ErlangA(
        wait_probability=wait_p,
        abandon_probability=abandon,
        mean_wait=abandon / theta,
        servers=c,
        arrival_rate=lam,
        service_rate=mu,
        patience_rate=theta,
    )


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
