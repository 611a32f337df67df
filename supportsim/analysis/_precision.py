"""Precision of a steady-state estimate: batch means on one long replication, and the
replications a pilot says are needed for a target half-width (the "trial calculator")."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from scipy import special

from supportsim.analysis._warmup import mser, output_series

if TYPE_CHECKING:
    from supportsim.results import SimulationResult

__all__ = ["LAG1_BOUND", "BatchMeans", "ReplicationsNeeded", "batch_means",
           "batch_means_interval", "replication_values", "replications_for",
           "replications_needed"]

#: Lag-1 autocorrelation of the batch means above which the batches are too few or too
#: short to be taken as independent (Law, Simulation Modeling and Analysis, 5th ed., 9.5.3).
LAG1_BOUND = 0.2


@dataclass(frozen=True)
class BatchMeans:
    """A batch-means interval (:func:`batch_means`, :func:`batch_means_interval`).

    Attributes
    ----------
    mean, low, high, half_width : float
        The grand mean of the batch means and its Student-t interval (batches - 1 degrees
        of freedom).
    confidence : float
    batches, batch_size : int
    lag1 : float
        Lag-1 autocorrelation of the batch means.
    independent : bool
        ``lag1 <= LAG1_BOUND``.
    message : str
        Empty when `independent`, else the warning in words.
    means : ndarray
    start : float
        Hours (or observations, for a bare series) dropped before the first batch.
    """

    mean: float
    low: float
    high: float
    half_width: float
    confidence: float
    batches: int
    batch_size: int
    lag1: float
    independent: bool
    message: str
    means: np.ndarray = field(repr=False)
    start: float = 0.0


def batch_means_interval(values: np.ndarray, batches: int = 20,
                         confidence: float = 0.95) -> BatchMeans:
    """Non-overlapping batch means of a (steady-state) series with a t-interval.

    The observations that do not fill a batch are dropped at the start of the series
    (nearest the warm-up), so every batch has the same size.

    Parameters
    ----------
    values : array_like
        Observations in time order, warm-up already removed.
    batches : int, default 20
        At least 2 and at most the number of observations.
    confidence : float, default 0.95

    Returns
    -------
    BatchMeans
    """
    x = np.asarray(values, dtype=float).reshape(-1)
    if not 2 <= batches <= x.size:
        raise ValueError(f"batches must lie in [2, {x.size}] (the observations), "
                         f"got {batches}")
    size = x.size // batches
    means = x[x.size - size * batches:].reshape(batches, size).mean(axis=1)
    mean = float(means.mean())
    sd = float(means.std(ddof=1))
    half = float(special.stdtrit(batches - 1, 0.5 + confidence / 2) * sd / math.sqrt(batches))
    centred = means - mean
    denom = float(centred @ centred)
    lag1 = float(centred[:-1] @ centred[1:] / denom) if denom > 0 else 0.0
    independent = lag1 <= LAG1_BOUND
    message = "" if independent else (
        f"the batch means are correlated (lag-1 autocorrelation {lag1:.2f} > "
        f"{LAG1_BOUND:g}): too few or too short batches, so the interval is too narrow; "
        "use fewer, longer batches or a longer run")
    return BatchMeans(mean=mean, low=mean - half, high=mean + half, half_width=half,
                      confidence=confidence, batches=batches, batch_size=size, lag1=lag1,
                      independent=independent, message=message, means=means)


def batch_means(res: SimulationResult, metric: str = "wait", batches: int = 20,
                confidence: float = 0.95, *, replication: int | None = None,
                warmup: float | str | None = None) -> BatchMeans:
    """Batch-means interval of a steady-state mean from one long replication.

    Parameters
    ----------
    res : SimulationResult
        One replication, or name it with `replication`.
    metric : {"wait", "backlog"}, default "wait"
        Waiting time by arrival order, or backlog by hour.
    batches : int, default 20
    confidence : float, default 0.95
    replication : int, optional
        Required when `res` holds more than one replication.
    warmup : float or "mser", optional
        Hours dropped before batching; None (default) uses the scenario's ``warmup``;
        ``"mser"`` finds it by MSER-5 on this replication's series (and refuses a
        series that does not settle).

    Returns
    -------
    BatchMeans
        `start` is the warm-up in hours.

    Raises
    ------
    ValueError
        Several replications and no `replication`; an unknown `metric`; a series that
        does not settle under ``warmup="mser"``.
    """
    reps = sorted(int(r) for r in res.timeline["replication"].unique())
    if replication is None:
        if len(reps) != 1:
            raise ValueError(
                f"batch_means is for one long replication and this result holds {len(reps)}: "
                "name one with replication=..., or use the t-interval across replications "
                "(res.summary())")
        replication = reps[0]
    elif replication not in reps:
        raise ValueError(f"replication {replication} is not in this result ({reps})")
    values, hours = output_series(res, metric, replication=replication)
    if warmup is None:
        start = float(res.scenario.warmup)
    elif warmup == "mser":
        found = mser(values)
        if not found.settled:
            raise ValueError(f"no warm-up to cut: {found.message}")
        start = float(hours[found.index])
    elif isinstance(warmup, str):
        raise ValueError(f"warmup must be hours, 'mser' or None, got {warmup!r}")
    else:
        start = float(warmup)
    out = batch_means_interval(values[hours >= start], batches, confidence)
    return BatchMeans(**{**out.__dict__, "start": start})


def replication_values(res: SimulationResult, metric: str) -> np.ndarray:
    """Per-replication values of `metric`: ``"P1.response"`` / ``"P1.resolution"``
    (attainment of a priority, :meth:`~supportsim.SimulationResult.attainment`), a
    metric of :meth:`~supportsim.SimulationResult.summary` (``"mean_wait"``, ...) or a
    short name (``"wait"``, ``"abandoned"``; :mod:`supportsim.analysis._metric_names`)."""
    from supportsim.analysis._metric_names import ALIASES

    per_rep = res.per_replication()
    metric = ALIASES.get(metric, metric)  # "wait" -> "mean_wait", as simulate(precision=)
    if metric in per_rep:
        return per_rep[metric][0].to_numpy(dtype=float)
    priority, _, kind = metric.rpartition(".")
    if kind in ("response", "resolution") and priority:
        name = f"{kind}_attainment_{priority}"
        if name in per_rep:
            return per_rep[name][0].to_numpy(dtype=float)
    known = ", ".join([*per_rep, "PRIORITY.response", "PRIORITY.resolution"])
    raise ValueError(f"unknown metric {metric!r}; known: {known}")


def replications_for(sd: float, half_width: float, confidence: float = 0.95,
                     max_replications: int = 1_000_000) -> int:
    """Smallest n >= 2 with ``t_{n-1} sd / sqrt(n) <= half_width``.

    Starts from the normal approximation ``(z sd / h)^2`` (a lower bound, since the t
    quantile exceeds z) and steps up until the t condition holds.

    Raises
    ------
    ValueError
        A non-positive `half_width`, a negative `sd`, or more than `max_replications`
        needed.
    """
    if not half_width > 0:
        raise ValueError(f"half_width must be positive, got {half_width}")
    if not sd >= 0:
        raise ValueError(f"sd must be a non-negative number, got {sd}")
    z = float(special.ndtri(0.5 + confidence / 2))
    n = max(2, math.ceil((z * sd / half_width) ** 2))
    if n > max_replications:
        raise ValueError(f"about {n:,} replications needed, more than {max_replications:,}")
    while special.stdtrit(n - 1, 0.5 + confidence / 2) * sd / math.sqrt(n) > half_width:
        n += 1
    return n


@dataclass(frozen=True)
class ReplicationsNeeded:
    """What :func:`replications_needed` returns.

    Attributes
    ----------
    metric : str
    replications : int
        Replications estimated to reach the half-width (at least 2).
    sd : float
        The pilot's standard deviation across replications.
    mean : float
        The pilot's mean.
    pilot : int
        Replications in the pilot.
    pilot_half_width : float
        The pilot's own t half-width.
    half_width, confidence : float
    """

    metric: str
    replications: int
    sd: float
    mean: float
    pilot: int
    pilot_half_width: float
    half_width: float
    confidence: float


def replications_needed(res: SimulationResult, metric: str, half_width: float,
                        confidence: float = 0.95) -> ReplicationsNeeded:
    """Replications needed so the t-interval of `metric` has at most `half_width`.

    The smallest n with ``t_{n-1} s / sqrt(n) <= half_width``, s being the pilot's
    standard deviation across replications (:func:`replications_for`).

    Parameters
    ----------
    res : SimulationResult
        The pilot: at least 2 replications.
    metric : str
        ``"P1.response"``, ``"P1.resolution"`` (attainment, a share in [0, 1]) or a
        metric of ``res.summary()`` such as ``"mean_wait"`` (hours).
    half_width : float
        In the metric's unit: 0.01 is one percentage point of attainment.
    confidence : float, default 0.95

    Returns
    -------
    ReplicationsNeeded

    Notes
    -----
    The count is for the plain (linear) t-interval. ``res.summary()`` and ``res.sla()``
    report intervals on the logit scale for shares and cut at 0 for times; those
    have the same half-width to first order (delta method) away from the edges of the
    range, and are asymmetric or cut near them (attainment close to 100 %), where the count is an
    approximation. The pilot's s is itself uncertain: with few pilot replications the
    count can be off by a factor of two either way, so re-check the half-width after the
    run.
    """
    values = replication_values(res, metric)
    values = values[~np.isnan(values)]
    if values.size < 2:
        raise ValueError(f"the pilot has {values.size} replication(s) with a value of "
                         f"{metric!r}; at least 2 are needed to estimate the spread")
    sd = float(values.std(ddof=1))
    pilot_half = float(special.stdtrit(values.size - 1, 0.5 + confidence / 2) * sd
                       / math.sqrt(values.size))
    return ReplicationsNeeded(metric=metric,
                              replications=replications_for(sd, half_width, confidence),
                              sd=sd, mean=float(values.mean()), pilot=int(values.size),
                              pilot_half_width=pilot_half, half_width=float(half_width),
                              confidence=confidence)
