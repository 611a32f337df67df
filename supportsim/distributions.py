"""Effort and triage distributions, parameterised by mean and coefficient of variation."""

from __future__ import annotations

import math

import numpy as np

from supportsim.scenario._schema import Distribution

__all__ = ["draw", "moments", "remaining"]


def draw(spec: Distribution, rng: np.random.Generator, size: int) -> np.ndarray:
    """Draw `size` values (hours) from `spec`, vectorised.

    Lognormal and gamma are parameterised so that the mean is ``spec.mean`` and the
    standard deviation ``spec.cv * spec.mean``. Uniform: ``low + (high - low) u``.
    Empirical `values` ``v_0..v_{n-1}``: ``v_k`` with ``k = floor(n u)``, each value with
    probability 1/n (resampling). Empirical `quantiles` ``q_0..q_m``: the inverse
    distribution function through the points ``(k/m, q_k)``, linear in between, at
    ``u`` (:func:`_quantile`): each stretch ``[q_k, q_{k+1}]`` holds probability 1/m,
    spread evenly over it. One uniform `u` per value in both empirical forms.
    """
    if spec.dist in ("uniform", "empirical"):
        return _invert(spec, rng.random(size))
    mean = spec.mean
    assert mean is not None  # the schema requires a mean for the other shapes
    if spec.dist == "exponential":
        return rng.exponential(mean, size)
    if spec.dist == "fixed":
        return np.full(size, mean)
    assert spec.cv is not None  # the schema requires cv for lognormal and gamma
    if spec.dist == "lognormal":
        sigma2 = math.log1p(spec.cv**2)
        return rng.lognormal(math.log(mean) - sigma2 / 2, math.sqrt(sigma2), size)
    # gamma: shape 1/cv^2 and scale mean*cv^2 give the required mean and cv.
    return rng.gamma(1 / spec.cv**2, mean * spec.cv**2, size)


def _invert(spec: Distribution, u: np.ndarray) -> np.ndarray:
    """Uniform and empirical draws by inversion of uniforms `u` in [0, 1)."""
    if spec.dist == "uniform":
        assert spec.low is not None and spec.high is not None
        return spec.low + (spec.high - spec.low) * u
    if spec.values is not None:
        values = np.asarray(spec.values, dtype=np.float64)
        # min(): u * n rounds up to n for u a hair below 1 with a large n.
        return values[np.minimum((u * values.size).astype(np.intp), values.size - 1)]
    return _quantile(spec, u)


def _quantile(spec: Distribution, u: np.ndarray) -> np.ndarray:
    """The empirical `quantiles` form's inverse distribution function at `u`."""
    assert spec.quantiles is not None
    q = np.asarray(spec.quantiles, dtype=np.float64)
    return np.interp(u, np.linspace(0.0, 1.0, q.size), q)


def moments(spec: Distribution) -> tuple[float, float]:
    """Mean and coefficient of variation of `spec` (exponential: cv 1, fixed: cv 0).

    Uniform: mean ``(low + high) / 2``, variance ``(high - low)^2 / 12``. Empirical
    values: their mean and population variance. Empirical quantiles: a mixture of m
    uniforms on ``[q_k, q_{k+1}]``, weight 1/m each: mean ``sum (q_k + q_{k+1}) / 2m``,
    second moment ``sum (q_k^2 + q_k q_{k+1} + q_{k+1}^2) / 3m``.
    """
    if spec.dist == "uniform":
        assert spec.low is not None and spec.high is not None
        mean, sd = (spec.low + spec.high) / 2, (spec.high - spec.low) / math.sqrt(12)
    elif spec.dist == "empirical" and spec.values is not None:
        values = np.asarray(spec.values, dtype=np.float64)
        mean, sd = float(values.mean()), float(values.std())
    elif spec.dist == "empirical":
        assert spec.quantiles is not None
        q = np.asarray(spec.quantiles, dtype=np.float64)
        a, b = q[:-1], q[1:]
        mean = float(np.mean((a + b) / 2))
        second = float(np.mean((a * a + a * b + b * b) / 3))
        sd = math.sqrt(max(second - mean * mean, 0.0))
    else:
        assert spec.mean is not None
        implied = {"exponential": 1.0, "fixed": 0.0}
        return spec.mean, implied.get(spec.dist, spec.cv if spec.cv is not None else 1.0)
    return mean, (sd / mean if mean > 0 else 0.0)


def remaining(spec: Distribution, done: np.ndarray, uniforms: np.ndarray) -> np.ndarray:
    """Work still to do, ``X - done`` given ``X > done``, by inversion of `uniforms`.

    Exponential: memoryless, so the rest is a fresh draw. Lognormal and gamma: the
    inverse of the survival function of `spec` at ``u * P(X > done)`` (the truncated
    distribution), minus `done`; infinite where ``P(X > done)`` underflows to 0 (callers
    refuse that). Fixed: ``max(mean - done, 0)``: work beyond the fixed effort finishes at
    once.
    """
    from scipy import stats

    if spec.dist in ("uniform", "empirical"):
        return _remaining_inverted(spec, done, uniforms)
    mean = spec.mean
    assert mean is not None
    if spec.dist == "exponential":
        return -mean * np.log1p(-uniforms)
    if spec.dist == "fixed":
        return np.maximum(mean - done, 0.0)
    assert spec.cv is not None
    if spec.dist == "lognormal":
        sigma2 = math.log1p(spec.cv**2)
        law = stats.lognorm(math.sqrt(sigma2), scale=math.exp(math.log(mean) - sigma2 / 2))
    else:
        law = stats.gamma(1 / spec.cv**2, scale=mean * spec.cv**2)
    tail = law.sf(done)
    with np.errstate(divide="ignore"):
        # 1 - u keeps the draw in (0, tail]: u = 0 would give the infinite quantile.
        x = np.where(tail > 0, law.isf((1.0 - uniforms) * tail), np.inf)
    return np.maximum(x - done, 0.0)


def _remaining_inverted(spec: Distribution, done: np.ndarray, uniforms: np.ndarray
                        ) -> np.ndarray:
    """``X - done`` given ``X > done`` for uniform and empirical `spec`: inversion of
    ``F(done) + u (1 - F(done))``; infinite where ``P(X > done) = 0``."""
    done = np.asarray(done, dtype=np.float64)
    if spec.dist == "uniform":
        assert spec.low is not None and spec.high is not None
        lo = np.maximum(done, spec.low)
        x = np.where(done < spec.high, lo + (spec.high - lo) * uniforms, np.inf)
        return np.maximum(x - done, 0.0)
    if spec.values is not None:
        values = np.sort(np.asarray(spec.values, dtype=np.float64))
        first = np.searchsorted(values, done, side="right")  # values above `done`
        above = values.size - first
        pick = first + np.minimum((uniforms * above).astype(np.intp), np.maximum(above - 1, 0))
        x = np.where(above > 0, values[np.minimum(pick, values.size - 1)], np.inf)
        return np.maximum(x - done, 0.0)
    assert spec.quantiles is not None
    q = np.asarray(spec.quantiles, dtype=np.float64)
    p = np.linspace(0.0, 1.0, q.size)
    # F(done): the piecewise-linear distribution function (0 below q_0, 1 from q_m on).
    # NOTE: a flat stretch (q_k = q_{k+1}) is an atom; np.interp takes the larger p there.
    cdf = np.where(done < q[0], 0.0, np.where(done >= q[-1], 1.0, np.interp(done, q, p)))
    x = np.where(cdf < 1.0, np.interp(cdf + uniforms * (1.0 - cdf), p, q), np.inf)
    return np.maximum(x - done, 0.0)
