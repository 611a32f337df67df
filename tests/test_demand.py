"""Demand generation: counts against the integrated rate, profile shape, shares, draws."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

import supportsim as ss
from supportsim.demand import expected_arrivals, generate, rate_at, weekly_profile
from tests.support import build, mmc_dict


def poisson_ok(count: int, mean: float) -> bool:
    """|count - mean| within 4 Poisson standard deviations."""
    return abs(count - mean) <= 4 * math.sqrt(mean)


def arrivals(data: dict, reps: int = 1, seed: int = 1) -> list[np.ndarray]:
    scenario = build(data)
    return [generate(scenario, r, seed).arrived_at for r in range(reps)]


def test_flat_rate_counts_and_poisson_gaps() -> None:
    data = mmc_dict(rate=20.0, horizon="4w")
    (times,) = arrivals(data)
    assert poisson_ok(len(times), 20.0 * 672)
    # Exponential inter-arrival gaps (KS against exp(mean 1/20)); a wrong process fails.
    assert stats.kstest(np.diff(times), "expon", args=(0, 1 / 20)).pvalue > 1e-3


def test_go_live_burst_adds_rate_times_k_minus_1_times_tau() -> None:
    # rate (1 + (K-1) e^(-t/tau)) has expected extra volume rate (K-1) tau:
    # rate 10, K 3, tau 24 h: 480 extra tickets over 4 weeks (the tail beyond is e^-26).
    data = mmc_dict(rate=10.0, horizon="4w")
    data["demand"]["bursts"] = [{"name": "go-live", "at": "1w", "multiplier": 3.0, "decay": "1d"}]
    scenario = build(data)
    assert expected_arrivals(scenario) == pytest.approx(10 * 672 + 480, rel=1e-4)
    counts = [len(generate(scenario, r, 2).arrived_at) for r in range(20)]
    assert poisson_ok(int(np.sum(counts)), 20 * (10 * 672 + 480))
    # The extra volume sits after the go-live, within a few decay constants.
    times = np.concatenate([generate(scenario, r, 2).arrived_at for r in range(20)])
    in_window = np.sum((times >= 168) & (times < 168 + 72))
    assert poisson_ok(int(in_window), 20 * (10 * 72 + 20 * 24 * (1 - math.exp(-3))))


def test_flat_burst_block() -> None:
    data = mmc_dict(rate=5.0, horizon="2w")
    data["demand"]["bursts"] = [{"at": "3d", "multiplier": 4.0, "duration": "10h"}]
    scenario = build(data)
    times = np.concatenate([generate(scenario, r, 3).arrived_at for r in range(10)])
    inside = np.sum((times >= 72) & (times < 82))
    assert poisson_ok(int(inside), 10 * 5 * 4 * 10)
    assert rate_at(scenario, np.array([71.9, 72.0, 81.9, 82.0])).tolist() == [5, 20, 20, 5]


def test_growth_is_compound_per_four_weeks() -> None:
    data = mmc_dict(rate=10.0, horizon="24w")
    data["demand"]["growth"] = 0.05
    scenario = build(data)
    assert rate_at(scenario, 672.0) == pytest.approx(10.5)
    assert rate_at(scenario, 6 * 672.0) == pytest.approx(10 * 1.05**6)
    # Integral of 10 * 1.05^(t/672) over 24 weeks, closed form.
    closed = 10 * 672 / math.log(1.05) * (1.05**6 - 1)
    assert expected_arrivals(scenario) == pytest.approx(closed, rel=1e-6)
    (times,) = arrivals(data)
    assert poisson_ok(len(times), closed)
    last, first = np.sum(times >= 5 * 672), np.sum(times < 672)
    assert last / first == pytest.approx(1.05**5, rel=0.08)


def test_office_profile_shape() -> None:
    weights = weekly_profile("office")
    assert weights.mean() == pytest.approx(1.0)
    assert weights[10] > 10 * weights[3]  # Monday 10:00 vs 03:00
    assert weights[:24].sum() > 4 * weights[5 * 24:6 * 24].sum()  # Monday vs Saturday
    data = mmc_dict(rate=10.0, horizon="8w")
    data["demand"]["profile"] = "office"
    (times,) = arrivals(data)
    observed = np.bincount(np.floor(times).astype(int) % 168, minlength=168)
    expected = weights / weights.sum() * len(times)
    assert stats.chisquare(observed, expected).pvalue > 1e-3


def test_explicit_profile_and_non_monday_start() -> None:
    hourly = [0.0] * 9 + [1.0] * 8 + [0.0] * 7  # 09:00-17:00 only
    data = mmc_dict(rate=4.0, horizon="2w")
    data["start"] = "2026-01-07T13:30:00"  # a Wednesday afternoon
    data["demand"]["profile"] = {"hourly": hourly, "daily": [1, 1, 1, 1, 1, 0, 0]}
    (times,) = arrivals(data)
    clock = (13.5 + times) % 24
    day = (2 + np.floor((13.5 + times) / 24)) % 7
    assert ((clock >= 9) & (clock < 17)).all()
    assert (day < 5).all()


def test_storms_are_shot_noise_with_the_right_mean() -> None:
    # changes 10/week x failure 0.2 x 30 tickets = 60 storm tickets/week on average.
    data = mmc_dict(rate=1.0, horizon="8w")
    data["demand"]["storms"] = {"changes_per_week": 10, "failure_rate": 0.2, "tickets": 30,
                                "decay": "2h"}
    scenario = build(data)
    mean_storm = expected_arrivals(scenario) - 1.0 * 1344
    assert mean_storm == pytest.approx(60 * 8, rel=0.01)
    streams = [generate(scenario, r, 4) for r in range(30)]
    storm_counts = np.array([s.storm.sum() for s in streams])
    # Compound Poisson: variance = rate * E[N^2] = (16 * 8 / ... ) -> use 4 sd of the mean.
    var = 10 * 8 * 0.2 * (30 + 30**2)
    assert abs(storm_counts.mean() - 480) < 4 * math.sqrt(var / 30)


def test_shares_of_priority_channel_and_need() -> None:
    data = mmc_dict(rate=30.0, horizon="4w")
    data["priorities"] = {"P1": {"share": 0.1, "response": 1, "resolution": 2},
                          "P2": {"share": 0.3, "response": 1, "resolution": 2},
                          "P3": {"share": 0.6, "response": 1, "resolution": 2}}
    data["demand"]["channels"] = {"a": {"share": 0.25}, "b": {"share": 0.75}}
    data["work"] = {"mix": {"l1": 0.65, "l2": 0.28, "l3": 0.07},
                    "effort": {t: {"dist": "exponential", "mean": 1} for t in ("l1", "l2", "l3")},
                    "triage": {t: {"dist": "exponential", "mean": 1} for t in ("l1", "l2")}}
    data["team"]["tiers"] |= {"l2": {"staff": 30}, "l3": {"staff": 30}}
    data["team"]["tiers"]["l1"]["staff"] = 60
    stream = generate(build(data), 0, 5)
    n = len(stream)
    for values, shares in ((stream.priority, [0.1, 0.3, 0.6]), (stream.channel, [0.25, 0.75]),
                           (stream.need - 1, [0.65, 0.28, 0.07])):
        counts = np.bincount(values, minlength=len(shares))
        assert stats.chisquare(counts, np.array(shares) * n).pvalue > 1e-3


@pytest.mark.parametrize("spec, cv", [
    ({"dist": "exponential", "mean": "2h"}, 1.0),
    ({"dist": "lognormal", "mean": "2h", "cv": 1.5}, 1.5),
    ({"dist": "gamma", "mean": "2h", "cv": 0.4}, 0.4),
    ({"dist": "fixed", "mean": "2h"}, 0.0),
])
def test_effort_draws_have_the_stated_mean_and_cv(spec: dict, cv: float) -> None:
    data = mmc_dict(rate=50.0, staff=120, horizon="8w")
    data["work"]["effort"]["l1"] = spec
    effort = generate(build(data), 0, 6).effort[0]
    # Standard error of the mean is cv * mean / sqrt(n); of the cv roughly cv / sqrt(n)
    # times a kurtosis factor, so the cv check gets a wider relative band.
    assert abs(effort.mean() - 2.0) < 4 * max(cv, 1e-9) * 2.0 / math.sqrt(len(effort)) + 1e-12
    assert effort.std() / effort.mean() == pytest.approx(cv, rel=0.08, abs=1e-12)


def test_patience_only_for_channels_that_abandon() -> None:
    data = mmc_dict(rate=20.0, horizon="2w")
    data["demand"]["channels"] = {"phone": {"share": 0.4, "patience": "10min"},
                                  "portal": {"share": 0.6}}
    stream = generate(build(data), 0, 7)
    phone = stream.channel == 0
    assert np.isinf(stream.patience[~phone]).all()
    assert stream.patience[phone].mean() == pytest.approx(1 / 6, rel=0.05)


def test_demand_does_not_depend_on_the_team() -> None:
    base = build(mmc_dict())
    other = base.with_overrides({"team.tiers.l1.staff": 9, "team.discipline": "priority"})
    a, b = generate(base, 3, 99), generate(other, 3, 99)
    for field in ("arrived_at", "priority", "channel", "need", "patience", "effort", "triage"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
    # Replications differ from each other.
    assert not np.array_equal(generate(base, 0, 99).arrived_at[:10], a.arrived_at[:10])


def test_adding_a_tier_distribution_leaves_other_draws_unchanged() -> None:
    data = mmc_dict()
    scenario = build(data)
    data["work"]["mix"] = {"l1": 0.9, "l2": 0.1}
    data["work"]["effort"]["l2"] = {"dist": "exponential", "mean": 1.0}
    data["work"]["triage"] = {"l1": {"dist": "exponential", "mean": 0.1}}
    data["team"]["tiers"]["l2"] = {"staff": 3}
    wider = build(data)
    np.testing.assert_array_equal(generate(scenario, 0, 1).effort[0],
                                  generate(wider, 0, 1).effort[0])
    np.testing.assert_array_equal(generate(scenario, 0, 1).arrived_at,
                                  generate(wider, 0, 1).arrived_at)


def test_scenario_rate_integral_matches_simulated_counts() -> None:
    # Office profile, growth and a go-live together; storms (over-dispersed) switched off.
    data = ss.load_scenario("scenarios/golive_tiered.toml").to_dict()
    del data["demand"]["storms"]
    scenario = ss.Scenario.from_dict(data)
    counts = [len(generate(scenario, r, 8)) for r in range(5)]
    assert poisson_ok(int(np.sum(counts)), 5 * expected_arrivals(scenario))
