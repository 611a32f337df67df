"""Sites: where users raise tickets and agents work — a time zone, business hours and
days, and public holidays — as business calendars (:class:`~supportsim.Calendar`).

Simulation time stays real hours since the scenario's `start` (an instant, read in its
`start_zone`). A site's business hours, shifts and holidays are local: each local day is
mapped through the site's zone, so a 08:00–17:00 window or shift is 9 hours on the day
the clocks change and sits an hour earlier (in UTC) in summer.

- *Business hours* of a site are its business days within its business hours, minus its
  holidays: they are the "business" SLA clock of tickets raised there and the duty hours
  of agents who work "business" hours there.
- *Shifts* (a start and end clock time on days of the week) are worked on public
  holidays unless the site says ``holiday_shifts = "off"`` (a rostered desk usually
  covers holidays; an office closes).

Holidays come from the `holidays` package (a country code, with an optional
subdivision), resolved for the calendar years around the simulated period, and/or as
explicit local dates.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from supportsim.calendar import Calendar

__all__ = ["IMPLICIT_SITE", "business_intervals", "country_holidays", "elapsed_by_site",
           "hours_between", "shift_intervals", "wall_clock"]

FloatArray = npt.NDArray[np.float64]

#: The name of the one site of a scenario without ``[sites]`` (its calendar is ``[calendar]``).
IMPLICIT_SITE = "default"

_DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def country_holidays(country: str, subdivision: str | None, years: Iterable[int]
                     ) -> tuple[date, ...]:
    """Public holidays of `country` (ISO 3166 code) in `years`, from the `holidays` package.

    Parameters
    ----------
    country : str
        A country code the package supports, e.g. ``"DE"``.
    subdivision : str, optional
        A state or province code, e.g. ``"BY"`` (Bavaria): its own holidays are added.
    years : iterable of int

    Returns
    -------
    tuple of date
        Sorted; only public holidays (the package's default category).

    Raises
    ------
    ValueError
        For a code the package does not know, naming the value and a few known codes.

    Examples
    --------
    >>> date(2026, 4, 3) in country_holidays("DE", None, [2026])  # Good Friday
    True
    """
    import holidays  # only scenarios with country holidays pay its import

    supported = holidays.list_supported_countries()
    if country not in supported:
        some = ", ".join([c for c in sorted(supported) if len(c) == 2][:8])
        hint = _same_but_case(country, list(supported))
        raise ValueError(f"country: {country!r} is not a country code of the holidays package "
                         f"{hint}(e.g. {some}, ...; see holidays.list_supported_countries())")
    subdivisions = supported[country]
    if subdivision is not None and subdivision not in subdivisions:
        known = ", ".join(subdivisions[:12]) + (", ..." if len(subdivisions) > 12 else "")
        hint = _same_but_case(subdivision, list(subdivisions))
        raise ValueError(f"subdivision: {subdivision!r} is not one of {country}'s "
                         f"{hint}({known or 'none'})")
    table = holidays.country_holidays(country, subdiv=subdivision, years=list(years))
    return tuple(sorted(table))


def _same_but_case(code: str, codes: list[str]) -> str:
    """``"(did you mean 'DE'?) "`` for "de", when a code differs from `code` only in case."""
    same = [c for c in codes if c.casefold() == code.casefold()]
    return f"(did you mean {same[0]!r}?) " if same else ""


def holiday_years(start_year: int, end_year: int) -> range:
    """Years whose holidays a site needs: a year either side of the simulated period
    (tickets of a backlog opened before start, deadlines running past the horizon)."""
    return range(max(start_year - 1, 1), min(end_year + 1, 9998) + 1)


def hours_between(start: datetime, when: datetime, zone: str | None) -> float:
    """Real hours from `start` to `when`, both local (naive) date-times of `zone`.

    Across a clock change this is not the naive difference: from 00:00 on the Saturday
    to 00:00 on the Monday after the spring change in Berlin is 47 hours. None: naive.
    """
    if zone is None:
        return (when - start).total_seconds() / 3600
    z = ZoneInfo(zone)
    return (when.replace(tzinfo=z).astimezone(UTC)
            - start.replace(tzinfo=z).astimezone(UTC)).total_seconds() / 3600


def wall_clock(start: datetime, hours: float, zone: str | None) -> datetime:
    """The local (naive) date-time of `zone` `hours` real hours after `start`.

    The inverse of :func:`hours_between` and the one conversion every display of a
    simulation time uses (``Scenario.start``, ``Scenario.zone_of_start``). Across a clock
    change it is not the naive sum: 47 hours after 00:00 on the Saturday before the
    spring change in Berlin is 00:00 on the Monday. None: naive (start's own clock).

    Examples
    --------
    >>> wall_clock(datetime(2026, 3, 28), 47.0, "Europe/Berlin")
    datetime.datetime(2026, 3, 30, 0, 0)
    >>> wall_clock(datetime(2026, 3, 28), 47.0, None)
    datetime.datetime(2026, 3, 29, 23, 0)
    """
    # Microseconds rounded as Calendar.datetime_at does (plots' date axes): the same instant.
    step = timedelta(microseconds=round(float(hours) * 3.6e9))
    if zone is None:
        return start + step
    z = ZoneInfo(zone)
    return (start.replace(tzinfo=z).astimezone(UTC) + step).astimezone(z).replace(tzinfo=None)


def business_intervals(calendar: Calendar, horizon: float) -> FloatArray:
    """Business-hours duty intervals ``[on, off)`` of a site within ``[0, horizon)``.

    Its business days within its business hours, local time, holidays closed.
    """
    return np.asarray(calendar.open_intervals(0.0, horizon), dtype=float)


def shift_intervals(calendar: Calendar, start: str, end: str, days: Sequence[str],
                    horizon: float, *, holidays_off: bool = False) -> FloatArray:
    """On-duty intervals ``[on, off)`` of a shift worked at a site, in hours since start.

    Parameters
    ----------
    calendar : Calendar
        The site's calendar: its zone (if any) places local clock times; its holidays
        are used with `holidays_off`.
    start, end : str
        Local clock times ``"HH:MM"``; ``end <= start`` crosses midnight (the shift
        belongs to the day it starts), ``"24:00"`` is midnight at the end of the day.
    days : sequence of str
        Local days the shift starts on (``"Mon"`` ... ``"Sun"``).
    horizon : float
        Intervals are clipped to ``[0, horizon]``; a shift that began before start and
        is still on at 0 starts at 0.
    holidays_off : bool, default False
        Leave out shifts starting on one of the calendar's holidays.

    Returns
    -------
    ndarray of float, shape (k, 2)
        Sorted, disjoint (a shift ending when the next starts touches it), ``on < off``.
        On a day the clocks change, a shift lasts its local length less the change of
        the UTC offset while it runs: 08:00–17:00 is 9 hours, 22:00–06:00 8 or 10.

    Examples
    --------
    >>> from datetime import datetime
    >>> shanghai = Calendar(datetime(2026, 3, 2), timezone="Asia/Shanghai", start_zone="UTC")
    >>> shift_intervals(shanghai, "08:00", "17:00", ["Mon"], 48).tolist()  # 00:00–09:00 UTC
    [[0.0, 9.0]]
    """
    open_min, close_min = _minutes(start), _minutes(end)
    if close_min <= open_min:
        close_min += 1440
    if bad := [d for d in days if d not in _DAY_NAMES]:
        raise ValueError(f"days: expected names from {_DAY_NAMES}, got {bad[0]!r}")
    d0, d1 = calendar._day_range(0.0, float(horizon))
    local = np.arange(d0, d1, dtype=np.int64)
    # Weekday and holidays of each local day, as the calendar itself reckons them.
    day0 = calendar._cache.day0 or calendar.start.date()
    wanted = np.isin((day0.weekday() + local) % 7, [_DAY_NAMES.index(d) for d in days])
    if holidays_off:
        wanted &= ~np.isin(local, calendar._cache.holidays)
    # A local date the zone skips entirely (Samoa, 30 December 2011) has no shift.
    wanted &= calendar._local_seconds(local + 1, 0) > calendar._local_seconds(local, 0)
    local = local[wanted]
    on = calendar._local_seconds(local, open_min) / 3600.0
    off = calendar._local_seconds(local, close_min) / 3600.0
    # An end the clocks skip is read with the offset before the change, so a shift of
    # nearly a day (03:00-02:45 where 02:00 jumps to 03:00) would run past the next
    # day's start: it ends when that shift starts instead (never on duty twice).
    np.minimum(off[:-1], on[1:], out=off[:-1])
    keep = (off > 0) & (on < horizon) & (off > on)  # off > on: a shift inside a skipped hour
    return np.column_stack([np.maximum(on[keep], 0.0), np.minimum(off[keep], horizon)])


def _minutes(text: str) -> int:
    hh, _, mm = text.partition(":")
    if not (hh.isdigit() and mm.isdigit() and len(mm) == 2):
        raise ValueError(f"expected a clock time 'HH:MM', got {text!r}")
    minutes = int(hh) * 60 + int(mm)
    if int(mm) > 59 or not 0 <= minutes <= 1440:
        raise ValueError(f"expected a clock time 'HH:MM' in 00:00–24:00, got {text!r}")
    return minutes


def elapsed_by_site(calendars: Sequence[Calendar], site: npt.ArrayLike | None,
                    start_at: npt.ArrayLike, end_at: npt.ArrayLike) -> FloatArray:
    """Business hours between instants, each on the calendar of its ticket's site.

    Parameters
    ----------
    calendars : sequence of Calendar
        One per site, in site order.
    site : array_like of int, optional
        Site index per element; None: all on the first (only) site.
    start_at, end_at : array_like of float
        Broadcast against `site` like :meth:`Calendar.elapsed`.

    Returns
    -------
    ndarray of float
        One vectorised :meth:`Calendar.elapsed` call per site present.
    """
    if site is None or len(calendars) == 1:
        return calendars[0].elapsed(start_at, end_at)
    s = np.asarray(site)
    a, b, s = np.broadcast_arrays(np.asarray(start_at, dtype=float),
                                  np.asarray(end_at, dtype=float), s)
    out = np.empty(a.shape, dtype=float)
    for index, calendar in enumerate(calendars):
        mine = s == index
        if mine.any():
            out[mine] = calendar.elapsed(a[mine], b[mine])
    if (outside := (s < 0) | (s >= len(calendars))).any():
        raise ValueError(f"site: index {int(s[outside][0])} is not one of the "
                         f"{len(calendars)} sites")
    return out
