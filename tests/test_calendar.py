"""Tests for supportsim.calendar: business-time arithmetic on simulation hours."""

from __future__ import annotations

import dataclasses
import pickle
from datetime import UTC, date, datetime, time, timedelta

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from supportsim.calendar import Calendar

MON = datetime(2026, 1, 5)  # a Monday (checked in test_reference_dates)
GOOD_FRIDAY = date(2026, 4, 3)  # day 88 after MON (checked in test_reference_dates)
EASTER_MONDAY = date(2026, 4, 6)
DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
YEAR = 365.25 * 24


def at(day: float, hour: float) -> float:
    """Instant ``hour`` o'clock on day ``day`` after a midnight start, in hours."""
    return day * 24 + hour


def ref_elapsed(cal: Calendar, a: float, b: float) -> float:
    """Independent oracle: walk calendar dates with datetime arithmetic, one day at a time."""
    lo, hi = sorted((a, b))
    t_lo = cal.start + timedelta(hours=lo)
    t_hi = cal.start + timedelta(hours=hi)
    (oh, om), (ch, cm) = (map(int, s.split(":")) for s in cal.business_hours)
    total = timedelta(0)
    d = t_lo.date()
    while d <= t_hi.date():
        if DAY_NAMES[d.weekday()] in cal.business_days and d not in cal.holidays:
            opening = datetime.combine(d, time(oh, om))
            closing = datetime.combine(d, time(0)) + timedelta(hours=ch, minutes=cm)
            total += max(min(closing, t_hi) - max(opening, t_lo), timedelta(0))
        d += timedelta(days=1)
    return (1 if b >= a else -1) * total.total_seconds() / 3600


CALENDARS = [
    Calendar(MON),
    Calendar(MON, holidays=[GOOD_FRIDAY, EASTER_MONDAY, date(2025, 12, 25), date(2026, 1, 1)]),
    # Non-midnight start, odd minutes, a Sat–Wed week: exercises the start offset.
    Calendar(datetime(2026, 1, 7, 13, 37, 11), ("07:45", "16:20"),
             ("Sat", "Sun", "Mon", "Tue", "Wed"), [date(2026, 1, 10), date(2023, 5, 1)]),
    # A single open day a week, open until midnight.
    Calendar(datetime(2025, 6, 1, 23, 59), ("18:00", "24:00"), ["Thu"]),
    # Contiguous days (00:00–24:00 Mon–Fri): whole weekdays merge into one window.
    Calendar(MON, ("00:00", "24:00")),
]
TWENTY_FOUR_SEVEN = Calendar(MON, ("00:00", "24:00"), DAY_NAMES)

calendars = st.sampled_from(CALENDARS)
instants = st.floats(-3 * YEAR, 3 * YEAR, allow_nan=False)  # before start and years out
durations = st.floats(0, 3000, allow_nan=False)  # up to ~1.3 years of Mon–Fri business time


def test_reference_dates() -> None:
    # The hand-computed expectations below rely on these calendar facts.
    assert MON.weekday() == 0
    assert (GOOD_FRIDAY - MON.date()).days == 88 and GOOD_FRIDAY.weekday() == 4


# ---------------------------------------------------------------- worked examples
def test_friday_afternoon_plus_eight_hours_is_monday_afternoon() -> None:
    cal = Calendar(MON)
    fri = at(4, 15.5)
    # Fri 15:30–17:00 gives 1.5 h, the weekend none, Mon 08:00 + 6.5 h = 14:30.
    assert float(cal.deadline(fri, 8)) == at(7, 14.5)
    assert float(cal.elapsed(fri, at(7, 14.5))) == pytest.approx(8, abs=1e-12)


def test_deadline_is_earliest_instant_and_zero_hours_stays_put() -> None:
    cal = Calendar(MON)
    # Fri 15:30 + 1.5 h is reached at closing, Fri 17:00, not at Monday's opening.
    assert float(cal.deadline(at(4, 15.5), 1.5)) == at(4, 17)
    # Zero hours means "already met": no move to the next opening, even on a weekend.
    assert float(cal.deadline(at(5, 10), 0)) == at(5, 10)
    assert float(cal.deadline(at(1, 2), 0)) == at(1, 2)


def test_zero_hours_before_opening_on_first_table_day() -> None:
    # Regression: the first query builds the table starting on a's own day; 0 h at 07:00
    # must still return a (the previous close is before a), not that day's 08:00.
    a = at(-1096, 7)
    assert float(Calendar(MON).deadline(a, 0)) == a


def test_ticket_in_the_night_starts_counting_at_opening() -> None:
    # Tuesday 02:00: nothing counts until 08:00, so 1 h is met at Tuesday 09:00.
    assert float(Calendar(MON).deadline(at(1, 2), 1)) == at(1, 9)


def test_weekend_counts_nothing() -> None:
    cal = Calendar(MON)
    assert float(cal.elapsed(at(5, 0), at(7, 0))) == 0  # Sat 00:00 to Mon 00:00
    # Fri 12:00–17:00 is 5 h, Mon 08:00–12:00 is 4 h.
    assert float(cal.elapsed(at(4, 12), at(7, 12))) == pytest.approx(9)


def test_good_friday_is_skipped() -> None:
    thu = at(87, 16)  # Thursday 2026-04-02 16:00
    # Without the holiday: Thu 16–17 gives 1 h, Friday 08–09 the second.
    assert float(Calendar(MON).deadline(thu, 2)) == at(88, 9)
    # Good Friday off: 1 h on Thursday, nothing Fri–Sun, Monday 2026-04-06 08–09.
    cal = Calendar(MON, holidays=[GOOD_FRIDAY])
    assert float(cal.deadline(thu, 2)) == at(91, 9)
    assert float(cal.elapsed(thu, at(91, 9))) == pytest.approx(2)
    # Easter Monday off as well: the second hour moves to Tuesday 08–09.
    assert float(Calendar(MON, holidays=[GOOD_FRIDAY, EASTER_MONDAY]).deadline(thu, 2)) == at(
        92, 9)


def test_holiday_before_start_is_skipped() -> None:
    # Friday 2026-01-02 is day -3, Thursday 2026-01-01 day -4 (negative instants).
    cal = Calendar(MON, holidays=[date(2026, 1, 2)])
    # Thu 08:00 to Mon 00:00: Thursday's 9 h only (Friday holiday, then the weekend);
    # without the holiday Friday adds 9 more.
    assert float(cal.elapsed(at(-4, 8), 0)) == pytest.approx(9)
    assert float(Calendar(MON).elapsed(at(-4, 8), 0)) == pytest.approx(18)
    # Thu 16:00 + 2 h: Thu 16–17, then Mon 08–09.
    assert float(cal.deadline(at(-4, 16), 2)) == at(0, 9)


def test_non_midnight_start() -> None:
    cal = Calendar(datetime(2026, 1, 7, 13, 30))  # Wednesday 13:30 is t = 0
    # Wed 13:30–17:00 gives 3.5 h, Thu 08:00–08:30 the rest: Thursday 08:30 is 19 h later.
    assert float(cal.deadline(0, 4)) == pytest.approx(19)
    assert float(cal.elapsed(0, 19)) == pytest.approx(4)
    assert bool(cal.is_open(0)) and not bool(cal.is_open(3.5))  # 13:30 open, 17:00 closed


def test_weekend_start() -> None:
    cal = Calendar(datetime(2026, 1, 10))  # Saturday
    # Nothing until Monday 08:00 (48 + 8 h after start); 1 h later is Monday 09:00.
    assert float(cal.deadline(0, 1)) == 48 + 9


def test_far_future_and_past_weeks() -> None:
    cal = Calendar(MON)
    for weeks in (-156, 156, 520):  # whole weeks from a Monday start land on Mondays
        a = at(7 * weeks, 0)
        assert float(cal.elapsed(a, a + 7 * 24)) == pytest.approx(45, abs=1e-9)
        assert float(cal.deadline(a, 45)) == pytest.approx(at(7 * weeks + 4, 17), abs=1e-9)


def test_elapsed_sign_nan_inf_and_broadcasting() -> None:
    cal = Calendar(MON)
    assert float(cal.elapsed(at(7, 14.5), at(4, 15.5))) == pytest.approx(-8)  # reversed
    assert np.isnan(cal.elapsed(np.nan, 3)) and np.isnan(cal.elapsed(3, np.nan))
    assert float(cal.elapsed(0, np.inf)) == np.inf  # B grows without bound
    assert cal.elapsed(np.zeros((3, 1)), np.ones((1, 4)) * 24).shape == (3, 4)
    assert cal.elapsed(0, 24).shape == ()
    assert cal.elapsed([], []).shape == (0,)
    out = cal.elapsed([0, np.nan, 0], [24, 24, np.nan])
    np.testing.assert_array_equal(out, [9, np.nan, np.nan])


def test_deadline_nan_inf_and_negative_hours() -> None:
    cal = Calendar(MON)
    out = cal.deadline([0, np.nan, 0, 0], [1, 1, np.nan, np.inf])
    np.testing.assert_array_equal(out, [9, np.nan, np.nan, np.inf])
    with pytest.raises(ValueError, match="hours"):
        cal.deadline(0, [1, -1])


def test_horizon_is_bounded() -> None:
    with pytest.raises(ValueError, match="horizon"):
        Calendar(MON).elapsed(0, 1e9)  # ~114,000 years


def test_cache_growth_keeps_answers() -> None:
    cal = Calendar(MON)
    before = cal.elapsed(at(4, 15.5), [at(7, 14.5), at(30, 12)])
    cal.elapsed(-5 * YEAR, 5 * YEAR)  # rebuilds the table in both directions
    np.testing.assert_allclose(cal.elapsed(at(4, 15.5), [at(7, 14.5), at(30, 12)]), before,
                               rtol=0, atol=1e-9)


def test_million_queries_are_vectorised() -> None:
    # A Python loop per element would take minutes here; the vectorised path ~0.1 s.
    cal = CALENDARS[1]
    rng = np.random.default_rng(1)
    a = rng.uniform(-YEAR, 2 * YEAR, 1_000_000)
    b = a + rng.uniform(0, 1000, a.size)
    e = cal.elapsed(a, b)
    d = cal.deadline(a, e)
    assert e.shape == d.shape == a.shape
    for i in range(0, a.size, 100_000):  # spot-check against the scalar path
        assert e[i] == pytest.approx(float(cal.elapsed(a[i], b[i])), abs=1e-9)
    np.testing.assert_allclose(cal.elapsed(a, d), e, rtol=0, atol=1e-9)


# ---------------------------------------------------------------- is_open / intervals
def test_is_open_half_open() -> None:
    cal = Calendar(MON, holidays=[date(2026, 1, 6)])
    t = [at(0, 8), at(0, 16.99), at(0, 17), at(0, 7.99), at(5, 10), at(1, 10), np.nan]
    # Mon 08:00 open, Mon 16:59 open, Mon 17:00 closed, 07:59 closed, Saturday closed,
    # Tuesday is the holiday, NaN is never open.
    assert cal.is_open(t).tolist() == [True, True, False, False, False, False, False]


def test_open_intervals_one_week() -> None:
    week = Calendar(MON).open_intervals(0, 7 * 24)
    # One 08:00–17:00 window on each of Mon..Fri.
    np.testing.assert_array_equal(week, [[at(d, 8), at(d, 17)] for d in range(5)])
    with_holiday = Calendar(MON, holidays=[date(2026, 1, 7)]).open_intervals(0, 7 * 24)
    assert with_holiday.shape == (4, 2)  # Wednesday gone
    assert np.all(with_holiday[:, 1] - with_holiday[:, 0] == 9)


def test_open_intervals_clipping_merging_and_errors() -> None:
    cal = Calendar(MON)
    # [Mon 12:00, Tue 10:00) clips Monday's window and Tuesday's.
    np.testing.assert_array_equal(cal.open_intervals(12, at(1, 10)), [[12, 17], [32, 34]])
    assert cal.open_intervals(at(5, 0), at(7, 0)).shape == (0, 2)  # weekend
    assert cal.open_intervals(10, 10).shape == (0, 2)
    # 00:00–24:00 Mon–Fri: the five days are one contiguous window.
    np.testing.assert_array_equal(CALENDARS[4].open_intervals(-24, 7 * 24), [[0, 120]])
    with pytest.raises(ValueError, match="t0, t1"):
        cal.open_intervals(5, 4)
    with pytest.raises(ValueError, match="t0, t1"):
        cal.open_intervals(0, np.inf)


def test_business_hours_per_week() -> None:
    assert Calendar(MON).business_hours_per_week == 45.0  # 5 × 9 h
    assert TWENTY_FOUR_SEVEN.business_hours_per_week == 168.0
    assert Calendar(MON, ("09:30", "17:00"), DAY_NAMES[:6]).business_hours_per_week == 45.0


def test_business_day_hours() -> None:
    assert Calendar(MON).business_day_hours == 9.0
    assert Calendar(MON, ("07:30", "18:00")).business_day_hours == 10.5
    assert TWENTY_FOUR_SEVEN.business_day_hours == 24.0


@pytest.mark.parametrize(("start", "days", "end"), [
    # Fri 16:00 + 1 business day (9 h): 1 h on Friday, 8 h on Monday -> Mon 16:00.
    (at(4, 16), 1, at(7, 16)),
    # Wed 10:00 + 3 business days (27 h): 7 + 9 + 9 h to Friday's close, 2 h on Monday.
    (at(2, 10), 3, at(7, 10)),
    # Saturday 10:00 counts from Monday's opening: the whole of Monday.
    (at(5, 10), 1, at(7, 17)),
    # Thu 17:00 (closing) + 1 business day ends at Friday's close.
    (at(3, 17), 1, at(4, 17)),
])
def test_business_days_as_deadlines(start: float, days: float, end: float) -> None:
    cal = Calendar(MON)
    assert float(cal.deadline(start, days * cal.business_day_hours)) == end
    assert float(cal.elapsed(start, end)) == pytest.approx(9 * days, abs=1e-12)


# ---------------------------------------------------------------- value semantics
def test_equality_hash_repr_frozen_pickle() -> None:
    a = Calendar(MON, ("8:00", "17:00"), ["Fri", "Mon", "Tue", "Wed", "Thu", "Mon"],
                 [GOOD_FRIDAY, GOOD_FRIDAY])
    b = Calendar(MON, holidays=(GOOD_FRIDAY,))
    a.elapsed(0, 10 * YEAR)  # a filled cache must not affect equality
    assert a == b and hash(a) == hash(b) and len({a, b}) == 1
    assert a != Calendar(MON)
    assert a.business_days == ("Mon", "Tue", "Wed", "Thu", "Fri")
    assert a.business_hours == ("08:00", "17:00")
    assert repr(b) == ("Calendar(start=datetime.datetime(2026, 1, 5, 0, 0), business_hours="
                       "('08:00', '17:00'), business_days=('Mon', 'Tue', 'Wed', 'Thu', 'Fri'), "
                       "holidays=(datetime.date(2026, 4, 3),))")
    with pytest.raises(dataclasses.FrozenInstanceError):
        b.start = MON  # type: ignore[misc]
    c = pickle.loads(pickle.dumps(a))
    assert c == a and float(c.deadline(at(4, 15.5), 8)) == at(7, 14.5)
    assert len(pickle.dumps(a)) < 2000  # the 20-year day table a built is not shipped


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"business_hours": ("8h", "17:00")}, "business_hours"),
        ({"business_hours": ("08:00", "25:00")}, "business_hours"),
        ({"business_hours": ("08:60", "17:00")}, "business_hours"),
        ({"business_hours": ("08:00", "24:01")}, "business_hours"),
        ({"business_hours": ("17:00", "08:00")}, "business_hours"),  # overnight
        ({"business_hours": ("08:00", "08:00")}, "business_hours"),
        ({"business_hours": ("08:00",)}, "business_hours"),
        ({"business_days": ("Mon", "Monday")}, "business_days"),
        ({"business_days": ()}, "business_days"),
        ({"start": datetime(2026, 1, 5, tzinfo=UTC)}, "start"),
    ],
)
def test_bad_input_names_the_argument(kwargs: dict[str, object], argument: str) -> None:
    args: dict[str, object] = {"start": MON, **kwargs}
    with pytest.raises(ValueError, match=argument):
        Calendar(**args)  # type: ignore[arg-type]


def test_bad_types() -> None:
    with pytest.raises(TypeError, match="start"):
        Calendar(date(2026, 1, 5))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="holidays"):
        Calendar(MON, holidays=["2026-04-03"])  # type: ignore[list-item]


def test_datetime_conversions() -> None:
    cal = Calendar(MON)
    out = cal.datetime_at([at(4, 15.5), np.nan, -12])
    assert out[0] == np.datetime64("2026-01-09T15:30") and np.isnat(out[1])
    assert out[2] == np.datetime64("2026-01-04T12:00")
    back = cal.hours_since_start([datetime(2026, 1, 9, 15, 30), None])
    np.testing.assert_array_equal(back, [at(4, 15.5), np.nan])
    t = np.random.default_rng(2).uniform(-3 * YEAR, 3 * YEAR, 1000)
    # Microsecond resolution: 1 µs is 2.8e-10 h.
    np.testing.assert_allclose(cal.hours_since_start(cal.datetime_at(t)), t, rtol=0, atol=1e-9)


# ---------------------------------------------------------------- properties
@given(calendars, instants, durations)
@settings(deadline=None)
def test_deadline_inverts_elapsed(cal: Calendar, a: float, h: float) -> None:
    cal = dataclasses.replace(cal)  # cold cache: the first query sizes the table around a
    d = float(cal.deadline(a, h))
    assert d >= a
    assert float(cal.elapsed(a, d)) == pytest.approx(h, abs=1e-9)
    # Earliest: slightly before the deadline the target is not yet met.
    if d - 1e-6 >= a:
        assert float(cal.elapsed(a, d - 1e-6)) < h


@given(calendars, instants, durations, durations)
@settings(deadline=None)
def test_deadline_monotone_in_hours(cal: Calendar, a: float, h1: float, h2: float) -> None:
    lo, hi = sorted((h1, h2))
    assert float(cal.deadline(a, lo)) <= float(cal.deadline(a, hi))


@given(calendars, instants, instants, instants)
@settings(deadline=None)
def test_elapsed_additive_and_bounded(cal: Calendar, a: float, b: float, c: float) -> None:
    ab, bc, ac = (float(cal.elapsed(x, y)) for x, y in ((a, b), (b, c), (a, c)))
    assert ab + bc == pytest.approx(ac, abs=1e-9)
    lo, hi = sorted((a, b))
    assert -1e-9 <= float(cal.elapsed(lo, hi)) <= hi - lo + 1e-9


@given(calendars, instants, st.floats(0, 2 * YEAR))
@settings(deadline=None, max_examples=50)
def test_elapsed_matches_day_by_day_oracle(cal: Calendar, a: float, span: float) -> None:
    # datetime/timedelta round to microseconds: 1e-6 h is generous.
    assert float(cal.elapsed(a, a + span)) == pytest.approx(ref_elapsed(cal, a, a + span),
                                                            abs=1e-6)


@given(calendars, instants, st.floats(0, 24 * 60))
@settings(deadline=None)
def test_intervals_agree_with_is_open_and_elapsed(cal: Calendar, t0: float, span: float) -> None:
    iv = cal.open_intervals(t0, t0 + span)
    assert float(cal.elapsed(t0, t0 + span)) == pytest.approx(np.sum(iv[:, 1] - iv[:, 0]),
                                                              abs=1e-9)
    assert np.all(iv[:, 0] < iv[:, 1]) and np.all(iv[1:, 0] > iv[:-1, 1])  # sorted, merged
    assume(iv.size > 0)
    assert cal.is_open(iv[:, 0]).all()  # openings are inside ([on, off) half-open)
    mid = (iv[:, 0] + iv[:, 1]) / 2
    assert cal.is_open(mid).all()


@given(instants, instants, durations)
@settings(deadline=None)
def test_twenty_four_seven_is_wall_clock(a: float, b: float, h: float) -> None:
    cal = TWENTY_FOUR_SEVEN
    assert float(cal.elapsed(a, b)) == pytest.approx(b - a, abs=1e-9)
    assert float(cal.deadline(a, h)) == pytest.approx(a + h, abs=1e-9)
    assert bool(cal.is_open(a))
