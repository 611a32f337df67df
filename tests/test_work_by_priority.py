"""``[work.priorities.NAME]``: mix, effort and triage per priority (issue 18, Fidelity).

References are evaluated here from closed forms, independently of supportsim (the M/M/c
sojourn from the Erlang B recursion, in tests/test_tennis_review.py).
"""

from __future__ import annotations

import hashlib
import math
import warnings
from pathlib import Path

import numpy as np
import pytest

import supportsim as ss
from supportsim.capacity import tier_loads
from supportsim.demand import generate
from tests.support import ROOT, Z, assert_statistically_equal, build, mmc_dict, per_replication
from tests.test_tennis_review import mmc_sojourn

# GOLDEN: SHA-256 (first 32 hex digits) of every ticket attribute of replication 1, seed 7,
# of each shipped scenario cut to two weeks, computed with the code before per-priority
# work existed. A scenario without [work.priorities] must draw exactly these tickets.
GOLDEN = {
    "golive_tiered": "16f18152950527838f5f095d3f3f1c1a",
    "growth_year": "e7700e2fcd7f1d117a9f4b69dcad3a24",
    "mmc": "9e57a58b7e053fcc329bfd2c1b4453b5",
    "provider_transition": "09c38326e4f0901ef386ccf552a8a2ef",
    "reserve_20pct": "5dd3ba950aaf69c5a1885b5f56ac4c8d",
    "rollout_swarming": "5dd3ba950aaf69c5a1885b5f56ac4c8d",
    "rollout_tiered": "5dd3ba950aaf69c5a1885b5f56ac4c8d",
    "shift_left": "5dd3ba950aaf69c5a1885b5f56ac4c8d",
}
#: Shipped scenarios written after per-priority work, with features it did not have
#: (rollout waves, sites and skills): they have no tickets from before to compare with.
NEWER = {"rollout_waves", "global_rollout"}
FIELDS = ("arrived_at", "priority", "channel", "need", "patience", "storm", "effort",
          "triage", "retriage", "bounce_draw", "learning_draw", "knowledge_draw")


def stream_digest(scenario: ss.Scenario) -> str:
    tickets = generate(scenario, 1, 7)
    digest = hashlib.sha256()
    for name in FIELDS:
        digest.update(np.ascontiguousarray(getattr(tickets, name)).tobytes())
    return digest.hexdigest()[:32]


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_scenarios_without_overrides_draw_the_same_tickets_as_before(name: str) -> None:
    assert {p.stem for p in (ROOT / "scenarios").glob("*.toml")} == set(GOLDEN) | NEWER
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scenario = ss.load_scenario(ROOT / "scenarios" / f"{name}.toml")
    cut = scenario.with_overrides({"horizon": "2w", "warmup": "1d"})
    assert stream_digest(cut) == GOLDEN[name]


def two_tier(p1: dict | None = None) -> dict:
    # L1: lambda 10/h, 4 agents, triage and effort exp(15 min); L2: 5 agents, exp(1 h).
    # P1 (30 %) mostly needs L2 (80 %), P2 (70 %) mostly not (10 %): L2 sees
    # 10 x (0.3 x 0.8 + 0.7 x 0.1) = 3.1 tickets/h.
    data = mmc_dict(rate=10.0, mean=0.25, staff=4, horizon="12w")
    data["priorities"] = {"P1": {"share": 0.3, "response": "15min", "resolution": "4h"},
                          "P2": {"share": 0.7, "response": "1h", "resolution": "8h"}}
    data["work"] = {
        "mix": {"l1": 0.9, "l2": 0.1},
        "effort": {"l1": {"dist": "exponential", "mean": 0.25},
                   "l2": {"dist": "exponential", "mean": 1.0}},
        "triage": {"l1": {"dist": "exponential", "mean": 0.25}},
        "priorities": {"P1": p1 if p1 is not None else {"mix": {"l1": 0.2, "l2": 0.8}}},
    }
    data["team"]["tiers"]["l2"] = {"staff": 5, "hours": "24x7"}
    return data


@pytest.fixture(scope="module")
def network() -> ss.SimulationResult:
    return ss.simulate(build(two_tier()), replications=6, seed=21)


def test_escalation_shares_follow_each_prioritys_mix(network: ss.SimulationResult) -> None:
    # Escalated share per priority against its mix, within Z binomial standard errors.
    tickets = network.tickets
    for priority, share in (("P1", 0.8), ("P2", 0.1)):
        mine = tickets[tickets.priority == priority]
        escalated = float((mine.escalations > 0).mean())
        needs = float((mine.need == 2).mean())
        se = math.sqrt(share * (1 - share) / len(mine))
        assert abs(needs - share) <= Z * se, (priority, needs, share)
        # A resolved ticket was escalated exactly when it needed L2.
        done = mine[mine.resolved_at.notna()]
        assert ((done.escalations > 0) == (done.need == 2)).all()
        assert abs(escalated - share) <= Z * se + 0.002, (priority, escalated, share)


def test_sojourn_per_priority_matches_the_jackson_network(network: ss.SimulationResult
                                                          ) -> None:
    # FIFO stations with one exponential rate each: product form (Jackson; each priority
    # is a routing class, Kelly 1975). T1 = W(4, 10, 4) + 1/4 = 0.303309 h at L1,
    # T2 = sojourn of M/M/5 at 3.1/h, mu 1 = 1.097 h at L2; a priority's mean sojourn is
    # T1 + P(needs L2) T2.
    t1, t2 = mmc_sojourn(4, 10.0, 4.0), mmc_sojourn(5, 3.1, 1.0)
    tickets = network.tickets
    for priority, share, max_se in (("P1", 0.8, 0.015), ("P2", 0.1, 0.006)):
        mine = per_replication(tickets[tickets.priority == priority], "resolution_time")
        assert_statistically_equal(mine, t1 + share * t2, max_se=max_se)


def test_effort_and_triage_overrides_apply_to_their_priority_only() -> None:
    # Fixed work: P1 fixes at L1 in 40 min and triages in 5 min; P2 keeps [work]'s
    # 20 / 10 min. Effort per ticket is exact.
    fixed = {"dist": "fixed"}
    data = two_tier({"effort": {"l1": fixed | {"mean": "40min"}},
                     "triage": {"l1": fixed | {"mean": "5min"}}})
    data["work"]["effort"] = {"l1": fixed | {"mean": "20min"}, "l2": fixed | {"mean": "1h"}}
    data["work"]["triage"] = {"l1": fixed | {"mean": "10min"}}
    data["work"]["mix"] = {"l1": 0.5, "l2": 0.5}
    data["horizon"] = "2w"
    data["team"]["tiers"]["l2"]["staff"] = 8
    tickets = ss.simulate(build(data), replications=1, seed=3).tickets
    done = tickets[tickets.resolved_at.notna()]
    expected = {("P1", 1): 40 / 60, ("P1", 2): 5 / 60 + 1.0,
                ("P2", 1): 20 / 60, ("P2", 2): 10 / 60 + 1.0}
    want = [expected[(p, n)] for p, n in zip(done.priority, done.need, strict=True)]
    np.testing.assert_allclose(done.effort, want, atol=1e-12)
    assert set(zip(done.priority, done.need, strict=True)) == set(expected)


def test_an_override_leaves_the_other_priorities_draws_unchanged() -> None:
    # Common random numbers: P2's tickets keep their need, effort and triage draws when
    # P1's work changes, and every ticket keeps its arrival, priority and channel.
    base = generate(build(two_tier({"mix": {"l1": 0.9, "l2": 0.1}})), 0, 5)
    other = generate(build(two_tier({"mix": {"l2": 1.0},
                                     "effort": {"l1": {"dist": "gamma", "mean": 1, "cv": 2}},
                                     "triage": {"l1": {"dist": "fixed", "mean": 0.5}}})), 0, 5)
    p2 = base.priority == 1
    for name in ("arrived_at", "priority", "channel", "patience"):
        np.testing.assert_array_equal(getattr(base, name), getattr(other, name))
    np.testing.assert_array_equal(base.need[p2], other.need[p2])
    for name in ("effort", "triage", "retriage", "review"):
        np.testing.assert_array_equal(getattr(base, name)[:, p2], getattr(other, name)[:, p2])
    assert (other.need[~p2] == 2).all()
    # The same uniform maps through each mix: P1's needs only move up with more L2.
    assert (other.need[~p2] >= base.need[~p2]).all()
    assert np.allclose(other.triage[0, ~p2], 0.5)


def test_offered_load_weights_each_prioritys_work() -> None:
    # L2 sees 10 x (0.3 x 0.8 + 0.7 x 0.1) = 3.1 tickets/h of 1 h: 3.1 Erlangs;
    # L1 10 x 15 min = 2.5 Erlangs whatever the mix (triage and effort are equal).
    loads = tier_loads(build(two_tier())).set_index("tier")
    np.testing.assert_allclose(loads.loc["l2", "offered_load"], 3.1, rtol=1e-12)
    np.testing.assert_allclose(loads.loc["l1", "offered_load"], 2.5, rtol=1e-12)


@pytest.mark.parametrize(("p1", "key", "fragment"), [
    ({"mix": {"l1": 0.5, "l3": 0.5}}, "work.priorities.P1.effort.l3", "is required"),
    ({"mix": {"l1": 0.6}}, "work.priorities.P1.mix", "sum to 1"),
    ({"mx": {"l1": 1.0}}, "work.priorities.P1.mx", "did you mean 'mix'?"),
])
def test_overrides_are_validated(p1: dict, key: str, fragment: str) -> None:
    with pytest.raises(ss.ScenarioError) as err:
        build(two_tier(p1))
    assert key in str(err.value) and fragment in str(err.value)


def test_override_of_an_unknown_priority_is_an_error() -> None:
    data = two_tier()
    data["work"]["priorities"] = {"P3": {"mix": {"l1": 1.0}}}
    with pytest.raises(ss.ScenarioError, match=r"work\.priorities\.P3 is not a priority"):
        build(data)


def test_a_prioritys_mix_needs_triage_where_it_escalates() -> None:
    data = two_tier()
    data["work"]["mix"] = {"l1": 1.0}
    del data["work"]["triage"]
    with pytest.raises(ss.ScenarioError, match=r"work\.triage\.l1 is required.*P1"):
        build(data)


def test_shipped_scenario_round_trips_with_overrides(tmp_path: Path) -> None:
    scenario = build(two_tier())
    path = tmp_path / "s.toml"
    scenario.to_toml(path)
    assert ss.load_scenario(path) == scenario
