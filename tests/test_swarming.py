"""Swarming: M/M/c when nobody needs help, pooling, swarm mechanics, paired comparison."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import supportsim as ss
from supportsim.demand import generate
from supportsim.engine import engine_stream, run_replication
from tests.support import assert_statistically_equal, build, mmc_dict, per_replication


def swarm(data: dict, **swarm_keys: float) -> dict:
    data["team"]["structure"] = "swarming"
    data["team"]["swarm"] = {"overhead": 0.0} | swarm_keys
    return data


@pytest.mark.slow
def test_swarming_with_all_tickets_at_l1_is_mmc() -> None:
    # Two tiers pooled in one queue (4 + 3 agents), every ticket needs L1, overhead 0:
    # M/M/7 with lambda 20, mu 4. Erlang C(7, 5) = 0.324150; E[W] = 0.0405187 h.
    data = swarm(mmc_dict(rate=20.0, staff=4, horizon="20w"))
    data["work"]["effort"]["l2"] = {"dist": "exponential", "mean": 0.25}
    data["team"]["tiers"]["l2"] = {"staff": 3}
    res = ss.simulate(build(data), replications=8, seed=21)
    waited = res.tickets.assign(waited=res.tickets.wait_time > 0)
    assert_statistically_equal(per_replication(waited, "waited"), 0.324150, max_se=0.006)
    assert_statistically_equal(per_replication(res.tickets, "wait_time"), 0.0405187,
                               max_se=0.002)
    assert (res.tickets.escalations == 0).all()


def test_pooling_beats_two_separate_swarms_on_the_same_tickets() -> None:
    # Two M/M/1 (lambda 3, mu 4) wait 0.75 h each; one M/M/2 (lambda 6) waits 0.321429 h.
    pooled = build(swarm(mmc_dict(rate=6.0, staff=2, horizon="30w")))
    data = swarm(mmc_dict(rate=6.0, staff=1, horizon="30w"))
    data["demand"]["channels"] = {"east": {"share": 0.5}, "west": {"share": 0.5}}
    single = build(data)
    separate, together = [], []
    for rep in range(6):
        tickets = generate(single, rep, 31)
        kept = tickets.arrived_at >= single.warmup
        for channel in (0, 1):
            mask = tickets.channel == channel
            part = tickets.select(mask)
            record = run_replication(single, part, engine_stream(31, rep))
            separate.append(np.nanmean((record.first_response_at - part.arrived_at)
                                       [part.arrived_at >= single.warmup]))
        record = run_replication(pooled, tickets, engine_stream(31, rep))
        together.append(np.nanmean((record.first_response_at - tickets.arrived_at)[kept]))
    assert_statistically_equal(together, 0.321429, max_se=0.02)
    assert_statistically_equal(separate, 0.75, max_se=0.06)
    assert max(together) < min(separate)


def experts_dict() -> dict:
    data = swarm(mmc_dict(rate=4.0, staff=3, horizon="4w", warmup="0h"), overhead=0.2)
    data["work"] = {"mix": {"l1": 0.5, "l2": 0.3, "l3": 0.2},
                    "effort": {"l1": {"dist": "fixed", "mean": "20min"},
                               "l2": {"dist": "fixed", "mean": "1h"},
                               "l3": {"dist": "fixed", "mean": "2h"}},
                    "triage": {"l1": {"dist": "fixed", "mean": "6min"}}}
    data["team"]["tiers"] |= {"l2": {"staff": 3}, "l3": {"staff": 2}}
    return data


def test_swarm_effort_and_wall_time_follow_overhead() -> None:
    res = ss.simulate(build(experts_dict()), replications=1, seed=41)
    done = res.tickets[res.tickets.resolved_at.notna()]
    assert (done.escalations == 0).all() and (done.bounces == 0).all()
    for need, effort in ((2, 1.0), (3, 2.0)):
        rows = done[done.need == need]
        helped = rows[rows.help_wait_time.notna()]  # owned below the need: a swarm formed
        k = helped.swarm_size.to_numpy()
        assert ((k >= 2) & (k <= 3)).all()
        # Total effort: diagnosis (L1 owner) + effort * (1 + 0.2 (k - 1)).
        diagnosis = np.where(helped.agent.isin(res.staff.agent[res.staff.tier == 1]), 0.1, 0.0)
        np.testing.assert_allclose(helped.effort, diagnosis + effort * (1 + 0.2 * (k - 1)),
                                   atol=1e-9)
        assert (helped.resolved_by >= need).all()
    # Effort is never below the single-agent effort.
    single = done.need.map({1: 1 / 3, 2: 1.0, 3: 2.0})
    assert (done.effort >= single - 1e-12).all()


def test_max_size_two_never_adds_intermediate_levels() -> None:
    res = ss.simulate(build(experts_dict()).with_overrides({"team.swarm.max_size": 2}),
                      replications=1, seed=42)
    assert res.tickets.swarm_size.max() == 2


def test_swarm_conservation_and_time_order() -> None:
    res = ss.simulate(build(experts_dict()).with_overrides({"team.discipline": "preemptive"}),
                      replications=2, seed=43)
    t = res.tickets
    resolved = t.resolved_at.notna()
    assert ((resolved.astype(int) + t.abandoned + (~resolved & ~t.abandoned)) == 1).all()
    assert (t.first_response_at[resolved] <= t.resolved_at[resolved]).all()
    assert (t.help_wait_time.dropna() >= 0).all()


def test_swarm_section_is_kept_but_unused_when_tiered_and_defaults_for_swarming() -> None:
    # DESIGN section 4 carries [team.swarm] in a tiered desk: "used when structure =
    # swarming". It validates, round-trips and leaves the tiered results unchanged.
    data = mmc_dict(horizon="2w")
    plain = ss.simulate(build(data), replications=1, seed=3)
    data["team"]["swarm"] = {"overhead": 0.1}
    scenario = build(data)
    assert scenario.team.swarm is not None and scenario.team.swarm.overhead == 0.1
    pd.testing.assert_frame_equal(plain.tickets,
                                  ss.simulate(scenario, replications=1, seed=3).tickets)
    data["team"]["swarm"] = {"overhead": -1}
    with pytest.raises(ss.ScenarioError, match=r"team\.swarm\.overhead"):
        build(data)
    assert build(swarm(mmc_dict())).team.swarm_settings.max_size == 3


# L3 is critically loaded (2 Erlangs on 2 agents) on purpose: long queues make the
# paired/unpaired difference clear.
@pytest.mark.filterwarnings("ignore::supportsim.CapacityWarning")
def test_paired_comparison_is_narrower_than_unpaired() -> None:
    # Common random numbers: both variants see the same tickets and effort draws, so the
    # per-replication differences cancel demand noise. The gain is largest between
    # variants of one structure (a staffing change) and smaller, but real, between
    # structures, whose mechanics differ more.
    data = experts_dict()
    for tier, mean in (("l1", "20min"), ("l2", "1h"), ("l3", "2h")):
        data["work"]["effort"][tier] = {"dist": "lognormal", "mean": mean, "cv": 1.5}
    data["demand"]["rate"] = 5.0
    tiered = build(data).with_overrides({
        "team.structure": "tiered", "team.swarm": None,
        "work.triage.l2": {"dist": "fixed", "mean": "10min"}})
    swarming = tiered.with_overrides({"team.structure": "swarming",
                                      "team.swarm": {"overhead": 0.2}})
    a = ss.simulate(tiered, replications=8, seed=51)
    b = ss.simulate(swarming, replications=8, seed=51)
    c = ss.simulate(tiered.with_overrides({"team.tiers.l2.staff": 4}), replications=8, seed=51)

    def width_ratio(x: ss.SimulationResult, y: ss.SimulationResult) -> pd.Series:
        paired, unpaired = ss.compare(x, y), ss.compare(x, y, paired=False)
        ratio = (paired.high - paired.low) / (unpaired.high - unpaired.low)
        return ratio.set_axis(paired.metric)

    staffing = width_ratio(a, c)
    assert (staffing < 0.7).all()
    structure = width_ratio(a, b)
    assert structure["mean_resolution_time"] < 0.8
    assert structure["p90_resolution_time"] < 0.95
    result = ss.compare(a, b, labels=("tiered", "swarming"))
    assert set(result.better) <= {"", "tiered", "swarming"}
    # The layout of SweepResult.compare (issue 18: one layout for both comparisons).
    assert list(result.columns) == ["variant", "baseline", "priority", "metric", "value",
                                    "baseline_value", "difference", "low", "high", "better",
                                    "replications"]
    assert set(result.variant) == {"swarming"} and set(result.baseline) == {"tiered"}
    with pytest.raises(ValueError, match="common random numbers"):
        ss.compare(a, ss.simulate(swarming, replications=8, seed=52))


# Nights are short-staffed on purpose (L2 works business hours only).
@pytest.mark.filterwarnings("ignore::supportsim.CapacityWarning")
def test_owner_off_duty_hands_the_ticket_to_the_expert() -> None:
    # L1 works shifts around the clock, L2 business hours only: tickets needing L2 at
    # night wait for the morning. An L1 owner whose shift ends stops waiting, so L1 is not
    # tied up overnight and the expert leads the swarm alone.
    data = experts_dict()
    data["work"]["mix"] = {"l1": 0.6, "l2": 0.4}
    del data["work"]["effort"]["l3"]
    del data["team"]["tiers"]["l3"]
    data["team"]["tiers"]["l1"] = {"hours": [
        {"name": "day", "start": "06:00", "end": "18:00", "staff": 2},
        {"name": "night", "start": "18:00", "end": "06:00", "staff": 2}]}
    data["team"]["tiers"]["l2"] = {"staff": 3, "hours": "business"}
    res = ss.simulate(build(data), replications=1, seed=44)
    l1 = res.staff[res.staff.tier == 1]
    # Busy beyond the shift is at most the diagnosis of the last ticket (fixed 6 min) or a
    # solo effort (fixed 20 min) started before the end of the shift, once per shift.
    shifts = 2 * 28  # days x (start of each shift ends once a day per agent)
    assert (l1.busy_time <= l1.on_duty_time + shifts * (1 / 3) + 1e-9).all()
    done = res.tickets[res.tickets.resolved_at.notna() & (res.tickets.need == 2)]
    led_by_expert = done.agent.isin(res.staff.agent[res.staff.tier == 2])
    assert led_by_expert.any() and (~led_by_expert).any()
    assert (done[led_by_expert].swarm_size == 1).all()
