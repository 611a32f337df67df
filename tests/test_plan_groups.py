"""ss.plan on tiers split into agent groups: one decision per group, never the tier's own
staff (which the scenario refuses on a grouped tier); the shipped global_rollout.toml
plans out of the box."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import supportsim as ss
from supportsim.cli import main
from supportsim.planning._groups import group_key, keeps_up
from supportsim.planning._optimise import lower_bounds
from supportsim.planning._targets import default_decisions

ROOT = Path(__file__).resolve().parent.parent
GLOBAL = ROOT / "scenarios" / "global_rollout.toml"
GROUPS = {"l1": ["central", "danish", "finnish", "chinese"],
          "l2": ["erp_berlin", "erp_shanghai"]}  # global_rollout.toml's [team.tiers.*.groups]


def test_default_decisions_of_a_grouped_desk_are_the_groups_staff() -> None:
    desk = ss.load_scenario(GLOBAL)
    lower, starts = lower_bounds(desk, [])
    decisions = default_decisions(desk, lower)
    assert [d.key for d in decisions] == [group_key(t, g) for t, gs in GROUPS.items()
                                          for g in gs]
    for d in decisions:
        desk.with_overrides({d.key: d.low})  # each end is a valid scenario
        desk.with_overrides({d.key: d.high})
    # The group on shifts (central: 4 + 3) is decided by its head count, up to twice it.
    assert decisions[0].high == 14
    # With [team.routing.overflow] any ticket may reach an English group: no group has a
    # load of its own, so every group's bound is 0; the starts split the tier's bound.
    assert all(lower[d.key] == 0 for d in decisions)
    for tier, names in GROUPS.items():
        assert sum(starts[group_key(tier, g)] for g in names) >= lower[tier]


def test_a_group_alone_with_a_skill_is_bounded_by_that_skills_load() -> None:
    data = ss.load_scenario(GLOBAL).to_dict()
    del data["team"]["routing"]["overflow"]
    desk = ss.Scenario.from_dict(data)
    lower, _ = lower_bounds(desk, [])
    from supportsim._skill_capacity import skill_loads

    # zh at L1 is the Chinese group's alone: its Erlangs must fit the group's agents on
    # duty (mean on duty / head count of 5 on business hours).
    (l1, _l2) = skill_loads(desk)
    share = l1.agents["chinese"] / 5
    bound = lower[group_key("l1", "chinese")]
    assert bound > l1.load["zh"] / share >= bound - 1 > 0
    # de is the central group's alone at L1 too (the others hold da, fi, zh and en).
    assert lower[group_key("l1", "central")] > 0


@pytest.mark.slow
def test_global_rollout_plans_out_of_the_box(capsys: pytest.CaptureFixture[str],
                                             tmp_path: Path) -> None:
    # The new-user trial's command (exit 2 before: team.tiers.l1.staff injected into a
    # grouped tier), shortened to 4 weeks after the 1 week warm-up, 3 replications.
    code = main(["plan", str(GLOBAL), "--set", 'horizon="4w"', "-r", "3", "-w", "1",
                 "--seed", "3", "-q", "--target", "P3.response=0.7", "--out",
                 str(tmp_path)])
    out, err = capsys.readouterr()
    assert code == 0, err
    # A response target says nothing of L2: without the tiers' own bound (keeps_up, on
    # the groups' sum) the removals took both L2 groups to 0 agents, a queue that only
    # grows. Every grouped tier of the plan keeps up with its offered load.
    planned = ss.load_scenario(tmp_path / "plan.toml")
    assert keeps_up(planned)
    loads = ss.check(planned).loads.set_index("tier")
    assert (loads["offered_load"] < loads["on_duty"]).all()
    assert planned.team.tiers["l2"].headcount > 0
    assert "team.tiers.l1.groups.central.staff" in out
    # The group on shifts (early 4, late 3) reads as its head count and split, with the
    # change, not an empty cell.
    assert re.search(r"team\.tiers\.l1\.groups\.central\.staff +\d+ \(\d+\+\d+\) +"
                     r"7 \(4\+3\) +([+-]\d+|=)\n", out), out
    assert "team.tiers.l1.staff" not in out


@pytest.mark.parametrize("key", ["team.tiers.l1.staff", "team.tiers.l2.hours.0.staff"])
def test_a_grouped_tier_s_own_staff_is_refused_naming_the_groups(key: str) -> None:
    # The scenario's own error ("must be left out when the tier has groups ...") named the
    # file, not the decision.
    desk = ss.load_scenario(GLOBAL)
    tier = key.split(".")[2]
    with pytest.raises(ValueError, match=rf"decision '{key}': tier {tier} is split into "
                                         rf"agent groups \['{GROUPS[tier][0]}'.*"
                                         rf"team\.tiers\.{tier}\.groups\.{GROUPS[tier][0]}\."):
        ss.plan(desk, {"P3.response": 0.7}, decisions={key: (1, 3)}, replications=2,
                executor=1)


def test_a_head_count_and_its_shifts_staff_are_refused_together() -> None:
    # D3 (trial 5): central's head count with its shift 0's staff gave a plan that listed
    # both (7 with 4+3 on shifts, and shift 0 at 4): the head count scales the shifts.
    desk = ss.load_scenario(GLOBAL)
    head, shift = group_key("l1", "central"), "team.tiers.l1.groups.central.hours.0.staff"
    with pytest.raises(ValueError, match=rf"decisions '{re.escape(head)}' and "
                                         rf"'{re.escape(shift)}' overlap: the head count "
                                         r"scales the shifts' staff"):
        ss.plan(desk, {"P3.response": 0.7}, decisions={shift: (1, 3), head: (0, 3)},
                replications=2, executor=1)


def test_the_documented_danish_floor_is_the_default_decisions_with_danish_from_1() -> None:
    # E11 (trial 5): docs/planning.md's command that keeps every group's default and
    # keeps the Danish group open (not run there: the search takes minutes). Its
    # --decide options must be the default decisions, bounds and all, but danish from 1,
    # and the CLI must accept them.
    from supportsim.cli.plan import _decision
    from supportsim.planning._targets import check_inputs
    from tests.test_docs_examples import blocks, commands

    line = next(c for _, body, reason in blocks(ROOT / "docs" / "planning.md") if reason
                for c in commands(body) if "groups.danish.staff=1:" in c)
    argv = line.split()
    decided = dict(_decision(argv[i + 1]) for i, a in enumerate(argv) if a == "--decide")
    desk = ss.load_scenario(GLOBAL)
    expected = {d.key: (d.low, d.high) for d in default_decisions(desk, *lower_bounds(desk, []))}
    expected[group_key("l1", "danish")] = (1, expected[group_key("l1", "danish")][1])
    assert decided == expected
    check_inputs(desk, {"P3.response": 0.9}, decided, None, 0.95)


def test_a_busy_grouped_tiers_decisions_reach_past_its_bound() -> None:
    # 80 times the demand: the groups' own bounds stay 0 (overflow), but their ranges
    # must still add up past the tier's bound, and each reach past its start, or no
    # point of the search could keep up.
    desk = ss.load_scenario(GLOBAL)
    busy = desk.with_overrides({"demand.rate": desk.demand.rate * 80})
    lower, starts = lower_bounds(busy, [])
    decisions = {d.key: d for d in default_decisions(busy, lower, starts)}
    for tier, groups in GROUPS.items():
        keys = [group_key(tier, g) for g in groups]
        assert sum(decisions[k].high for k in keys) > lower[tier]
        assert all(decisions[k].high >= starts[k] + 10 for k in keys)
