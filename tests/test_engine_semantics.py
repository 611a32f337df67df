"""Engine semantics of DESIGN section 5 on small deterministic or near-deterministic desks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import supportsim as ss
from supportsim.demand import generate
from tests.support import build, mmc_dict


def three_tier(bounce: float = 0.0) -> dict:
    data = mmc_dict(rate=2.0, mean=0.25, staff=3, horizon="2w", warmup="0h")
    data["work"] = {
        "mix": {"l1": 0.4, "l2": 0.4, "l3": 0.2},
        "effort": {"l1": {"dist": "fixed", "mean": "20min"}, "l2": {"dist": "fixed", "mean": "1h"},
                   "l3": {"dist": "fixed", "mean": "2h"}},
        "triage": {"l1": {"dist": "fixed", "mean": "10min"},
                   "l2": {"dist": "fixed", "mean": "30min"}},
    }
    data["team"]["tiers"] |= {"l2": {"staff": 3}, "l3": {"staff": 2}}
    data["team"]["tennis"] = {"bounce": bounce}
    return data


def resolved(res: ss.SimulationResult) -> pd.DataFrame:
    return res.tickets[res.tickets.resolved_at.notna()]


def test_tiered_escalation_and_effort_are_exact() -> None:
    # Fixed effort: a ticket needing tier k is triaged at every tier below k and resolved at k.
    done = resolved(ss.simulate(build(three_tier()), replications=1, seed=1))
    triage = {1: 0.0, 2: 1 / 6, 3: 1 / 6 + 0.5}
    effort = {1: 1 / 3, 2: 1.0, 3: 2.0}
    expected = done.need.map(lambda k: triage[k] + effort[k])
    np.testing.assert_allclose(done.effort, expected, atol=1e-12)
    assert (done.resolved_by == done.need).all()
    assert (done.escalations == done.need - 1).all()
    assert (done.bounces == 0).all()


def test_ticket_tennis_bounces_once_and_retriages() -> None:
    # bounce = 1: the first escalation always comes back; the lower tier triages again.
    done = resolved(ss.simulate(build(three_tier(bounce=1.0)), replications=1, seed=1))
    escalated = done[done.need > 1]
    assert (escalated.bounces == 1).all() and (done[done.need == 1].bounces == 0).all()
    # need 2: L1 triage, up, L2 reviews it (team.tennis.review, by default L2's triage:
    # 30 min) and sends it back, L1 triage again, up: 2 escalations, 2 triages, a review.
    need2 = done[done.need == 2]
    assert (need2.escalations == 2).all()
    np.testing.assert_allclose(need2.effort, 2 / 6 + 0.5 + 1.0, atol=1e-12)
    # need 3: bounces at the first hand-off only: 3 escalations, L1 triage twice, one
    # review at L2 and L2's own triage.
    need3 = done[done.need == 3]
    assert (need3.escalations == 3).all()
    np.testing.assert_allclose(need3.effort, 2 / 6 + 0.5 + 0.5 + 2.0, atol=1e-12)


def test_bounce_probability_is_respected() -> None:
    res = ss.simulate(build(three_tier(bounce=0.3), {"horizon": "8w"}), replications=1, seed=2)
    escalated = resolved(res)
    escalated = escalated[escalated.need > 1]
    # Each ticket gets up to two chances (one per hand-off) until it has bounced once.
    chance = np.where(escalated.need == 2, 0.3, 1 - 0.7**2)
    share, expected = escalated.bounces.mean(), chance.mean()
    se = np.sqrt(expected * (1 - expected) / len(escalated))
    assert abs(share - expected) < 4 * se


@pytest.mark.filterwarnings("ignore::supportsim.CapacityWarning")
def test_abandonment_only_before_first_response() -> None:
    data = mmc_dict(rate=30.0, mean=0.25, staff=7, horizon="2w")
    data["demand"]["channels"] = {"phone": {"share": 0.5, "patience": "5min"},
                                  "portal": {"share": 0.5}}
    res = ss.simulate(build(data), replications=1, seed=4)
    tickets = res.tickets
    gone = tickets[tickets.abandoned]
    assert len(gone) > 100
    assert gone.first_response_at.isna().all() and gone.resolved_at.isna().all()
    assert (gone.channel == "phone").all()
    # Whoever had patience and was served was served before their patience ran out.
    stream = generate(res.scenario, 0, res.seed)
    served = tickets.first_response_at.notna().to_numpy()
    assert np.all(tickets.wait_time.to_numpy()[served] <= stream.patience[served] + 1e-12)
    # And whoever abandoned had waited exactly their patience without being served.
    assert np.all(stream.arrived_at[tickets.abandoned] + stream.patience[tickets.abandoned]
                  <= res.scenario.horizon)


@pytest.mark.filterwarnings("ignore::supportsim.CapacityWarning")
def test_business_hours_staff_start_work_only_while_open() -> None:
    data = mmc_dict(rate=2.0, mean=0.25, staff=2, horizon="3w", warmup="0h")
    data["team"]["tiers"]["l1"]["hours"] = "business"
    data["calendar"] = {"holidays": ["2026-01-14"]}
    res = ss.simulate(build(data), replications=1, seed=5)
    started = res.tickets.first_response_at.dropna().to_numpy()
    assert res.scenario.calendar.is_open(started).all()
    # The holiday (a Wednesday) and weekends have nobody on duty in the timeline.
    tl = res.timeline
    assert tl.loc[(tl.t >= 9 * 24) & (tl.t < 10 * 24), "on_duty"].eq(0).all()
    assert tl.loc[(tl.t >= 5 * 24) & (tl.t < 7 * 24), "on_duty"].eq(0).all()
    assert tl.loc[tl.t == 24 + 10, "on_duty"].item() == 2  # Tuesday 10:00


def test_shifts_put_the_roster_on_duty() -> None:
    data = mmc_dict(rate=1.0, mean=0.25, staff=3, horizon="1w", warmup="0h")
    data["team"]["tiers"]["l1"] = {"hours": [
        {"name": "day", "start": "08:00", "end": "20:00", "staff": 2},
        {"name": "night", "start": "20:00", "end": "08:00", "days": ["Mon", "Tue"], "staff": 1},
    ]}
    res = ss.simulate(build(data), replications=1, seed=6)
    on = res.timeline.set_index("t")["on_duty"]
    assert on[10] == 2 and on[21] == 1 and on[24 + 2] == 1  # Mon day, Mon night, Tue 02:00
    assert on[2 * 24 + 22] == 0  # Wednesday night is not rostered
    assert on[7] == 0  # before the first day shift on Monday
    assert set(res.staff.hours) == {"day", "night"}


@pytest.mark.filterwarnings("ignore::supportsim.CapacityWarning")
def test_off_duty_agent_finishes_the_ticket_in_hand() -> None:
    # One busy agent on business hours, fixed 2.5 h effort: starts at 08:00, 10:30, 13:00
    # and 15:30, so the last ticket of each day ends at 18:00, after closing.
    data = mmc_dict(rate=0.5, staff=1, horizon="1w", warmup="0h")
    data["work"]["effort"]["l1"] = {"dist": "fixed", "mean": "2.5h"}
    data["team"]["tiers"]["l1"]["hours"] = "business"
    res = ss.simulate(build(data), replications=1, seed=7)
    cal = res.scenario.calendar
    done = res.tickets.dropna(subset=["resolved_at"])
    assert cal.is_open(done.first_response_at.to_numpy()).all()
    assert (~cal.is_open(done.resolved_at.to_numpy() - 1e-9)).any()  # some end after 17:00


def test_horizon_cut_leaves_open_tickets_open() -> None:
    # 5 Erlangs on 4 agents: the queue grows; whatever is unfinished stays open.
    scenario = build(mmc_dict(rate=20.0, staff=4, horizon="1w", warmup="0h"))
    with pytest.warns(ss.CapacityWarning, match="offered load 5.00 Erlangs"):
        res = ss.simulate(scenario, replications=1, seed=8)
    tickets = res.tickets
    open_ = tickets.resolved_at.isna() & ~tickets.abandoned
    assert open_.sum() > 100
    assert res.timeline.backlog.iloc[-1] == open_.sum() or abs(
        res.timeline.backlog.iloc[-1] - open_.sum()) < 60  # last snapshot is < 1 h before
    assert (tickets.resolved_at.dropna() < scenario.horizon).all()


def test_common_random_numbers_across_teams() -> None:
    base = build(three_tier(bounce=0.1))
    a = ss.simulate(base, replications=2, seed=9).tickets
    b = ss.simulate(base.with_overrides({"team.tiers.l1.staff": 5, "team.discipline": "fifo",
                                         "team.tennis.bounce": 0.0}),
                    replications=2, seed=9).tickets
    demand = ["replication", "ticket", "priority", "channel", "need", "arrived_at"]
    pd.testing.assert_frame_equal(a[demand], b[demand])


def test_warmup_flag() -> None:
    res = ss.simulate(build(mmc_dict(horizon="2w", warmup="3d")), replications=1, seed=10)
    np.testing.assert_array_equal(res.tickets.warmup, res.tickets.arrived_at < 72.0)


def test_same_seed_same_tables_and_seed_recorded() -> None:
    scenario = build(three_tier(bounce=0.2))
    first, second = (ss.simulate(scenario, replications=2, seed=12) for _ in range(2))
    for name in ("tickets", "staff", "timeline"):
        pd.testing.assert_frame_equal(getattr(first, name), getattr(second, name))
    assert first.seed == 12
    assert ss.simulate(scenario, replications=1).seed == scenario.seed
    unseeded = three_tier()
    del unseeded["seed"]
    fresh = ss.simulate(build(unseeded), replications=1)
    again = ss.simulate(build(unseeded), replications=1, seed=fresh.seed)
    pd.testing.assert_frame_equal(fresh.tickets, again.tickets)
