"""The numerics under the Erlang formulas: argument checks, and log-space Poisson terms,
Erlang B and Kummer sums that stay exact for thousands of servers.

Erlang B is ``poisson_pmf(c; a) / Q(c + 1, a)`` through the regularized incomplete gamma
function; where that underflows, far from the saddle point, Watson's lemma gives a fast
expansion of the same integral instead.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import special

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
