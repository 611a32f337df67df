"""Warm start from a backlog on a swarming desk (docs/assumptions.md, "Warm start").

A ticket in service at tier T is owned at t = 0 by an idle agent of T; one waiting at
the lowest tier is in the one queue; one waiting above it is a request for help at its
need's level that nobody owns. Statistical checks use 4 standard errors.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import supportsim as ss
from tests.support import assert_on_fluid_line
from tests.test_backlog import mmc, simulate, tiered, waiting


def swarming(backlog: list[dict[str, Any]], staff: dict[str, int] | None = None,
             **extra: Any) -> dict[str, Any]:
    """`tiered` (fixed work: triage 0.5 h, effort 1 h) as a swarm with no overhead."""
    data = tiered(backlog, **extra)
    data["team"]["structure"] = "swarming"
    data["team"]["swarm"] = {"overhead": 0.0, "max_size": 3}
    for name, size in (staff or {}).items():
        data["team"]["tiers"][name]["staff"] = size
    return data


def initial(data: dict[str, Any]) -> tuple[Any, Any]:
    res = simulate(data, 1)
    t = res.tickets
    return t[t["initial"]].reset_index(drop=True), res.staff


# --------------------------------------------------------------------------- conservation


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiers=st.lists(st.sampled_from(["l1", "l2", "l3"]), max_size=25),
       serving=st.integers(0, 4), done=st.floats(0, 1), seed=st.integers(0, 2**32 - 1),
       discipline=st.sampled_from(["fifo", "priority", "preemptive"]))
def test_every_backlog_ticket_on_a_swarm_is_resolved_or_open(
        tiers: list[str], serving: int, done: float, seed: int, discipline: str) -> None:
    rows = [{"id": k, "opened_at": -1.0 - k, "priority": ("P1", "P2")[k % 2], "tier": tier,
             "work_done": done} for k, tier in enumerate(tiers)]
    counts = dict.fromkeys(("l1", "l2", "l3"), 0)
    for row in rows:  # at most one in service per agent on duty (2 per tier here)
        if counts[row["tier"]] < min(serving, 2):
            row["in_service"] = True
            counts[row["tier"]] += 1
    data = swarming(rows, {"l1": 2, "l2": 2, "l3": 2}, discipline=discipline)
    data["demand"]["rate"] = 2.0
    data["work"]["effort"] = {t: {"dist": "exponential", "mean": 0.5} for t in ("l1", "l2",
                                                                                  "l3")}
    res = ss.simulate(ss.Scenario.from_dict(data), 1, seed)
    t = res.tickets
    init = t[t["initial"]]
    assert len(init) == len(rows) and (init["arrived_at"] < 0).all()
    assert not init["abandoned"].any() and (init["escalations"] == 0).all()
    assert (init["resolved_at"].dropna() >= 0).all()
    # Worked before start (in service, work done, or waiting above l1): responded to at
    # its opening; the others only once an agent starts them, after start.
    worked = {row["opened_at"] for row in rows
              if row.get("in_service") or done > 0 or row["tier"] != "l1"}
    for arrived_at, response in zip(init["arrived_at"], init["first_response_at"],
                                    strict=True):
        assert response == arrived_at if arrived_at in worked else not response < 0
    arrived, resolved = t["arrived_at"].to_numpy(), t["resolved_at"].to_numpy()
    for hour, open_now in zip(res.timeline["t"], res.timeline["backlog"], strict=True):
        assert open_now == int(np.sum(arrived <= hour)) - int(np.sum(resolved <= hour))
    assert res.timeline["backlog"].iloc[0] == len(rows)
    # Every agent-hour is accounted for: nobody is busy longer than the horizon.
    assert (res.staff["busy_time"] <= 12.0 + 1e-9).all()


# --------------------------------------------------------------------------- drain rate


def test_all_l1_swarm_backlog_drains_at_c_mu_minus_lambda() -> None:
    # An all-L1 swarm pools its tiers into one M/M/c (tests/test_swarming.py): 2 L1 + 2 L2
    # agents, mu = 1/h, lambda = 1/h, N = 60 waiting. While all four are busy,
    # E[open(t)] = N - (c mu - lambda) t with variance (lambda + c mu) t, as for the
    # tiered desk (tests/test_backlog.py); at t <= 10 the queue is 4.7 sd above empty.
    c, mu, lam, n, reps = 4, 1.0, 1.0, 60, 200
    effort = {"dist": "exponential", "mean": 1 / mu}
    data = mmc(waiting(n), horizon="11h", warmup="0h", **{
        "demand.rate": lam, "team.structure": "swarming", "team.swarm": {"overhead": 0.0},
        "team.tiers": {"l1": {"staff": 2, "hours": "24x7"},
                       "l2": {"staff": 2, "hours": "24x7"}},
        "work.effort": {"l1": effort, "l2": effort}})
    assert_on_fluid_line(simulate(data, reps).timeline, n, c, mu, lam, reps)


# --------------------------------------------------------------------------- placement


def test_tickets_in_service_are_owned_at_start_and_finish_their_remaining_work() -> None:
    rows = [
        # L1 owner, need met: the rest of the 1 h effort.
        {"id": "a", "opened_at": -3.0, "priority": "P2", "tier": "l1", "need": "l1",
         "in_service": True, "work_done": "15min"},
        # L1 owner, needs L2: the rest of the 0.5 h diagnosis, then L2 joins (k = 2,
        # overhead 0: 1 h / 2 = 0.5 h of wall time).
        {"id": "b", "opened_at": -2.0, "priority": "P2", "tier": "l1", "need": "l2",
         "in_service": True, "work_done": "6min"},
        # L3 owner, need met, with a time beyond the fixed effort: done at once.
        {"id": "c", "opened_at": -1.0, "priority": "P2", "tier": "l3", "need": "l3",
         "in_service": True, "work_done": "2h"},
    ]
    init, staff = initial(swarming(rows, {"l1": 2}))
    np.testing.assert_allclose(init["resolved_at"], [0.75, 0.4 + 0.5, 0.0])
    np.testing.assert_array_equal(init["resolved_by"], [1, 2, 3])
    np.testing.assert_array_equal(init["swarm_size"], [1, 2, 1])
    np.testing.assert_array_equal(init["help_wait_time"].iloc[1], 0.0)
    # Owned by an agent of the tier it was in service at; responded to at its opening.
    tier_of = staff.set_index("agent")["tier"]
    np.testing.assert_array_equal(tier_of[init["agent"]].to_numpy(), [1, 1, 3])
    np.testing.assert_array_equal(init["first_response_at"], init["arrived_at"])
    assert (init["escalations"] == 0).all()


def test_waiting_above_the_lowest_tier_is_a_request_for_help_nobody_owns() -> None:
    rows = [{"id": "old", "opened_at": -3.0, "priority": "P2", "tier": "l1", "need": "l1"},
            {"id": "new", "opened_at": -1.0, "priority": "P2", "tier": "l2", "need": "l3"}]
    init, staff = initial(swarming(rows))
    # "new" needs L3: L3 answers at 0 and leads, idle L2 in between joins (k = 2): no
    # diagnosis again, 1 h / 2 of wall time. "old" is in the queue: L1 owns it at 0.
    np.testing.assert_array_equal(init["resolved_at"], [1.0, 0.5])
    np.testing.assert_array_equal(init["resolved_by"], [1, 3])
    np.testing.assert_array_equal(init["swarm_size"], [1, 2])
    np.testing.assert_array_equal(init["help_wait_time"].iloc[1], 0.0)
    tier_of = staff.set_index("agent")["tier"]
    assert tier_of[init["agent"].iloc[1]] == 3  # the expert leads: nobody owned it
    np.testing.assert_array_equal(init["first_response_at"], [0.0, -1.0])


def test_requests_for_help_go_before_the_queue_and_wait_for_an_expert() -> None:
    # One agent per tier. "q" waits in the queue, "h1".."h3" ask for L2 though opened
    # later: L2 takes h1 at 0 (1 h); L3, a higher level, answers h2 (k = 1: 1 h); L1
    # owns q at 0. h3 waits for help from 0 until L2 is free at 1 h.
    rows = [{"id": "q", "opened_at": -4.0, "priority": "P2", "tier": "l1", "need": "l1"},
            *({"id": f"h{k}", "opened_at": -4.0 + k, "priority": "P2", "tier": "l2",
               "need": "l2"} for k in (1, 2, 3))]
    init, _ = initial(swarming(rows))
    np.testing.assert_array_equal(init["resolved_at"], [1.0, 1.0, 1.0, 2.0])
    np.testing.assert_array_equal(init["resolved_by"], [1, 2, 3, 2])
    np.testing.assert_array_equal(init["help_wait_time"].iloc[1:], [0.0, 0.0, 1.0])


def test_more_in_service_than_agents_of_the_tier_is_an_error_on_a_swarm() -> None:
    rows = waiting(3, in_service=True)
    with pytest.raises(ss.ScenarioError, match=r"^initial\.backlog: 3 ticket\(s\) in service "
                       r"at l1 at start, but only 1 l1 agents are on duty then; [^\n]*$"):
        simulate(swarming(rows), 1)
