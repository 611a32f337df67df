"""The day table behind :class:`supportsim.Calendar`.

The core of a calendar is the piecewise-linear cumulative map ``B(t)``: business hours
from the start to ``t`` (negative before it). It is tabulated per day (one window a
day), so ``B`` is an O(1) vectorised lookup and its inverse one
:func:`numpy.searchsorted`. The table is cached and grows (doubling) in either
direction as queries need, to about ±270 years.

:class:`_DayTable` builds and reads the table for :class:`supportsim.Calendar`, which
derives from it; the calendar's arguments reach it as a :class:`_Cache` of constants.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

_MAX_DAYS = 100_000  # ~274 years either side of start: bounds memory of the day table
_INITIAL_DAYS = (-32, 400)  # covers a typical one-year scenario without any rebuild


class _Map(NamedTuple):
    """B on days [d0, d1) (relative to the start date): on day j, with one window per day,
    ``B(t) = c[j] + clip(t - o[j], 0, dur[j])`` — an O(1) lookup instead of a search."""

    d0: int
    d1: int
    o: FloatArray  # opening instant (day start for closed days), hours since start
    dur: FloatArray  # business hours of the day (0 when closed)
    c: FloatArray  # B at the day's opening
    e: FloatArray  # B at the day's close (c + dur), non-decreasing: searched by deadline
    # Zoned calendars only: local midnights (d1 - d0 + 1 instants), the day of an instant
    # found by search (local days are not all 24 h long); None for the naive calendar.
    ds: FloatArray | None = None


@dataclass
class _Cache:
    """Derived constants plus the (replaceable) day table; excluded from eq/hash."""

    offset: float  # hours from start-date midnight to start
    open_min: int
    close_min: int
    week_mask: npt.NDArray[np.bool_]  # business flag per weekday relative to start date
    holidays: npt.NDArray[np.int64]  # holiday day indices relative to start date
    map: _Map | None = None
    # Zoned calendars: the site's zone, the local date of start there (day 0), and
    # the UTC offset of start there (seconds); None for the naive calendar.
    zone: ZoneInfo | None = None
    day0: date | None = None
    utc0: float = 0.0
    offset_s: float = 0.0  # `offset` in seconds, exactly


def _local_day(ds: FloatArray, t: FloatArray, guess: npt.NDArray[np.int64]
               ) -> npt.NDArray[np.int64]:
    """Table index of the local day holding each instant: ``ds[j] <= t < ds[j + 1]``.

    `guess` is the day by start's UTC offset, off by at most the change of offset since
    (a day across a clock change, two where a zone crossed the date line): a step or
    two fix it, about four times cheaper than a search of the whole table."""
    j = np.clip(guess, 0, ds.size - 2, out=guess)
    for _ in range(4):
        early, late = t < np.take(ds, j), t >= np.take(ds, j + 1)
        if not (early.any() or late.any()):
            return j
        j -= early
        j += late
        np.clip(j, 0, ds.size - 2, out=j)
    return np.searchsorted(ds, t, side="right") - 1  # not reached for real zones


class _DayTable:
    """The day table's methods; a calendar supplies the constants as `_cache`."""

    _cache: _Cache

    def _business(self, d0: int, d1: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
        """Day indices [d0, d1) relative to the start date and their business flag."""
        k = self._cache
        days = np.arange(d0, d1, dtype=np.int64)
        return days, k.week_mask[days % 7] & ~np.isin(days, k.holidays)

    def _day_range(self, lo: float, hi: float) -> tuple[int, int]:
        """Day indices [d0, d1) covering instants lo..hi plus the day before, within horizon.

        The extra day lets deadline() find the close before an instant early on day d0.
        """
        off = self._cache.offset
        # Same floor formula as _b so every query's day index lands inside the table; a
        # zoned calendar's local days drift from it by the change of UTC offset since
        # start (at most ~26 h), hence two more days either side.
        extra = 2 if self._cache.zone is not None else 0
        d0 = int(np.floor((lo + off) / 24)) - 1 - extra
        d1 = int(np.floor((hi + off) / 24)) + 1 + extra
        if d0 < -_MAX_DAYS or d1 > _MAX_DAYS:
            raise ValueError(f"instants {lo!r}..{hi!r} h are outside the supported horizon "
                             f"of ±{_MAX_DAYS} days around start")
        return d0, d1

    def _map(self, lo: float, hi: float) -> _Map:
        """Day table covering instants [lo, hi] (finite), grown by doubling if needed."""
        k = self._cache
        m = k.map
        need0, need1 = self._day_range(lo, hi)
        if m is not None and m.d0 <= need0 and need1 <= m.d1:
            return m
        d0, d1 = (m.d0, m.d1) if m is not None else _INITIAL_DAYS
        width = d1 - d0
        # Doubling amortises rebuilds when queries creep outwards.
        if need0 < d0:
            d0 = max(min(need0, d0 - width), -_MAX_DAYS)
        if need1 > d1:
            d1 = min(max(need1, d1 + width), _MAX_DAYS)
        if k.zone is not None:
            k.map = m = self._zoned_map(d0, d1)
            return m
        days, flag = self._business(d0, d1)
        dur_min = np.where(flag, k.close_min - k.open_min, 0)
        end_min = np.cumsum(dur_min)  # integer minutes: exact over centuries
        # Closed days "open" at midnight so that deadline(a, 0) on them is <= a.
        o = (days * 1440 + np.where(flag, k.open_min, 0)) / 60.0 - k.offset
        dur = dur_min / 60.0
        j0 = -d0  # start lies on day 0; anchor B(0) = 0 so B is stable across rebuilds
        b0 = (end_min[j0] - dur_min[j0]) / 60.0 + min(max(-o[j0], 0.0), dur[j0])
        # c[j] == e[j-1] exactly (same integer, same operations): no gap between days.
        c, e = (end_min - dur_min) / 60.0 - b0, end_min / 60.0 - b0
        k.map = m = _Map(d0, d1, o, dur, c, e)  # one assignment: readers see old or new
        return m

    def _local_seconds(self, days: npt.NDArray[np.int64], minutes: int) -> FloatArray:
        """Seconds from start to the local clock time `minutes` of each day (indices
        relative to the local date of start; `minutes` may pass 1440, into the next day).

        A clock time skipped by a clock change is read with the offset before it (PEP
        495, fold 0): 02:30 on a spring-forward night is 03:30 by the new clock; one that
        occurs twice is its first occurrence."""
        k = self._cache
        if k.zone is None or k.day0 is None:  # naive: every day 24 hours
            return np.asarray((days * 1440 + minutes) * 60.0 - k.offset_s, dtype=np.float64)
        zone, base = k.zone, datetime.combine(k.day0, time())
        utc = np.array([zone.utcoffset(base + timedelta(days=int(d), minutes=minutes))
                        .total_seconds() for d in days])  # type: ignore[union-attr]
        return (days * 1440 + minutes) * 60.0 - k.offset_s - (utc - k.utc0)

    def _zoned_map(self, d0: int, d1: int) -> _Map:
        """The day table of a zoned calendar: each local day's window mapped through the
        zone, so days may have 23 or 25 hours and a window is its local length."""
        k = self._cache
        days, flag = self._business(d0, d1)
        midnight = self._local_seconds(np.arange(d0, d1 + 1, dtype=np.int64), 0)
        # Each window is kept inside its local day: a date a zone skips entirely (Samoa,
        # 30 December 2011) has no business time, whatever fold 0 makes of its hours.
        day_lo, day_hi = midnight[:-1], midnight[1:]
        opens = np.clip(self._local_seconds(days, k.open_min), day_lo, day_hi)
        closes = np.clip(self._local_seconds(days, k.close_min), day_lo, day_hi)
        dur_s = np.where(flag, closes - opens, 0.0)  # whole seconds: sums stay exact
        end_s = np.cumsum(dur_s)
        o = np.where(flag, opens, midnight[:-1]) / 3600.0
        dur = dur_s / 3600.0
        j0 = -d0
        b0 = (end_s[j0] - dur_s[j0]) / 3600.0 + min(max(-o[j0], 0.0), dur[j0])
        c, e = (end_s - dur_s) / 3600.0 - b0, end_s / 3600.0 - b0
        return _Map(d0, d1, o, dur, c, e, midnight / 3600.0)

    def _b(self, m: _Map, t: FloatArray) -> FloatArray:
        """Cumulative business hours B(t) for finite ``t`` inside ``m`` (in-place for speed)."""
        x = t + self._cache.offset
        x /= 24
        j = np.floor(x, out=x).astype(np.int64)  # same floor formula as _day_range
        j -= m.d0
        if m.ds is not None:
            j = _local_day(m.ds, t, j)
        x = np.take(m.o, j)
        np.subtract(t, x, out=x)
        np.maximum(x, 0.0, out=x)
        np.minimum(x, np.take(m.dur, j), out=x)
        x += np.take(m.c, j)
        return x
