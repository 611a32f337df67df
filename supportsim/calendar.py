"""Business calendars: map simulation time (float hours since a naive start datetime) to
business time — business days (e.g. Mon–Fri) within business hours (e.g. 08:00–17:00),
minus whole-day holidays — for "business" SLA clocks and staff on-duty intervals.

A calendar with a `timezone` (an IANA name, :mod:`zoneinfo`) is a site's: its business
hours are local clock times there, daylight saving included, while simulation time stays
real hours since `start` (read as a local time of `start_zone`). Without one, business
hours are clock times of `start` itself and every day has 24 hours (the naive calendar).

The core is the piecewise-linear cumulative map ``B(t)``: business hours from the start
to ``t`` (negative before it). It is tabulated per day (one window a day), so ``B`` is
an O(1) vectorised lookup and its inverse one :func:`numpy.searchsorted`. The table is
cached and grows (doubling) in either direction as queries need, to about ±270 years.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import numpy.typing as npt

__all__ = ["Calendar"]

FloatArray = npt.NDArray[np.float64]

_DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_HHMM = re.compile(r"^(\d{1,2}):(\d{2})$")
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


def _clean(t: FloatArray) -> tuple[FloatArray, npt.NDArray[np.bool_] | None]:
    """``t`` with NaN/±inf set to 0 (always in the table) plus their mask (None if none).

    Cheaper than boolean indexing, and NaN ("did not happen") is common input."""
    if t.size and np.isfinite(t.min()) and np.isfinite(t.max()):  # min/max propagate NaN
        return t, None
    bad = ~np.isfinite(t)
    return np.where(bad, 0.0, t), bad


def _flat(x: npt.ArrayLike, y: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Broadcast two inputs to flat float arrays (1-d keeps in-place ufuncs simple)."""
    bx, by = np.broadcast_arrays(np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64))
    return bx.reshape(-1), by.reshape(-1)


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


def _offsets(zone: ZoneInfo, when: npt.NDArray[np.datetime64], *, utc: bool
             ) -> npt.NDArray[np.timedelta64]:
    """UTC offsets of `zone` at instants (`utc`: UTC datetimes; else local wall clock,
    fold 0), looked up once per quarter hour present (clock changes fall on them)."""
    quarter = when.astype("datetime64[s]").astype(np.int64) // 900
    keys, inverse = np.unique(quarter, return_inverse=True)
    epoch = datetime(1970, 1, 1)
    seconds = []
    for k in keys:
        at = epoch + timedelta(seconds=int(k) * 900)
        offset = (at.replace(tzinfo=UTC).astimezone(zone).utcoffset() if utc
                  else zone.utcoffset(at))
        seconds.append(offset.total_seconds() if offset is not None else 0.0)
    table = (np.array(seconds) * 1e6).astype(np.int64).astype("timedelta64[us]")
    return table[inverse.reshape(quarter.shape)]


def _zone_info(name: str, argument: str) -> ZoneInfo:
    """The IANA zone `name`; a ValueError naming `argument` if there is none such."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ValueError(f"{argument}: not a known IANA time zone (e.g. 'Europe/Berlin'), "
                         f"got {name!r}") from None


def _parse_hhmm(text: str) -> int:
    """Minutes after midnight for "HH:MM" in 00:00–24:00."""
    m = _HHMM.match(text) if isinstance(text, str) else None
    minutes = int(m.group(1)) * 60 + int(m.group(2)) if m else -1
    if not m or int(m.group(2)) > 59 or not 0 <= minutes <= 24 * 60:
        raise ValueError(f"business_hours: expected 'HH:MM' in 00:00–24:00, got {text!r}")
    return minutes


@dataclass(frozen=True)
class Calendar:
    """Business calendar anchored at a scenario start.

    Parameters
    ----------
    start : datetime
        Naive datetime of simulation time 0.
    business_hours : tuple of str, default ("08:00", "17:00")
        Daily opening and closing time "HH:MM"; "24:00" is allowed as closing time.
        Windows crossing midnight are not supported.
    business_days : sequence of str, default Mon–Fri
        3-letter English day names; stored de-duplicated in Mon..Sun order.
    holidays : sequence of date, default ()
        Whole days without business time; stored sorted and de-duplicated.
    timezone : str, optional
        IANA time zone of the business hours, days and holidays (a site's). Each local
        day's window is mapped to real hours since start: on the day clocks change, a
        08:00–17:00 window is still 9 hours; a window opening in the skipped hour opens
        an hour later by the clock. None: the naive calendar (clock times of `start`,
        every day 24 hours).
    start_zone : str, optional
        IANA time zone in which the naive `start` is read; default `timezone`. Only with
        `timezone`.

    Raises
    ------
    ValueError
        Bad "HH:MM", close not after open, unknown or no day names, aware ``start``,
        unknown time zone, a `start` that does not exist in `start_zone` (skipped by a
        clock change); the message starts with the argument's name.
    TypeError
        If ``start`` is not a datetime or a holiday not a date.

    Examples
    --------
    >>> cal = Calendar(datetime(2026, 1, 5))  # a Monday
    >>> float(cal.deadline(4 * 24 + 15.5, 8.0)) == 7 * 24 + 14.5  # Fri 15:30 -> Mon 14:30
    True
    """

    start: datetime
    business_hours: tuple[str, str] = ("08:00", "17:00")
    business_days: Sequence[str] = ("Mon", "Tue", "Wed", "Thu", "Fri")
    holidays: Sequence[date] = ()
    timezone: str | None = None
    start_zone: str | None = None
    _cache: _Cache = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.start, datetime):
            raise TypeError(f"start: expected datetime, got {self.start!r}")
        if self.start.tzinfo is not None:
            raise ValueError(f"start: must be a naive datetime, got {self.start!r}")
        bh = self.business_hours
        o, c = (_parse_hhmm(x) for x in bh) if len(bh) == 2 and bh[0] != bh[1] else (0, 0)
        if c <= o:
            raise ValueError(f"business_hours: need ('HH:MM', 'HH:MM'), open < close, got {bh!r}")
        days = [self.business_days] if isinstance(self.business_days, str) else self.business_days
        unknown = [d for d in days if d not in _DAY_NAMES]
        if unknown or not days:
            raise ValueError(f"business_days: expected non-empty names from {_DAY_NAMES}, "
                             f"got {self.business_days!r}")
        if bad := [h for h in self.holidays if not isinstance(h, date)]:
            raise TypeError(f"holidays: expected dates, got {bad[0]!r}")
        hols = [h.date() if isinstance(h, datetime) else h for h in self.holidays]
        # Normalised, hashable forms so equal calendars compare (and hash) equal.
        hours = (f"{o // 60:02d}:{o % 60:02d}", f"{c // 60:02d}:{c % 60:02d}")
        object.__setattr__(self, "business_hours", hours)
        object.__setattr__(self, "business_days", tuple(d for d in _DAY_NAMES if d in days))
        object.__setattr__(self, "holidays", tuple(sorted(set(hols))))
        zone, s, utc0 = self._zone()
        mask = np.array([_DAY_NAMES[(s.weekday() + k) % 7] in days for k in range(7)])
        hol_idx = np.array([(h - s.date()).days for h in self.holidays], dtype=np.int64)
        offset = s.hour + s.minute / 60 + (s.second + s.microsecond / 1e6) / 3600
        offset_s = s.hour * 3600 + s.minute * 60 + s.second + s.microsecond / 1e6
        object.__setattr__(self, "_cache", _Cache(
            offset, o, c, mask, hol_idx, zone=zone, day0=s.date() if zone else None,
            utc0=utc0, offset_s=offset_s))

    def _zone(self) -> tuple[ZoneInfo | None, datetime, float]:
        """The site's zone, start as a local time there, and its UTC offset (seconds)."""
        if self.timezone is None:
            if self.start_zone is not None:
                raise ValueError(f"start_zone: needs a timezone, got {self.start_zone!r}")
            return None, self.start, 0.0
        zone = _zone_info(self.timezone, "timezone")
        home = _zone_info(self.start_zone, "start_zone") if self.start_zone else zone
        aware = self.start.replace(tzinfo=home)
        if aware.astimezone(UTC).astimezone(home).replace(tzinfo=None) != self.start:
            raise ValueError(f"start: {self.start.isoformat()} does not exist in "
                             f"{home.key} (the clocks skip it)")
        local = aware.astimezone(zone)
        offset = local.utcoffset()
        assert offset is not None
        return zone, local.replace(tzinfo=None), offset.total_seconds()

    def __repr__(self) -> str:
        # The zone arguments only where given: a naive calendar reads as it always did.
        zoned = "".join(f", {name}={getattr(self, name)!r}" for name in ("timezone", "start_zone")
                        if getattr(self, name) is not None)
        return (f"Calendar(start={self.start!r}, business_hours={self.business_hours!r}, "
                f"business_days={self.business_days!r}, holidays={self.holidays!r}{zoned})")

    def __getstate__(self) -> dict[str, object]:
        # Pickles (e.g. to sweep workers) leave the day table behind; it is rebuilt on use.
        return {**self.__dict__, "_cache": replace(self._cache, map=None)}

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

    @property
    def business_day_hours(self) -> float:
        """Hours in one business day, e.g. 9.0 for 08:00–17:00.

        A target of N business days (``"3bd"``) is N times this many business hours,
        counted with :meth:`deadline` and :meth:`elapsed`: 1 business day from Friday
        16:00 on Mon–Fri 08:00–17:00 ends on Monday at 16:00.
        """
        k = self._cache
        return (k.close_min - k.open_min) / 60.0

    @property
    def business_hours_per_week(self) -> float:
        """Business hours in a week without holidays, e.g. 45.0 for Mon–Fri 08–17."""
        k = self._cache
        return (k.close_min - k.open_min) / 60.0 * len(self.business_days)

    def elapsed(self, start_at: npt.ArrayLike, end_at: npt.ArrayLike) -> FloatArray:
        """Business hours between two instants, ``B(end_at) - B(start_at)``.

        Parameters
        ----------
        start_at, end_at : array_like of float
            Instants in hours since start (may be negative); broadcast together.

        Returns
        -------
        ndarray of float
            Negative if ``end_at < start_at``; NaN where an input is NaN; 0-d for scalars.

        Raises
        ------
        ValueError
            If an instant lies beyond the supported horizon (~±274 years).

        Examples
        --------
        >>> cal = Calendar(datetime(2026, 1, 5))
        >>> float(cal.elapsed(4 * 24 + 15.5, 7 * 24 + 14.5))  # Fri 15:30 -> Mon 14:30
        8.0
        """
        a, b = _flat(start_at, end_at)
        shape = np.broadcast_shapes(np.shape(start_at), np.shape(end_at))
        if a.size == 0:
            return np.zeros(shape)
        (ca, bad_a), (cb, bad_b) = _clean(a), _clean(b)
        m = self._map(min(ca.min(), cb.min()), max(ca.max(), cb.max()))
        ba, bb = self._b(m, ca), self._b(m, cb)
        for bx, x, bad in ((ba, a, bad_a), (bb, b, bad_b)):
            if bad is not None:
                np.copyto(bx, x, where=bad)  # B(NaN) = NaN, B(±inf) = ±inf
        bb -= ba
        # B is monotone, but B(b) - B(a) for b >= a may round to -1e-14 when a and b map
        # through different pieces (e.g. both inside one closed stretch of a zoned calendar).
        with np.errstate(invalid="ignore"):
            bb[(b >= a) & (bb < 0.0)] = 0.0
        return bb.reshape(shape)

    def deadline(self, start_at: npt.ArrayLike, hours: npt.ArrayLike) -> FloatArray:
        """Earliest instant at which ``hours`` business hours have elapsed since ``start_at``.

        Parameters
        ----------
        start_at : array_like of float
            Instants in hours since start (may be negative).
        hours : array_like of float
            Business hours, >= 0; broadcast with ``start_at``.

        Returns
        -------
        ndarray of float
            Smallest ``t >= start_at`` with ``B(t) - B(start_at) >= hours``: 0 h returns
            ``start_at``; a target met at closing time returns the closing instant.
            NaN in gives NaN; infinite ``hours`` gives inf.

        Raises
        ------
        ValueError
            If any ``hours`` is negative, or the result is beyond the horizon.

        Examples
        --------
        >>> cal = Calendar(datetime(2026, 1, 5))
        >>> float(cal.deadline(4 * 24 + 15.5, 1.5)) == 4 * 24 + 17  # Friday 17:00
        True
        """
        a, h = _flat(start_at, hours)
        shape = np.broadcast_shapes(np.shape(start_at), np.shape(hours))
        if np.any(h < 0):
            raise ValueError(f"hours: must be >= 0, got min {np.nanmin(h)!r}")
        if a.size == 0:
            return np.zeros(shape)
        (ca, bad_a), (ch, bad_h) = _clean(a), _clean(h)
        lo, hi = float(ca.min()), float(ca.max())
        while True:  # grow until B reaches every target; loops per rebuild, not per element
            m = self._map(lo, hi)
            target = self._b(m, ca)
            target += ch
            if target.max() <= m.e[-1]:
                break
            extra_days = (target.max() - m.e[-1]) / self.business_hours_per_week * 7
            hi = max(hi, 24 * (m.d1 + extra_days + 7))
        # Targets within a few ulps of a closing plateau snap to the closing instant, so
        # e.g. Fri 15:30 + 1.5 h is Fri 17:00 whatever the rounding of the sum.
        tol = np.abs(target)
        np.maximum(tol, 1.0, out=tol)
        tol *= 64 * np.finfo(np.float64).eps
        j = np.searchsorted(m.e, np.subtract(target, tol, out=tol), side="left")
        # j is the first day closing at/after the target; walk into its window.
        target -= np.take(m.c, j)
        np.maximum(target, 0.0, out=target)
        np.minimum(target, np.take(m.dur, j), out=target)
        target += np.take(m.o, j)
        out = np.maximum(target, ca, out=target)  # hours == 0 (or snapped) stays put
        if bad_a is not None or bad_h is not None:
            bad = bad_a if bad_h is None else bad_h if bad_a is None else bad_a | bad_h
            np.copyto(out, a + h, where=bad)  # a + h is the right answer for NaN / inf
        return out.reshape(shape)

    def is_open(self, t: npt.ArrayLike) -> npt.NDArray[np.bool_]:
        """Whether instants lie in business time, half-open ``[open, close)``.

        Parameters
        ----------
        t : array_like of float
            Instants in hours since start.

        Returns
        -------
        ndarray of bool
            True inside business time; False for NaN or infinite instants.

        Examples
        --------
        >>> cal = Calendar(datetime(2026, 1, 5))
        >>> cal.is_open([8.0, 17.0, 5 * 24 + 10]).tolist()  # Mon 08:00, Mon 17:00, Sat 10:00
        [True, False, False]
        """
        k = self._cache
        x = np.asarray(t, dtype=np.float64)
        fin = np.isfinite(x)
        x = np.where(fin, x, 0.0)
        if k.zone is not None:
            if x.size == 0:
                return np.zeros(x.shape, dtype=bool)
            m = self._map(float(x.min()), float(x.max()))
            assert m.ds is not None
            guess = np.floor((x + k.offset) / 24).astype(np.int64) - m.d0
            j = _local_day(m.ds, x, guess)
            on, dur = m.o[j], m.dur[j]
            return np.asarray((x >= on) & (x < on + dur) & (dur > 0) & fin)
        d = np.floor((x + k.offset) / 24)
        # Re-align the day using the same float bounds as open_intervals, so the two agree
        # even where (x + offset) / 24 rounds across midnight.
        d -= x < d * 24 - k.offset
        d += x >= (d + 1) * 24 - k.offset
        di = d.astype(np.int64) * 1440
        ok = (x >= (di + k.open_min) / 60.0 - k.offset) & (x < (di + k.close_min) / 60.0 - k.offset)
        di //= 1440
        return np.asarray(ok & fin & k.week_mask[di % 7] & ~np.isin(di, k.holidays))

    def open_intervals(self, t0: float, t1: float) -> FloatArray:
        """Business-time intervals ``[on, off)`` intersecting ``[t0, t1)``, clipped to it.

        Parameters
        ----------
        t0, t1 : float
            Finite window bounds in hours since start, ``t0 <= t1``.

        Returns
        -------
        ndarray of float, shape (k, 2)
            Rows ``(on, off)`` in hours since start, sorted, ``on < off``; windows of
            contiguous days (e.g. 00:00–24:00) are merged.

        Raises
        ------
        ValueError
            If a bound is not finite, ``t1 < t0``, or beyond the horizon.

        Examples
        --------
        >>> cal = Calendar(datetime(2026, 1, 5))
        >>> cal.open_intervals(0, 48).tolist()
        [[8.0, 17.0], [32.0, 41.0]]
        """
        if not (np.isfinite(t0) and np.isfinite(t1)) or t1 < t0:
            raise ValueError(f"t0, t1: need finite t0 <= t1, got {t0!r}, {t1!r}")
        k = self._cache
        if k.zone is not None:
            m = self._map(t0, t1)
            open_ = m.dur > 0
            on, off = m.o[open_], m.o[open_] + m.dur[open_]
            # Windows of contiguous days touch (up to rounding of o + dur): merged.
            brk = on[1:] - off[:-1] > 1e-9
            on = np.maximum(on[np.r_[True, brk]], t0)
            off = np.minimum(off[np.r_[brk, True]], t1)
            keep = on < off
            return np.column_stack((on[keep], off[keep])).astype(np.float64)
        days, flag = self._business(*self._day_range(t0, t1))
        d = days[flag] * 1440
        if d.size == 0:
            return np.empty((0, 2))
        brk = d[:-1] + k.close_min != d[1:] + k.open_min  # merge windows touching at midnight
        on = np.maximum((d[np.r_[True, brk]] + k.open_min) / 60.0 - k.offset, t0)
        off = np.minimum((d[np.r_[brk, True]] + k.close_min) / 60.0 - k.offset, t1)
        keep = on < off
        return np.column_stack((on[keep], off[keep])).astype(np.float64)

    def _home(self) -> tuple[ZoneInfo, np.datetime64] | None:
        """The zone of start and start in UTC (naive datetime64), for a zoned calendar."""
        if self.timezone is None:
            return None
        home = ZoneInfo(self.start_zone or self.timezone)
        utc = self.start.replace(tzinfo=home).astimezone(UTC).replace(tzinfo=None)
        return home, np.datetime64(utc, "us")

    def datetime_at(self, t: npt.ArrayLike) -> npt.NDArray[np.datetime64]:
        """Wall-clock datetimes ``start + t`` hours (of `start_zone` on a zoned calendar,
        where a clock change moves the wall clock by its change).

        Parameters
        ----------
        t : array_like of float
            Instants in hours since start.

        Returns
        -------
        ndarray of datetime64[us]
            Rounded to the microsecond; NaN gives NaT.

        Examples
        --------
        >>> Calendar(datetime(2026, 1, 5)).datetime_at([1.5]).tolist()
        [datetime.datetime(2026, 1, 5, 1, 30)]
        """
        x = np.asarray(t, dtype=np.float64)
        fin = np.isfinite(x)
        us = np.where(fin, np.round(x * 3.6e9), 0).astype(np.int64).astype("timedelta64[us]")
        home = self._home()
        if home is None:
            out = np.datetime64(self.start, "us") + us
        else:
            utc = home[1] + us
            out = utc + _offsets(home[0], utc, utc=True)
        return np.where(fin, out, np.datetime64("NaT", "us"))

    def hours_since_start(
        self, datetimes: npt.ArrayLike | datetime | Sequence[datetime | np.datetime64 | None]
    ) -> FloatArray:
        """Inverse of :meth:`datetime_at`.

        Parameters
        ----------
        datetimes : datetime, array_like of datetime64, ISO strings or naive timestamps
            Wall-clock instants; None/NaT allowed.

        Returns
        -------
        ndarray of float
            Hours since start; NaT gives NaN.

        Examples
        --------
        >>> cal = Calendar(datetime(2026, 1, 5))
        >>> cal.hours_since_start([datetime(2026, 1, 4, 12)]).tolist()
        [-12.0]
        """
        d = np.asarray(datetimes, dtype="datetime64[us]")
        home = self._home()
        if home is None:
            delta = (d - np.datetime64(self.start, "us")).astype(np.int64) / 3.6e9
        else:  # wall clock of start_zone; a repeated hour reads as its first occurrence
            safe = np.where(np.isnat(d), home[1], d)
            shift = _offsets(home[0], safe, utc=False) + (home[1] - np.datetime64(0, "us"))
            delta = (safe - np.datetime64(0, "us") - shift).astype(np.int64) / 3.6e9
        return np.asarray(np.where(np.isnat(d), np.nan, delta), dtype=np.float64)
