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
     ["team.routing.overflow.skill names a skill no agent group holds", "fr"]),
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


def run_logged(scenario: ss.Scenario, seed: int = 3) -> tuple[Any, list[Start]]:
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
    desk, starts = run_logged(scenario)
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
    desk, starts = run_logged(scenario, seed)
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
    again, _ = run_logged(scenario, seed)
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
    desk, _ = run_logged(scenario, seed=8)
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
    desk, starts = run_logged(ss.Scenario.from_dict(data))
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
