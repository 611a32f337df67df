"""Confidence intervals across replications."""

from __future__ import annotations

import warnings

import numpy as np
from scipy import special

__all__ = ["bootstrap_interval", "t_interval"]


def t_interval(
    values: np.ndarray, axis: int = 0, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean and Student-t confidence bounds of independent replications along `axis`.

    NaN entries (a replication with nothing to score) are left out. With fewer than two
    values the bounds are NaN: one replication says nothing about its own variance.

    Returns
    -------
    mean, low, high : ndarray
    """
    values = np.asarray(values, dtype=float)
    count = np.sum(~np.isnan(values), axis=axis)
    # One replication (or none) has no spread: the NaN bounds below say so, not a warning.
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = np.nanmean(values, axis=axis) if values.size else np.full(count.shape, np.nan)
        sd = np.nanstd(values, axis=axis, ddof=1) if values.size else mean
        # scipy.special.stdtrit is the t quantile without importing scipy.stats (slow).
        half = special.stdtrit(np.maximum(count - 1, 1), 0.5 + confidence / 2) * sd / np.sqrt(
            count)
    half = np.where(count >= 2, half, np.nan)
    return mean, mean - half, mean + half


def bootstrap_interval(
    values: np.ndarray,
    confidence: float = 0.95,
    resamples: int = 9999,
    rng: np.random.Generator | int | None = None,
) -> tuple[float, float, float]:
    """Mean and percentile-bootstrap bounds of independent replications (1-d).

    Replications are resampled with replacement; NaN entries (nothing to score) are left
    out first. With fewer than two values the bounds are NaN.

    Parameters
    ----------
    values : array_like
        One value per replication.
    confidence : float, default 0.95
    resamples : int, default 9999
    rng : Generator or int, optional
        None uses a fixed seed, so that repeated calls give the same bounds.

    Returns
    -------
    mean, low, high : float
    """
    x = np.asarray(values, dtype=float).reshape(-1)
    x = x[~np.isnan(x)]
    if x.size == 0:
        return np.nan, np.nan, np.nan
    mean = float(x.mean())
    if x.size < 2:
        return mean, np.nan, np.nan
    generator = np.random.default_rng(0 if rng is None else rng)
    picks = generator.integers(0, x.size, size=(int(resamples), x.size))
    means = x[picks].mean(axis=1)
    alpha = (1 - confidence) / 2
    low, high = np.quantile(means, [alpha, 1 - alpha])
    return mean, float(low), float(high)
