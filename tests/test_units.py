"""Tests for supportsim.units: durations in files <-> float hours (DESIGN section 2)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from supportsim.units import UNITS, format_duration, parse_business_days, parse_duration

# Hours per unit, written out independently of UNITS so that a wrong table is caught.
HOURS_PER = {"s": 1 / 3600, "min": 1 / 60, "h": 1.0, "d": 24.0, "w": 168.0}


def test_unit_table_is_the_documented_one() -> None:
    assert UNITS == HOURS_PER
    # format_duration relies on "largest first" to pick the coarsest unit.
    assert list(UNITS) == ["w", "d", "h", "min", "s"]


@pytest.mark.parametrize(
    ("text", "hours"),
    [
        ("90s", 90 / 3600),
        ("15min", 0.25),
        ("90min", 1.5),
        ("4h", 4.0),
        ("1.5h", 1.5),
        (".5h", 0.5),
        ("0h", 0.0),
        ("3d", 72.0),
        ("2w", 336.0),
        ("26w", 4368.0),
        ("1e3h", 1000.0),
        ("2.5E-1h", 0.25),
        (" 4h ", 4.0),
        ("4 h", 4.0),
    ],
)
def test_parse_duration_strings(text: str, hours: float) -> None:
    assert parse_duration(text) == pytest.approx(hours, rel=1e-15, abs=0)
    assert type(parse_duration(text)) is float


@pytest.mark.parametrize(("value", "hours"), [(2, 2.0), (0, 0.0), (1.5, 1.5), (0.25, 0.25)])
def test_parse_duration_numbers_are_hours(value: float, hours: float) -> None:
    result = parse_duration(value)
    assert result == hours
    assert type(result) is float


def test_parse_duration_accepts_numpy_numbers() -> None:
    assert parse_duration(np.int64(3)) == 3.0
    assert parse_duration(np.float64(0.5)) == 0.5


@pytest.mark.parametrize(
    "value",
    ["4 hours", "h", "-2h", "", "4", "2x", "4hh", "4H", "5.h", "inf h", "nanh", "1e400h",
     "1,5h", "4h30min", "15m", "2hr", "1 week", "3days", "0x10h"],
)
def test_parse_duration_rejects_bad_strings(value: str) -> None:
    with pytest.raises(ValueError, match="must be a") as info:
        parse_duration(value)
    message = str(info.value)
    assert repr(value) in message  # the value, quoted
    assert "\n" not in message
    if value != "1e400h":
        # the rule: which units are understood
        assert all(unit in message for unit in ("w", "d", "h", "min", "s"))


@pytest.mark.parametrize(
    "value", [True, False, None, [1], {"h": 1}, (4, "h"), float("nan"), float("inf"),
              -float("inf"), 10**400],
)
def test_parse_duration_rejects_bad_values(value: object) -> None:
    with pytest.raises(ValueError, match="duration") as info:
        parse_duration(value)
    assert "\n" not in str(info.value)
    if value is True or value is None:
        assert repr(value) in str(info.value)


@pytest.mark.parametrize(
    ("hours", "text"),
    [
        (4368.0, "26w"),
        (336.0, "2w"),  # coarsest unit: not "14d"
        (72.0, "3d"),
        (48.0, "2d"),
        (4.0, "4h"),
        (1.5, "90min"),
        (0.25, "15min"),
        (1 / 3, "20min"),
        (0.1, "6min"),
        (0.025, "90s"),
        (1 / 3600, "1s"),
    ],
)
def test_format_duration_picks_the_coarsest_exact_unit(hours: float, text: str) -> None:
    assert format_duration(hours) == text
    assert parse_duration(text) == hours


@pytest.mark.parametrize(
    "hours", [0.0, 1 / 7, 1e-5, 0.123, 1e-300, 5e-324, 1e300, 1.7976931348623157e308]
)
def test_format_duration_keeps_hours_without_a_whole_unit_count_as_float(hours: float) -> None:
    # Regression for the largest floats: the unit string overflowed to inf when parsed back.
    result = format_duration(hours)
    assert type(result) is float
    assert result == hours


@pytest.mark.parametrize("hours", [-1.0, -0.25, -336.0, math.inf, -math.inf])
def test_format_duration_of_negative_or_infinite_hours_is_a_float(hours: float) -> None:
    # Regression: "-1h" was produced and then rejected by parse_duration itself.
    result = format_duration(hours)
    assert type(result) is float
    assert result == hours


def test_format_duration_of_nan_is_nan() -> None:
    result = format_duration(math.nan)
    assert isinstance(result, float)
    assert math.isnan(result)


@settings(max_examples=300)
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_format_duration_round_trips_any_float(hours: float) -> None:
    result = format_duration(hours)
    assert isinstance(result, str | float)
    assert not isinstance(result, bool)
    assert parse_duration(result) == hours


@settings(max_examples=300)
@given(st.integers(min_value=1, max_value=10**9), st.sampled_from(list(HOURS_PER)))
def test_format_duration_round_trips_unit_counts(count: int, unit: str) -> None:
    hours = parse_duration(f"{count}{unit}")
    result = format_duration(hours)
    # Whole counts of a unit always have an exact unit string, never a bare float ...
    assert isinstance(result, str)
    assert parse_duration(result) == hours
    # ... in a unit at least as coarse as the one written.
    written = next(u for u in sorted(HOURS_PER, key=len, reverse=True) if result.endswith(u))
    assert HOURS_PER[written] >= HOURS_PER[unit]


@given(st.integers(min_value=1, max_value=10**6))
def test_whole_weeks_are_written_in_weeks(weeks: int) -> None:
    assert format_duration(parse_duration(f"{7 * weeks}d")) == f"{weeks}w"
    assert format_duration(parse_duration(f"{168 * weeks}h")) == f"{weeks}w"


# ------------------------------------------------------------------ business days


@pytest.mark.parametrize(("text", "count"), [("3bd", 3.0), (" 1 bd ", 1.0), ("0.5bd", 0.5),
                                             (".5bd", 0.5), ("2e1bd", 20.0)])
def test_parse_business_days_reads_the_count(text: str, count: float) -> None:
    assert parse_business_days(text) == count


@pytest.mark.parametrize("value", ["3d", "4h", "bd", "3 b d", "-1bd", "3BD", 3, None, 2.5])
def test_parse_business_days_is_none_for_anything_else(value: object) -> None:
    assert parse_business_days(value) is None


def test_parse_business_days_rejects_an_infinite_count() -> None:
    with pytest.raises(ValueError, match="finite"):
        parse_business_days("1e400bd")


def test_parse_duration_says_where_business_days_belong() -> None:
    # Their length needs a calendar, which parse_duration does not have.
    with pytest.raises(ValueError) as info:
        parse_duration("3bd")
    message = str(info.value)
    assert message.startswith("must be a duration in w, d, h, min, s: business days (bd)")
    assert "SLA targets on a business clock" in message and "'3bd'" in message
