"""The factor of a breaking-point search: its current value, ranges and default grid."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from supportsim.scenario import Scenario

__all__ = ["DEFAULT_POINTS", "current_value", "default_grid", "is_integer", "override_value",
           "span_values"]

FloatArray = npt.NDArray[np.float64]

DEFAULT_POINTS = 7


def _lookup(scenario: Scenario, factor: str) -> Any:
    """The current value of a dotted key (list items by index or name), or None."""
    node: Any = scenario.to_dict()
    for part in factor.split("."):
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list):
            named = [item for item in node if isinstance(item, dict) and item.get("name") == part]
            if named:
                node = named[0]
            elif part.lstrip("-").isdigit() and -len(node) <= int(part) < len(node):
                node = node[int(part)]
            else:
                return None
        else:
            return None
        if node is None:
            return None
    return node


def current_value(scenario: Scenario, factor: str) -> Any:
    """The factor's current value; a shift tier's staff is the shifts' sum (its head count,
    which an override of the key scales)."""
    value = _lookup(scenario, factor)
    parts = factor.split(".")
    if (value is None and len(parts) == 4 and parts[:2] == ["team", "tiers"]
            and parts[3] == "staff" and parts[2] in scenario.team.tiers):
        return scenario.team.tiers[parts[2]].headcount
    return value


def is_integer(value: Any) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool)


def span_values(scenario: Scenario, factor: str, lo: float, hi: float,
                points: int | None = None) -> list[float]:
    """The values of a range ``LO:HI[:N]``: `points` evenly spaced from `lo` to `hi`, both
    included.

    For an integer factor (its current value is an integer: staff) the default is every
    integer from `lo` to `hi`, and `points` must give integer steps; a continuous factor
    defaults to 7 points.

    Raises
    ------
    ValueError
        Bounds out of order, or a range that does not give evenly spaced integers.
    """
    if not hi > lo:
        raise ValueError(f"range: expected LO < HI, got {lo:g}:{hi:g}")
    if points is not None and points < 2:
        raise ValueError(f"range: expected N >= 2 points, got {points}")
    if not is_integer(current_value(scenario, factor)):
        return [float(v) for v in np.linspace(lo, hi, points or DEFAULT_POINTS)]
    if lo != round(lo) or hi != round(hi):
        raise ValueError(f"range: {factor} is an integer, got {lo:g}:{hi:g}")
    first, last = round(lo), round(hi)
    if points is None:
        return list(range(first, last + 1))
    step, rest = divmod(last - first, points - 1)
    if rest or not step:
        fits = [n for n in range(2, last - first + 2) if (last - first) % (n - 1) == 0]
        raise ValueError(f"range: {points} points from {first} to {last} are not evenly "
                         f"spaced integers; give N in {fits} (or --values A,B,C)")
    return list(range(first, last + 1, step))


def default_grid(base: Any, factor: str, integer: bool) -> FloatArray:
    if not isinstance(base, int | float) or isinstance(base, bool) or base <= 0:
        raise ValueError(f"values: give the factor values to evaluate; {factor} has no "
                         f"positive numeric value to build a default grid from (got {base!r})")
    lo, hi = 0.5 * base, 2.0 * base
    if integer:
        return np.unique(np.round(np.linspace(max(1.0, lo), hi, DEFAULT_POINTS)))
    return np.linspace(lo, hi, DEFAULT_POINTS)


def override_value(value: float, integer: bool) -> int | float:
    return round(value) if integer else float(value)
