"""Hypothesis properties of the engine over random valid scenarios and seeds."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import supportsim as ss

# Random desks are often overloaded on purpose: the properties must hold then too.
pytestmark = pytest.mark.filterwarnings("ignore::supportsim.CapacityWarning")

DISTS = st.sampled_from([
    {"dist": "exponential", "mean": "20min"},
    {"dist": "lognormal", "mean": "45min", "cv": 1.3},
    {"dist": "gamma", "mean": "1h", "cv": 0.5},
    {"dist": "fixed", "mean": "30min"},
])


@st.composite
def scenarios(draw: st.DrawFn) -> ss.Scenario:
    """Small random desks: 1-3 tiers, any discipline, hours, tennis, patience, bursts."""
    tiers = draw(st.integers(1, 3))
    names = ["l1", "l2", "l3"][:tiers]
    weights = [draw(st.integers(1, 5)) for _ in names]
    mix = {n: w / sum(weights) for n, w in zip(names, weights, strict=True)}
    mix[names[-1]] = 1 - sum(v for k, v in mix.items() if k != names[-1])
    hours = st.sampled_from(["24x7", "business"])
    data: dict[str, Any] = {
        "horizon": draw(st.sampled_from(["2d", "5d", "1w"])),
        "warmup": "12h",
        "demand": {
            "rate": draw(st.floats(0.5, 12.0)),
            "profile": draw(st.sampled_from(["flat", "office"])),
            "channels": {"phone": {"share": 0.5, "patience": draw(st.sampled_from(["5min", "1h"]))},
                         "portal": {"share": 0.5}},
            "bursts": [{"at": "1d", "multiplier": draw(st.floats(1.0, 4.0)), "decay": "12h"}],
        },
        "priorities": {"P1": {"share": 0.2, "response": "15min", "resolution": "4h"},
                       "P2": {"share": 0.8, "response": "2h", "resolution": "1d",
                              "clock": "business"}},
        "work": {"mix": mix, "effort": {n: draw(DISTS) for n in names},
                 "triage": {n: draw(DISTS) for n in names[:-1]}},
        "team": {
            "discipline": draw(st.sampled_from(["fifo", "priority", "preemptive"])),
            "tiers": {n: {"staff": draw(st.integers(1, 6)), "hours": draw(hours)} for n in names},
            "tennis": {"bounce": draw(st.sampled_from([0.0, 0.3, 1.0]))},
        },
    }
    data["team"]["tiers"]["l1"]["hours"] = "24x7"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ss.CapacityWarning)
        return ss.Scenario.from_dict(data)


PROPERTY = settings(max_examples=25, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(scenario=scenarios(), seed=st.integers(0, 2**32 - 1))
def test_time_order_and_conservation(scenario: ss.Scenario, seed: int) -> None:
    res = ss.simulate(scenario, replications=1, seed=seed)
    t = res.tickets
    responded = t.first_response_at.notna()
    resolved = t.resolved_at.notna()
    # Nothing starts before it arrives, nothing ends before it starts, all within the horizon.
    assert (t.first_response_at[responded] >= t.arrived_at[responded]).all()
    assert (t.resolved_at[resolved] >= t.first_response_at[resolved]).all()
    assert (t.resolved_at[resolved] < scenario.horizon).all()
    assert np.all(np.diff(t.arrived_at) >= 0)
    # Conservation: every ticket is exactly one of resolved, abandoned, open at the horizon.
    open_ = ~resolved & ~t.abandoned
    assert ((resolved.astype(int) + t.abandoned.astype(int) + open_.astype(int)) == 1).all()
    assert not (t.abandoned & responded).any()
    # The final backlog snapshot equals open tickets at that instant.
    last = res.timeline.t.iloc[-1]
    arrived = (t.arrived_at <= last).sum()
    closed = ((t.resolved_at <= last) | (t.abandoned & (t.arrived_at + 0 <= last))).sum()
    assert res.timeline.backlog.iloc[-1] <= arrived
    assert res.timeline.backlog.iloc[-1] >= arrived - closed - t.abandoned.sum()
    # Effort is never negative and no agent is busier than the horizon.
    assert (t.effort >= 0).all()
    assert (res.staff.busy_time <= scenario.horizon + 1e-9).all()
    assert (res.staff.busy_time <= res.staff.on_duty_time + 24 + 1e-9).all()


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario=scenarios(), seed=st.integers(0, 2**32 - 1))
def test_same_seed_identical_tables(scenario: ss.Scenario, seed: int) -> None:
    first = ss.simulate(scenario, replications=1, seed=seed)
    second = ss.simulate(scenario, replications=1, seed=seed)
    for name in ("tickets", "staff", "timeline"):
        pd.testing.assert_frame_equal(getattr(first, name), getattr(second, name))
