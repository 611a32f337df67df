"""ss.staffing_curve: the iterative staffing algorithm keeps the delay probability stable."""

from __future__ import annotations

import math

import numpy as np
import pytest

import supportsim as ss
from supportsim.engine._hours import duty_groups
from supportsim.planning._curve import curve_shifts, with_curve

# A daily sinusoid, piecewise constant per clock hour: 1 + 0.5 sin(2 pi (h + 1/2) / 24).
HOURLY = [round(1 + 0.5 * math.sin(2 * math.pi * (h + 0.5) / 24), 4) for h in range(24)]


def _sine_desk(rate: float = 300.0) -> ss.Scenario:
    # 300 tickets/h on average, 6 min exponential effort: an offered load swinging between
    # 15 and 45 Erlangs over the day; phone callers with 5 min mean patience abandon.
    return ss.Scenario.from_dict({
        "name": "sinusoidal day", "start": "2026-01-05T00:00:00", "horizon": "6w",
        "warmup": "2d", "replications": 4, "seed": 11,
        "demand": {"rate": rate, "profile": {"hourly": HOURLY},
                   "channels": {"phone": {"share": 1.0, "patience": "5min"}}},
        "priorities": {"P1": {"share": 1.0, "response": "5min", "resolution": "1h",
                              "clock": "24x7"}},
        "work": {"mix": {"l1": 1.0}, "effort": {"l1": {"dist": "exponential",
                                                       "mean": "6min"}}},
        "team": {"structure": "tiered", "discipline": "fifo", "tiers": {"l1": {"staff": 10}}},
    })


def _on_duty_by_hour(scenario: ss.Scenario, days: int) -> np.ndarray:
    """Agents rostered in each of the first `days` x 24 hours, from the duty groups."""
    counts = np.zeros(days * 24, dtype=int)
    for group in duty_groups(scenario, scenario.team.tiers["l1"]):
        assert group.intervals is not None
        for on, off in group.intervals:
            for hour in range(math.floor(on), min(math.ceil(off), days * 24)):
                # The one-minute break of a day-long shift does not make an hour off.
                counts[hour] += group.size if off - max(on, hour) > 0.5 else 0
    return counts


@pytest.mark.parametrize("cycle", ["day", "week"])
def test_curve_shifts_roster_exactly_the_curve(cycle: str) -> None:
    rng = np.random.default_rng(3)
    period = 24 if cycle == "day" else 168
    staff = rng.integers(0, 6, size=period)
    staff[:5] = 3  # a run that wraps around the end of the cycle
    staff[-4:] = 3
    scenario = with_curve(_sine_desk(), "l1", staff, cycle)
    rostered = _on_duty_by_hour(scenario, 7)  # the start is a Monday at midnight
    assert rostered.tolist() == np.tile(staff, 168 // period).tolist()


def test_curve_shifts_of_a_flat_curve_is_one_day_long_shift() -> None:
    shifts = curve_shifts(np.full(24, 4), "day")
    assert shifts == [{"name": "all-day x4", "start": "00:00", "end": "23:59",
                       "days": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"], "staff": 4}]


@pytest.mark.slow
def test_staffing_curve_keeps_the_delay_probability_time_stable() -> None:
    # Feldman, Mandelbaum, Massey & Whitt (2008): staffing by the iterative algorithm keeps
    # P(delay) near its target in every interval of a time-varying M_t/M/s_t+M queue.
    # Target alpha = 0.1; the check: in every hour of the day, the share of tickets that
    # waited (or abandoned) is within +-0.05 of 0.1, on 8 fresh replications (seed 99,
    # about 0.3 million tickets per hour of the day, so the sampling error of a share near
    # 0.1 is far below the tolerance; observed 0.054-0.126). Staffing per hour by the
    # arrival rate alone (a stationary Erlang C per hour) is not what is tested here.
    desk = _sine_desk()
    curve = ss.staffing_curve(desk, "l1", 0.1, cycle="day")
    assert list(curve.columns) == ["interval_start", "staff"]
    assert curve["interval_start"].tolist() == list(range(24))
    staffed = with_curve(desk, "l1", curve["staff"].to_numpy(), "day")
    res = ss.simulate(staffed, replications=8, seed=99)
    tickets = res.tickets[~res.tickets["warmup"]]
    delayed = ~(tickets["wait_time"] <= 0)  # waited, or abandoned (NaN wait)
    hour = np.floor(tickets["arrived_at"] % 24).astype(int)
    share = delayed.groupby(hour).mean()
    assert len(share) == 24
    assert (share - 0.1).abs().max() <= 0.05, share.round(3).tolist()
    # The curve follows the demand: most agents near the peak hour (6), fewest near 18.
    assert curve["staff"].idxmax() in range(4, 9)
    assert curve["staff"].idxmin() in range(16, 21)


def test_staffing_curve_rejects_bad_arguments() -> None:
    desk = _sine_desk()
    with pytest.raises(ValueError, match="target must be a delay probability"):
        ss.staffing_curve(desk, "l1", 1.5)
    with pytest.raises(ValueError, match="tier must be one of"):
        ss.staffing_curve(desk, "l2", 0.1)
    with pytest.raises(ValueError, match="metric must be 'delay'"):
        ss.staffing_curve(desk, "l1", 0.1, metric="wait")


def test_staffing_curve_refuses_a_tier_split_into_agent_groups() -> None:
    # global_rollout.toml's L1 is four language groups; a curve of one pool would plan a
    # different desk (and used to fail on costs.tiers.l1.groups, or with the group costs
    # removed return that pooled curve silently).
    desk = ss.load_scenario("scenarios/global_rollout.toml")
    with pytest.raises(ValueError, match=r"tier l1 is split into agent groups \['central', "
                                         r"'danish', 'finnish', 'chinese'\].*ss\.plan") as err:
        ss.staffing_curve(desk, "l1", 0.2, replications=2, seed=1)
    assert "costs.tiers" not in str(err.value)
    data = desk.to_dict()
    del data["costs"]
    with pytest.raises(ValueError, match="split into agent groups"):
        ss.staffing_curve(ss.Scenario.from_dict(data), "l2", 0.2, replications=2, seed=1)
