"""Skills-based routing against queueing theory (issue 14).

Pooling (Erlang C), independent M/M/c queues without cross-training, one M/M/c with full
cross-training. Tolerances: 4 standard errors over replications (tests/support.py, Z),
each check bounding its standard error so it has the power to see a real error.
"""

from __future__ import annotations

import copy
import warnings
from typing import Any

import numpy as np
import pandas as pd
import pytest

import supportsim as ss
from supportsim import analytic
from tests.support import Z, assert_statistically_equal, mmc_dict

FIVE = ["da", "de", "en", "fi", "zh"]
TARGET = 20 / 3600  # 80 % answered within 20 s
MU = 12.0  # 5-minute exponential handling


def _skilled(rate: float, skills: dict[str, float], groups: dict[str, Any], *,
             horizon: str, warmup: str, mean: float = 1 / MU) -> ss.Scenario:
    data = mmc_dict(rate=rate, mean=mean, horizon=horizon, warmup=warmup)
    data["demand"]["skills"] = skills
    data["team"]["tiers"]["l1"] = {"groups": groups}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ss.CapacityWarning)
        return ss.Scenario.from_dict(data)


def _answered_within(result: ss.SimulationResult, target: float) -> np.ndarray:
    """Per replication, the share of scored tickets whose wait is <= `target`."""
    kept = result.tickets[~result.tickets["warmup"]]
    return (kept["wait_time"] <= target).groupby(kept["replication"]).mean().to_numpy()


def test_staffing_numbers_of_the_issue() -> None:
    # Issue 14: 120 tickets/h per skill, 5-min exponential handling, 80/20 target need
    # 14 agents per skill alone (Erlang C, a = 10 Erlang) and 57 for all five pooled.
    assert int(analytic.required_staff(120, MU, 0.8, TARGET)) == 14
    assert int(analytic.required_staff(600, MU, 0.8, TARGET)) == 57


def _layouts() -> dict[str, dict[str, Any]]:
    separate = {s: {"skills": [s], "staff": 14} for s in FIVE}
    pooled = {"all": {"skills": FIVE, "staff": 57}}
    # 57 agents without cross-training (12, 12, 11, 11, 11) and in a chain of pairs.
    split = [12, 12, 11, 11, 11]
    alone = {s: {"skills": [s], "staff": n} for s, n in zip(FIVE, split, strict=True)}
    chain = {s: {"skills": [s, FIVE[(k + 1) % 5]], "staff": n}
             for k, (s, n) in enumerate(zip(FIVE, split, strict=True))}
    return {"separate": separate, "pooled": pooled, "alone": alone, "chain": chain}


@pytest.mark.slow
def test_pooling_against_erlang_c() -> None:
    shares = dict.fromkeys(FIVE, 0.2)
    layouts = _layouts()
    levels = {}
    for name, groups in layouts.items():
        scenario = _skilled(600.0, shares, groups, horizon="4d", warmup="1h")
        levels[name] = _answered_within(ss.simulate(scenario, replications=10, seed=5), TARGET)
    # Erlang C: 14 per skill, a = 10: P(wait <= 20 s) = 0.86663; 57 pooled, a = 50: 0.84544.
    assert analytic.service_level(14, 120, MU, TARGET) == pytest.approx(0.86663, abs=1e-5)
    assert analytic.service_level(57, 600, MU, TARGET) == pytest.approx(0.84544, abs=1e-5)
    assert_statistically_equal(levels["separate"], 0.86663, max_se=0.01)
    assert_statistically_equal(levels["pooled"], 0.84544, max_se=0.01)
    # The same 57 agents: split by skill they miss the target badly, a chain of pairs
    # recovers most of the pooling: alone < chain < pooled, each by more than Z paired
    # standard errors (every layout sees the same tickets).
    for low, high in (("alone", "chain"), ("chain", "pooled")):
        gain = levels[high] - levels[low]
        se = gain.std(ddof=1) / np.sqrt(len(gain))
        assert gain.mean() > Z * se, (low, high, gain.mean(), se)


def test_no_cross_training_is_independent_mmc_queues() -> None:
    # Three skills at 60 tickets/h in all (50/30/20 %), 6-min exponential effort; each
    # skill has its own group: M/M/c per skill with (lambda, c) = (30, 4), (18, 3), (12, 2).
    shares = {"a": 0.5, "b": 0.3, "c": 0.2}
    staff = {"a": 4, "b": 3, "c": 2}
    scenario = _skilled(60.0, shares, {s: {"skills": [s], "staff": c} for s, c in staff.items()},
                        horizon="3w", warmup="1d", mean=0.1)
    result = ss.simulate(scenario, replications=6, seed=2)
    kept = result.tickets[~result.tickets["warmup"]]
    for skill, share in shares.items():
        mine = kept[kept["skill"] == skill]
        assert (mine["group"].dropna() == skill).all()
        waits = mine.groupby("replication")["wait_time"].mean().to_numpy()
        reference = float(analytic.mean_wait(staff[skill], 60.0 * share, 10.0))
        assert_statistically_equal(waits, reference, max_se=reference / 8)


def test_full_cross_training_is_one_mmc() -> None:
    # One group with all three skills: one M/M/9 at lambda 60, mu 10 (Erlang C mean wait).
    shares = {"a": 0.5, "b": 0.3, "c": 0.2}
    scenario = _skilled(60.0, shares, {"all": {"skills": list(shares), "staff": 7}},
                        horizon="3w", warmup="1d", mean=0.1)
    result = ss.simulate(scenario, replications=6, seed=2)
    kept = result.tickets[~result.tickets["warmup"]]
    waits = kept.groupby("replication")["wait_time"].mean().to_numpy()
    reference = float(analytic.mean_wait(7, 60.0, 10.0))
    assert_statistically_equal(waits, reference, max_se=reference / 8)


def test_one_group_with_every_skill_is_the_plain_tier() -> None:
    # Exact: one group holding every skill routes as the tier without groups does (one
    # FIFO queue, longest-idle agent), so the ticket tables are equal, column by column.
    data = mmc_dict(rate=25.0, staff=7, horizon="1w", warmup="1d")
    data["demand"]["skills"] = {"a": 0.6, "b": 0.4}
    data["demand"]["channels"] = {"phone": {"share": 0.5, "patience": "10min"},
                                  "mail": {"share": 0.5}}
    data["team"]["discipline"] = "priority"
    data["priorities"] = {"P1": {"share": 0.3, "response": "5min", "resolution": "1h"},
                          "P2": {"share": 0.7, "response": "1h", "resolution": "8h"}}
    plain = ss.Scenario.from_dict(copy.deepcopy(data))
    data["team"]["tiers"]["l1"] = {"groups": {"all": {"skills": ["a", "b"], "staff": 7}}}
    grouped = ss.Scenario.from_dict(data)
    a = ss.simulate(plain, replications=2, seed=9).tickets
    b = ss.simulate(grouped, replications=2, seed=9).tickets
    assert b["group"].isin(["all"]).sum() == b["resolved_at"].notna().sum()
    assert a["group"].isna().all()
    columns = [c for c in a.columns if c != "group"]
    pd.testing.assert_frame_equal(a[columns], b[columns])
