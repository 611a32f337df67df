"""Skills and agent groups combined with the other mechanisms (issue 14): swarming,
an [initial] backlog, the capacity check, planned departures, retrials and sites."""

from __future__ import annotations

import copy
from typing import Any

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import supportsim as ss
from supportsim.demand import generate
from supportsim.engine import engine_stream
from supportsim.engine._routed_swarm import RoutedSwarmDesk
from tests.support import mmc_dict
from tests.test_routing import PROPERTY, _data, _error, _error_of, run_logged

pytestmark = pytest.mark.filterwarnings("ignore::supportsim.CapacityWarning")


@PROPERTY
@given(st.integers(0, 2**31), st.sampled_from(["fifo", "priority", "preemptive"]),
       st.sampled_from(["longest_idle", "random", "ordered"]), st.booleans())
def test_swarms_are_formed_only_of_agents_holding_the_skill(
        seed: int, discipline: str, agent: str, overflow: bool) -> None:
    # Two tiers split by language; half the tickets need L2, whose experts join a swarm.
    groups = {"en": {"skills": ["en"], "staff": 2}, "bi": {"skills": ["en", "de"], "staff": 1},
              "de": {"skills": ["de"], "staff": 1}}
    routing: dict[str, Any] = {"agent": agent}
    if overflow:  # German tickets waiting 10 min may go to English agents
        routing["overflow"] = {"after": "10min", "skill": "en"}
    data = _data(groups, structure="swarming", discipline=discipline, routing=routing)
    data["priorities"] = {"P1": {"share": 0.3, "response": "5min", "resolution": "1h"},
                          "P2": {"share": 0.7, "response": "1h", "resolution": "8h"}}
    data["demand"]["rate"] = 12.0
    data["work"] = {"mix": {"l1": 0.5, "l2": 0.5},
                    "effort": {"l1": {"mean": "10min"}, "l2": {"mean": "20min"}},
                    "triage": {"l1": {"mean": "5min"}}}
    data["team"]["tiers"]["l2"] = {"groups": {"en2": {"skills": ["en"], "staff": 1},
                                              "de2": {"skills": ["de"], "staff": 1}}}
    scenario = ss.Scenario.from_dict(data)
    stream = generate(scenario, 0, seed)
    desk = RoutedSwarmDesk(scenario, stream, engine_stream(seed, 0))
    swarms: list[tuple[int, list[int]]] = []
    form, start = desk._form_swarm, desk._start
    overflowed: set[int] = set()

    def formed(expert: int, i: int) -> None:
        owner = desk.help_owner[i]
        form(expert, i)
        lead = owner if owner >= 0 else expert
        swarms.append((i, [lead, *desk.members[lead]]))

    def started(a: int, i: int) -> None:
        swarms.append((i, [a]))
        if overflow and desk.overflowed[i]:
            assert desk.env._now - desk.enqueued_at[i] >= 10 / 60 - 1e-9
            overflowed.add(i)
        start(a, i)

    desk._form_swarm, desk._start = formed, started
    desk.run()
    assert any(len(members) > 1 for _, members in swarms)
    for i, members in swarms:
        for a in members[:1] if i in overflowed else members:
            team = desk.team_skills[desk.agent_team[a]]
            # The owner of an overflowed ticket may hold the fallback skill instead.
            assert desk.skill[i] in team or (i in overflowed and 0 in team), (i, a)
        for a in members[1:]:  # experts and members joining always hold the skill
            assert desk.skill[i] in desk.team_skills[desk.agent_team[a]], (i, a)
    # Conservation: open = waiting in the skill queues + held or waiting for help.
    held = {i for i in desk.agent_ticket if i >= 0}
    held |= {i for level in desk.skill_help for queues in level for w in queues for i in w}
    assert desk.next_ticket - desk.closed == sum(desk.queued) + len(held)
    result = ss.simulate(scenario, replications=1, seed=seed)
    assert result.tickets["swarm_size"].max() >= 2


def test_swarming_with_one_group_per_tier_is_the_plain_swarm() -> None:
    # Exact: one group holding every skill per tier routes as the tiers without groups.
    data = mmc_dict(rate=10.0, staff=3, horizon="1w", warmup="1d")
    data["demand"]["skills"] = {"a": 0.6, "b": 0.4}
    data["demand"]["channels"] = {"phone": {"share": 0.5, "patience": "10min"},
                                  "mail": {"share": 0.5}}
    data["priorities"] = {"P1": {"share": 0.3, "response": "5min", "resolution": "1h"},
                          "P2": {"share": 0.7, "response": "1h", "resolution": "8h"}}
    data["work"] = {"mix": {"l1": 0.6, "l2": 0.4},
                    "effort": {"l1": {"mean": "10min"}, "l2": {"mean": "30min"}},
                    "triage": {"l1": {"mean": "5min"}}}
    data["team"].update(structure="swarming", discipline="priority")
    data["team"]["tiers"]["l2"] = {"staff": 2}
    for skills in ({"a": 0.6, "b": 0.4}, None):
        if skills is None:  # one skill: with an [initial] backlog at both tiers too
            del data["demand"]["skills"]
            data["initial"] = {"backlog": [
                {"id": f"T{k}", "opened_at": -1.0 - k, "priority": "P2",
                 "tier": "l1" if k % 2 else "l2", "in_service": k < 2} for k in range(12)]}
        data["team"]["tiers"] = {"l1": {"staff": 3}, "l2": {"staff": 2}}
        plain = ss.Scenario.from_dict(copy.deepcopy(data))
        held = list(skills or ["any"])
        for tier, staff in (("l1", 3), ("l2", 2)):
            data["team"]["tiers"][tier] = {"groups": {f"all_{tier}": {"skills": held,
                                                                      "staff": staff}}}
        grouped = ss.Scenario.from_dict(data)
        a = ss.simulate(plain, replications=2, seed=9).tickets
        b = ss.simulate(grouped, replications=2, seed=9).tickets
        assert (b["swarm_size"] > 1).any()
        columns = [c for c in a.columns if c != "group"]
        pd.testing.assert_frame_equal(a[columns], b[columns])


def test_backlog_with_groups_of_one_skill_is_the_plain_tier() -> None:
    # Exact: two groups holding the one skill "any" route as the plain tier of 7, with an
    # [initial] backlog in service and waiting at start (ties at t = 0 go to the first
    # group, as the plain tier takes its agents in order).
    data = mmc_dict(rate=20.0, staff=7, horizon="3d", warmup="6h")
    data["initial"] = {"backlog": [
        {"id": f"T{k}", "opened_at": -1.0 - k, "priority": "P1", "tier": "l1",
         "in_service": k < 5} for k in range(30)]}
    plain = ss.Scenario.from_dict(copy.deepcopy(data))
    data["team"]["tiers"]["l1"] = {"groups": {"a": {"skills": ["any"], "staff": 4},
                                              "b": {"skills": ["any"], "staff": 3}}}
    grouped = ss.Scenario.from_dict(data)
    a = ss.simulate(plain, replications=2, seed=4).tickets
    b = ss.simulate(grouped, replications=2, seed=4).tickets
    assert b["initial"].sum() == 60
    columns = [c for c in a.columns if c != "group"]
    pd.testing.assert_frame_equal(a[columns], b[columns])



def test_backlog_tickets_carry_their_skill() -> None:
    # Given skills are kept, missing ones drawn by the shares; a ticket in service at
    # start is worked by a group holding its skill, or the scenario fails clearly.
    groups = {"en": {"skills": ["en"], "staff": 3}, "de": {"skills": ["de"], "staff": 2}}
    data = _data(groups)
    rows = [{"id": f"T{k}", "opened_at": k - 40.0, "priority": "P1", "tier": "l1",
             "in_service": k < 2, **({"skill": "de"} if k < 3 else {})} for k in range(40)]
    data["initial"] = {"backlog": rows}
    scenario = ss.Scenario.from_dict(copy.deepcopy(data))
    tickets = ss.simulate(scenario, replications=1, seed=4).tickets
    backlog = tickets[tickets["initial"]]
    assert list(backlog["skill"][:3]) == ["de"] * 3
    assert set(backlog["skill"][3:]) == {"en", "de"}  # drawn, 60/40
    assert (backlog["group"].dropna() == backlog.loc[backlog["group"].notna(), "skill"]).all()
    assert list(tickets["first_response_at"][:2]) == [-40.0, -39.0]  # worked before start
    rows[2]["in_service"] = True  # a third German ticket in service, two German agents
    text = _error_of(lambda: ss.simulate(ss.Scenario.from_dict(data), replications=1,
                                         seed=4))
    assert "ticket 'T2'" in text and "skill 'de'" in text
    rows[2].update(in_service=False, skill="fr")
    assert "initial.backlog.2.skill" in _error(data)


def test_capacity_check_sees_each_skill_and_sets_of_skills() -> None:
    # 20 tickets/h x 15 min = 5 Erlangs. German alone (2 Erlangs) on 1 agent: warned,
    # though the tier (5 on 6) keeps up.
    groups = {"en": {"skills": ["en"], "staff": 5}, "de": {"skills": ["de"], "staff": 1}}
    warned = ss.check(ss.Scenario.from_dict(_data(groups))).warnings
    assert len(warned) == 1
    assert "skill de 2.00 Erlangs >= 1.00 agents" in warned[0]
    # a and b (1.5 Erlangs each) keep up alone (2 agents each can serve them), not
    # together (3.0 on the 3 agents of x, y, z): Hall's condition on the set.
    groups = {"x": {"skills": ["a", "b"], "staff": 1}, "y": {"skills": ["a"], "staff": 1},
              "z": {"skills": ["b"], "staff": 1}, "w": {"skills": ["c"], "staff": 5}}
    warned = ss.check(ss.Scenario.from_dict(
        _data(groups, skills={"a": 0.3, "b": 0.3, "c": 0.4}))).warnings
    assert len(warned) == 1 and "skills a, b 3.00 Erlangs >= 3.00 agents" in warned[0]
    # Enough agents: no warning. A skill's own work counts in the tier's load.
    groups = {"en": {"skills": ["en"], "staff": 5}, "bi": {"skills": ["en", "de"], "staff": 3}}
    data = _data(groups)
    assert ss.check(ss.Scenario.from_dict(data)).warnings == ()
    data["work"]["skills"] = {"de": {"effort": {"l1": {"dist": "fixed", "mean": "1h"}}}}
    loads = ss.check(ss.Scenario.from_dict(data)).loads
    # 20/h x (0.6 x 0.25 h + 0.4 x 1 h) = 11 Erlangs.
    assert loads["offered_load"].iloc[0] == pytest.approx(11.0)


def test_planned_departures_from_one_group() -> None:
    # The outgoing provider's German agents leave on day 2: only that group shrinks.
    groups = {"en": {"skills": ["en"], "staff": 3}, "de": {"skills": ["de", "en"], "staff": 3}}
    data = _data(groups)
    data["workforce"] = {"departures": [{"tier": "l1", "group": "de", "count": 2,
                                         "at": "1d", "refill": "1d"}]}
    staff = ss.simulate(ss.Scenario.from_dict(copy.deepcopy(data)), replications=1,
                        seed=2).staff
    left = staff[staff["reason"] == "departure"]
    assert len(left) == 2 and (left["group"] == "de").all()
    assert (staff.loc[staff["origin"] == "hire", "group"] == "de").all()
    data["workforce"]["departures"][0]["group"] = "fr"
    assert "workforce.departures.0.group" in _error(copy.deepcopy(data))
    data["workforce"]["departures"][0].update(group="de", count=4)
    assert "must be <= the group's staff (3)" in _error(data)


def test_swarming_overflow_and_preemption_with_groups() -> None:
    # German tickets (one German agent) overflow to English agents after 10 min; P1
    # tickets preempt solo work of their own skill. Owners of overflowed tickets hold
    # English; experts joining hold the ticket's skill (the property above).
    groups = {"en": {"skills": ["en"], "staff": 3}, "de": {"skills": ["de"], "staff": 1}}
    data = _data(groups, structure="swarming", discipline="preemptive",
                 routing={"overflow": {"after": "10min", "skill": "en"}})
    data["priorities"] = {"P1": {"share": 0.3, "response": "5min", "resolution": "1h"},
                          "P2": {"share": 0.7, "response": "1h", "resolution": "8h"}}
    data["demand"]["rate"] = 14.0
    scenario = ss.Scenario.from_dict(data)
    desk, starts = run_logged(scenario)
    helped = [(now - since, over) for a, i, now, since, over in starts
              if desk.skill[i] == 1 and desk.team_names[desk.agent_team[a]] == "en"]
    assert helped and all(over and waited >= 10 / 60 - 1e-9 for waited, over in helped)
    counts: dict[int, int] = {}
    for _, i, *_ in starts:
        counts[i] = counts.get(i, 0) + 1
    assert any(count > 1 for count in counts.values())  # preempted and resumed
    in_hand = {i for i in desk.agent_ticket if i >= 0}
    assert desk.next_ticket - desk.closed == sum(desk.queued) + len(in_hand)


@pytest.mark.parametrize("structure", ["tiered", "swarming"])
def test_retrials_with_groups_leave_and_rejoin_their_skill_queue(structure: str) -> None:
    # Impatient German callers (one German agent) abandon and retry; overflow to English
    # after 10 min. A retrying ticket leaves its skill's queue (and its overflow entry)
    # and comes back to it; counts add up and nobody serves outside the rules.
    groups = {"en": {"skills": ["en"], "staff": 3}, "de": {"skills": ["de"], "staff": 1}}
    data = _data(groups, structure=structure,
                 routing={"overflow": {"after": "10min", "skill": "en"}})
    data["demand"]["rate"] = 14.0
    data["demand"]["channels"] = {"phone": {"share": 1.0, "patience": "6min", "retry": 0.7,
                                            "retry_after": "15min"}}
    scenario = ss.Scenario.from_dict(data)
    desk, starts = run_logged(scenario)
    assert sum(desk.retrials) > 0
    for a, i, now, since, over in starts:
        if desk.skill[i] not in desk.team_skills[desk.agent_team[a]]:
            assert over and now - since >= 10 / 60 - 1e-9
    in_hand = {i for i in desk.agent_ticket if i >= 0}
    away = desk.next_ticket - desk.closed - sum(desk.queued) - len(in_hand)
    assert away >= 0  # the rest are away between attempts
    tickets = ss.simulate(scenario, replications=1, seed=3).tickets
    assert tickets["retrials"].sum() == sum(desk.retrials)


def test_follow_the_sun_groups_work_their_sites_hours() -> None:
    # A Berlin group and a Shanghai group, 08:00-17:00 local each, start Monday
    # 2026-03-02 00:00 UTC: Shanghai is on 00:00-09:00 UTC, Berlin (CET) 07:00-16:00 UTC
    # (the sites' business windows, tests/test_sites.py). English tickets go to whoever
    # is on; nobody is on duty outside its site's window.
    data = _data({"berlin": {"skills": ["en", "de"], "staff": 2, "hours": "business",
                             "site": "berlin"},
                  "shanghai": {"skills": ["en"], "staff": 3, "hours": "business",
                               "site": "shanghai"}})
    data.update(start="2026-03-02T00:00", start_zone="UTC", horizon="5d", warmup="1h")
    data["sites"] = {"berlin": {"timezone": "Europe/Berlin"},
                     "shanghai": {"timezone": "Asia/Shanghai"}}
    data["demand"]["sites"] = {"berlin": 0.5, "shanghai": 0.5}
    data["demand"]["rate"] = 4.0
    result = ss.simulate(ss.Scenario.from_dict(data), replications=1, seed=2)
    timeline = result.timeline
    hour = timeline["t"].to_numpy() % 24
    assert ((timeline["on_duty_l1_shanghai"] == 3) == (hour < 9)).all()
    assert ((timeline["on_duty_l1_berlin"] == 2) == ((hour >= 7) & (hour < 16))).all()
    tickets = result.tickets
    served = tickets.dropna(subset=["first_response_at"])
    start_hour = served["first_response_at"].to_numpy() % 24
    by_shanghai = (served["group"] == "shanghai").to_numpy()
    assert by_shanghai.any() and (start_hour[by_shanghai] < 9).all()
    assert (served.loc[served["skill"] == "de", "group"].dropna() == "berlin").all()


def test_skills_by_the_site_a_ticket_is_raised_at() -> None:
    # Tickets raised in Copenhagen are Danish, in Berlin German or English; a channel's
    # own shares go first (the chat channel is English everywhere).
    data = _data({"all": {"skills": ["da", "de", "en"], "staff": 6}},
                 skills={"da": 0.2, "de": 0.4, "en": 0.4})
    data["sites"] = {"copenhagen": {"timezone": "Europe/Copenhagen", "skills": {"da": 1.0}},
                     "berlin": {"timezone": "Europe/Berlin",
                                "skills": {"de": 0.5, "en": 0.5}}}
    data.update(start_zone="UTC")
    data["demand"]["sites"] = {"copenhagen": 0.3, "berlin": 0.7}
    data["demand"]["channels"] = {"phone": {"share": 0.8},
                                  "chat": {"share": 0.2, "skills": {"en": 1.0}}}
    scenario = ss.Scenario.from_dict(copy.deepcopy(data))
    stream = generate(scenario, 0, 5)
    phone, copenhagen = stream.channel == 0, stream.site == 0
    assert (stream.skill[phone & copenhagen] == 0).all()
    assert set(stream.skill[phone & ~copenhagen].tolist()) == {1, 2}
    assert (stream.skill[~phone] == 2).all()
    from supportsim.scenario._routing import skill_shares
    # 0.8 x (0.3 x da + 0.7 x (de/2 + en/2)) + 0.2 x en
    assert skill_shares(scenario) == pytest.approx({"da": 0.24, "de": 0.28, "en": 0.48})
    data["sites"]["berlin"]["skills"] = {"fr": 1.0}
    assert "sites.berlin.skills.fr" in _error(data)
