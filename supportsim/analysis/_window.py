"""Scoring over a window of arrival: e.g. the 30 days after a go-live.

A window ``(start, length)`` scores the tickets that *arrived* in ``[start, end)``, each
on its whole outcome: a ticket opened on day 29 of a 30-day window and resolved on day 33
counts, by the rules of :func:`~supportsim.analysis.sla_attainment`. That is what a
planner asks of a go-live ("of the tickets raised in the first 30 days, how many were
answered in time?"), and it does not depend on what the desk did for tickets opened
before the window. Tickets of the last days before the horizon that are still open and
within their deadline are not scored, so leave a margin of at least the longest target
between the window's end and the horizon.
"""

from __future__ import annotations

import math
import numbers
from datetime import date, datetime

import numpy as np
import pandas as pd

from supportsim.analysis._sla import replication_frame, tally
from supportsim.scenario import Scenario
from supportsim.sites import hours_between, wall_clock
from supportsim.units import format_duration, parse_duration

__all__ = ["Window", "parse_window", "window_attainment"]

#: ``(start, length or end)``: an instant (date, datetime, ISO text) or hours since the
#: start, then a duration (``"30d"``, hours) or an end instant.
Window = tuple[object, object]


def _instant(value: object, scenario: Scenario, what: str) -> float | None:
    """Hours since start of a date/datetime/ISO text; None if `value` is not an instant."""
    if isinstance(value, str):
        text = value.strip()
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            return None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, date) and not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            raise ValueError(f"window {what} must be a local date-time without a time zone "
                             f"(the scenario's clock), got {value.isoformat()!r}")
        return hours_between(scenario.start, value, scenario.zone_of_start)
    return None


def _text(hours: float, scenario: Scenario) -> str:
    when = wall_clock(scenario.start, hours, scenario.zone_of_start)
    return f"{when:%Y-%m-%d %H:%M} ({format_duration(hours) if hours > 0 else '0h'} in)"


def parse_window(window: Window, scenario: Scenario) -> tuple[float, float]:
    """``(start, end)`` in hours since the scenario start, checked against the run.

    Parameters
    ----------
    window : (start, length or end)
        `start`: a date or date-time (``"2026-03-02"``, ``datetime``), on the scenario's
        clock, or a number of hours since the start. Second item: a duration (``"30d"``,
        ``"4w"``, or hours as a number) or an end instant (a date or date-time, exclusive).
    scenario : Scenario

    Raises
    ------
    ValueError
        A malformed item, an empty window, a window that starts before the warm-up ends
        (warm-up tickets are never scored) or ends after the horizon; the message names
        the value and the rule.
    """
    if isinstance(window, str | bytes) or not isinstance(window, tuple | list) \
            or len(window) != 2:
        raise ValueError(f"window must be (start, length or end), e.g. ('2026-03-02', "
                         f"'30d'), got {window!r}")
    first, second = window
    start = _instant(first, scenario, "start")
    if start is None:
        if isinstance(first, bool) or not isinstance(first, numbers.Real) \
                or not math.isfinite(float(first)):
            raise ValueError(f"window start must be a date, a date-time or hours since the "
                             f"start, got {first!r}")
        start = float(first)
    end = _instant(second, scenario, "end")
    if end is None:
        try:
            length = parse_duration(second)
        except ValueError:
            raise ValueError(f"window length must be a duration like '30d' or an end date, "
                             f"got {second!r}") from None
        end = start + length
    if not end > start:
        raise ValueError(f"window must end after it starts, got {_text(start, scenario)} to "
                         f"{_text(end, scenario)}")
    if start < scenario.warmup - 1e-9:
        raise ValueError(f"window starts at {_text(start, scenario)}, before the warm-up "
                         f"ends at {_text(scenario.warmup, scenario)}: warm-up tickets are "
                         "never scored; start the window at or after it")
    if end > scenario.horizon + 1e-9:
        raise ValueError(f"window ends at {_text(end, scenario)}, after the horizon "
                         f"{_text(scenario.horizon, scenario)}; shorten it or lengthen the "
                         "horizon")
    return start, end


def window_attainment(tickets: pd.DataFrame, scenario: Scenario, window: Window, *,
                      initial: bool = True) -> pd.DataFrame:
    """:func:`~supportsim.analysis.sla_attainment` of the tickets that arrived in `window`.

    Parameters
    ----------
    tickets : DataFrame
        ``SimulationResult.tickets``.
    scenario : Scenario
    window : (start, length or end)
        As in :func:`parse_window`.
    initial : bool, default True
        Kept for symmetry: an ``[initial]`` backlog's tickets arrived before the start,
        so they are never in a window.

    Returns
    -------
    DataFrame
        The columns of :func:`~supportsim.analysis.sla_attainment`, one row per
        replication x priority; ``tickets`` counts the tickets that arrived in the window.
    """
    start, end = parse_window(window, scenario)

    def bucket_of(arrived: np.ndarray) -> np.ndarray:
        # Bucket 0 holds the window, bucket 1 everything else.
        inside = (arrived >= start) & (arrived < end)
        return (~inside).astype(np.intp)

    rep_values, counts = tally(tickets, scenario, buckets=2, bucket_of=bucket_of,
                               initial=initial)
    return replication_frame(rep_values, counts[:, :, 0], scenario.priority_names)
