"""Which variants of a sweep are overloaded, and why.

Two signals, because each misses what the other sees:

- **offered load against capacity** (:func:`supportsim.capacity.tier_loads`, per tier of
  the variant's scenario): work arriving per hour over the mean agents on duty. At 1 or
  more the queue cannot settle, yet a critically loaded desk (a ratio of exactly 1) or
  one whose callers hang up keeps a backlog without a clear trend;
- **the backlog trend**: the least-squares slope of the hourly backlog over the second
  half of the scored window (``backlog_growth``), with its t-interval across
  replications. Growing means the interval excludes 0 *and* the slope is material, at
  least :data:`MATERIAL_GROWTH` of the arrival rate: a healthy desk whose demand grows
  carries a slightly larger backlog each week (Little's law), which a tight interval would
  otherwise call growth. This catches overload in peaks and bursts that averages hide.

A variant is overloaded when either signal says so.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import pandas as pd

from supportsim.sweeps._task import build_variant

if TYPE_CHECKING:
    from supportsim.sweeps._result import SweepResult

__all__ = ["MATERIAL_GROWTH", "overload"]

#: Backlog growth (tickets/h) counted as material: this share of the arrival rate.
MATERIAL_GROWTH = 0.01


def overload(result: SweepResult, confidence: float = 0.95) -> pd.DataFrame:
    """Per variant: offered load against capacity and the backlog trend.

    Parameters
    ----------
    result : SweepResult
    confidence : float
        Level of the backlog trend's interval.

    Returns
    -------
    DataFrame
        ``variant``, ``offered_utilisation`` (the highest tier's offered load over mean
        agents on duty), ``offered_tier`` (that tier, ``"team"`` when swarming),
        ``backlog_growth`` with ``_low``/``_high`` (tickets per hour), ``arrival_rate``
        (scored tickets per hour), ``growing`` and ``overloaded`` (module notes).
    """
    from supportsim.capacity import tier_loads

    summary = result.summary(confidence=confidence)
    scenario = result.scenario
    window = scenario.horizon - scenario.warmup
    overrides = dict(zip(result.variants["variant"].astype(str),
                         result.variants["overrides"], strict=True))
    rows = []
    for row in summary.itertuples(index=False):
        name = str(row.variant)
        try:
            loads = tier_loads(build_variant(scenario, overrides[name]))
            top = loads.loc[loads["utilisation"].idxmax()]
            offered, tier = float(top["utilisation"]), str(top["tier"])
        except (ValueError, ArithmeticError):  # its tasks' failures are reported
            offered, tier = math.nan, ""
        rate = float(row.tickets) / window if window > 0 else math.nan
        growing = bool(row.backlog_growth_low > 0
                       and row.backlog_growth >= MATERIAL_GROWTH * rate)
        rows.append({
            "variant": name, "offered_utilisation": offered, "offered_tier": tier,
            "backlog_growth": float(row.backlog_growth),
            "backlog_growth_low": float(row.backlog_growth_low),
            "backlog_growth_high": float(row.backlog_growth_high),
            "arrival_rate": rate, "growing": growing,
            "overloaded": growing or bool(offered >= 1.0),
        })
    return pd.DataFrame(rows)
