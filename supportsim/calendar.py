"""Business calendars: map simulation time (float hours since a naive start datetime) to
business time — business days (e.g. Mon–Fri) within business hours (e.g. 08:00–17:00),
minus whole-day holidays — for "business" SLA clocks and staff on-duty intervals.

A calendar with a `timezone` (an IANA name, :mod:`zoneinfo`) is a site's: its business
hours are local clock times there, daylight saving included, while simulation time stays
real hours since `start` (read as a local time of `start_zone`). Without one, business
hours are clock times of `start` itself and every day has 24 hours (the naive calendar).

Its arithmetic runs on a table of cumulative business hours per day
(:mod:`supportsim._day_table`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import numpy.typing as npt

from supportsim._day_table import FloatArray, _Cache, _DayTable, _local_day

__all__ = ["Calendar"]

_DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_HHMM = re.compile(r"^(\d{1,2}):(\d{2})$")


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
class Calendar(_DayTable):
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
