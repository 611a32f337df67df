"""Effort and triage distributions, parameterised by mean and coefficient of variation."""

from __future__ import annotations

import math

import numpy as np

from supportsim.scenario._schema import Distribution

__all__ = ["draw", "moments"]


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
