"""Costs (issue 13, section 1): ``[costs]``, ``res.costs()`` and ``res.cost_table()``.

Exactness: with fixed staff on known rosters the staff cost is the rostered hours, counted
by hand in each test, times the hourly rate, to the cent; penalties are the misses of the
scored ticket table times the credit; hiring is the joins of the events table times the
cost of a joiner; a surge reserve is paid, at its premium, for the hours between the
``surge_on`` and ``surge_off`` events.
"""

from __future__ import annotations

import copy
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import supportsim as ss
from supportsim.analysis import score_tickets
from tests.support import build

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
CENT = 0.005  # "to the cent": within half a cent

pytestmark = pytest.mark.filterwarnings("ignore::supportsim.CapacityWarning")

RATES = {"l1": 38.37, "l2": 52.5, "l3": 71.13}
PENALTIES = {"P1": {"response": 150.0, "resolution": 400.0}, "P2": {"resolution": 25.5}}


def rostered_desk(**costs: Any) -> dict[str, Any]:
    """Three tiers on known rosters over two weeks from Monday 2026-01-05, no workforce.

    L1 works two shifts: "early" 07:00-15:00 Mon-Fri (2 agents) and "night" 22:00-06:00
    every day (1 agent, crossing midnight); L2 business hours 08:00-17:00 Mon-Fri with a
    holiday on Wednesday 2026-01-07 (3 agents); L3 around the clock (1 agent).
    """
    data: dict[str, Any] = {
        "name": "rostered", "start": "2026-01-05T00:00:00", "horizon": "2w", "warmup": "0h",
        "replications": 3, "seed": 5,
        "calendar": {"business_hours": ["08:00", "17:00"], "holidays": ["2026-01-07"]},
        "demand": {"rate": 3.0, "profile": "office"},
        "priorities": {
            "P1": {"share": 0.2, "response": "15min", "resolution": "4h"},
            "P2": {"share": 0.8, "response": "1h", "resolution": "8h"}},
        "work": {"mix": {"l1": 0.6, "l2": 0.3, "l3": 0.1},
                 "effort": {"l1": {"dist": "exponential", "mean": "20min"},
                            "l2": {"dist": "exponential", "mean": "1h"},
                            "l3": {"dist": "exponential", "mean": "2h"}},
                 "triage": {"l1": {"dist": "exponential", "mean": "10min"},
                            "l2": {"dist": "exponential", "mean": "20min"}}},
        "team": {"tiers": {
            "l1": {"hours": [
                {"name": "early", "start": "07:00", "end": "15:00",
                 "days": ["Mon", "Tue", "Wed", "Thu", "Fri"], "staff": 2},
                {"name": "night", "start": "22:00", "end": "06:00", "staff": 1}]},
            "l2": {"staff": 3, "hours": "business"},
            "l3": {"staff": 1, "hours": "24x7"}}},
        "costs": {"currency": "EUR", "tiers": {k: {"hourly": v} for k, v in RATES.items()},
                  "penalties": copy.deepcopy(PENALTIES), **costs},
    }
    return data


def scenario_of(data: dict[str, Any], overrides: dict[str, Any] | None = None) -> ss.Scenario:
    data = copy.deepcopy(data)
    data["start"] = pd.Timestamp(data["start"]).to_pydatetime()
    data["calendar"]["holidays"] = [pd.Timestamp(d).date() for d in data["calendar"]["holidays"]]
    return build(data, overrides)


# --------------------------------------------------------------------------- staff


def test_staff_cost_is_rostered_hours_times_the_rate_to_the_cent() -> None:
    sc = scenario_of(rostered_desk())
    res = ss.simulate(sc, seed=5)
    costs = res.costs()
    # Hours by hand over the two weeks (336 h from Monday 00:00):
    # L1 early: 10 weekdays x 8 h x 2 agents = 160 agent-hours.
    # L1 night: the shift that started Sunday 22:00 before the start is on 00:00-06:00
    #   (6 h); the 14 nights starting Mon 5 .. Sun 18 Jan give 13 x 8 h and 2 h of the last
    #   one before the horizon (Monday 19 Jan 00:00): 6 + 104 + 2 = 112 agent-hours.
    # L2: 10 weekdays less the holiday = 9 days x 9 h x 3 agents = 243 agent-hours.
    # L3: 336 h x 1 agent.
    hours = {"l1": 160 + 112, "l2": 243, "l3": 336}
    for tier, rate in RATES.items():
        expected = hours[tier] * rate
        assert np.abs(costs[f"staff_{tier}"] - expected).max() < CENT, tier
    assert np.abs(costs["staff"] - sum(hours[t] * RATES[t] for t in RATES)).max() < CENT
    # Overtime is the staff table's overtime hours at the same rate, reported apart.
    staff = res.staff.assign(rate=res.staff["tier"].map({1: 38.37, 2: 52.5, 3: 71.13}))
    overtime = (staff["overtime_time"] * staff["rate"]).groupby(staff["replication"]).sum()
    assert (overtime > 0).all()  # the test has power: agents do finish tickets late
    assert np.abs(costs["overtime"].to_numpy() - overtime.to_numpy()).max() < CENT
    assert (costs["reserve"] == 0).all() and (costs["hiring"] == 0).all()
    parts = costs[["staff", "overtime", "reserve", "hiring", "penalties"]].sum(axis=1)
    assert np.abs(costs["total"] - parts).max() < 1e-6


def test_penalties_are_misses_times_credit_from_the_scored_tickets() -> None:
    sc = scenario_of(rostered_desk(), {"warmup": "2d"})
    res = ss.simulate(sc, seed=5)
    tickets = res.tickets
    scored = score_tickets(tickets, sc)
    rows = tickets.loc[scored.index]
    expected = pd.Series(0.0, index=range(3))
    misses = {"response": 0, "resolution": 0}
    for name, credit in PENALTIES.items():
        mine = (rows["priority"] == name).to_numpy()
        for kind in ("response", "resolution"):
            missed = (scored[f"{kind}_scored"] & ~scored[f"{kind}_met"]).to_numpy() & mine
            per_rep = pd.Series(missed).groupby(rows["replication"].to_numpy()).sum()
            expected = expected.add(per_rep * credit.get(kind, 0.0), fill_value=0.0)
            misses[kind] += int(missed.sum())
    costs = res.costs()
    assert min(misses.values()) > 0  # both kinds of miss happen, so the check has power
    assert np.abs(costs["penalties"].to_numpy() - expected.to_numpy()).max() < CENT
    # The counts cover every priority, credited or not.
    all_missed = (scored["response_scored"] & ~scored["response_met"]).sum()
    assert costs["missed_response"].sum() == all_missed


def test_warmup_hours_are_paid_and_warmup_tickets_earn_no_credit() -> None:
    # Decision (docs/results.md, Costs): people are paid for the whole horizon; penalties
    # follow the SLA scoring, which leaves the warm-up's tickets out.
    base = ss.simulate(scenario_of(rostered_desk()), seed=5).costs()
    warm = ss.simulate(scenario_of(rostered_desk(), {"warmup": "1w"}), seed=5)
    costs = warm.costs()
    for column in ("staff", "overtime", "reserve", "hiring", "resolved_tickets"):
        assert np.array_equal(costs[column].to_numpy(), base[column].to_numpy()), column
    assert (costs["penalties"] < base["penalties"]).all()
    tickets = warm.tickets
    late = tickets[~tickets["warmup"]]
    assert late["arrived_at"].min() >= 168.0
    resolved = tickets["resolved_at"].notna().groupby(tickets["replication"]).sum()
    assert np.array_equal(costs["resolved_tickets"].to_numpy(), resolved.to_numpy())
    assert np.allclose(costs["per_resolved_ticket"], costs["total"] / resolved.to_numpy())


def test_costs_are_identical_whatever_is_kept_of_the_tickets(tmp_path: Path) -> None:
    sc = scenario_of(rostered_desk(), {"warmup": "1d"})
    kept = ss.simulate(sc, seed=5).costs()
    dropped = ss.simulate(sc, seed=5, tickets="drop").costs()
    spilled = ss.simulate(sc, seed=5, tickets=tmp_path / "t").costs()
    pd.testing.assert_frame_equal(kept, dropped)
    pd.testing.assert_frame_equal(kept, spilled)


def test_costs_leave_the_simulation_alone() -> None:
    with_costs = scenario_of(rostered_desk())
    data = rostered_desk()
    del data["costs"]
    without = scenario_of(data)
    a, b = ss.simulate(with_costs, seed=5), ss.simulate(without, seed=5)
    pd.testing.assert_frame_equal(a.tickets, b.tickets)
    pd.testing.assert_frame_equal(a.staff, b.staff)


# --------------------------------------------------------------------------- workforce


def attrition_desk() -> ss.Scenario:
    """One 24x7 tier of 10 with a high attrition rate (a mean stay of ~2.6 weeks) and
    seats refilled after 3 days, plus two planned departures refilled after a day."""
    data = rostered_desk(joiner=6000.0)
    data["team"]["tiers"] = {"l1": {"staff": 10, "hours": "24x7"}}
    data["work"] = {"mix": {"l1": 1.0},
                    "effort": {"l1": {"dist": "exponential", "mean": "20min"}}}
    data["costs"]["tiers"] = {"l1": {"hourly": 40.0}}
    data["horizon"] = "6w"
    data["workforce"] = {
        "attrition": {"annual_rate": 20.0, "hiring_lead": "3d"},
        "departures": [{"tier": "l1", "count": 2, "at": "1w", "within": "1w",
                        "refill": "1d"}]}
    return scenario_of(data)


def test_hiring_is_charged_per_joiner_counted_in_the_events() -> None:
    res = ss.simulate(attrition_desk(), seed=3, tickets="drop")
    joins = res.events[res.events["kind"] == "join"].groupby("replication").size()
    costs = res.costs()
    assert (joins >= 3).all()  # attrition and the planned refills both hire
    assert np.array_equal(costs["joiners"].to_numpy(), joins.to_numpy())
    assert np.abs(costs["hiring"].to_numpy() - 6000.0 * joins.to_numpy()).max() < CENT
    # Leavers are paid until they leave, joiners from when they join: the staff cost is
    # still the staff table's hours on duty at 40/h (everyone is 24x7 here).
    present = res.staff["left_at"].fillna(res.scenario.horizon) - res.staff["joined_at"]
    hours = present.groupby(res.staff["replication"]).sum()
    assert np.abs(costs["staff"].to_numpy() - 40.0 * hours.to_numpy()).max() < CENT


def reserve_desk(mode: str, premium: float = 1.5) -> ss.Scenario:
    """One 24x7 tier of 5 under a burst, with a reserve of 20 % (one agent)."""
    data = rostered_desk(reserve_premium=premium)
    data["team"]["tiers"] = {"l1": {"staff": 5, "hours": "24x7"}}
    data["work"] = {"mix": {"l1": 1.0},
                    "effort": {"l1": {"dist": "exponential", "mean": "1h"}}}
    data["demand"] = {"rate": 3.0, "profile": "office",
                      "bursts": [{"name": "go-live", "at": "3d", "multiplier": 2.5,
                                  "decay": "2d"}]}
    data["costs"]["tiers"] = {"l1": {"hourly": 40.0}}
    reserve: dict[str, Any] = {"fraction": 0.2, "mode": mode}
    if mode == "surge":
        reserve |= {"trigger": {"backlog": 4}, "delay": "30min"}
    data["workforce"] = {"reserve": reserve}
    return scenario_of(data)


def _called_hours(events: pd.DataFrame, horizon: float) -> float:
    """Hours the reserve was on duty: from each surge_on to the next surge_off."""
    hours, since = 0.0, None
    for kind, t in zip(events["kind"].astype(str), events["t"], strict=True):
        if kind == "surge_on" and since is None:
            since = t
        elif kind == "surge_off" and since is not None:
            hours, since = hours + t - since, None
    return hours + (horizon - since if since is not None else 0.0)


def test_surge_reserve_is_paid_at_its_premium_while_called() -> None:
    res = ss.simulate(reserve_desk("surge"), seed=2)
    costs = res.costs()
    reserve = res.staff[res.staff["origin"] == "reserve"]
    for r in range(3):
        called = _called_hours(res.events[res.events["replication"] == r], 336.0)
        assert called > 0  # the burst calls the reserve in every replication
        overtime = reserve.loc[reserve["replication"] == r, "overtime_time"].sum()
        # One reserve agent (round(0.2 x 5)), 24x7, at 40/h x 1.5.
        assert abs(costs.loc[r, "reserve"] - 1.5 * 40.0 * (called + overtime)) < CENT
    # The five agents of the tier are paid every hour, the reserve only when called.
    assert np.abs(costs["staff"] - 5 * 336 * 40.0).max() < CENT


def test_pool_reserve_is_ordinary_rostered_staff() -> None:
    res = ss.simulate(reserve_desk("pool", premium=2.0), seed=2, tickets="drop")
    costs = res.costs()
    reserve = res.staff[res.staff["origin"] == "reserve"]
    overtime = reserve.groupby("replication")["overtime_time"].sum().to_numpy()
    # One pool agent on duty all 336 h at 40/h: the premium does not apply.
    assert np.abs(costs["reserve"].to_numpy() - 40.0 * (336 + overtime)).max() < CENT


# --------------------------------------------------------------------------- table, errors


def test_cost_table_gives_mean_and_interval_per_column() -> None:
    res = ss.simulate(scenario_of(rostered_desk()), seed=5, tickets="drop")
    table = res.cost_table().set_index("item")
    costs = res.costs()
    assert list(table.index) == [c for c in costs.columns if c != "replication"]
    for item, row in table.iterrows():
        assert row["value"] == pytest.approx(costs[item].mean())
        assert row["low"] <= row["value"] <= row["high"], item
        assert row["low"] >= 0
    assert table.loc["total", "unit"] == "EUR" and table.loc["joiners", "unit"] == "people"
    assert table.loc["total", "share"] == pytest.approx(1.0)
    assert table.loc["penalties", "high"] > table.loc["penalties", "low"]  # it varies
    shares = table.loc[["staff", "overtime", "reserve", "hiring", "penalties"], "share"]
    assert shares.sum() == pytest.approx(1.0)


def test_no_costs_section_is_a_clear_error_not_zeros() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = ss.simulate(ss.load_scenario(SCENARIOS / "mmc.toml"), replications=1, seed=1,
                          tickets="drop")
    with pytest.raises(ValueError, match=r"has no \[costs\] section.*mmc\.toml"):
        res.costs()
    with pytest.raises(ValueError, match=r"no \[costs\]"):
        res.cost_table()


@pytest.mark.parametrize(("costs", "message"), [
    ({"tiers": {"l1": {"hourly": 38.0}, "l2": {"hourly": 50.0}}},
     "costs.tiers.l2 names a tier the team does not have (tiers: l1), got 'l2'"),
    ({"tiers": {}}, "costs.tiers.l1 is required: the team has tier l1"),
    ({"tiers": {"l1": {"hourly": 38.0}}, "penalties": {"P9": {"response": 1.0}}},
     "costs.penalties.P9 is not a priority of [priorities], got 'P9'"),
    ({"tiers": {"l1": {"hourly": -1.0}}}, "costs.tiers.l1.hourly must be a number >= 0"),
    ({"tiers": {"l1": {"hourly": 1e6}}}, "costs.tiers.l1.hourly must be a number <= 100000"),
    ({"tiers": {"l1": {"hourly": "38"}}}, "costs.tiers.l1.hourly must be a number"),
    ({"tiers": {"l1": {"hourly": 38.0}}, "reserve_premium": 11},
     "costs.reserve_premium must be a number <= 10, got 11"),
    ({"tiers": {"l1": {"hourly": 38.0}}, "joiner": 1e9}, "costs.joiner must be a number <= 1e+08"),
    ({"tiers": {"l1": {"hourly": 38.0}}, "currency": "E U R"},
     "costs.currency must be 1 to 8 printable characters without spaces, got 'E U R'"),
    ({"tiers": {"l1": {"hourly": 38.0}}, "penalty": {}}, "costs.penalty"),
])
def test_bad_costs_are_one_line_errors_naming_key_value_and_file(
        costs: dict[str, Any], message: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sc = ss.load_scenario(SCENARIOS / "mmc.toml")
    with pytest.raises(ss.ScenarioError) as info:
        sc.with_overrides({"costs": {"currency": "EUR", **costs}})
    text = str(info.value)
    assert message in text and "\n" not in text
    assert "(override costs=" in text and text.endswith(f", on {SCENARIOS / 'mmc.toml'})")


def test_costs_round_trip_through_toml(tmp_path: Path) -> None:
    sc = scenario_of(rostered_desk(joiner=6000.0, reserve_premium=1.5))
    path = tmp_path / "desk.toml"
    sc.to_toml(path)
    again = ss.load_scenario(path)
    assert again == sc and again.costs == sc.costs
    assert again.costs is not None and again.costs.penalties["P2"].resolution == 25.5


def test_cost_columns_are_documented_in_results_md() -> None:
    text = (Path(__file__).resolve().parent.parent / "docs" / "results.md").read_text(
        encoding="utf-8")
    costs_section = text.split("\n## Costs\n", 1)[1].split("\n## ", 1)[0]
    summary_section = text.split("\n## `res.summary()`\n", 1)[1].split("\n## ", 1)[0]
    res = ss.simulate(scenario_of(rostered_desk()), seed=5, replications=2, tickets="drop")
    for column in res.costs().columns:
        name = "staff_lN" if column.startswith("staff_") else column
        assert f"`{name}`" in costs_section, column
    for column in res.cost_table().columns:
        assert f"`{column}`" in costs_section, column
    for metric in res.summary()["metric"]:
        if metric.startswith("cost_"):
            assert f"`{metric}`" in summary_section, metric


def test_planning_page_costs_table_is_a_valid_section() -> None:
    import re
    import tomllib

    text = (SCENARIOS.parent / "docs" / "planning.md").read_text(encoding="utf-8")
    block = re.search(r"^```toml\n(.*?)^```$", text, flags=re.S | re.M)
    assert block is not None
    costs = tomllib.loads(block[1])["costs"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sc = ss.load_scenario(SCENARIOS / "rollout_tiered.toml")
    priced = sc.with_overrides({"costs": costs})
    assert priced.costs is not None and priced.costs.tiers["l2"].hourly == 55.0
