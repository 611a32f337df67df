"""Confidence intervals across replications.

Every interval the library reports contains its estimate and stays in the range of its
quantity (docs/analysis.md, "Intervals"): :func:`mean_interval` builds the Student-t
interval of the mean and keeps it in the range of the quantity: cut at 0 for
non-negative figures, on the logit scale for shares.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy import special

__all__ = ["SCALES", "bootstrap_interval", "mean_interval", "t_interval"]

#: Scales of :func:`mean_interval`: the range each one respects. ``"log"`` is the former
#: name of ``"nonnegative"`` (a log-scale interval until 0.2.0), kept as a synonym.
SCALES = {"linear": "any real", "nonnegative": "[0, inf)", "log": "[0, inf)",
          "logit": "[0, 1]"}


def t_interval(
    values: np.ndarray, axis: int = 0, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean and Student-t confidence bounds of independent replications along `axis`.

    NaN entries (a replication with nothing to score) are left out. With fewer than two
    values the bounds are NaN: one replication says nothing about its own variance.

    The bounds are ``mean -/+ half`` on the real line: for a quantity with a range
    (shares, times, counts) use :func:`mean_interval`, which respects it.

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
    out first. With fewer than two values the bounds are NaN. Resampled means lie between
    the smallest and largest value, so the bounds keep the values' range; they are widened
    to the mean in the rare case a skewed sample puts it outside, so the interval always
    contains its estimate.

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
    return mean, float(min(low, mean)), float(max(high, mean))


def mean_interval(
    values: np.ndarray,
    *,
    scale: str = "linear",
    axis: int = 0,
    confidence: float = 0.95,
    trials: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean of independent replications with a t-interval that respects the range.

    The interval is the Student-t interval of the mean, ``mean -/+ t * se`` with the
    standard error ``se`` of the mean across replications, kept in the range of the
    quantity: cut at 0 for a non-negative quantity, built on the logit scale for a share.
    It always contains the mean and never leaves the range of the scale.

    Parameters
    ----------
    values : array_like
        One value per replication along `axis`; NaN entries are left out.
    scale : {"linear", "nonnegative", "logit"}
        ``"linear"``: the plain t-interval (signed quantities, differences).
        ``"nonnegative"`` (or its former name ``"log"``): times, counts, backlogs:
        ``[max(0, mean - t se), mean + t se]``. The true mean is not negative, so the cut
        drops only values it cannot take and the coverage is the plain t-interval's.
        (The log-scale interval ``mean * exp(-/+ t se / mean)`` used before 0.2.0 is
        never narrower, and explodes with few replications: ``t(0.975, 1) = 12.7`` in the
        exponent turned replications 0 and 1 into ``[0, 164894]``.)
        ``"logit"``: shares in [0, 1] (attainment, utilisation): the interval of
        ``logit(mean)`` with half-width ``t se / (mean (1 - mean))`` (delta method).
    axis : int, default 0
    confidence : float, default 0.95
    trials : array_like, optional
        Logit scale only: the number of trials (e.g. scored tickets) summed over the
        replications, shaped like the mean. Where every replication sits at 0 or at 1 the
        logit is infinite and the replications show no spread; with `trials` the open
        side is then the Wilson score bound of ``trials`` trials that all failed (or all
        met), e.g. ``[n / (n + z^2), 1]`` for all met. Without it the interval is the
        point itself.

    Returns
    -------
    mean, low, high : ndarray
        NaN bounds with fewer than two replications (nothing to say about the spread).

    Raises
    ------
    ValueError
        An unknown `scale`, or values outside its range.
    """
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {', '.join(SCALES)}, got {scale!r}")
    mean, low, high = t_interval(values, axis=axis, confidence=confidence)
    if scale == "linear":
        return mean, low, high
    x = np.asarray(values, dtype=float)
    top = 1.0 if scale == "logit" else np.inf
    if np.any((x < 0) | (x > top)):
        raise ValueError(f"values on the {scale} scale must lie in {SCALES[scale]}")
    if scale != "logit":
        # Mean 0 means every replication is 0, so the half-width is 0 too: [0, 0].
        return mean, np.maximum(low, 0.0), high
    half = (high - mean)  # t * se; NaN with fewer than two replications
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        spread = half / (mean * (1 - mean))
        low = special.expit(special.logit(mean) - spread)
        high = special.expit(special.logit(mean) + spread)
        edge = (mean == 0) | (mean == 1)
    # At an edge of the range every replication sits on it: no spread to speak of.
    edge = edge & ~np.isnan(half)
    low, high = np.where(edge, mean, low), np.where(edge, mean, high)
    if trials is not None:
        n = np.broadcast_to(np.asarray(trials, dtype=float), np.shape(mean))
        z2 = special.ndtri(0.5 + confidence / 2) ** 2
        with np.errstate(invalid="ignore", divide="ignore"):
            wilson = n / (n + z2)  # the far Wilson bound of n successes out of n
        low = np.where(edge & (mean == 1) & (n > 0), wilson, low)
        high = np.where(edge & (mean == 0) & (n > 0), 1 - wilson, high)
    # Rounding at the last bit must not put the estimate outside its own interval.
    low, high = np.minimum(low, mean), np.maximum(high, mean)
    return mean, low, high
