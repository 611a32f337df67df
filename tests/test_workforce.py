"""Workforce dynamics: learning curves, attrition and hiring, reserve, knowledge."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

import supportsim as ss
from supportsim.engine._workforce import learning_multiplier
from tests.support import assert_statistically_equal, build, mmc_dict

CURVE = {"learning": "4w", "improvement": "8w", "start": 2.0, "plateau": 1.5}


def test_learning_multiplier_piecewise_linear() -> None:
    # start 2.0, plateau 1.5, 4 w learning, 8 w improvement (the example):
    # week 2 -> 1.75 (half-way down the learning phase), week 8 -> 1.25 (half-way through
    # improvement), week 12 and after -> 1.0.
    weeks = np.array([0, 2, 4, 8, 12, 20]) * 168.0
    expected = [2.0, 1.75, 1.5, 1.25, 1.0, 1.0]
    np.testing.assert_allclose(learning_multiplier(weeks, 672, 1344, 2.0, 1.5), expected)


def test_service_time_is_effort_times_multiplier_exactly() -> None:
    # One new agent, fixed 30 min effort, low load: every ticket is served alone, so its
    # effort equals 0.5 h x m(tenure at service start), exactly.
    data = mmc_dict(rate=0.2, staff=1, horizon="14w", warmup="0h")
    data["work"]["effort"]["l1"] = {"dist": "fixed", "mean": "30min"}
    data["workforce"] = {"learning": CURVE | {"initial_joiners": {"l1": 1}}}
    res = ss.simulate(build(data), replications=1, seed=1)
    done = res.tickets.dropna(subset=["resolved_at"])
    started = done.resolved_at - done.effort
    expected = 0.5 * learning_multiplier(started.to_numpy(), 672, 1344, 2.0, 1.5)
    np.testing.assert_allclose(done.effort, expected, rtol=1e-12)
    assert done.effort.max() > 0.99 and done.effort.min() == pytest.approx(0.5)


def test_stable_staff_are_not_slowed_and_mechanism_off_changes_nothing() -> None:
    base = build(mmc_dict(horizon="2w"))
    data = mmc_dict(horizon="2w")
    data["workforce"] = {"learning": CURVE}  # no joiners: nobody on the curve
    a = ss.simulate(base, replications=2, seed=3)
    b = ss.simulate(build(data), replications=2, seed=3)
    pd.testing.assert_frame_equal(a.tickets, b.tickets)


def test_joiner_extra_escalation_fades() -> None:
    # Two tiers; every ticket fixable at L1. Joiners escalate with probability
    # 0.5 * (m - 1) / (start - 1): 0.5 on day one, 0 once stable (after 12 weeks).
    data = mmc_dict(rate=2.0, staff=4, horizon="16w", warmup="0h")
    data["work"]["triage"] = {"l1": {"dist": "exponential", "mean": "5min"}}
    data["team"]["tiers"]["l2"] = {"staff": 4}
    data["workforce"] = {"learning": CURVE | {"escalation": 0.5, "initial_joiners": {"l1": 4}}}
    res = ss.simulate(build(data), replications=1, seed=4)
    t = res.tickets
    early = t[t.arrived_at < 24 * 3].escalations.mean()
    late = t[t.arrived_at > 13 * 168].escalations.mean()
    assert early > 0.35 and late == 0
    assert (t.resolved_by[t.escalations > 0] == 2).all()


def attrition_dict(rate: float = 0.3, lead: str = "8w", staff: int = 40,
                   horizon: str = "156w") -> dict:
    data = mmc_dict(rate=0.5, staff=staff, horizon=horizon, warmup="0h")
    data["workforce"] = {"attrition": {"annual_rate": rate, "hiring_lead": lead}}
    return data


@pytest.fixture(scope="module")
def attrition() -> ss.SimulationResult:
    return ss.simulate(build(attrition_dict()), replications=6, seed=5)


def test_leavers_match_rate_times_exposure(attrition: ss.SimulationResult) -> None:
    staff = attrition.staff[attrition.staff.origin != "reserve"]
    end = staff.left_at.fillna(attrition.scenario.horizon)
    exposure_years = float((end - staff.joined_at).sum()) / 8760
    leavers = int(staff.left_at.notna().sum())
    expected = 0.3 * exposure_years  # Poisson: leavers ~ Poisson(rate x exposure)
    assert abs(leavers - expected) < 4 * math.sqrt(expected)
    assert set(staff.reason[staff.left_at.notna()]) == {"attrition"}


def test_every_vacancy_refilled_exactly_hiring_lead_later(attrition: ss.SimulationResult
                                                          ) -> None:
    lead = 8 * 168.0
    for _, events in attrition.events.groupby("replication"):
        leaves = np.sort(events[events.kind == "leave"].t.to_numpy())
        joins = np.sort(events[events.kind == "join"].t.to_numpy())
        due = leaves[leaves + lead < attrition.scenario.horizon] + lead
        np.testing.assert_allclose(joins, due, atol=1e-9)


def test_seats_are_conserved_on_the_timeline(attrition: ss.SimulationResult) -> None:
    # At every hour: present agents + vacancies == base staff.
    staff, tl = attrition.staff, attrition.timeline
    for rep, rows in tl.groupby("replication"):
        agents = staff[staff.replication == rep]
        t = rows.t.to_numpy()[:, None]
        present = ((agents.joined_at.to_numpy() <= t)
                   & (t < agents.left_at.fillna(np.inf).to_numpy())).sum(axis=1)
        np.testing.assert_array_equal(present + rows.vacancies.to_numpy(), 40)
        assert (rows.on_duty <= present).all()


def test_empty_seat_share_matches_renewal_theory() -> None:
    # Each seat alternates Exp(rate) occupied and `lead` vacant: long-run vacant share
    # r L / (1 + r L) with r = 0.3/8760 per hour, L = 1344 h: 0.0460274 / 1.0460274 =
    # 0.0440021. The first lead period starts full, so score weeks 26..156.
    res = ss.simulate(build(attrition_dict()), replications=8, seed=6)
    tl = res.timeline[res.timeline.t >= 26 * 168]
    share = tl.groupby("replication").vacancies.mean().to_numpy() / 40
    assert_statistically_equal(share, 0.0440021, max_se=0.004)


def test_hiring_freeze_delays_joiners() -> None:
    data = attrition_dict(rate=2.0, horizon="30w")
    data["workforce"]["attrition"]["hiring_freeze"] = ["10w", "20w"]
    res = ss.simulate(build(data), replications=1, seed=7)
    joins = res.events[res.events.kind == "join"].t
    assert not ((joins > 10 * 168) & (joins < 20 * 168)).any()
    assert (joins == 20 * 168).sum() > 0


def test_transfers_are_recorded_as_such() -> None:
    data = attrition_dict(rate=0.2, horizon="52w")
    data["workforce"]["attrition"]["transfers"] = 0.2
    res = ss.simulate(build(data), replications=2, seed=8)
    reasons = res.staff.reason[res.staff.left_at.notna()].value_counts()
    assert reasons["transfer"] > 5 and reasons["attrition"] > 5


def test_pool_reserve_adds_rounded_fraction() -> None:
    # 0.2 x 10 staff = 2 reserve agents, always on: 12 on duty (24x7).
    data = mmc_dict(rate=5.0, staff=10, horizon="1w", warmup="0h")
    data["workforce"] = {"reserve": {"fraction": 0.2, "mode": "pool"}}
    res = ss.simulate(build(data), replications=1, seed=9)
    assert (res.staff.origin == "reserve").sum() == 2
    assert (res.timeline.on_duty == 12).all()
    assert (res.timeline.reserve_on_duty == 2).all()


def test_surge_reserve_is_on_only_while_called() -> None:
    # A go-live burst overloads 5 agents; the surge (backlog >= 20, 1 h delay) covers it.
    data = mmc_dict(rate=15.0, staff=5, horizon="3w", warmup="0h")
    data["demand"]["bursts"] = [{"at": "1w", "multiplier": 2.0, "decay": "2d"}]
    data["workforce"] = {"reserve": {"fraction": 0.4, "mode": "surge",
                                     "trigger": {"backlog": 20}, "delay": "1h"}}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ss.CapacityWarning)
        res = ss.simulate(build(data), replications=1, seed=10)
    ev = res.events
    on, off = ev[ev.kind == "surge_on"].t.to_numpy(), ev[ev.kind == "surge_off"].t.to_numpy()
    assert len(on) >= 1
    calls = ev[ev.kind == "surge_call"]
    assert (calls.detail.astype(float) >= 20).all()
    tl = res.timeline
    active = np.zeros(len(tl), dtype=bool)
    for start in on:
        stop = off[off > start].min(initial=np.inf)
        active |= (tl.t.to_numpy() > start) & (tl.t.to_numpy() < stop)
    assert (tl.reserve_on_duty[active] == 2).all()
    assert (tl.reserve_on_duty[~active & ~np.isin(tl.t, np.floor(np.concatenate([on, off])))]
            == 0).all()
    # The reserve shortens the burst: compare with no reserve on the same tickets.
    without = ss.simulate(build(data).with_overrides({"workforce": {}}), replications=1,
                          seed=10)
    assert res.tickets.wait_time.mean() < without.tickets.wait_time.mean()


def test_backfill_reserve_covers_vacancies() -> None:
    data = attrition_dict(rate=1.0, horizon="52w", staff=20)
    data["workforce"]["reserve"] = {"fraction": 0.1, "mode": "backfill"}
    res = ss.simulate(build(data), replications=1, seed=11)
    tl = res.timeline
    # Two reserve agents: on duty only while there are vacancies, never more than them.
    assert (tl.reserve_on_duty <= np.minimum(tl.vacancies, 2)).all()
    assert (tl.reserve_on_duty[tl.vacancies == 0] == 0).all()
    assert tl.reserve_on_duty.max() == 2


def test_knowledge_shifts_l2_tickets_left_on_a_linear_ramp() -> None:
    data = mmc_dict(rate=6.0, staff=6, horizon="20w", warmup="0h")
    data["work"] = {"mix": {"l1": 0.5, "l2": 0.5},
                    "effort": {"l1": {"dist": "exponential", "mean": "15min"},
                               "l2": {"dist": "exponential", "mean": "30min"}},
                    "triage": {"l1": {"dist": "exponential", "mean": "5min"}}}
    data["team"]["tiers"]["l2"] = {"staff": 4}
    data["workforce"] = {"knowledge": {"l1_gain": 0.4, "ramp": "10w"}}
    res = ss.simulate(build(data), replications=2, seed=12)
    need2 = res.tickets[(res.tickets.need == 2) & res.tickets.resolved_at.notna()]
    at_l1 = need2.resolved_by == 1
    # Share resolved at L1 follows 0.4 * min(t / 10w, 1) at the first pick-up.
    weeks = need2.first_response_at / 168
    for lo, hi, expected in ((0, 1, 0.02), (4, 6, 0.2), (12, 20, 0.4)):
        sel = (weeks >= lo) & (weeks < hi)
        share = at_l1[sel].mean()
        se = math.sqrt(expected * (1 - expected) / sel.sum())
        assert abs(share - expected) < 4 * se + 0.01, (lo, hi, share)
    # They took L1 effort draws (mean 15 min), not L2's.
    assert need2[at_l1].effort.mean() == pytest.approx(0.25, rel=0.1)


def test_workforce_properties_on_the_flagship_mechanisms() -> None:
    data = ss.load_scenario("scenarios/golive_tiered.toml").to_dict()
    data["workforce"] = {
        "learning": CURVE | {"escalation": 0.15, "initial_joiners": {"l1": 4}},
        "attrition": {"annual_rate": 0.6, "transfers": 0.1, "hiring_lead": "4w"},
        "reserve": {"fraction": 0.2, "mode": "surge", "trigger": {"wait": "1h"}},
        "knowledge": {"l1_gain": 0.15, "ramp": "12w"},
    }
    scenario = ss.Scenario.from_dict(data)
    res = ss.simulate(scenario, replications=2, seed=13)
    t, staff, tl = res.tickets, res.staff, res.timeline
    base = sum(tier.headcount for tier in scenario.team.tiers.values())
    reserve = (staff.origin == "reserve").groupby(staff.replication).sum()
    assert (tl.on_duty >= 0).all() and (tl.vacancies >= 0).all()
    assert (tl.on_duty <= base + reserve.max()).all()
    # Conservation of tickets.
    resolved = t.resolved_at.notna()
    assert ((resolved.astype(int) + t.abandoned + (~resolved & ~t.abandoned)) == 1).all()
    # Nobody resolves a ticket before joining; a leaver only finishes the ticket in hand.
    who = staff.set_index(["replication", "agent"])
    done = t[resolved]
    keys = pd.MultiIndex.from_arrays([done.replication, done.agent])
    joined = who.loc[keys, "joined_at"].to_numpy()
    left = who.loc[keys, "left_at"].fillna(np.inf).to_numpy()
    assert (done.resolved_at.to_numpy() >= joined).all()
    started = done.resolved_at.to_numpy() - done.effort.to_numpy()
    assert (started <= left + 1e-9).all()


def test_scalar_multiplier_equals_the_vectorised_curve() -> None:
    data = mmc_dict(horizon="1w", warmup="0h")
    data["workforce"] = {"learning": CURVE}
    scenario = build(data)
    from supportsim.demand import generate
    from supportsim.engine._tiered import TieredDesk

    desk = TieredDesk(scenario, generate(scenario, 0, 1), np.random.default_rng(0))
    tenures = np.linspace(-10, 20 * 168, 997)
    scalar = [desk.workforce.multiplier(float(t)) for t in tenures]
    np.testing.assert_allclose(scalar, learning_multiplier(np.maximum(tenures, 0), 672, 1344,
                                                           2.0, 1.5), rtol=1e-12)


def test_a_leaver_finishes_the_ticket_in_hand_and_takes_no_new_one() -> None:
    # Fixed 3 h effort, heavy attrition: some agents leave mid-ticket. They resolve it
    # after leaving (they finish it), but never start a ticket after leaving.
    data = mmc_dict(rate=3.0, staff=10, horizon="8w", warmup="0h")
    data["work"]["effort"]["l1"] = {"dist": "fixed", "mean": "3h"}
    data["workforce"] = {"attrition": {"annual_rate": 20.0, "hiring_lead": "1w"}}
    res = ss.simulate(build(data), replications=1, seed=14)
    done = res.tickets[res.tickets.resolved_at.notna()]
    left = res.staff.set_index("agent").left_at.reindex(done.agent).to_numpy()
    started = done.resolved_at.to_numpy() - 3.0
    finished_after_leaving = done.resolved_at.to_numpy() > left
    assert finished_after_leaving.sum() > 3
    assert (started[~np.isnan(left)] <= left[~np.isnan(left)] + 1e-9).all()


def test_planned_departures_leave_within_the_window_and_are_refilled() -> None:
    # A provider change: 4 of 12 L1 agents leave at random in weeks 1-5; each seat is
    # refilled a week after its leaver goes, by a joiner on the learning curve.
    data = mmc_dict(rate=4.0, staff=12, horizon="10w", warmup="0h")
    data["workforce"] = {
        "departures": [{"tier": "l1", "count": 4, "at": "1w", "within": "4w", "refill": "1w"}],
        "learning": CURVE,
    }
    res = ss.simulate(build(data), replications=3, seed=15)
    for _, staff in res.staff.groupby("replication"):
        gone = staff[staff.reason == "departure"]
        assert len(gone) == 4
        assert ((gone.left_at >= 168) & (gone.left_at <= 5 * 168)).all()
        hires = staff[staff.origin == "hire"].sort_values("joined_at")
        np.testing.assert_allclose(hires.joined_at, np.sort(gone.left_at) + 168)
        # Joiners start on the curve: still learning or improving at the horizon.
        assert set(hires.phase) <= {"learning", "improvement"}
    # Without refill the seats stay empty to the horizon.
    data["workforce"]["departures"][0].pop("refill")
    res = ss.simulate(build(data), replications=1, seed=15)
    assert (res.staff.origin == "hire").sum() == 0
    assert res.timeline.vacancies.iloc[-1] == 4


def test_departure_count_cannot_exceed_the_tier() -> None:
    data = mmc_dict()
    data["workforce"] = {"departures": [{"tier": "l1", "count": 9}]}
    with pytest.raises(ss.ScenarioError, match=r"workforce\.departures\.0\.count must be <="):
        build(data)
    data["workforce"] = {"departures": [{"tier": "l2", "count": 1}]}
    with pytest.raises(ss.ScenarioError, match=r"workforce\.departures\.0\.tier names a tier"):
        build(data)


def test_effective_fte_weights_learners_by_proficiency() -> None:
    # 5 agents around the clock, 2 new on day one: effective FTE = 3 + 2 / m(t), with
    # m from the curve (start 2.0, plateau 1.5, 4 w + 8 w): 4.0 at t = 0, 3 + 2/1.25 at
    # week 8, 5 from week 12 on.
    data = mmc_dict(rate=1.0, staff=5, horizon="14w", warmup="0h")
    data["workforce"] = {"learning": CURVE | {"initial_joiners": {"l1": 2}}}
    tl = ss.simulate(build(data), replications=1, seed=16).timeline.set_index("t")
    t = np.array([0, 2, 8, 12, 13]) * 168.0
    expected = 3 + 2 / learning_multiplier(t, 672, 1344, 2.0, 1.5)
    np.testing.assert_allclose(tl.loc[t, "effective_fte"], expected, rtol=1e-12)
    assert (tl.on_duty == 5).all()
