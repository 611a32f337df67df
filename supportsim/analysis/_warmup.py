"""Warm-up detection by MSER-5 and the output series it runs on.

MSER (White 1997) picks the truncation point ``d`` that minimises the squared standard
error of the mean of what is left, ``sum_{i>=d} (y_i - ybar_d)^2 / (m - d)^2``; MSER-5 runs
it on means of consecutive batches of 5 observations (Hoad, Robinson & Davies 2010, who
found it the most reliable of the truncation rules they compared). The search is over the
first half of the series only: a statistic still falling at mid-series means the series
never settles, and the result says so instead of returning a plausible cut.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from supportsim.results import SimulationResult

__all__ = ["METRICS", "Mser", "Warmup", "mser", "output_series", "warmup"]

#: Output series :func:`warmup` and :func:`batch_means` run on.
METRICS = {"wait": "waiting time (h) by arrival order", "backlog": "backlog by hour"}

#: The trend check splits what is left after the cut into this many consecutive groups.
TREND_GROUPS = 10
#: A slope of the group means more than this many standard errors above 0 is a trend.
TREND_T = 3.0
#: MSER needs this many batches after the cut for a variance worth comparing.
_TAIL = 5


@dataclass(frozen=True)
class Mser:
    """MSER on a 1-d series (:func:`mser`).

    Attributes
    ----------
    index : int
        Truncation point in observations: drop ``series[:index]``.
    batches : int
        Batches dropped (``index = batches * batch``).
    batch : int
    statistic : ndarray
        The MSER statistic for each candidate truncation (in batches), over all but the
        last 5 batches; the cut minimises it over the first half.
    settled : bool
        False when the overall minimum lies in the second half or what is left trends up.
    message : str
        Empty when settled, else the warning in words.
    """

    index: int
    batches: int
    batch: int
    statistic: np.ndarray = field(repr=False)
    settled: bool
    message: str


def _trend_t(values: np.ndarray) -> float:
    """t statistic of the least-squares slope of the means of TREND_GROUPS consecutive
    groups of `values` (group means of a long series are close to independent)."""
    groups = np.array_split(values, TREND_GROUPS)
    y = np.array([g.mean() for g in groups])
    x = np.arange(y.size, dtype=float) - (y.size - 1) / 2
    slope = float(x @ (y - y.mean()) / (x @ x))
    resid = y - y.mean() - slope * x
    se = float(np.sqrt(resid @ resid / (y.size - 2) / (x @ x)))
    if se == 0.0:
        return 0.0 if slope == 0.0 else float(np.sign(slope) * np.inf)
    return slope / se


def mser(series: np.ndarray, batch: int = 5) -> Mser:
    """MSER-`batch` truncation point of a 1-d series (MSER-5 with the default).

    Parameters
    ----------
    series : array_like
        Observations in time order; NaN entries are not allowed.
    batch : int, default 5
        Observations per batch mean; a tail shorter than a batch is left out.

    Returns
    -------
    Mser

    Raises
    ------
    ValueError
        With fewer than ``2 * TREND_GROUPS`` batches, a batch below 1, or NaN values.

    Notes
    -----
    Not settled when (a) the minimum over the first half lies in the last tenth of that
    half: the statistic is still falling at mid-series, so the true minimum is in the
    second half (Hoad, Robinson & Davies's rejection rule; the statistic over the second
    half itself is not used, as its last points are noisy and often dip spuriously on a
    strongly autocorrelated series), or (b) the batch means left after the cut trend up:
    the slope of the means of 10 consecutive groups is more than 3 standard errors above
    0 (an overloaded desk, whose queue grows without bound).
    """
    y = np.asarray(series, dtype=float).reshape(-1)
    if batch < 1:
        raise ValueError(f"batch must be at least 1, got {batch}")
    if np.isnan(y).any():
        raise ValueError("series holds NaN values; drop or fill them first")
    m = y.size // batch
    if m < 2 * TREND_GROUPS:
        raise ValueError(f"series too short: {y.size} observations make {m} batches of "
                         f"{batch}; MSER needs at least {2 * TREND_GROUPS}")
    means = y[: m * batch].reshape(m, batch).mean(axis=1)
    # Suffix sums give every candidate's mean and sum of squares in one pass.
    rest = np.arange(m, 0, -1, dtype=float)  # m - d for d = 0 .. m-1
    s2 = np.cumsum((means - means.mean())[::-1] ** 2)[::-1]
    c1 = np.cumsum((means - means.mean())[::-1])[::-1]
    # sum (y - ybar_d)^2 = sum (y - c)^2 - (sum (y - c))^2 / (m - d), centred for accuracy.
    ss = np.maximum(s2 - c1**2 / rest, 0.0)
    statistic = (ss / rest**2)[: m - _TAIL + 1]
    half = m // 2
    d = int(np.argmin(statistic[:half]))
    notes = []
    if d >= half - max(1, half // 10):
        notes.append(f"the MSER statistic is still falling at mid-series (smallest at batch "
                     f"{d} of the first half's {half})")
    t = _trend_t(means[d:])
    if t > TREND_T:
        notes.append(f"what is left after the cut trends up (slope {t:.1f} standard errors "
                     f"above 0, bound {TREND_T:g})")
    message = ""
    if notes:
        message = ("the series does not settle: " + "; ".join(notes)
                   + ". There is no steady state to estimate (an overloaded desk?), or the "
                   "run is too short to reach it: lengthen the horizon or add capacity.")
    return Mser(index=d * batch, batches=d, batch=batch, statistic=statistic,
                settled=not notes, message=message)


def output_series(res: SimulationResult, metric: str = "wait", *,
                  replication: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """An output series of `res` and the hours at which its observations fall.

    ``"wait"``: waiting time by arrival order (the ``[initial]`` backlog and the tickets
    still waiting at the horizon left out), the
    hours being arrival times; ``"backlog"``: the backlog at the top of each hour. Averaged
    across replications observation by observation (waits up to the shortest replication's
    count), or of one `replication`.

    Returns
    -------
    values, hours : ndarray
    """
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {', '.join(METRICS)}, got {metric!r}")
    if metric == "backlog":
        table = res.timeline
        if replication is not None:
            table = table[table["replication"] == replication]
        wide = table.pivot(index="t", columns="replication", values="backlog").astype(float)
        return wide.mean(axis=1).to_numpy(), wide.index.to_numpy(dtype=float)
    tickets = res.tickets
    tickets = tickets[~tickets["initial"]]
    if replication is not None:
        tickets = tickets[tickets["replication"] == replication]
    if tickets.empty:
        raise ValueError("no ticket to build the waiting-time series from")
    # A ticket still waiting at the horizon has no wait (NaN, censored): left out. They
    # are the last arrivals, so the series loses its tail rather than gaps.
    tickets = tickets[tickets["wait_time"].notna()]
    ordered = tickets.sort_values(["replication", "arrived_at"], kind="stable")
    waits = ordered["wait_time"].to_numpy(dtype=float)
    arrived = ordered["arrived_at"].to_numpy(dtype=float)
    counts = ordered.groupby("replication", sort=True).size().to_numpy()
    n = int(counts.min())
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    picks = starts[:, None] + np.arange(n)[None, :]
    values = waits[picks].mean(axis=0)
    return values, arrived[picks].mean(axis=0)


@dataclass(frozen=True)
class Warmup:
    """What :func:`warmup` returns.

    Attributes
    ----------
    metric : str
    index : int
        Truncation point in observations of `series`.
    hours : float
        The cut in hours since the start (mean arrival time of the ticket at `index` for
        ``"wait"``; the hour itself for ``"backlog"``).
    series : Series
        The replication average, indexed by the hour of each observation.
    statistic : ndarray
        The MSER statistic per candidate truncation in batches (:class:`Mser`).
    batch : int
    settled : bool
    message : str
        Empty when settled, else why the cut is not to be trusted.
    replications : int
    """

    metric: str
    index: int
    hours: float
    series: pd.Series = field(repr=False)
    statistic: np.ndarray = field(repr=False)
    batch: int
    settled: bool
    message: str
    replications: int

    def figure(self, **kwargs: Any) -> Figure:
        """The series, its running batch means and the cut
        (:func:`supportsim.plot.warmup`)."""
        from supportsim.plot import warmup as plot_warmup

        return plot_warmup(self, **kwargs)


def warmup(res: SimulationResult, metric: str = "wait", *, batch: int = 5) -> Warmup:
    """MSER-5 warm-up of an output series averaged across replications.

    Parameters
    ----------
    res : SimulationResult
        Simulated from an empty (or any) start; the scenario's own ``warmup`` plays no
        part, every ticket and hour is in the series.
    metric : {"wait", "backlog"}, default "wait"
        ``"wait"``: waiting time by arrival order (needs the ticket table);
        ``"backlog"``: the backlog at the top of each hour (the timeline).
    batch : int, default 5
        Observations per batch mean (MSER-5).

    Returns
    -------
    Warmup
        The cut (`hours`, `index`), the series and statistic, and `settled` with a
        `message` when the series does not settle (rules in :func:`mser`).

    Notes
    -----
    Trust the cut on a desk meant to reach a steady state (constant staffing and demand
    pattern over a long horizon). A horizon that is one transient event (a go-live, a
    storm) has no steady state to find: keep an explicit ``warmup`` there.
    """
    values, hours = output_series(res, metric)
    found = mser(values, batch=batch)
    cut = float(hours[min(found.index, hours.size - 1)])
    series = pd.Series(values, index=pd.Index(hours, name="hours"), name=metric)
    return Warmup(metric=metric, index=found.index, hours=cut, series=series,
                  statistic=found.statistic, batch=batch, settled=found.settled,
                  message=found.message, replications=int(res.replications))
