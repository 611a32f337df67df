"""Skills, agent groups and routing (issue 14): schema rules, mechanics, properties."""

from __future__ import annotations

import copy
import math
import warnings
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import supportsim as ss
from supportsim.demand import generate
from supportsim.engine import engine_stream
from supportsim.engine._records import ReplicationRecord
from supportsim.engine._routed_swarm import RoutedSwarmDesk
from supportsim.engine._routing import RoutedDesk
from tests.support import mmc_dict

pytestmark = pytest.mark.filterwarnings("ignore::supportsim.CapacityWarning")


def _data(groups: dict[str, Any], skills: dict[str, float] | None = None,
          **team: Any) -> dict[str, Any]:
    data = mmc_dict(rate=20.0, staff=6, horizon="2d", warmup="6h")
    data["demand"]["skills"] = skills or {"en": 0.6, "de": 0.4}
    data["team"]["tiers"]["l1"] = {"groups": groups}
    data["team"].update(team)
    return data


GROUPS = {"en": {"skills": ["en"], "staff": 3},
          "bi": {"skills": ["en", "de"], "staff": 3, "effort": {"de": 1.25}}}


def _error(data: dict[str, Any]) -> str:
    with pytest.raises(ss.ScenarioError) as err:
        ss.Scenario.from_dict(data, source="desk.toml")
    text = str(err.value)
    assert "\n" not in text and "desk.toml" in text
    return text


# ------------------------------------------------------------------ schema


@pytest.mark.parametrize(("change", "fragments"), [
    (lambda d: d["team"]["tiers"]["l1"]["groups"]["bi"].update(skills=["en"], effort={}),
     ["team.tiers.l1.groups", "'de'", "no group serves"]),
    (lambda d: d["team"]["tiers"]["l1"].update(staff=6),
     ["team.tiers.l1.staff", "left out", "groups"]),
    (lambda d: d["team"]["tiers"]["l1"]["groups"]["en"].update(skills=["fr"]),
     ["team.tiers.l1.groups.en.skills", "'fr'", "not a skill"]),
    (lambda d: d["team"]["tiers"]["l1"]["groups"]["en"].update(site="berlin"),
     ["team.tiers.l1.groups.en.site", "berlin", "is not a site of [sites]"]),
    (lambda d: d["team"].update(routing={"agent": "ordered", "order": ["en", "xx"]}),
     ["team.routing.order", "'xx'", "not a group"]),
    (lambda d: d["team"].update(routing={"order": ["en"]}),
     ["team.routing.order", "ordered"]),
    (lambda d: d["team"].update(routing={"overflow": {"after": "5min", "skill": "fr"}}),
     ["team.routing.overflow.skill", "fr", "not a skill"]),
    (lambda d: (d["demand"]["skills"].update(fr=0.0),
                d["team"].update(routing={"overflow": {"after": "5min", "skill": "fr"}})),
     ["team.routing.overflow.skill", "fr", "no agent group holds it"]),
    (lambda d: d["demand"]["skills"].update(en=0.7),
     ["demand.skills", "sum to 1"]),
    (lambda d: d["work"].update(skills={"fr": {"effort": {"l1": {"mean": "1h"}}}}),
     ["work.skills.fr", "not a skill"]),
    (lambda d: d["team"]["tiers"]["l1"]["groups"]["bi"].update(effort={"fr": 2.0}),
     ["team.tiers.l1.groups.bi.effort.fr", "does not serve"]),
    (lambda d: d["team"]["tiers"]["l1"]["groups"]["bi"].update(effort={"de": 0.0}),
     ["team.tiers.l1.groups.bi.effort.de", ">= 0.01", "got 0.0"]),
])
def test_bad_layouts_fail_with_one_line(change: Any, fragments: list[str]) -> None:
    data = _data(copy.deepcopy(GROUPS))
    change(data)
    text = _error(data)
    for fragment in fragments:
        assert fragment in text, text


def test_routing_without_groups_is_refused() -> None:
    data = mmc_dict()
    data["team"]["routing"] = {"agent": "random"}
    assert "no tier has groups" in _error(data)


def test_a_skill_that_never_reaches_l2_needs_no_l2_group() -> None:
    # German tickets are all fixed at L1 (their own mix): L2 need not serve German.
    data = _data(copy.deepcopy(GROUPS))
    data["work"]["mix"] = {"l1": 0.7, "l2": 0.3}
    data["work"]["effort"]["l2"] = {"mean": "1h"}
    data["work"]["triage"] = {"l1": {"mean": "5min"}}
    data["team"]["tiers"]["l2"] = {"groups": {"en2": {"skills": ["en"], "staff": 2}}}
    assert "skill 'de'" in _error(copy.deepcopy(data))
    data["work"]["skills"] = {"de": {"mix": {"l1": 1.0}}}
    ss.Scenario.from_dict(data)


# ------------------------------------------------------------------ demand


def test_skills_leave_every_other_draw_unchanged() -> None:
    plain = ss.Scenario.from_dict(mmc_dict(horizon="3d", warmup="1d"))
    data = mmc_dict(horizon="3d", warmup="1d")
    data["demand"]["skills"] = {"en": 0.6, "de": 0.4}
    skilled = ss.Scenario.from_dict(data)
    a, b = generate(plain, 0, 4), generate(skilled, 0, 4)
    assert not a.skill.any() and a.skill.dtype == np.int8
    # Two skills drawn at the stated shares (binomial, 4 standard errors).
    share = b.skill.mean()
    assert abs(share - 0.4) <= 4 * math.sqrt(0.24 / len(b))
    for name in ("arrived_at", "priority", "channel", "need", "patience", "effort", "triage"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))


def test_channel_skill_shares_and_skill_work_overrides() -> None:
    data = mmc_dict(horizon="3d", warmup="1d")
    data["demand"]["skills"] = {"en": 0.5, "de": 0.5}
    data["demand"]["channels"] = {"phone": {"share": 0.5, "skills": {"de": 1.0}},
                                  "mail": {"share": 0.5}}
    data["work"]["skills"] = {"de": {"effort": {"l1": {"dist": "fixed", "mean": "1h"}}}}
    stream = generate(ss.Scenario.from_dict(data), 0, 4)
    phone = stream.channel == 0
    assert (stream.skill[phone] == 1).all()  # every phone ticket is German
    assert 0 < stream.skill[~phone].mean() < 1
    german = stream.skill == 1
    assert (stream.effort[0, german] == 1.0).all()  # the skill's own effort
    assert (stream.effort[0, ~german] != 1.0).all()  # everyone else's is exponential


# ------------------------------------------------------------------ mechanics


Start = tuple[int, int, float, float, bool]


def _run(scenario: ss.Scenario, seed: int = 3) -> tuple[Any, list[Start]]:
    """The routed desk after a run, and every start: (agent, ticket, now, when the ticket
    joined the queue, whether it overflowed while waiting there)."""
    stream = generate(scenario, 0, seed)
    kind = RoutedSwarmDesk if scenario.team.structure == "swarming" else RoutedDesk
    desk: Any = kind(scenario, stream, engine_stream(seed, 0))
    starts: list[Start] = []
    start = desk._start
    overflows = scenario.team.routing is not None and scenario.team.routing.overflow

    def logged(a: int, i: int) -> None:
        starts.append((a, i, desk.env._now, desk.enqueued_at[i],
                       bool(overflows and desk.overflowed[i])))
        start(a, i)

    desk._start = logged  # type: ignore[method-assign]
    desk.run()
    return desk, starts


def test_group_effort_multiplier_scales_the_drawn_effort() -> None:
    scenario = ss.Scenario.from_dict(_data(copy.deepcopy(GROUPS)))
    result = ss.simulate(scenario, replications=1, seed=3)
    stream = generate(scenario, 0, 3)
    tickets = result.tickets
    done = tickets["resolved_at"].notna()
    factor = np.where((tickets["group"] == "bi") & (tickets["skill"] == "de"), 1.25, 1.0)
    np.testing.assert_allclose(tickets["effort"][done], (stream.effort[0] * factor)[done],
                               rtol=0, atol=1e-9)  # the clock's rounding
    assert ((tickets["group"] == "bi") & (tickets["skill"] == "de")).any()


def test_ordered_prefers_the_first_group() -> None:
    # Light load: English tickets almost always find the specialists idle.
    groups = copy.deepcopy(GROUPS)
    data = _data(groups, routing={"agent": "ordered", "order": ["en"]})
    data["demand"]["rate"] = 4.0
    tickets = ss.simulate(ss.Scenario.from_dict(data), replications=1, seed=3).tickets
    english = tickets[tickets["skill"] == "en"]
    assert (english["group"] == "en").mean() > 0.95
    data["team"]["routing"] = {"agent": "ordered", "order": ["bi"]}
    tickets = ss.simulate(ss.Scenario.from_dict(data), replications=1, seed=3).tickets
    english = tickets[tickets["skill"] == "en"]
    assert (english["group"] == "bi").mean() > 0.9


def test_overflow_serves_only_after_the_wait() -> None:
    # German tickets have 1 agent of their own; after 10 min the English agents may help.
    groups = {"en": {"skills": ["en"], "staff": 4}, "de": {"skills": ["de"], "staff": 1}}
    data = _data(groups, skills={"en": 0.5, "de": 0.5},
                 routing={"overflow": {"after": "10min", "skill": "en"}})
    scenario = ss.Scenario.from_dict(data)
    desk, starts = _run(scenario)
    team = desk.agent_team
    helped = [start for start in starts
              if desk.skill[start[1]] == 1 and desk.team_names[team[start[0]]] == "en"]
    assert helped  # the German queue overflows at this load
    for _, i, now, _, overflowed in helped:
        assert overflowed
        assert now - desk.arrived[i] >= 10 / 60 - 1e-12


def test_timeline_and_staff_report_groups() -> None:
    scenario = ss.Scenario.from_dict(_data(copy.deepcopy(GROUPS)))
    result = ss.simulate(scenario, replications=1, seed=3)
    timeline = result.timeline
    assert (timeline["on_duty_l1_en"] == 3).all() and (timeline["on_duty_l1_bi"] == 3).all()
    assert (timeline["busy_l1_en"] + timeline["busy_l1_bi"] == timeline["busy_l1"]).all()
    assert (timeline["queued_l1_en"] + timeline["queued_l1_de"] == timeline["queued_l1"]).all()
    assert list(result.staff["group"]) == ["en"] * 3 + ["bi"] * 3
    util = result.utilisation(groups=True)
    assert list(util["group"]) == ["bi", "en"]
    per_tier = result.utilisation()
    assert util["busy_time"].sum() == pytest.approx(per_tier["busy_time"].sum())
    # Several groups are not one M/M/c: the analytic view gives no Erlang figures.
    from supportsim.capacity import tier_loads
    assert tier_loads(scenario)["model"].tolist() == [""]


# ------------------------------------------------------------------ properties


@st.composite
def layouts(draw: st.DrawFn) -> ss.Scenario:
    """Random skills (1-4), groups (1-4) holding random skills, policies and overflow."""
    names = ["a", "b", "c", "d"][:draw(st.integers(1, 4))]
    weights = [draw(st.integers(1, 4)) for _ in names]
    skills = {n: w / sum(weights) for n, w in zip(names, weights, strict=True)}
    skills[names[-1]] = 1 - sum(v for k, v in skills.items() if k != names[-1])
    groups: dict[str, Any] = {}
    for g in range(draw(st.integers(1, 4))):
        held = draw(st.lists(st.sampled_from(names), min_size=1, max_size=3, unique=True))
        groups[f"g{g}"] = {"skills": held, "staff": draw(st.integers(1, 3))}
    missing = [n for n in names if not any(n in g["skills"] for g in groups.values())]
    if missing:
        groups["rest"] = {"skills": missing, "staff": 1}
    routing: dict[str, Any] = {"agent": draw(st.sampled_from(["longest_idle", "random",
                                                              "ordered"])),
                               "queue": draw(st.sampled_from(["oldest", "priority"]))}
    if draw(st.booleans()):
        routing["overflow"] = {"after": draw(st.sampled_from([0, "5min", "30min"])),
                               "skill": draw(st.sampled_from(names))}
    data = _data(groups, skills=skills, routing=routing,
                 discipline=draw(st.sampled_from(["fifo", "priority", "preemptive"])))
    data["demand"]["rate"] = draw(st.floats(2.0, 30.0))
    data["demand"]["channels"] = {"phone": {"share": 0.5, "patience": "20min"},
                                  "mail": {"share": 0.5}}
    data["priorities"] = {"P1": {"share": 0.3, "response": "5min", "resolution": "1h"},
                          "P2": {"share": 0.7, "response": "1h", "resolution": "8h"}}
    data["horizon"], data["warmup"] = "1d", "2h"
    if draw(st.booleans()):  # a second tier, with tennis: escalations keep their skill
        data["work"]["mix"] = {"l1": 0.7, "l2": 0.3}
        data["work"]["effort"]["l2"] = {"mean": "30min"}
        data["work"]["triage"] = {"l1": {"mean": "5min"}}
        data["team"]["tennis"] = {"bounce": 0.3}
        data["team"]["tiers"]["l2"] = {"groups": {
            "x": {"skills": names[:1], "staff": 1},
            "y": {"skills": names, "staff": draw(st.integers(1, 2))}}}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ss.CapacityWarning)
        return ss.Scenario.from_dict(data)


PROPERTY = settings(max_examples=25, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(layouts(), st.integers(0, 2**31))
def test_skills_conservation_and_determinism(scenario: ss.Scenario, seed: int) -> None:
    desk, starts = _run(scenario, seed)
    overflow = scenario.team.routing.overflow if scenario.team.routing else None
    for a, i, now, queued_at, overflowed in starts:
        team = desk.agent_team[a]
        if desk.skill[i] in desk.team_skills[team]:
            continue
        # Outside its skills: only an overflowed ticket, for its fallback skill, after
        # waiting `after` in the queue.
        assert overflow is not None and overflowed
        assert desk.fallback in desk.team_skills[team]
        assert now - queued_at >= overflow.after - 1e-9
    # Conservation: arrived = resolved + abandoned + open, and the open ones are exactly
    # those queued or in an agent's hands.
    resolved = sum(1 for t in desk.resolved_at if t == t)
    abandoned = sum(desk.abandoned)
    assert desk.closed == resolved + abandoned
    in_hand = sum(1 for i in desk.agent_ticket if i >= 0)
    assert desk.next_ticket - desk.closed == sum(desk.queued) + in_hand
    # Determinism: the same seed gives the same tables.
    record = ReplicationRecord.from_desk(desk)
    again, _ = _run(scenario, seed)
    np.testing.assert_array_equal(record.resolved_at, ReplicationRecord.from_desk(again)
                                  .resolved_at)
    first = ss.simulate(scenario, replications=1, seed=seed)
    second = ss.simulate(scenario, replications=1, seed=seed)
    pd.testing.assert_frame_equal(first.tickets, second.tickets)
    pd.testing.assert_frame_equal(first.staff, second.staff)


def test_workforce_mechanisms_work_per_group() -> None:
    # Attrition with hiring: a hire joins the leaver's group (and its hours); learning
    # joiners and a surge reserve run on a grouped tier; queues still add up.
    data = _data(copy.deepcopy(GROUPS), routing={"overflow": {"after": "15min", "skill": "en"}})
    data["horizon"], data["warmup"] = "6w", "1d"
    data["workforce"] = {
        "attrition": {"annual_rate": 8.0, "hiring_lead": "3d"},
        "learning": {"learning": "1w", "improvement": "1w", "start": 2.0, "plateau": 1.2,
                     "initial_joiners": {"l1": 2}},
        "reserve": {"fraction": 0.34, "mode": "surge", "trigger": {"backlog": 10}},
    }
    scenario = ss.Scenario.from_dict(data)
    desk, _ = _run(scenario, seed=8)
    in_hand = sum(1 for i in desk.agent_ticket if i >= 0)
    assert desk.next_ticket - desk.closed == sum(desk.queued) + in_hand
    staff = ss.simulate(scenario, replications=1, seed=8).staff
    left = staff[staff["left_at"].notna()].groupby("group").size()
    hired = staff[staff["origin"] == "hire"].groupby("group").size()
    assert hired.sum() > 0
    for group, count in hired.items():
        assert count <= left.get(group, 0), (group, count)
    assert set(staff.loc[staff["origin"] == "reserve", "group"]) == {"en", "bi"}


def test_preemption_takes_only_agents_holding_the_skill() -> None:
    # One English and one German agent; P1 tickets preempt P2 ones of their own skill.
    groups = {"en": {"skills": ["en"], "staff": 1}, "de": {"skills": ["de"], "staff": 1}}
    data = _data(groups, skills={"en": 0.5, "de": 0.5}, discipline="preemptive")
    data["demand"]["rate"] = 5.0
    data["priorities"] = {"P1": {"share": 0.3, "response": "5min", "resolution": "1h"},
                          "P2": {"share": 0.7, "response": "1h", "resolution": "8h"}}
    data["team"]["tiers"]["l1"]["groups"]["de"]["effort"] = {"de": 1.5}
    desk, starts = _run(ss.Scenario.from_dict(data))
    seen: dict[int, int] = {}
    for a, i, *_ in starts:
        assert desk.skill[i] in desk.team_skills[desk.agent_team[a]]
        seen[i] = seen.get(i, 0) + 1
    resumed = [i for i, count in seen.items() if count > 1]
    assert resumed  # preemption happened
    assert all(desk.rank[i] == 1 for i in resumed)  # only P2 tickets are interrupted
    in_hand = sum(1 for i in desk.agent_ticket if i >= 0)
    assert desk.next_ticket - desk.closed == sum(desk.queued) + in_hand
    # Preempted German work resumes at the German rate: effort = 1.5 x the drawn effort.
    stream = generate(ss.Scenario.from_dict(data), 0, 3)
    for i in resumed:
        if desk.resolved_at[i] == desk.resolved_at[i] and desk.skill[i] == 1:
            assert desk.effort_spent[i] == pytest.approx(1.5 * stream.effort[0][i], abs=1e-9)


def test_grouped_scenario_round_trips_and_overrides_a_group() -> None:
    scenario = ss.Scenario.from_dict(_data(copy.deepcopy(GROUPS)))
    assert ss.Scenario.from_dict(scenario.to_dict()) == scenario
    bigger = scenario.with_overrides({"team.tiers.l1.groups.en.staff": 5})
    assert bigger.team.tiers["l1"].headcount == 8
    text = _error_of(lambda: scenario.with_overrides({"team.tiers.l1.staff": 5}))
    assert "team.tiers.l1.staff" in text and "left out" in text


def _error_of(action: Any) -> str:
    with pytest.raises(ss.ScenarioError) as err:
        action()
    return str(err.value)


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
    desk, starts = _run(scenario)
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
    desk, starts = _run(scenario)
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
