"""Confidence intervals across replications."""

from __future__ import annotations

import numpy as np
from scipy import stats

__all__ = ["t_interval"]


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
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.nanmean(values, axis=axis) if values.size else np.full(count.shape, np.nan)
        sd = np.nanstd(values, axis=axis, ddof=1) if values.size else mean
        half = stats.t.ppf(0.5 + confidence / 2, count - 1) * sd / np.sqrt(count)
    half = np.where(count >= 2, half, np.nan)
    return mean, mean - half, mean + half
