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
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

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


def _written(value: object) -> str:
    """An instant of a window as the user wrote it (text stripped; objects in ISO form)."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, datetime) and not (value.second or value.microsecond):
        return f"{value:%Y-%m-%d %H:%M}"
    return value.isoformat() if isinstance(value, date) else repr(value)


def _skipped(when: datetime, zone: str) -> tuple[datetime, datetime] | None:
    """The local interval ``[from, to)`` the clocks skip that `when` falls in, or None.

    In a spring gap the two readings of PEP 495 disagree: ``fold=0`` takes the UTC offset
    before the change, ``fold=1`` the one after, and the later offset is the larger.
    """
    z = ZoneInfo(zone)
    before = when.replace(tzinfo=z, fold=0).utcoffset()
    after = when.replace(tzinfo=z, fold=1).utcoffset()
    if before is None or after is None or after <= before:
        return None
    # The change's instant lies in (when - after, when - before]: halve it to the second.
    low, high = when - after, when - before  # naive UTC
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.replace(tzinfo=UTC).astimezone(z).utcoffset() == after:
            high = middle
        else:
            low = middle
    change = high.replace(microsecond=0)
    return change + before, change + after


def _instant(value: object, scenario: Scenario, what: str) -> float | None:
    """Hours since start of a date/datetime/ISO text; None if `value` is not an instant.

    A local time the clocks skip in `start_zone` (02:30 on the spring change) is an error;
    a time they repeat in autumn is its first occurrence (``fold=0``; a ``datetime`` with
    ``fold=1`` is its second). A date alone is its day's first instant (the end of the
    gap where the clocks skip midnight).
    """
    written = _written(value)
    # A day written without a time starts at its first instant, which on a day whose
    # midnight the clocks skip (America/Havana, 8 March 2026) is the end of the gap.
    day_only = (isinstance(value, date) and not isinstance(value, datetime)) or (
        isinstance(value, str) and len(value.strip()) == len("2026-03-08"))
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
        zone = scenario.zone_of_start
        gap = None if zone is None else _skipped(value, zone)
        if gap is not None and day_only:
            value, gap = gap[1], None
        if gap is not None:
            raise ValueError(f"window {what} {written} does not exist in {zone}: on "
                             f"{gap[0]:%Y-%m-%d} the clocks go from {gap[0]:%H:%M} to "
                             f"{gap[1]:%H:%M}; write a time outside that gap")
        return hours_between(scenario.start, value, zone)
    return None


def _text(hours: float, scenario: Scenario, written: str | None = None) -> str:
    """An instant of a window for a message: as written if it was, else on the wall clock."""
    if written is None:
        written = f"{wall_clock(scenario.start, hours, scenario.zone_of_start):%Y-%m-%d %H:%M}"
    return f"{written} ({format_duration(hours) if hours > 0 else '0h'} in)"


def parse_window(window: Window, scenario: Scenario) -> tuple[float, float]:
    """``(start, end)`` in hours since the scenario start, checked against the run.

    Parameters
    ----------
    window : (start, length or end)
        `start`: a date or date-time (``"2026-03-02"``, ``datetime``), on the scenario's
        clock, or a number of hours since the start. Second item: a duration (``"30d"``,
        ``"4w"``, or hours as a number) or an end instant (a date or date-time, exclusive).
        Date-times are local to ``Scenario.zone_of_start``: one the clocks skip at the
        spring change (02:30 on 2026-03-29 in Europe/Berlin) is an error; one they repeat
        in autumn (02:30 on 2026-10-25) is read as its first occurrence, summer time (a
        ``datetime`` with ``fold=1`` as its second).
    scenario : Scenario

    Raises
    ------
    ValueError
        A malformed item, an empty window, a window that starts before the warm-up ends
        (warm-up tickets are never scored) or ends after the horizon, a local time that
        does not exist; the message names the value as written and the rule.
    """
    if isinstance(window, str | bytes) or not isinstance(window, tuple | list) \
            or len(window) != 2:
        raise ValueError(f"window must be (start, length or end), e.g. ('2026-03-02', "
                         f"'30d'), got {window!r}")
    first, second = window
    start = _instant(first, scenario, "start")
    # Messages quote an instant as written, not as read back from the clock.
    shown_start = None if start is None else _written(first)
    if start is None:
        if isinstance(first, bool) or not isinstance(first, numbers.Real) \
                or not math.isfinite(float(first)):
            raise ValueError(f"window start must be a date, a date-time or hours since the "
                             f"start, got {first!r}")
        start = float(first)
    end = _instant(second, scenario, "end")
    shown_end = None if end is None else _written(second)
    if end is None:
        try:
            length = parse_duration(second)
        except ValueError:
            raise ValueError(f"window length must be a duration like '30d' or an end date, "
                             f"got {second!r}") from None
        end = start + length
    if not end > start:
        raise ValueError(f"window must end after it starts, got "
                         f"{_text(start, scenario, shown_start)} to "
                         f"{_text(end, scenario, shown_end)}")
    if start < scenario.warmup - 1e-9:
        raise ValueError(f"window starts at {_text(start, scenario, shown_start)}, before "
                         f"the warm-up ends at {_text(scenario.warmup, scenario)}: warm-up "
                         "tickets are never scored; start the window at or after it")
    if end > scenario.horizon + 1e-9:
        raise ValueError(f"window ends at {_text(end, scenario, shown_end)}, after the "
                         f"horizon {_text(scenario.horizon, scenario)}; shorten it or "
                         "lengthen the horizon")
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
