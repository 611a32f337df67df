"""``team.tennis.review``: the upper tier works a bounced ticket before sending it back.

References are evaluated here from closed forms, independently of supportsim: the Erlang
B recursion B(k) = a B(k-1) / (k + a B(k-1)), C = c B / (c - a (1 - B)), and the M/M/c
sojourn W = C / (c mu - lambda) + 1 / mu.
"""

from __future__ import annotations

import numpy as np
import pytest

import supportsim as ss
from supportsim.capacity import tier_loads
from tests.support import (
    assert_statistically_equal,
    build,
    per_replication,
    two_tier_dict,
)
from tests.test_engine_semantics import resolved, three_tier

BOUNCE = 0.5


def mmc_sojourn(c: int, lam: float, mu: float) -> float:
    """Mean M/M/c sojourn from the Erlang B recursion."""
    a, b = lam / mu, 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    erlang_c = c * b / (c - a * (1 - b))
    return erlang_c / (c * mu - lam) + 1 / mu


def tennis_network() -> dict:
    # L1: lambda 10/h, 4 agents; triage, retriage and effort all exp(15 min). 30 % need
    # L2: 6 agents, effort exp(1 h); half the escalations bounce once, after an L2 review
    # of exp(1 h), the same rate as L2's own work.
    data = two_tier_dict(l2_staff=6)
    data["team"]["tennis"] = {"bounce": BOUNCE,
                              "review": {"dist": "exponential", "mean": "1h"}}
    return data


def test_tennis_with_review_matches_the_jackson_network() -> None:
    # Every station is FCFS with one exponential rate for all its visits, so the network
    # (routes depend on whether a ticket has bounced yet) has product form (Kelly 1975):
    # each tier is an M/M/c at its total visit rate, and a visit's mean sojourn is that
    # M/M/c's. Visits: L1 10 + 3 x 0.5 = 11.5/h (re-triage of the bounced); L2 3 x 1.5 =
    # 4.5/h (a review, then the fix, for the bounced). A need-2 ticket makes 1 + bounce
    # visits to each tier on average: sojourn (1 + 0.5) (T1 + T2).
    t1 = mmc_sojourn(4, 10 + 3 * BOUNCE, 4.0)  # 0.351822 h
    t2 = mmc_sojourn(6, 3 * (1 + BOUNCE), 1.0)  # 1.1877 h
    res = ss.simulate(build(tennis_network()), replications=6, seed=5)
    tickets = res.tickets
    assert_statistically_equal(per_replication(tickets[tickets.need == 1], "resolution_time"),
                               t1, max_se=0.006)
    assert_statistically_equal(per_replication(tickets[tickets.need == 2], "resolution_time"),
                               (1 + BOUNCE) * (t1 + t2), max_se=0.03)
    # The upper tier's share of busy time includes the reviews: rho2 = 4.5 / 6.
    util = res.utilisation()
    l2 = util[util.tier == 2]["utilisation"].to_numpy()
    assert_statistically_equal(l2, 4.5 / 6, max_se=0.01)


def test_offered_load_counts_the_review_visits() -> None:
    # The analytic view sees the same network: L1 11.5 visits/h x 15 min = 2.875 Erlangs,
    # L2 4.5 visits/h x 1 h = 4.5 Erlangs.
    loads = tier_loads(build(tennis_network())).set_index("tier")
    np.testing.assert_allclose(loads.loc["l1", "offered_load"], 2.875, rtol=1e-12)
    np.testing.assert_allclose(loads.loc["l2", "offered_load"], 4.5, rtol=1e-12)
    np.testing.assert_allclose(loads.loc["l2", "arrival_rate"], 4.5, rtol=1e-12)


def test_bounce_shares_are_exact_in_a_three_tier_offered_load() -> None:
    # A ticket bounces at most once: at its first escalation with probability p, at its
    # second with (1 - p) p. With fixed work (three_tier: triage 10 / 30 min, review =
    # the upper tier's triage by default, none at L3), per hour at 2 tickets/h:
    # L2 = 2 [0.4 x 1 h + 0.2 x 0.5 h (1 + p (1 - p)) + 0.6 p x 0.5 h] (fix, triage,
    # review); L3 = 2 x 0.2 x 2 h (no triage at L3, so no review time).
    p = 0.3
    loads = tier_loads(build(three_tier(bounce=p))).set_index("tier")["offered_load"]
    l2 = 2 * (0.4 * 1.0 + 0.2 * 0.5 * (1 + p * (1 - p)) + 0.6 * p * 0.5)
    np.testing.assert_allclose(loads["l2"], l2, rtol=1e-12)
    np.testing.assert_allclose(loads["l3"], 2 * 0.2 * 2.0, rtol=1e-12)
    l1 = 2 * (0.4 / 3 + 0.6 * (1 / 6) * (1 + p))
    np.testing.assert_allclose(loads["l1"], l1, rtol=1e-12)
    # review = "none": the bounced share brings L2 no review work.
    free = three_tier(bounce=p)
    free["team"]["tennis"]["review"] = "none"
    loads = tier_loads(build(free)).set_index("tier")["offered_load"]
    np.testing.assert_allclose(loads["l2"], l2 - 2 * 0.6 * p * 0.5, rtol=1e-12)


@pytest.mark.parametrize(("review", "hours"),
                         [(None, 0.5), ({"dist": "fixed", "mean": "12min"}, 0.2),
                          ("none", 0.0)])
def test_review_is_worked_by_the_upper_tier_exactly(review: dict | str | None,
                                                     hours: float) -> None:
    # bounce = 1, fixed work: a need-2 ticket costs L1 triage twice, the review at L2 (by
    # default L2's triage, 30 min) and L2's effort; all of it counts as effort. "none":
    # the bounce costs L2 nothing, as before the review existed.
    data = three_tier(bounce=1.0)
    if review is not None:
        data["team"]["tennis"]["review"] = review
    done = resolved(ss.simulate(build(data), replications=1, seed=1))
    need2 = done[done.need == 2]
    assert len(need2) > 50
    np.testing.assert_allclose(need2.effort, 2 / 6 + hours + 1.0, atol=1e-12)
    # The review delays the ticket: it cannot be resolved sooner than all its work.
    assert (need2.resolution_time >= 2 / 6 + hours + 1.0 - 1e-9).all()
