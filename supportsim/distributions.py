"""Effort and triage distributions, parameterised by mean and coefficient of variation."""

from __future__ import annotations

import math

import numpy as np

from supportsim.scenario._schema import Distribution

__all__ = ["draw", "moments", "remaining"]


def draw(spec: Distribution, rng: np.random.Generator, size: int) -> np.ndarray:
    """Draw `size` values (hours) from `spec`, vectorised.

    Lognormal and gamma are parameterised so that the mean is ``spec.mean`` and the
    standard deviation ``spec.cv * spec.mean``.
    """
    mean = spec.mean
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


def moments(spec: Distribution) -> tuple[float, float]:
    """Mean and coefficient of variation of `spec` (exponential: cv 1, fixed: cv 0)."""
    implied = {"exponential": 1.0, "fixed": 0.0}
    return spec.mean, implied.get(spec.dist, spec.cv if spec.cv is not None else 1.0)


def remaining(spec: Distribution, done: np.ndarray, uniforms: np.ndarray) -> np.ndarray:
    """Work still to do, ``X - done`` given ``X > done``, by inversion of `uniforms`.

    Exponential: memoryless, so the rest is a fresh draw. Lognormal and gamma: the
    inverse of the survival function of `spec` at ``u * P(X > done)`` (the truncated
    distribution), minus `done`; infinite where ``P(X > done)`` underflows to 0 (callers
    refuse that). Fixed: ``max(mean - done, 0)``: work beyond the fixed effort finishes at
    once.
    """
    from scipy import stats

    mean = spec.mean
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
