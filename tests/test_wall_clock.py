"""One wall clock for every displayed time: t hours after `start` in `start_zone`.

Simulation time is real elapsed hours since `start` read in the scenario's
`zone_of_start` (supportsim.sites.hours_between). Every date-time shown to a user —
check's waves and peaks, the report's peak table and window sentence, window errors
and headings — goes through supportsim.sites.wall_clock, its inverse, so a time after
a daylight-saving change is not shown an hour early. Reference scenario G:
scenarios/global_rollout.toml, start 2026-02-23 00:00 Europe/Berlin; the clocks go
forward at 02:00 on 2026-03-29 (CET -> CEST).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import supportsim as ss
from supportsim.analysis import parse_window
from supportsim.cli import main
from supportsim.cli._verdicts import window_heading
from supportsim.report._blocks import peaks_table, window_words
from supportsim.sites import hours_between, wall_clock

ROOT = Path(__file__).resolve().parent.parent
GLOBAL = ROOT / "scenarios" / "global_rollout.toml"
MMC = ROOT / "scenarios" / "mmc.toml"


@pytest.fixture(scope="module")
def rollout() -> ss.Scenario:
    return ss.load_scenario(GLOBAL)


def test_wall_clock_across_the_spring_change() -> None:
    # 2026-03-28 00:00 CET to 2026-03-30 00:00 CEST is 47 real hours (one hour skipped).
    start = datetime(2026, 3, 28)
    assert wall_clock(start, 47.0, "Europe/Berlin") == datetime(2026, 3, 30)
    assert wall_clock(start, 47.0, None) == datetime(2026, 3, 29, 23)  # naive: start + t
    # Autumn: 2026-10-25 03:00 CEST -> 02:00 CET, so 24 real hours after 00:00 on the
    # Saturday is 23:00 on the Sunday.
    assert wall_clock(datetime(2026, 10, 24), 48.0, "Europe/Berlin") \
        == datetime(2026, 10, 25, 23)


@settings(max_examples=60, deadline=None)
@given(hours=st.floats(0.0, 24 * 400.0), zone=st.sampled_from(
    ["Europe/Berlin", "America/New_York", "Asia/Shanghai", "Australia/Sydney", None]))
def test_wall_clock_inverts_hours_between_and_agrees_with_the_calendar(
        hours: float, zone: str | None) -> None:
    # Outside a repeated autumn hour (where two instants share a wall clock, and the
    # inverse reads the first) wall_clock and hours_between are exact inverses; the
    # Calendar (plots' date axes) places the same instant.
    start = datetime(2026, 2, 23)
    when = wall_clock(start, hours, zone)
    back = hours_between(start, when, zone)
    if zone is not None:
        z = ZoneInfo(zone)
        ambiguous = when.replace(fold=0, tzinfo=z).utcoffset() \
            != when.replace(fold=1, tzinfo=z).utcoffset()
        if ambiguous:
            return
    assert back == pytest.approx(hours, abs=1e-6)
    calendar = ss.Calendar(start, timezone=zone)
    assert calendar.datetime_at(np.array([hours]))[0].item() == when


def test_check_shows_waves_and_peaks_on_the_wall_clock(rollout, capsys) -> None:
    # The China wave is written `at = 2026-04-07` (local midnight, after the change):
    # shown as written, not 2026-04-06 23:00.
    assert main(["check", str(GLOBAL)]) == 0
    out = capsys.readouterr().out
    assert "China               2026-04-07 00:00" in out
    assert "2026-04-06 23:00" not in out
    # The busiest hour is t = 1352 h: 2026-02-23 00:00 CET + 1352 h = 2026-04-20 07:00
    # UTC = 09:00 CEST (the naive sum would give 08:00).
    peaks = ss.check(rollout).peaks
    hour = peaks[peaks["period"] == "hour"]
    assert hours_between(rollout.start, hour["start"].iloc[0].to_pydatetime(),
                         "Europe/Berlin") == 1352.0
    assert "hour     Mon 2026-04-20 09:00" in out
    # The plots' date axes (Scenario.calendar.datetime_at) place it at the same time.
    assert rollout.calendar.datetime_at(np.array([1352.0]))[0].item() \
        == datetime(2026, 4, 20, 9)


def test_report_peak_table_on_the_wall_clock(rollout) -> None:
    table = peaks_table(rollout)
    assert table is not None
    # The busiest hour's rows (one per tier) start at 09:00 CEST (t = 1352 h).
    assert {row[1] for row in table.rows[:2]} == {"Mon 2026-04-20 09:00"}


def test_window_parse_and_display_agree_across_the_change(rollout) -> None:
    # 2026-05-17 09:00 CEST is 1992 + 9 naive hours after start, less the hour skipped
    # on 29 March: t = 2000.
    start, end = parse_window(("2026-05-17 09:00", "1d"), rollout)
    assert (start, end) == (2000.0, 2024.0)
    # Shown back as written, in the report's sentence and the CLI heading.
    assert "from Sun 2026-05-17 09:00 to Mon 2026-05-18 09:00" in window_words(
        ("2026-05-17 09:00", "1d"), rollout)
    assert "from 2026-05-17 09:00 to 2026-05-18 09:00" in window_heading(
        (start, end - start), rollout)
    # A window past the horizon names both ends on the wall clock: the horizon is
    # 16 weeks = 2688 h after start, 2026-06-15 01:00 CEST.
    with pytest.raises(ValueError, match=r"ends at 2026-06-20 09:00 \(.*\), after the "
                                         r"horizon 2026-06-15 01:00 \(16w in\)"):
        parse_window(("2026-05-17 09:00", "2026-06-20 09:00"), rollout)
    # Hours since the start and a date-time meet on the same clock: t = 2000 is the
    # written 09:00, so this window is empty.
    with pytest.raises(ValueError, match=r"must end after it starts, got 2026-05-17 09:00 "
                                         r"\(2000h in\) to 2026-05-17 09:00 \(2000h in\)"):
        parse_window((2000.0, "2026-05-17 09:00"), rollout)


def test_a_scenario_without_start_zone_keeps_start_plus_hours() -> None:
    # mmc.toml: no start_zone and no [sites] -> start's own naive clock, as before.
    scenario = ss.load_scenario(MMC)
    assert scenario.zone_of_start is None
    t = 24 * 40 + 9.5
    expected = scenario.start + timedelta(hours=t)
    assert wall_clock(scenario.start, t, scenario.zone_of_start) == expected
    start, _ = parse_window((expected.isoformat(), "1d"), scenario)
    assert start == t


# ------------------------------------------------- window date-times at a clock change


@pytest.mark.parametrize(("window", "what", "written"), [
    (("2026-03-29T02:30", "2h"), "start", "2026-03-29T02:30"),
    (("2026-03-29T02:00", "2026-03-29T03:00"), "start", "2026-03-29T02:00"),
    (("2026-03-29", "2026-03-29T02:59:30"), "end", "2026-03-29T02:59:30"),
    ((datetime(2026, 3, 29, 2, 30), "2h"), "start", "2026-03-29 02:30"),
])
def test_a_window_time_the_clocks_skip_is_an_error_naming_it_as_written(
        rollout, window, what: str, written: str) -> None:
    # Berlin's clocks go from 02:00 CET to 03:00 CEST on 2026-03-29 (tz database):
    # 02:00-02:59:59 that night never happens; it was read silently as an hour later.
    with pytest.raises(ValueError) as info:
        parse_window(window, rollout)
    assert str(info.value) == (
        f"window {what} {written} does not exist in Europe/Berlin: on 2026-03-29 the "
        "clocks go from 02:00 to 03:00; write a time outside that gap")


def test_the_minutes_around_the_gap_are_one_real_minute_apart(rollout) -> None:
    # start 2026-02-23 00:00 CET; 2026-03-29 02:00 CET is 34 days + 2 h = 818 h later,
    # and 03:00 CEST is that same instant: 01:59 to 03:00 lasts one minute.
    assert parse_window(("2026-03-29T01:59", "2026-03-29T03:00"), rollout) == \
        pytest.approx((818 - 1 / 60, 818.0), abs=1e-9)


def test_an_ambiguous_autumn_time_is_its_first_occurrence() -> None:
    # start Mon 2026-10-19 00:00 CEST; Berlin's clocks go back from 03:00 CEST to
    # 02:00 CET on Sunday 2026-10-25, so 02:30 happens twice: first (CEST) at
    # 6 * 24 + 2.5 = 146.5 h, second (CET) an hour later.
    scenario = ss.load_scenario(MMC).with_overrides(
        {"start": "2026-10-19T00:00:00", "start_zone": "Europe/Berlin", "warmup": "1d"})
    start, end = parse_window(("2026-10-25T02:30", "2026-10-25T03:00"), scenario)
    assert (start, end) == pytest.approx((146.5, 148.0), abs=1e-9)  # 03:00 CET: 148 h
    second = datetime(2026, 10, 25, 2, 30, fold=1)  # PEP 495: fold=1 is the repeat
    assert parse_window((second, "1h"), scenario) == pytest.approx((147.5, 148.5), abs=1e-9)


def test_window_errors_quote_the_instants_as_written(rollout) -> None:
    # t = 2000 h is 2026-05-17 09:00 CEST (test above); the user's "T" form is kept.
    with pytest.raises(ValueError, match=r"must end after it starts, got 2026-05-17T09:00 "
                                         r"\(2000h in\) to 2026-05-17T09:00 \(2000h in\)"):
        parse_window(("2026-05-17T09:00", "2026-05-17T09:00"), rollout)


def test_cli_window_in_the_gap_is_one_line_and_exit_2(capsys) -> None:
    assert main(["run", str(GLOBAL), "-r", "1", "-q", "--window",
                 "2026-03-29T02:30,2h"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--window: window start 2026-03-29T02:30 does not exist in " \
        "Europe/Berlin: on 2026-03-29 the clocks go from 02:00 to 03:00" in err[0], err


def test_a_date_on_a_day_whose_midnight_is_skipped_starts_at_the_end_of_the_gap() -> None:
    # Havana springs forward at midnight (2026-03-08 00:00 -> 01:00, tzdata): the day has
    # no 00:00, so a date alone starts at 01:00 local, 6 x 24 h after the Monday start;
    # a time written inside the gap is still refused.
    sc = ss.load_scenario(ROOT / "scenarios" / "mmc.toml").with_overrides(
        {"start": datetime(2026, 3, 2), "start_zone": "America/Havana", "warmup": "1d"})
    assert parse_window(("2026-03-08", "1d"), sc) == (144.0, 168.0)
    assert parse_window((datetime(2026, 3, 8).date(), "1d"), sc) == (144.0, 168.0)
    assert parse_window(("2026-03-07", "2026-03-08"), sc) == (120.0, 144.0)
    with pytest.raises(ValueError, match="2026-03-08T00:30 does not exist in America/Havana"):
        parse_window(("2026-03-08T00:30", "1d"), sc)
