"""Estimates from a normalised ticket history, each with an interval where one makes sense.

Definitions (also in docs/calibration.md):

- **rate** = tickets / span, span = last ``opened_at`` - first ``opened_at``; exact
  Poisson interval on the count, divided by the span.
- **weekly profile** (hour of day x day of week) only when the span is at least two weeks:
  arrivals per hour of day and per weekday divided by the hours of exposure of each, so a
  partial week counts once; otherwise ``"flat"`` and a :class:`CalibrationWarning`.
- **shares** (priority, channel, made SLA, bounce): Wilson score intervals.
- **resolution time** per priority: ``scipy.stats.lognorm.fit(t, floc=0)``; the median
  ``exp(mu)`` and mean ``exp(mu + s^2/2)`` with normal-theory intervals on log times
  (Student t for mu, Cox's method for the mean), the KS statistic against the fitted law.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from supportsim.calibrate._read import EventLogError, TicketLog

__all__ = [
    "ALL", "TWO_WEEKS", "CalibrationWarning", "Estimates", "LognormalFit", "Share", "estimate",
    "fit_lognormal", "wilson",
]

TWO_WEEKS = 336.0  # hours of history needed before a weekly profile is fitted
ALL = "all"


class CalibrationWarning(UserWarning):
    """Something the history cannot support was replaced by a stated default."""


@dataclass(frozen=True)
class Share:
    """A share ``k / n`` with its Wilson interval."""

    count: int
    total: int
    value: float
    low: float
    high: float


@dataclass(frozen=True)
class LognormalFit:
    """A lognormal fit (``floc=0``) of resolution times in hours.

    ``sigma`` is the shape ``s``, ``median = exp(mu)`` the scale; ``mean`` and ``cv`` are
    the fitted law's; the KS p-value treats the parameters as known, so it is optimistic
    (a Lilliefors correction would lower it).
    """

    n: int
    mu: float
    sigma: float
    sigma_low: float
    sigma_high: float
    median: float
    median_low: float
    median_high: float
    mean: float
    mean_low: float
    mean_high: float
    cv: float
    ks_statistic: float
    ks_pvalue: float
    observed_median: float
    observed_mean: float
    dropped_zero: int


@dataclass(frozen=True)
class Estimates:
    """Everything fitted from one ticket history (see the module notes for definitions)."""

    tickets: int
    first_opened: pd.Timestamp
    last_opened: pd.Timestamp
    span: float
    rate: float
    rate_low: float
    rate_high: float
    profile: str | dict[str, list[float]]
    profile_note: str
    priorities: dict[str, Share]
    channels: dict[str, Share]
    resolution: dict[str, LognormalFit]
    unresolved: dict[str, int]
    reassignments: pd.Series | None  # tickets per reassignment count
    bounce: Share | None
    made_sla: dict[str, Share]
    response_median: dict[str, float]
    confidence: float
    warnings: tuple[str, ...] = field(default=())


def wilson(count: int, total: int, confidence: float) -> Share:
    """The Wilson score interval of ``count / total``."""
    if total == 0:
        return Share(count, total, math.nan, math.nan, math.nan)
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    p = count / total
    centre = (p + z * z / (2 * total)) / (1 + z * z / total)
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / (1 + z * z / total)
    return Share(count, total, p, max(0.0, centre - half), min(1.0, centre + half))


def _shares(values: pd.Series, confidence: float, order: list[str] | None = None
            ) -> dict[str, Share]:
    counts = values.value_counts()
    names = order if order is not None else list(counts.index)
    return {str(k): wilson(int(counts.get(k, 0)), len(values), confidence) for k in names}


def fit_lognormal(times: np.ndarray, confidence: float) -> LognormalFit | None:
    """Fit a lognormal (``floc=0``) to positive `times`; None with fewer than 2 values."""
    times = np.asarray(times, dtype=float)
    positive = times[times > 0]
    n = positive.size
    if n < 2 or np.ptp(positive) == 0:
        return None
    sigma, _, scale = stats.lognorm.fit(positive, floc=0)
    logs = np.log(positive)
    mu = math.log(scale)
    sd = float(np.std(logs, ddof=1))
    alpha = 1 - confidence
    t = float(stats.t.ppf(1 - alpha / 2, n - 1))
    z = float(stats.norm.ppf(1 - alpha / 2))
    # Chi-square interval for sigma (normal theory on the log times).
    s_low = sd * math.sqrt((n - 1) / stats.chi2.ppf(1 - alpha / 2, n - 1))
    s_high = sd * math.sqrt((n - 1) / stats.chi2.ppf(alpha / 2, n - 1))
    # Cox's method for the lognormal mean: log mean = mu + s^2/2, with variance
    # s^2/n + s^4/(2(n-1)).
    log_mean = mu + sigma**2 / 2
    half = z * math.sqrt(sd**2 / n + sd**4 / (2 * (n - 1)))
    ks = stats.kstest(positive, stats.lognorm(sigma, 0, scale).cdf)
    return LognormalFit(
        n=n, mu=mu, sigma=float(sigma), sigma_low=s_low, sigma_high=s_high,
        median=float(scale), median_low=math.exp(mu - t * sd / math.sqrt(n)),
        median_high=math.exp(mu + t * sd / math.sqrt(n)),
        mean=math.exp(log_mean), mean_low=math.exp(log_mean - half),
        mean_high=math.exp(log_mean + half), cv=math.sqrt(math.expm1(sigma**2)),
        ks_statistic=float(ks.statistic), ks_pvalue=float(ks.pvalue),
        observed_median=float(np.median(times)), observed_mean=float(np.mean(times)),
        dropped_zero=int(times.size - n),
    )


def _exposure(first: pd.Timestamp, last: pd.Timestamp) -> np.ndarray:
    """Hours of observation in each hour of the week (168, Monday 00:00 first)."""
    start = first.floor("h")
    edges = pd.date_range(start, last.ceil("h") + pd.Timedelta(hours=1), freq="h")
    lo = np.maximum(edges[:-1].to_numpy(), np.datetime64(first))
    hi = np.minimum(edges[1:].to_numpy(), np.datetime64(last))
    hours = np.clip((hi - lo) / np.timedelta64(1, "h"), 0.0, 1.0)
    week_hour = edges[:-1].day_of_week.to_numpy() * 24 + edges[:-1].hour.to_numpy()
    return np.bincount(week_hour, weights=hours, minlength=168)


def weekly_profile(opened: pd.Series, first: pd.Timestamp, last: pd.Timestamp
                   ) -> dict[str, list[float]]:
    """Hourly (24) and daily (7) weights, each with mean 1, rounded to 3 decimals."""
    exposure = _exposure(first, last).reshape(7, 24)
    week_hour = opened.dt.day_of_week.to_numpy() * 24 + opened.dt.hour.to_numpy()
    counts = np.bincount(week_hour, minlength=168).reshape(7, 24)
    hourly = counts.sum(axis=0) / exposure.sum(axis=0)
    daily = counts.sum(axis=1) / exposure.sum(axis=1)
    return {"hourly": [round(float(w), 3) for w in hourly / hourly.mean()],
            "daily": [round(float(w), 3) for w in daily / daily.mean()]}


def _bounce(counts: pd.Series, confidence: float) -> Share:
    # One or two reassignments: escalations up the tiers (L1->L2, L2->L3). Three or more:
    # an escalation sent back down and up again at least once -- ticket tennis.
    return wilson(int((counts >= 3).sum()), int((counts >= 1).sum()), confidence)


def _priority_order(names: Any) -> list[str]:
    return sorted({str(n) for n in names}, key=lambda p: (len(p), p))


def estimate(log: TicketLog, confidence: float = 0.95) -> Estimates:
    """Fit demand, mix, resolution times, reassignments and SLA shares of `log`.

    Warns
    -----
    CalibrationWarning
        When the span is shorter than two weeks (flat profile), when there are resolution
        times of zero (left out of the fit) or a priority has too few resolved tickets.
    """
    tickets = log.tickets
    notes: list[str] = []

    def warn(text: str) -> None:
        notes.append(text)
        # warn -> estimate -> from_event_log -> the caller
        warnings.warn(text, CalibrationWarning, stacklevel=4)

    opened = tickets["opened_at"]
    first, last = opened.min(), opened.max()
    span = (last - first).total_seconds() / 3600
    n = len(tickets)
    if span <= 0:
        raise EventLogError(f"all {n} tickets opened at the same instant ({first}); the arrival "
                         f"rate needs a span of time ({log.source})")
    alpha = 1 - confidence
    rate_low = stats.chi2.ppf(alpha / 2, 2 * n) / 2 / span
    rate_high = stats.chi2.ppf(1 - alpha / 2, 2 * n + 2) / 2 / span
    if span >= TWO_WEEKS:
        profile: str | dict[str, list[float]] = weekly_profile(opened, first, last)
        profile_note = (f"fitted: arrivals per hour of day and per weekday over "
                        f"{span / 168:.1f} weeks of history, divided by their exposure")
    else:
        profile = "flat"
        profile_note = (f"flat: the history spans {span:.1f} h ({span / 24:.1f} days), "
                        f"less than the two weeks needed to fit a weekly profile")
        warn(f"weekly profile not fitted: the history spans {span / 24:.1f} days, less "
             f"than two weeks; using a flat profile ({log.source})")

    order = _priority_order(tickets["priority"].unique())
    priorities = _shares(tickets["priority"], confidence, order)
    channels = _shares(tickets["channel"], confidence)
    resolution: dict[str, LognormalFit] = {}
    unresolved: dict[str, int] = {}
    groups = [(ALL, tickets), *((p, tickets[tickets["priority"] == p]) for p in order)]
    for name, rows in groups:
        times = rows["resolution_time"].dropna().to_numpy()
        unresolved[name] = int(rows["resolution_time"].isna().sum())
        fit = fit_lognormal(times, confidence)
        if fit is None and name == ALL:
            # The skeleton's effort and every report rest on the pooled fit: no default.
            positive = np.unique(times[times > 0])
            raise EventLogError(
                f"column 'resolved_at' gives nothing to fit: {times.size} resolved "
                f"ticket(s), {positive.size} distinct positive resolution time(s); a "
                f"lognormal fit needs at least 2 ({log.source})")
        if fit is None:
            warn(f"resolution time of {name} not fitted: {times.size} resolved ticket(s) "
                 f"with distinct positive times, at least 2 are needed ({log.source})")
            continue
        resolution[name] = fit
    if resolution.get(ALL) and resolution[ALL].dropped_zero:
        warn(f"{resolution[ALL].dropped_zero} ticket(s) resolved at the instant they opened "
             f"were left out of the lognormal fits ({log.source})")

    counts = tickets["reassignments"].dropna()
    reassign = (counts.astype(int).value_counts().sort_index()
                if "reassignments" in log.columns and len(counts) else None)
    bounce = _bounce(counts, confidence) if reassign is not None else None
    made: dict[str, Share] = {}
    if "made_sla" in log.columns:
        flags = tickets[["priority", "made_sla"]].dropna()
        for name, rows in [(ALL, flags), *((p, flags[flags["priority"] == p]) for p in order)]:
            if len(rows):
                made[name] = wilson(int(rows["made_sla"].sum()), len(rows), confidence)
    response: dict[str, float] = {}
    if "first_response_at" in log.columns:
        wait = (tickets["first_response_at"] - opened).dt.total_seconds() / 3600
        for name, rows in [(ALL, tickets), *((p, tickets[tickets["priority"] == p])
                                             for p in order)]:
            values = wait[rows.index].dropna()
            if len(values):
                response[name] = float(values.median())
    return Estimates(
        tickets=n, first_opened=first, last_opened=last, span=span, rate=n / span,
        rate_low=float(rate_low), rate_high=float(rate_high), profile=profile,
        profile_note=profile_note, priorities=priorities, channels=channels,
        resolution=resolution, unresolved=unresolved, reassignments=reassign, bounce=bounce,
        made_sla=made, response_median=response, confidence=confidence,
        warnings=tuple(notes),
    )

