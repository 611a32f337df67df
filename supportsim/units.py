"""Durations: every duration in supportsim is a float number of hours.

In scenario files a duration is either a number of hours or a string with a unit:
``"90s"``, ``"15min"``, ``"4h"``, ``"3d"`` (24-hour days) or ``"2w"``.

SLA targets on a business clock may also be written in business days, ``"3bd"``. Their
length in hours depends on the scenario's calendar, so this module only reads the count
(:func:`parse_business_days`); the scenario resolves it (see docs/scenario.md).
"""

from __future__ import annotations

import math
import numbers
import re

__all__ = ["BUSINESS_DAY", "UNITS", "format_duration", "parse_business_days", "parse_duration",
           "readable_duration", "span_text", "wait_text"]

#: Hours per unit, largest first so that :func:`format_duration` picks the coarsest exact unit.
UNITS: dict[str, float] = {"w": 168.0, "d": 24.0, "h": 1.0, "min": 1 / 60, "s": 1 / 3600}

#: Larger counts are not whole numbers in a float (and their text would overflow to inf).
_MAX_COUNT = 2.0**53

_PATTERN = re.compile(r"^\s*([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*(w|d|h|min|s)\s*$")

#: The business-day unit: ``"3bd"`` is three business days of the scenario's calendar.
BUSINESS_DAY = "bd"

_BUSINESS_PATTERN = re.compile(r"^\s*([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*bd\s*$")


def parse_duration(value: object) -> float:
    """Return a duration in hours.

    Parameters
    ----------
    value : float, int or str
        A number of hours, or a string such as ``"15min"`` or ``"26w"``.

    Returns
    -------
    float
        Hours.

    Raises
    ------
    ValueError
        If `value` is neither a finite number nor a string with a known unit.

    Examples
    --------
    >>> parse_duration("90min")
    1.5
    >>> parse_duration(2)
    2.0
    """
    if isinstance(value, bool):
        raise ValueError(f"must be a duration (hours or a string like '15min'), got {value!r}")
    if isinstance(value, numbers.Real):
        try:
            hours = float(value)
        except OverflowError:
            raise ValueError(f"must be a finite duration, got {value!r}") from None
    elif isinstance(value, str):
        match = _PATTERN.match(value)
        if match is None and parse_business_days(value) is not None:
            raise ValueError(
                f"must be a duration in {', '.join(UNITS)}: business days (bd) are only for "
                "SLA targets on a business clock (priorities.NAME.response, .resolution), "
                f"got {value!r}"
            )
        if match is None:
            raise ValueError(
                "must be a duration: a number of hours or a number with a unit "
                f"({', '.join(UNITS)}), got {value!r}"
            )
        hours = float(match.group(1)) * UNITS[match.group(2)]
    else:
        raise ValueError(f"must be a duration (hours or a string like '15min'), got {value!r}")
    if not math.isfinite(hours):
        raise ValueError(f"must be a finite duration, got {value!r}")
    return hours


def parse_business_days(value: object) -> float | None:
    """The number of business days in a string such as ``"3bd"``; None for anything else.

    Parameters
    ----------
    value : object
        A duration as written in a scenario file.

    Returns
    -------
    float or None
        The count (``3.0`` for ``"3bd"``, ``0.5`` for ``"0.5bd"``), or None when `value`
        is not a business-day string. Turning it into hours needs a calendar: one
        business day is the length of the calendar's business day (9 h for 08:00–17:00).

    Raises
    ------
    ValueError
        If the count is not finite (``"1e999bd"``).

    Examples
    --------
    >>> parse_business_days("3bd")
    3.0
    >>> parse_business_days("4h") is None
    True
    """
    if not isinstance(value, str):
        return None
    match = _BUSINESS_PATTERN.match(value)
    if match is None:
        return None
    count = float(match.group(1))
    if not math.isfinite(count):
        raise ValueError(f"must be a finite duration, got {value!r}")
    return count


def format_duration(hours: float) -> str | float:
    """Write hours back in the coarsest unit that expresses them exactly.

    Durations that no unit expresses as a whole number stay a float number of hours, so
    that ``parse_duration(format_duration(h)) == h`` always holds.

    Examples
    --------
    >>> format_duration(4368.0)
    '26w'
    >>> format_duration(0.25)
    '15min'
    """
    if not (math.isfinite(hours) and hours > 0):
        # No unit string is negative or non-finite ("-2h" does not parse): keep the number.
        return float(hours)
    for unit, size in UNITS.items():
        count = hours / size
        if not count < _MAX_COUNT:
            continue
        rounded = round(count)
        exact = rounded != 0 and abs(count - rounded) < 1e-9 * max(1.0, abs(count))
        if exact and parse_duration(f"{rounded}{unit}") == hours:
            return f"{rounded}{unit}"
    return float(hours)


def readable_duration(hours: float, digits: int = 3) -> str:
    """A computed duration (a mean, an age) to read: the largest unit it is at least one
    of, `digits` significant digits; :func:`format_duration` is for values as written.

    Examples
    --------
    >>> readable_duration(1050 / 3600)
    '17.5min'
    >>> readable_duration(36.0), readable_duration(0.25), readable_duration(200.0)
    ('1.5d', '15min', '1.19w')
    """
    if not (math.isfinite(hours) and hours > 0):
        return "0h" if hours == 0 else f"{hours:g}h"
    unit, size = next(((u, z) for u, z in UNITS.items() if hours >= z), ("s", UNITS["s"]))
    return f"{hours / size:.{digits}g}{unit}"


def span_text(hours: float) -> str:
    """A computed length (a scoring window's) exactly, in the unit a reader expects:
    whole weeks or days as written (``2w``, ``30d``), else hours (``31.5h``, not the exact
    but unreadable ``1890min``); minutes or seconds only below an hour.

    Examples
    --------
    >>> span_text(336.0), span_text(31.5), span_text(0.25), span_text(1.0 / 7)
    ('2w', '31.5h', '15min', '8.57min')
    """
    text = format_duration(hours)
    if isinstance(text, str) and (hours < 1 or not text.endswith(("min", "s"))):
        return text
    if hours < 1:
        return readable_duration(hours)
    return f"{hours:.6g}h"


def wait_text(hours: float) -> str:
    """A wait or resolution time in a table: minutes below an hour, else hours (``-`` for
    NaN, ``unbounded`` for infinity).

    Examples
    --------
    >>> wait_text(0.25), wait_text(2.5), wait_text(float("nan"))
    ('15.0 min', '2.50 h', '-')
    """
    if math.isnan(hours):
        return "-"
    if math.isinf(hours):
        return "unbounded"
    return f"{hours * 60:.1f} min" if hours < 1 else f"{hours:.2f} h"
