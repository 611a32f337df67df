"""The engine against queueing theory: Erlang C, Little, Jackson, priorities, Erlang A.

Each reference value comes from a closed form evaluated independently of supportsim (the
classic Erlang B recursion B(k) = a B(k-1) / (k + a B(k-1)), C = cB / (c - a(1 - B))),
quoted with the formula. Tolerances are Z = 4 standard errors across replications, and
every check bounds the standard error so it keeps the power to catch a real error.
"""

from __future__ import annotations

import numpy as np
import pytest

import supportsim as ss
from tests.support import (
    assert_statistically_equal,
    build,
    mmc_dict,
    per_replication,
    two_tier_dict,
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def mm7() -> ss.SimulationResult:
    # lambda 20/h, mean effort 15 min (mu 4/h), 7 agents: a = 5 Erlangs, rho = 0.714.
    data = mmc_dict(rate=20.0, mean=0.25, staff=7, horizon="20w")
    return ss.simulate(build(data), replications=8, seed=3)


def test_mmc_wait_probability_matches_erlang_c(mm7: ss.SimulationResult) -> None:
    # Erlang C(7, 5) = 0.324150 (also in the issue and standard tables).
    waited = per_replication(mm7.tickets.assign(waited=mm7.tickets.wait_time > 0), "waited")
    assert_statistically_equal(waited, 0.324150, max_se=0.006)


def test_mmc_mean_wait_matches_erlang_c(mm7: ss.SimulationResult) -> None:
    # E[W] = C / (c mu - lambda) = 0.324150 / 8 = 0.0405187 h.
    assert_statistically_equal(per_replication(mm7.tickets, "wait_time"), 0.0405187,
                               max_se=0.002)


def test_mmc_wait_tail_matches_erlang_c(mm7: ss.SimulationResult) -> None:
    # P(W > t) = C exp(-(c mu - lambda) t); t = 0.05 h: 0.324150 * exp(-0.4) = 0.217284.
    late = mm7.tickets.assign(late=mm7.tickets.wait_time > 0.05)
    assert_statistically_equal(per_replication(late, "late"), 0.217284, max_se=0.006)


def test_littles_law_on_the_timeline(mm7: ss.SimulationResult) -> None:
    # L = lambda W: hourly snapshots of open tickets against the tickets' own sojourn
    # times, and both against M/M/7: L = 20 * (0.0405187 + 0.25) = 5.810375.
    timeline = mm7.timeline[mm7.timeline.t >= mm7.scenario.warmup]
    backlog = timeline.groupby("replication")["backlog"].mean().to_numpy()
    assert_statistically_equal(backlog, 5.810375, max_se=0.08)
    kept = mm7.tickets[~mm7.tickets.warmup]
    span = mm7.scenario.horizon - mm7.scenario.warmup
    little = (kept.groupby("replication").size() / span
              * kept.groupby("replication")["resolution_time"].mean()).to_numpy()
    assert_statistically_equal(backlog - little, 0.0, max_se=0.08)


def test_utilisation_matches_offered_load(mm7: ss.SimulationResult) -> None:
    # rho = lambda / (c mu) = 20 / 28 = 0.714286.
    util = mm7.utilisation()["utilisation"].to_numpy()
    assert_statistically_equal(util, 20 / 28, max_se=0.004)


def jackson_dict() -> dict:
    # L1: lambda 10/h, 4 agents, triage and effort both exp(mean 15 min): M/M/4, a = 2.5.
    # 30 % need L2: arrivals 3/h, 5 agents, exp(mean 1 h): M/M/5, a = 3 (Burke: Poisson).
    return two_tier_dict(l2_staff=5)


def test_two_tier_chain_matches_jackson_network() -> None:
    # Product form: per-tier sojourn of M/M/c. T1 = W(4, 10, 4) + 1/4 = 0.0533095 + 0.25 =
    # 0.303309 h; T2 = W(5, 3, 1) + 1 = 0.1180758 + 1 = 1.118076 h.
    res = ss.simulate(build(jackson_dict()), replications=6, seed=5)
    tickets = res.tickets
    t1 = per_replication(tickets[tickets.need == 1], "resolution_time")
    t12 = per_replication(tickets[tickets.need == 2], "resolution_time")
    assert_statistically_equal(t1, 0.303309, max_se=0.004)
    assert_statistically_equal(t12, 0.303309 + 1.118076, max_se=0.02)
    resolved = tickets[tickets.resolved_at.notna()]
    assert (resolved.escalations == (resolved.need == 2)).all()


def priority_dict(discipline: str) -> dict:
    # M/M/2, lambda 6/h, mu 4/h (rho 0.75); P1 30 % of tickets, P2 70 %.
    data = mmc_dict(rate=6.0, mean=0.25, staff=2, horizon="40w")
    data["priorities"] = {"P1": {"share": 0.3, "response": "5min", "resolution": "1h"},
                          "P2": {"share": 0.7, "response": "15min", "resolution": "2h"}}
    data["team"]["discipline"] = discipline
    return data


def test_non_preemptive_priorities_match_cobham() -> None:
    # M/M/c non-preemptive priority, equal service rates (Cobham 1954; Kleinrock vol. 2):
    # W_k = C(c, a) / (c mu (1 - s_{k-1})(1 - s_k)), s_k = sum of rho_i for i <= k.
    # C(2, 1.5) = 0.642857; s1 = 0.225, s2 = 0.75: W1 = 0.103687 h, W2 = 0.414747 h.
    res = ss.simulate(build(priority_dict("priority")), replications=6, seed=8)
    tickets = res.tickets
    assert_statistically_equal(per_replication(tickets[tickets.priority == "P1"], "wait_time"),
                               0.103687, max_se=0.003)
    assert_statistically_equal(per_replication(tickets[tickets.priority == "P2"], "wait_time"),
                               0.414747, max_se=0.012)


def test_preemptive_resume_priorities() -> None:
    # Preemptive resume, equal exponential rates: P1 sees an M/M/2 of its own,
    # sojourn W(2, 1.8, 4) + 1/4 = 0.263331 h; the total population is that of FCFS
    # M/M/2 at lambda 6, so the mean sojourn over all tickets is 0.571429 h.
    res = ss.simulate(build(priority_dict("preemptive")), replications=6, seed=9)
    tickets = res.tickets
    p1 = tickets[tickets.priority == "P1"]
    assert_statistically_equal(per_replication(p1, "resolution_time"), 0.263331, max_se=0.004)
    assert_statistically_equal(per_replication(tickets, "resolution_time"), 0.571429,
                               max_se=0.015)
    # Preempted tickets resume: effort is the drawn effort, not restarted or lost.
    done = tickets[tickets.resolved_at.notna()]
    assert np.all(done.resolution_time >= done.effort - 1e-9)


def test_abandonment_matches_erlang_a() -> None:
    # M/M/5+M: lambda 18/h, mu 4/h, patience exp(mean 10 min, theta 6/h). Reference from
    # the birth-death chain (rates lambda up, min(k,5) mu + max(k-5,0) theta down,
    # truncated at 605 states): P(abandon) = theta E[(N-5)+] / lambda = 0.154036.
    data = mmc_dict(rate=18.0, mean=0.25, staff=5)
    data["demand"]["channels"] = {"phone": {"share": 1.0, "patience": "10min"}}
    res = ss.simulate(build(data), replications=6, seed=13)
    assert_statistically_equal(per_replication(res.tickets, "abandoned"), 0.154036,
                               max_se=0.004)
