"""Costs per agent group (issue 14): ``[costs.tiers.lN.groups.NAME] hourly``.

A group at a lower-cost site is paid its own rate in place of its tier's. Exactness: the
rostered hours of each group, counted by hand on its site's clock (Berlin across the
change to summer time), times its rate, to the cent.
"""

from __future__ import annotations

import copy
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import supportsim as ss
from tests.support import mmc_dict

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
CENT = 0.005  # "to the cent": within half a cent
EVERY_DAY = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
L1, SHANGHAI = 38.37, 21.5  # EUR per rostered hour: the tier's and the Shanghai group's

pytestmark = pytest.mark.filterwarnings("ignore::supportsim.CapacityWarning")


def two_sites(**shanghai_cost: Any) -> dict[str, Any]:
    """Berlin and Shanghai groups of L1 on their sites' clocks over the week from Monday
    2026-03-23 00:00 UTC, across Berlin's change to summer time (Sunday 29 March)."""
    data = mmc_dict(rate=4.0, mean=0.25, staff=1, horizon="1w", warmup="0h")
    data["replications"], data["seed"] = 2, 3
    data["start"], data["start_zone"] = "2026-03-23T00:00", "UTC"
    data["sites"] = {
        "berlin": {"timezone": "Europe/Berlin", "business_days": EVERY_DAY},
        "shanghai": {"timezone": "Asia/Shanghai", "business_days": EVERY_DAY}}
    data["demand"]["sites"] = {"berlin": 0.5, "shanghai": 0.5}
    data["team"]["tiers"]["l1"] = {"groups": {
        "ber": {"site": "berlin", "skills": ["any"], "hours": [
            {"start": "00:00", "end": "06:00", "days": EVERY_DAY, "staff": 2}]},
        "sha": {"site": "shanghai", "skills": ["any"], "hours": [
            {"start": "08:00", "end": "17:00", "days": EVERY_DAY, "staff": 3}]}}}
    tier: dict[str, Any] = {"hourly": L1}
    if shanghai_cost:
        tier["groups"] = {"sha": shanghai_cost}
    data["costs"] = {"currency": "EUR", "tiers": {"l1": tier}}
    return data


def test_a_group_is_paid_its_own_rate_to_the_cent_across_summer_time() -> None:
    res = ss.simulate(ss.Scenario.from_dict(two_sites(hourly=SHANGHAI)))
    costs = res.costs()
    # Hours by hand, horizon 2026-03-23 00:00 UTC to 03-30 00:00 UTC:
    # ber, 00:00-06:00 Berlin time every day, 2 agents. Start is 01:00 CET, so Monday
    #   23's shift has 5 h left; Tue 24 - Sat 28: 5 x 6 h; Sunday 29: the clocks jump from
    #   02:00 to 03:00, so 00:00-06:00 is 5 h; Monday 30 00:00 CEST is 22:00 UTC on the
    #   29th, 2 h before the horizon: 5 + 30 + 5 + 2 = 42 h x 2 = 84 agent-hours at L1's rate.
    # sha, 08:00-17:00 China time (UTC+8, no summer time) = 00:00-09:00 UTC, 7 days x 9 h
    #   x 3 agents = 189 agent-hours at Shanghai's rate.
    ber, sha = 84 * L1, 189 * SHANGHAI
    assert np.abs(costs["staff_l1"] - (ber + sha)).max() < CENT
    assert np.abs(costs["staff_l1_sha"] - sha).max() < CENT
    assert "staff_l1_ber" not in costs.columns  # no own rate: in staff_l1 only
    assert np.abs(costs["staff"] - (ber + sha)).max() < CENT
    # Overtime at each agent's own rate too.
    staff = res.staff
    rate = np.where(staff["group"].astype(str) == "sha", SHANGHAI, L1)
    overtime = (staff["overtime_time"] * rate).groupby(staff["replication"]).sum()
    assert (overtime > 0).all()
    assert np.abs(costs["overtime"].to_numpy() - overtime.to_numpy()).max() < CENT
    parts = costs[["staff", "overtime", "reserve", "hiring", "penalties"]].sum(axis=1)
    assert np.abs(costs["total"] - parts).max() < 1e-6
    table = res.cost_table().set_index("item")
    assert table.loc["staff_l1_sha", "unit"] == "EUR"


def test_without_group_rates_the_columns_and_amounts_are_the_tiers() -> None:
    res = ss.simulate(ss.Scenario.from_dict(two_sites()))
    costs = res.costs()
    assert [c for c in costs.columns if c.startswith("staff_")] == ["staff_l1"]
    assert np.abs(costs["staff_l1"] - (84 + 189) * L1).max() < CENT


def test_group_rates_leave_the_simulation_and_old_dumps_alone() -> None:
    plain = ss.Scenario.from_dict(two_sites())
    priced = ss.Scenario.from_dict(two_sites(hourly=SHANGHAI))
    assert "groups" not in plain.to_dict()["costs"]["tiers"]["l1"]
    assert priced.to_dict()["costs"]["tiers"]["l1"]["groups"] == {"sha": {"hourly": SHANGHAI}}
    a, b = ss.simulate(plain, tickets="keep"), ss.simulate(priced, tickets="keep")
    assert a.tickets.equals(b.tickets)


def test_group_costs_round_trip_through_toml(tmp_path: Path) -> None:
    sc = ss.Scenario.from_dict(two_sites(hourly=SHANGHAI))
    path = tmp_path / "desk.toml"
    sc.to_toml(path)
    again = ss.load_scenario(path)
    assert again == sc
    assert again.costs is not None and again.costs.tiers["l1"].groups["sha"].hourly == SHANGHAI


@pytest.mark.parametrize(("groups", "message"), [
    ({"chinse": {"hourly": 20.0}},
     "costs.tiers.l1.groups.chinse names an agent group the team does not have (groups of "
     "l1: central, danish, finnish, chinese) (did you mean 'chinese'?), got 'chinse'"),
    ({"chinese": {"hourly": -1.0}}, "costs.tiers.l1.groups.chinese.hourly must be a number >= 0"),
    ({"chinese": {"hourly": 1e6}},
     "costs.tiers.l1.groups.chinese.hourly must be a number <= 100000"),
    ({"chinese": {"hourly": "22"}}, "costs.tiers.l1.groups.chinese.hourly must be a number"),
    ({"chinese": {"rate": 22.0}}, "costs.tiers.l1.groups.chinese.rate"),
])
def test_bad_group_costs_are_one_line_errors(groups: dict[str, Any], message: str) -> None:
    path = SCENARIOS / "global_rollout.toml"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sc = ss.load_scenario(path)
    costs = copy.deepcopy(sc.to_dict()["costs"])
    costs["tiers"]["l1"]["groups"] = groups
    with pytest.raises(ss.ScenarioError) as info:
        sc.with_overrides({"costs": costs})
    text = str(info.value)
    assert message in text and "\n" not in text
    assert "(override costs=" in text and text.endswith(f", on {path})")


def test_a_group_rate_on_a_tier_without_groups_is_refused() -> None:
    data = mmc_dict()
    data["costs"] = {"currency": "EUR", "tiers": {"l1": {"hourly": 38.0, "groups": {
        "sha": {"hourly": 20.0}}}}}
    with pytest.raises(ss.ScenarioError, match=r"costs\.tiers\.l1\.groups\.sha names an "
                       r"agent group the team does not have \(tier l1 has no "
                       r"team\.tiers\.l1\.groups\)"):
        ss.Scenario.from_dict(data)


def test_run_prints_a_groups_own_rate_under_its_tier(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    from supportsim.cli import main

    path = tmp_path / "two_sites.toml"
    ss.Scenario.from_dict(two_sites(hourly=SHANGHAI)).to_toml(path)
    assert main(["run", str(path)]) == 0
    out = capsys.readouterr().out
    lines = out.split("\nCosts", 1)[1].splitlines()
    at = next(k for k, line in enumerate(lines) if line.split()[:1] == ["l1"])
    # 84 x 38.37 + 189 x 21.5 = 7,286.58 (staff_l1), of which 189 x 21.5 = 4,063.50.
    assert lines[at].split()[:2] == ["l1", "7,287"]
    assert lines[at + 1].split()[:5] == ["of", "which", "sha", "(own", "rate)"]
    assert lines[at + 1].split()[5] == "4,064"


def test_a_sweep_over_a_groups_rate_compares_its_cost_lower_is_better() -> None:
    sc = ss.Scenario.from_dict(two_sites(hourly=SHANGHAI))
    sw = ss.sweep(sc, factors={"costs.tiers.l1.groups.sha.hourly": [SHANGHAI, 30.0]},
                  replications=2, executor=1, progress=False)
    assert "cost_staff_l1_sha" in sw.table.columns
    rows = sw.compare(sw.table["variant"].iloc[0], metrics=("cost_staff_l1_sha",))
    dearer = rows[rows["metric"] == "cost_staff_l1_sha"]
    # 189 agent-hours x (30 - 21.5) = 1,606.50 more, in every replication.
    assert np.abs(dearer["difference"] - 189 * (30.0 - SHANGHAI)).max() < CENT
    assert (dearer["better"] == dearer["baseline"]).all()
