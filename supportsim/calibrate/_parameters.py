"""The estimates of a calibration as one tidy table (``CalibrationResult.parameters``)."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from supportsim.calibrate._estimate import ALL, Estimates

__all__ = ["parameters"]


def parameters(est: Estimates) -> pd.DataFrame:
    """The estimates as a tidy table: one row per parameter and group.

    Columns: ``parameter``, ``group``, ``estimate``, ``low``, ``high`` (interval at
    ``est.confidence``; NaN where none applies), ``unit``, ``n`` (observations behind it)
    and ``method``.
    """
    rows: list[dict[str, Any]] = []
    nan = math.nan

    def add(parameter: str, group: str, value: float, low: float, high: float, unit: str,
            n: int, method: str) -> None:
        rows.append({"parameter": parameter, "group": group, "estimate": float(value),
                     "low": float(low), "high": float(high), "unit": unit, "n": int(n),
                     "method": method})

    add("tickets", ALL, est.tickets, nan, nan, "tickets", est.tickets, "count")
    add("span", ALL, est.span, nan, nan, "h", est.tickets,
        "last opened_at - first opened_at")
    add("arrival_rate", ALL, est.rate, est.rate_low, est.rate_high, "tickets/h", est.tickets,
        "tickets / span; exact Poisson interval")
    for kind, shares in (("priority_share", est.priorities), ("channel_share", est.channels)):
        for name, s in shares.items():
            add(kind, name, s.value, s.low, s.high, "share", s.total, "k / n; Wilson interval")
    for name, f in est.resolution.items():
        fit = "scipy.stats.lognorm.fit(floc=0)"
        add("resolution_median", name, f.median, f.median_low, f.median_high, "h", f.n,
            f"{fit}: exp(mu); t interval on log times")
        add("resolution_sigma", name, f.sigma, f.sigma_low, f.sigma_high, "log h", f.n,
            f"{fit}: shape s; chi-square interval")
        add("resolution_mean", name, f.mean, f.mean_low, f.mean_high, "h", f.n,
            f"{fit}: exp(mu + s^2/2); Cox interval")
        add("resolution_cv", name, f.cv, nan, nan, "ratio", f.n, "sqrt(exp(s^2) - 1)")
        add("resolution_ks_statistic", name, f.ks_statistic, nan, nan, "D", f.n,
            "Kolmogorov-Smirnov distance to the fitted lognormal")
        add("resolution_ks_pvalue", name, f.ks_pvalue, nan, nan, "p", f.n,
            "KS p-value, parameters treated as known (optimistic)")
        add("observed_median_resolution", name, f.observed_median, nan, nan, "h", f.n,
            "sample median of resolved tickets")
    for name, count in est.unresolved.items():
        add("unresolved", name, count, nan, nan, "tickets", count, "no resolved_at")
    if est.reassignments is not None:
        counts = est.reassignments
        total = int(counts.sum())
        mean = float((counts.index.to_numpy() * counts.to_numpy()).sum() / total)
        add("reassignments_mean", ALL, mean, nan, nan, "per ticket", total, "mean count")
        for value, count in counts.items():
            add("reassignments_share", str(value), count / total, nan, nan, "share", total,
                "tickets with this many reassignments / tickets")
    if est.bounce is not None:
        b = est.bounce
        add("tennis_bounce", ALL, b.value, b.low, b.high, "probability", b.total,
            "share of reassigned tickets reassigned >= 3 times; Wilson interval")
    for name, s in est.made_sla.items():
        add("made_sla_share", name, s.value, s.low, s.high, "share", s.total,
            "made_sla true / known; Wilson interval")
    for name, value in est.response_median.items():
        add("response_time_median", name, value, nan, nan, "h", est.tickets,
            "median first_response_at - opened_at")
    return pd.DataFrame(rows)
