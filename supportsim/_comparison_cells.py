"""The cells of a paired comparison table, one way for the CLI (``run --vs``) and the HTML
report: metric labels, levels and differences in the metric's own unit.

Shares read ``91.1%`` and ``+1.2 pp [...]``; times in minutes below an hour, else hours;
costs (``cost_*``) as money with thousands separators (``290,320``; two decimals per
resolved ticket), never as a time.
"""

from __future__ import annotations

import math
from typing import Any

from supportsim.units import wait_text

__all__ = ["COST_NAMES", "METRIC_NAMES", "difference", "is_cost", "level", "money",
           "money_difference"]

#: Labels of the cost metrics of :func:`supportsim.compare`.
COST_NAMES = {f"cost_{item}": f"cost: {item.replace('_', ' ')}" for item in (
    "staff", "overtime", "reserve", "hiring", "penalties", "total", "per_resolved_ticket")}

#: Labels of every comparison metric.
METRIC_NAMES = {
    "response_attainment": "response met",
    "resolution_attainment": "resolution met",
    "mean_resolution_time": "mean resolution",
    "p90_resolution_time": "p90 resolution",
    **COST_NAMES,
}


def is_cost(metric: str) -> bool:
    """Whether a comparison metric is an amount of money (``cost_...``)."""
    return metric.startswith("cost_")


def money(value: float, digits: int = 0) -> str:
    """``12,345`` (or ``12.35`` with `digits`); ``n/a`` for NaN."""
    return "n/a" if math.isnan(value) else f"{value:,.{digits}f}"


def money_difference(row: Any) -> str:
    """``+1,234 [+456, +2,012]`` for a comparison row (``difference``, ``low``, ``high``)."""
    if math.isnan(row.difference):
        return "n/a"
    digits = 2 if row.metric == "cost_per_resolved_ticket" else 0
    text = f"{row.difference:+,.{digits}f}"
    if not (math.isnan(row.low) or math.isnan(row.high)):
        text += f" [{row.low:+,.{digits}f}, {row.high:+,.{digits}f}]"
    return text


def level(value: float, metric: str) -> str:
    """A base or variant value of `metric`: ``91.1%``, ``15.8 min``, ``290,320``."""
    if math.isnan(value):
        return "n/a"
    if is_cost(metric):
        return money(value, 2 if metric == "cost_per_resolved_ticket" else 0)
    return f"{value:.1%}" if metric.endswith("attainment") else wait_text(value)


def _time_or_share(row: Any, share: bool) -> str:
    """``+3.1 pp [+1.0, +5.2]`` for shares; minutes or hours, by size, for times."""
    if math.isnan(row.difference):
        return "n/a"
    values = [row.difference, row.low, row.high]
    if share:
        scale, unit = 100.0, "pp"
    else:
        biggest = max(abs(v) for v in values if not math.isnan(v))
        scale, unit = (60.0, "min") if biggest < 1 else (1.0, "h")
    digits = 1 if scale != 1.0 or share else 2
    text = f"{row.difference * scale:+.{digits}f} {unit}"
    if not (math.isnan(row.low) or math.isnan(row.high)):
        text += f" [{row.low * scale:+.{digits}f}, {row.high * scale:+.{digits}f}]"
    return text


def difference(row: Any) -> str:
    """The difference cell of a comparison row (``metric``, ``difference``, ``low``,
    ``high``) with its interval, in the metric's unit."""
    if is_cost(row.metric):
        return money_difference(row)
    return _time_or_share(row, row.metric.endswith("attainment"))
