"""How a plan and a roster read: the one-line repr and the notebook card carry the plan's
own numbers (values against the scenario's, cost with its interval and currency, the
targets met or missed on the lower bound, how much was simulated); ``supportsim plan``
prints the same cells; ``ss.select_best`` takes plans as candidates."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest
from scipy import stats

import supportsim as ss
from supportsim.cli.plan import report
from supportsim.planning._targets import Target

ROOT_SEED = 3


@pytest.fixture(scope="module")
def plan() -> ss.Plan:
    # scenarios/mmc.toml (lambda 20/h, mu 4/h, 7 agents) over 4 weeks after 3 days, priced
    # at 40 EUR per agent-hour: 75 % answered within 5 min needs 7 agents (Erlang C,
    # tests/test_plan.py), so the plan keeps the scenario's 7.
    desk = ss.load_scenario("scenarios/mmc.toml").with_overrides({
        "horizon": "4w", "warmup": "3d",
        "costs": {"currency": "EUR", "tiers": {"l1": {"hourly": 40.0}},
                  "penalties": {"P1": {"response": 5.0}}}})
    return ss.plan(desk, {"P1.response": 0.75}, replications=3, executor=1, seed=ROOT_SEED)


def test_plan_repr_is_one_line_with_values_cost_and_verdict(plan: ss.Plan) -> None:
    text = repr(plan)
    assert "\n" not in text
    assert text == (f"<Plan 'M/M/7 single-tier desk': l1=7; {plan.cost:,.0f} EUR per "
                    "replication; verified>")


def test_plan_card_shows_the_plan_s_own_numbers(plan: ss.Plan) -> None:
    card = plan._card()
    facts = dict(card.facts)
    # The cost interval: Student t over the 3 verification replications, recomputed here.
    costs = plan.costs
    assert len(costs) == 3 and plan.cost == pytest.approx(costs.mean(), rel=1e-12)
    half = stats.t.ppf(0.975, 2) * costs.std(ddof=1) / 3 ** 0.5
    assert half > 0  # the credits vary across replications
    assert facts["cost"] == (f"{plan.cost:,.0f} EUR [{plan.cost - half:,.0f}, "
                             f"{plan.cost + half:,.0f}] per replication (95% CI over 3 "
                             "fresh replications)")
    assert facts["verified"] == "yes: every target met on fresh seeds"
    searched = int((plan.trace["phase"] != "verify").sum())
    assert searched >= 2  # 7 agents and the 6 found short
    assert facts["search"].startswith(f"{searched} points evaluated on the search seeds (3 "
                                      "replications each)")
    assert facts["search"].endswith(f"{plan.replications} replications simulated in all")
    assert plan.replications == 3 * (searched + 1)  # and once more on fresh seeds
    decisions, targets = card.tables
    assert [list(r) for r in decisions.rows] == [["team.tiers.l1.staff", "7", "7", "="]]
    sla = plan.sla.set_index("priority").loc["P1"]
    assert [list(r) for r in targets.rows] == [[
        "P1.response", "75.0%",
        f"{sla['response_attainment']:.1%} [{sla['response_attainment_low'] * 100:.1f}, "
        f"{sla['response_attainment_high'] * 100:.1f}]",
        f"{sla['response_attainment_low']:.1%}", "met"]]
    assert sla["response_attainment_low"] >= 0.75
    assert targets.classes() == [""]
    html = plan._repr_html_()
    assert "<script" not in html
    for cell in (facts["cost"], "team.tiers.l1.staff", targets.rows[0][2], "met"):
        assert cell in html


def test_a_missed_target_reads_missed_on_the_lower_bound(plan: ss.Plan) -> None:
    # The same plan judged against 99 %: its lower bound (about 82 %) misses.
    strict = dataclasses.replace(plan, targets=[Target("P1", "response", 0.99)],
                                 verified=False)
    _, targets = strict._card().tables
    assert targets.rows[0][-1] == "missed" and targets.classes() == ["missed"]
    assert dict(strict._card().facts)["verified"] == ("no: on fresh seeds it misses "
                                                      "P1.response")
    assert repr(strict).endswith("; NOT verified on fresh seeds>")
    assert 'class="missed"' in strict._repr_html_()


def test_supportsim_plan_prints_what_the_card_shows(plan: ss.Plan) -> None:
    text = report(plan)
    card = plan._card()
    for _, value in card.facts:
        assert value in text
    for table in card.tables:
        for row in table.rows:
            for cell in row:
                assert cell in text


def test_roster_repr_and_card_carry_shifts_cost_and_hours_short() -> None:
    # 1 agent from 00:00 to 08:00, 3 from 08:00 to 24:00; the 08:00 shift is capped at 2:
    # hours 8-15 are one agent short each (8 agent-hours).
    curve = pd.DataFrame({"interval_start": range(24), "staff": [1] * 8 + [3] * 16})
    rota = ss.roster(curve, [{"start": "00:00", "length": 8},
                             {"start": "08:00", "length": 8, "max": 2},
                             {"start": "16:00", "length": 8}], costs=10.0)
    assert repr(rota) == ("<Roster 'day': 3 shifts, 6 agents; cost 480 per day; 8 hours "
                          "short (8 agent-hours)>")
    card = rota._card()
    facts = dict(card.facts)
    assert facts["cost"] == "480.00 per day (the rate's currency)"
    assert facts["agents"] == "6 on 3 shifts, 48 paid agent-hours per day"
    shifts, short = card.tables
    assert [list(r) for r in shifts.rows] == [
        ["00:00+8h", "00:00", "08:00", "every day", "1", "80.00"],
        ["08:00+8h", "08:00", "16:00", "every day", "2", "160.00"],
        ["16:00+8h", "16:00", "00:00", "every day", "3", "240.00"]]
    assert [r[0] for r in short.rows] == [f"{h:02d}:00" for h in range(8, 16)]
    assert all(r[1:] == ["3", "2", "1"] for r in short.rows)
    assert short.classes() == ["missed"] * 8


def test_a_weekly_roster_names_days_and_covers_every_hour() -> None:
    # Two agents on weekdays 08:00-16:00, nobody else: one weekday shift covers it exactly.
    staff = [2 if day < 5 and 8 <= hour < 16 else 0 for day in range(7) for hour in range(24)]
    curve = pd.DataFrame({"interval_start": range(168), "staff": staff})
    rota = ss.roster(curve, [{"name": "office", "start": "08:00", "length": 8,
                              "days": ["Mon", "Tue", "Wed", "Thu", "Fri"]}])
    assert repr(rota) == "<Roster 'week': 1 shifts, 2 agents; cost 80 per week; every hour covered>"
    card = rota._card()
    assert dict(card.facts)["agents"] == "2 on 1 shifts, 80 paid agent-hours per week"
    (shifts,) = card.tables
    assert [list(r) for r in shifts.rows] == [
        ["office", "08:00", "16:00", "Mon Tue Wed Thu Fri", "2", "80.00"]]


def test_select_best_takes_plans_as_their_scenarios(plan: ss.Plan) -> None:
    # Two plans of the M/M/c desk, 6 and 9 agents, over one week: a plan stands for its
    # scenario, so KN gives exactly what it gives on the two scenarios (same seeds).
    small = plan.scenario.with_overrides({"horizon": "1w", "team.tiers.l1.staff": 6})
    large = plan.scenario.with_overrides({"horizon": "1w", "team.tiers.l1.staff": 9})
    plans = {"six": dataclasses.replace(plan, scenario=small),
             "nine": dataclasses.replace(plan, scenario=large)}
    kwargs = {"indifference": 0.05, "first_stage": 4, "max_replications": 20, "seed": 1}
    chosen = ss.select_best(plans, "P1.response", **kwargs)
    same = ss.select_best({"six": small, "nine": large}, "P1.response", **kwargs)
    # Erlang C: 57.9 % within 5 min with 6 agents, 97.9 % with 9
    # (analytic.service_level(c, 20, 4, 5/60)).
    assert chosen.best == "nine" and chosen.decided
    assert (chosen.means, chosen.replications, chosen.eliminated) == (
        same.means, same.replications, same.eliminated)
    # A list of plans is named by their scenarios' names.
    listed = ss.select_best([plans["six"], plans["nine"]], "P1.response", **kwargs)
    assert listed.best == "M/M/7 single-tier desk #1"


def test_select_best_on_plans_defaults_to_seeds_the_search_never_saw(plan: ss.Plan) -> None:
    # plan() searched on ROOT_SEED and verified on ROOT_SEED + 1 (its trace). The plans'
    # scenarios carry ROOT_SEED too, as after ss.plan(scenario) without seed=: KN on that
    # seed would re-select on the replications the search tuned the plans to.
    assert set(plan.trace["seed"]) == {ROOT_SEED, ROOT_SEED + 1}
    scenarios = {name: plan.scenario.with_overrides(
        {"horizon": "1w", "team.tiers.l1.staff": staff, "seed": ROOT_SEED})
        for name, staff in (("six", 6), ("nine", 9))}
    plans = {name: dataclasses.replace(plan, scenario=sc) for name, sc in scenarios.items()}
    kwargs = {"indifference": 0.05, "first_stage": 4, "max_replications": 20}
    chosen = ss.select_best(plans, "P1.response", **kwargs)
    assert chosen.seed == ROOT_SEED + 2  # one past the largest seed in the plans' traces
    fresh = ss.select_best(scenarios, "P1.response", seed=ROOT_SEED + 2, **kwargs)
    searched = ss.select_best(scenarios, "P1.response", **kwargs)
    assert searched.seed == ROOT_SEED
    assert chosen.means == fresh.means and chosen.means != searched.means
    assert f"seed {ROOT_SEED + 2}" in chosen._repr_html_()
    # An explicit seed= is used as given.
    assert ss.select_best(plans, "P1.response", seed=ROOT_SEED, **kwargs).means == \
        searched.means


def test_a_group_on_shifts_shows_its_head_count_and_split(plan: ss.Plan) -> None:
    # global_rollout.toml: L1's central group works an early shift of 4 and a late one of
    # 3 (no `staff` in the file); 9 agents scale them to 5 + 4 (largest remainder: quotas
    # 36/7 = 5.14 and 27/7 = 3.86).
    from supportsim.planning._display import decision_rows, value_of
    from supportsim.planning._groups import rostered

    desk = ss.load_scenario("scenarios/global_rollout.toml")
    key = "team.tiers.l1.groups.central.staff"
    assert value_of(desk, key) == 7 and rostered(desk, key) == (4, 3)
    assert value_of(desk, "team.tiers.l1.groups.danish.staff") == 1
    assert rostered(desk, "team.tiers.l1.groups.danish.staff") is None  # business hours
    planned = dataclasses.replace(plan, values={key: 9},
                                  scenario=desk.with_overrides({key: 9}),
                                  baseline={key: 7}, baseline_shifts={key: (4, 3)})
    assert decision_rows(planned) == [[key, "9 (5+4)", "7 (4+3)", "+2"]]
    note = planned._card().notes[-1]
    assert note.startswith(f"{key}: the head count of shifts, applied by scaling them")
    assert note in report(planned)
    assert "head count of shifts" not in report(plan)  # mmc.toml: 24x7, no shifts
