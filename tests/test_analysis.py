"""The analysis layer against plain per-ticket Python references.

Scoring, weekly attainment, backlog by age, percentiles and utilisation over time are
each recomputed here one ticket (or one hour) at a time with the rules as written in
docs/analysis.md, and must agree *exactly* with the vectorised functions. Times are drawn
on a quarter-hour grid so that ties with targets, deadlines and the horizon happen.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import datetime
from typing import Any
from unittest import mock

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import supportsim as ss
from supportsim import analysis
from supportsim.analysis import _sla
from tests.support import build, mmc_dict

MISSED, MET, NOT_SCORED = "missed", "met", None

WEEK = 168.0


def scenario_dict(start: datetime, hours: tuple[str, str], holidays: list[Any],
                  clocks: tuple[str, str, str]) -> dict[str, Any]:
    """Three priorities on the given clocks; a 3-week horizon with a 2-day warm-up."""
    data = mmc_dict(horizon="3w", warmup="2d")
    data["start"] = start
    data["calendar"] = {"business_hours": list(hours), "holidays": holidays}
    data["priorities"] = {
        "P1": {"share": 0.2, "response": "15min", "resolution": "4h", "clock": clocks[0]},
        "P2": {"share": 0.3, "response": "1h", "resolution": "8h", "clock": clocks[1]},
        "P3": {"share": 0.5, "response": "4h", "resolution": "3d", "clock": clocks[2]},
    }
    return data


SCENARIOS = [
    build(scenario_dict(datetime(2026, 1, 5), ("08:00", "17:00"),
                        [datetime(2026, 1, 9).date(), datetime(2026, 1, 12).date()],
                        ("24x7", "24x7", "business"))),
    # A Wednesday-afternoon start, odd opening hours, every priority on business time.
    build(scenario_dict(datetime(2026, 3, 4, 13, 45), ("07:30", "16:15"),
                        [datetime(2026, 3, 6).date()], ("business", "business", "business"))),
    # Wall clocks only.
    build(scenario_dict(datetime(2026, 1, 5), ("08:00", "17:00"), [],
                        ("24x7", "24x7", "24x7"))),
]


def random_tickets(seed: int, rows: int, scenario: ss.Scenario,
                   replications: list[int]) -> pd.DataFrame:
    """Tickets with times on a quarter-hour grid: met, missed, abandoned and open ones."""
    rng = np.random.default_rng(seed)
    horizon = scenario.horizon
    quarter = 0.25
    arrived = rng.integers(0, int(horizon / quarter) + 1, rows) * quarter
    # Waits and resolution times often exactly on a target (multiples of 15 min).
    wait = rng.choice([0, 0.25, 0.5, 1, 4, 4.25, 8, 16, 30, 60], rows) * rng.integers(1, 3, rows)
    fix = rng.choice([0, 0.25, 3.75, 4, 8, 24, 72, 100], rows)
    first = arrived + wait
    resolved = first + fix
    abandoned = rng.random(rows) < 0.1
    # Abandoned tickets have no response; a few keep one anyway: still a miss.
    hung_up = abandoned & (rng.random(rows) < 0.8)
    first[hung_up | (first > horizon) | (rng.random(rows) < 0.05)] = np.nan
    resolved[np.isnan(first) | (resolved > horizon) | (rng.random(rows) < 0.05)] = np.nan
    names = scenario.priority_names
    return pd.DataFrame({
        "replication": rng.choice(replications, rows).astype(np.int32),
        "priority": pd.Categorical.from_codes(rng.integers(0, len(names), rows).astype(np.int8),
                                              names),
        "arrived_at": arrived,
        "first_response_at": first,
        "resolved_at": resolved,
        "abandoned": abandoned,
        "warmup": arrived < scenario.warmup,
    })


# --------------------------------------------------------------------------- reference


def reference_outcomes(row: Any, scenario: ss.Scenario) -> tuple[str | None, str | None]:
    """The scoring rules, one ticket at a time (the calendar itself is tested elsewhere)."""
    priority = scenario.priorities[str(row.priority)]

    def on_clock(start: float, end: float) -> float:
        if priority.clock == "business":
            return float(scenario.calendar.elapsed(start, end))
        return end - start

    outcomes: list[str | None] = []
    for done, target in ((row.first_response_at, priority.response),
                         (row.resolved_at, priority.resolution)):
        if row.abandoned:
            outcomes.append(MISSED)
        elif not math.isnan(done):
            outcomes.append(MET if on_clock(row.arrived_at, done) <= target else MISSED)
        elif on_clock(row.arrived_at, scenario.horizon) > target:
            outcomes.append(MISSED)  # still open, deadline passed before the horizon
        else:
            outcomes.append(NOT_SCORED)  # still open, could still make it
    return outcomes[0], outcomes[1]


def reference_attainment(tickets: pd.DataFrame, scenario: ss.Scenario,
                         key: Any = None) -> dict[tuple[Any, ...], dict[str, float]]:
    """Shares met per (replication, priority[, key(row)]) from the per-ticket outcomes."""
    counts: dict[tuple[Any, ...], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in tickets.itertuples():
        if row.warmup:
            continue
        cell = (row.replication, str(row.priority)) + ((key(row),) if key else ())
        response, resolution = reference_outcomes(row, scenario)
        counts[cell]["tickets"] += 1
        for kind, outcome in (("response", response), ("resolution", resolution)):
            counts[cell][f"{kind}_scored"] += outcome is not None
            counts[cell][f"{kind}_hit"] += outcome == MET
    shares = {}
    for cell, c in counts.items():
        shares[cell] = {
            f"{kind}_attainment": (c[f"{kind}_hit"] / c[f"{kind}_scored"] if c[f"{kind}_scored"]
                            else math.nan) for kind in ("response", "resolution")
        } | {"tickets": c["tickets"]}
    return shares


def assert_same(actual: float, expected: float) -> None:
    assert (math.isnan(actual) and math.isnan(expected)) or actual == expected, (
        actual, expected)


# --------------------------------------------------------------------------- scoring


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), rows=st.integers(0, 300),
       which=st.integers(0, len(SCENARIOS) - 1), block=st.sampled_from([7, 64, 1 << 18]),
       reps=st.sampled_from([[0], [0, 1, 2], [3, 9], [5, 10**9]]))
def test_scoring_equals_per_ticket_reference(seed: int, rows: int, which: int, block: int,
                                             reps: list[int]) -> None:
    scenario = SCENARIOS[which]
    tickets = random_tickets(seed, rows, scenario, reps)
    with mock.patch.object(_sla, "_BLOCK", block):
        per_ticket = analysis.score_tickets(tickets, scenario)
        table = analysis.sla_attainment(tickets, scenario)
    kept = tickets[~tickets["warmup"]]
    assert list(per_ticket.index) == list(kept.index)
    for row, outcome in zip(kept.itertuples(), per_ticket.itertuples(), strict=True):
        response, resolution = reference_outcomes(row, scenario)
        assert (outcome.response_scored, outcome.response_met) == (
            response is not None, response == MET)
        assert (outcome.resolution_scored, outcome.resolution_met) == (
            resolution is not None, resolution == MET)
    expected = reference_attainment(tickets, scenario)
    assert len(table) == len(np.unique(tickets["replication"])) * 3
    for row in table.itertuples():
        cell = expected.get((row.replication, str(row.priority)))
        if cell is None:  # nothing after the warm-up in this replication x priority
            assert row.tickets == 0
            assert math.isnan(row.response_attainment)
            assert math.isnan(row.resolution_attainment)
            continue
        assert row.tickets == cell["tickets"]
        assert_same(row.response_attainment, cell["response_attainment"])
        assert_same(row.resolution_attainment, cell["resolution_attainment"])


def test_scoring_accepts_plain_string_priorities_in_any_category_order() -> None:
    scenario = SCENARIOS[0]
    tickets = random_tickets(1, 400, scenario, [0, 1])
    expected = analysis.sla_attainment(tickets, scenario)
    as_text = tickets.assign(priority=tickets["priority"].astype(str))
    shuffled = tickets.assign(priority=tickets["priority"].cat.reorder_categories(
        ["P3", "P1", "P2"]))
    for variant in (as_text, shuffled):
        pd.testing.assert_frame_equal(analysis.sla_attainment(variant, scenario), expected)


def test_unknown_priority_is_an_error() -> None:
    scenario = SCENARIOS[0]
    tickets = random_tickets(2, 20, scenario, [0]).assign(priority="P9")
    with pytest.raises(ValueError, match="not in the scenario"):
        analysis.sla_attainment(tickets, scenario)


def test_friday_afternoon_business_target_runs_into_monday() -> None:
    # Fri 15:30 + 8 business hours on Mon-Fri 08:00-17:00 is Mon 14:30 (1.5 h Friday,
    # 6.5 h Monday); the first scenario's holiday (Fri 9 Jan) is avoided by using week 2.
    data = scenario_dict(datetime(2026, 1, 5), ("08:00", "17:00"), [],
                         ("24x7", "24x7", "business"))
    data["priorities"]["P3"]["response"] = "8h"
    scenario = build(data)
    friday = 11 * 24 + 15.5
    monday = 14 * 24 + 14.5
    tickets = pd.DataFrame({
        "replication": [0, 0, 0], "priority": ["P3", "P3", "P3"],
        "arrived_at": [friday] * 3,
        "first_response_at": [monday, monday + 1 / 60, np.nan],
        "resolved_at": [np.nan] * 3, "abandoned": [False] * 3, "warmup": [False] * 3,
    })
    scored = analysis.score_tickets(tickets, scenario)
    assert scored["response_met"].tolist() == [True, False, False]
    # The open ticket's 8 business hours ended long before the 3-week horizon: a miss.
    assert scored["response_scored"].tolist() == [True, True, True]


def test_open_ticket_is_excluded_until_its_deadline_passes() -> None:
    scenario = SCENARIOS[2]  # 24x7 clocks; P3 resolution target 3 d
    horizon = scenario.horizon
    tickets = pd.DataFrame({
        "replication": [0, 0, 0], "priority": ["P3"] * 3,
        "arrived_at": [horizon - 80.0, horizon - 72.0, horizon - 10.0],
        "first_response_at": [horizon - 79.0, horizon - 71.0, horizon - 9.0],
        "resolved_at": [np.nan] * 3, "abandoned": [False] * 3, "warmup": [False] * 3,
    })
    scored = analysis.score_tickets(tickets, scenario)
    # Past its deadline: a miss. Exactly on it (could still resolve at the horizon) and
    # well within it: not scored.
    assert scored["resolution_scored"].tolist() == [True, False, False]
    assert not scored["resolution_met"].any()


def test_bootstrap_and_t_intervals_bracket_the_mean() -> None:
    scenario = SCENARIOS[0]
    attainment = analysis.sla_attainment(random_tickets(3, 3000, scenario, list(range(8))),
                                         scenario)
    t_table = analysis.sla_table(attainment, scenario)
    boot = analysis.sla_table(attainment, scenario, method="bootstrap", rng=1)
    pd.testing.assert_series_equal(t_table["response_attainment"],
                                   boot["response_attainment"])
    for table in (t_table, boot):
        for kind in ("response", "resolution"):
            assert (table[f"{kind}_attainment_low"] <= table[f"{kind}_attainment"]).all()
            assert (table[f"{kind}_attainment"] <= table[f"{kind}_attainment_high"]).all()
    # Same seed, same bounds; the default seed is fixed too.
    pd.testing.assert_frame_equal(boot, analysis.sla_table(attainment, scenario,
                                                           method="bootstrap", rng=1))
    pd.testing.assert_frame_equal(analysis.sla_table(attainment, scenario, method="bootstrap"),
                                  analysis.sla_table(attainment, scenario, method="bootstrap"))
    with pytest.raises(ValueError, match="method"):
        analysis.sla_table(attainment, scenario, method="jackknife")


def test_bootstrap_interval_of_normal_means_is_close_to_t() -> None:
    values = np.random.default_rng(5).normal(0.8, 0.05, 40)
    mean, low, high = analysis.bootstrap_interval(values, rng=2)
    t_mean, t_low, t_high = analysis.t_interval(values)
    assert mean == pytest.approx(float(t_mean))
    assert low == pytest.approx(float(t_low), abs=0.004)
    assert high == pytest.approx(float(t_high), abs=0.004)
    assert np.isnan(analysis.bootstrap_interval([0.5])[1])


# --------------------------------------------------------------------------- weekly


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), which=st.integers(0, len(SCENARIOS) - 1),
       period=st.sampled_from([WEEK, 24.0, 100.0]))
def test_weekly_attainment_equals_reference(seed: int, which: int, period: float) -> None:
    scenario = SCENARIOS[which]
    tickets = random_tickets(seed, 300, scenario, [0, 4])
    weekly = analysis.weekly_attainment(tickets, scenario, period=period)
    last = math.ceil(scenario.horizon / period) - 1
    expected = reference_attainment(
        tickets, scenario, key=lambda row: min(int(row.arrived_at // period), last))
    first = int(scenario.warmup // period)
    assert sorted(weekly["week"].unique()) == list(range(first, last + 1))
    assert weekly["week_end"].max() == scenario.horizon
    for row in weekly.itertuples():
        cell = expected.get((row.replication, str(row.priority), row.week))
        if cell is None:
            assert row.tickets == 0
            continue
        assert row.tickets == cell["tickets"]
        assert_same(row.response_attainment, cell["response_attainment"])
        assert_same(row.resolution_attainment, cell["resolution_attainment"])


# --------------------------------------------------------------------------- backlog


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), which=st.integers(0, len(SCENARIOS) - 1),
       clock=st.sampled_from(["wall", "sla"]), by_priority=st.booleans())
def test_backlog_by_age_equals_reference(seed: int, which: int, clock: str,
                                         by_priority: bool) -> None:
    scenario = SCENARIOS[which]
    tickets = random_tickets(seed, 200, scenario, [1, 2])
    at = [0.0, 30.25, 100.0, 200.5, scenario.horizon]
    edges = (0.0, 4.0, 24.0, 72.0)
    table = analysis.backlog_by_age(tickets, scenario, at, edges=edges, clock=clock,
                                    by_priority=by_priority)  # type: ignore[arg-type]
    expected: dict[tuple[Any, ...], int] = defaultdict(int)
    for row in tickets.itertuples():
        priority = scenario.priorities[str(row.priority)]
        for t in at:
            if row.abandoned or row.arrived_at > t or row.resolved_at <= t:
                continue
            age = t - row.arrived_at
            if clock == "sla" and priority.clock == "business":
                age = float(scenario.calendar.elapsed(row.arrived_at, t))
            bucket = max(k for k, edge in enumerate(edges) if age >= edge)
            key = (row.replication, t) + ((str(row.priority),) if by_priority else ())
            expected[(*key, bucket)] += 1
    labels = list(table["age"].cat.categories)
    assert labels == ["<4h", "4h–1d", "1d–3d", ">=3d"]
    for row in table.itertuples():
        key = (row.replication, row.at) + ((str(row.priority),) if by_priority else ())
        assert row.tickets == expected.get((*key, labels.index(row.age)), 0)
    assert table["tickets"].sum() == sum(expected.values())


def test_backlog_by_age_matches_the_timeline_without_abandonment() -> None:
    # Open tickets at the top of an hour, counted from the tickets table, are the
    # timeline's backlog snapshot (no channel abandons in the M/M/c desk).
    scenario = build(mmc_dict(rate=20.0, mean=0.25, staff=6, horizon="1w", warmup="1d"))
    result = ss.simulate(scenario, replications=2, seed=4)
    hours = np.arange(0.0, scenario.horizon, 7.0)
    table = analysis.backlog_by_age(result.tickets, scenario, hours, by_priority=False)
    counted = table.groupby(["replication", "at"])["tickets"].sum()
    timeline = result.timeline.set_index(["replication", "t"])["backlog"]
    for (rep, t), value in counted.items():
        assert value == timeline.loc[(rep, t)]


def test_backlog_edges_must_start_at_zero() -> None:
    with pytest.raises(ValueError, match="edges"):
        analysis.backlog_by_age(random_tickets(0, 5, SCENARIOS[0], [0]), SCENARIOS[0],
                                edges=(1.0, 4.0))


# --------------------------------------------------------------------------- percentiles


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), which=st.integers(0, len(SCENARIOS) - 1),
       clock=st.sampled_from(["wall", "sla"]), by_replication=st.booleans())
def test_time_percentiles_equal_reference(seed: int, which: int, clock: str,
                                          by_replication: bool) -> None:
    scenario = SCENARIOS[which]
    tickets = random_tickets(seed, 250, scenario, [0, 3])
    q = (0.5, 0.9, 0.999)
    table = analysis.time_percentiles(tickets, scenario, q, clock=clock,  # type: ignore[arg-type]
                                      by_replication=by_replication)
    assert list(table.columns[-3:]) == ["p50", "p90", "p99.9"]
    kept = tickets[~tickets["warmup"]]
    for row in table.to_dict("records"):
        priority = scenario.priorities[str(row["priority"])]
        mine = kept[kept["priority"] == row["priority"]]
        if by_replication:
            mine = mine[mine["replication"] == row["replication"]]
        column = "first_response_at" if row["measure"] == "wait" else "resolved_at"
        values = []
        for ticket in mine.itertuples():
            done = getattr(ticket, column)
            if math.isnan(done):
                continue
            if clock == "sla" and priority.clock == "business":
                values.append(float(scenario.calendar.elapsed(ticket.arrived_at, done)))
            else:
                values.append(done - ticket.arrived_at)
        assert row["tickets"] == len(values)
        assert row["missing"] == len(mine) - len(values)
        assert row["target"] == (priority.response if row["measure"] == "wait"
                                 else priority.resolution)
        expected = np.quantile(values, q) if values else [math.nan] * 3
        for name, value in zip(("p50", "p90", "p99.9"), expected, strict=True):
            assert_same(row[name], float(value))


# --------------------------------------------------------------------------- utilisation


def test_utilisation_over_time_is_a_ratio_of_sums() -> None:
    scenario = ss.load_scenario("scenarios/golive_tiered.toml").with_overrides(
        {"horizon": "1w", "warmup": "1d"})
    result = ss.simulate(scenario, replications=2, seed=3)
    table = analysis.utilisation_over_time(result.timeline, scenario, period=24)
    assert list(table["tier"].cat.categories) == ["l1", "l2", "l3"]
    assert len(table) == 2 * 3 * 7
    timeline = result.timeline
    for row in table.sample(10, random_state=1).itertuples():
        hours = timeline[(timeline.replication == row.replication)
                         & (timeline.t >= row.period_start)
                         & (timeline.t < row.period_start + 24)]
        busy, duty = hours[f"busy_{row.tier}"].sum(), hours[f"on_duty_{row.tier}"].sum()
        overtime = hours[f"overtime_{row.tier}"].sum()
        assert (row.busy, row.on_duty, row.overtime) == (busy, duty, overtime)
        # Paid time is on duty plus overtime (issue 18): the ratio never exceeds 1.
        assert_same(row.utilisation, busy / (duty + overtime) if duty + overtime else math.nan)
    assert (table["utilisation"].dropna() <= 1).all()
    with pytest.raises(ValueError, match="period"):
        analysis.utilisation_over_time(timeline, scenario, period=1.5)


# --------------------------------------------------------------------------- one name each


@pytest.fixture(scope="module")
def pair() -> tuple[ss.SimulationResult, ss.SimulationResult, Any]:
    """Two staffing levels of a small desk, simulated and swept on the same seed."""
    data = mmc_dict(horizon="1w", warmup="1d")
    data["priorities"] = {"P1": {"share": 0.3, "response": "5min", "resolution": "1h"},
                          "P2": {"share": 0.7, "response": "15min", "resolution": "2h"}}
    scenario = build(data)
    a = ss.simulate(scenario, replications=2, seed=5)
    b = ss.simulate(scenario.with_overrides({"team.tiers.l1.staff": 6}), replications=2, seed=5)
    sw = ss.sweep(scenario, factors={"team.tiers.l1.staff": [7, 6]}, replications=2,
                  executor=1, progress=False, seed=5)
    return a, b, sw


def test_attainment_has_one_name_in_every_table(pair: Any) -> None:
    """Issue 18: ``response_attainment`` everywhere; ``met`` only on per-ticket booleans."""
    a, _, sw = pair
    tables = {"attainment": a.attainment(), "sla": a.sla(), "weekly": a.weekly_attainment(),
              "sweep table": sw.table, "sweep sla": sw.sla(), "sweep summary": sw.summary()}
    for name, table in tables.items():
        columns = set(table.columns)
        assert {"response_attainment", "resolution_attainment"} <= columns, name
        assert not {c for c in columns if c.endswith("_met")}, name
    metrics = set(a.summary()["metric"])
    assert {"mean_wait", "median_wait", "p90_wait", "mean_resolution_time",
            "median_resolution_time", "p90_resolution_time"} <= metrics
    assert {"mean_wait", "median_wait", "p90_wait", "mean_resolution_time",
            "median_resolution_time", "p90_resolution_time"} <= set(sw.table.columns)


def test_compare_and_sweep_compare_share_one_layout(pair: Any) -> None:
    a, b, sw = pair
    direct = ss.compare(a, b, labels=("staff=7", "staff=6"))
    swept = sw.compare("staff=7", metrics=["response_attainment", "resolution_attainment",
                                               "mean_resolution_time", "p90_resolution_time"])
    core = ["variant", "baseline", "priority", "metric", "value", "baseline_value",
            "difference", "low", "high", "better", "replications"]
    assert list(direct.columns) == core
    assert [c for c in swept.columns if c in core] == core
    assert set(swept.columns) - set(core) == {"strategy", "team.tiers.l1.staff"}
    assert direct["metric"].tolist() == swept["metric"].astype(str).tolist()
    # Fewer agents on the same tickets: response attainment falls, and `better` says who.
    response = direct[direct["metric"] == "response_attainment"]
    assert (response["difference"] < 0).all()
    assert set(response["better"]) <= {"", "staff=7"}
    assert (direct["low"] <= direct["difference"]).all()
    assert (direct["difference"] <= direct["high"]).all()


def test_tickets_is_a_total_and_tickets_per_replication_its_mean(pair: Any) -> None:
    a, _, sw = pair
    per_rep = a.attainment().groupby("priority", observed=True)["tickets"]
    sla = a.sla().set_index("priority")
    assert sla["tickets"].tolist() == per_rep.sum().tolist()
    assert sla["tickets_per_replication"].tolist() == pytest.approx(per_rep.mean().tolist())
    swept = sw.sla()
    row = swept[swept["variant"] == "staff=7"].set_index("priority")
    # Demand does not depend on the team: the same tickets whichever way they were run.
    assert row["tickets"].tolist() == sla["tickets"].tolist()
    assert row["tickets_per_replication"].tolist() == sla["tickets_per_replication"].tolist()
    summary = sw.summary().set_index("variant")
    assert summary.loc["staff=7", "tickets"] == sla["tickets"].sum()
    assert summary.loc["staff=7", "tickets_per_replication"] == pytest.approx(
        a.summary().set_index("metric").loc["tickets_per_replication", "value"])


def test_run_headline_says_wall_clock_and_shows_median_next_to_mean(
        capsys: pytest.CaptureFixture[str]) -> None:
    from supportsim.cli import main

    code = main(["run", "scenarios/golive_tiered.toml", "-r", "2", "--set", "horizon=2w",
                 "--set", "warmup=2d", "--seed", "1"])
    out = capsys.readouterr().out
    assert code == 0
    assert "wall-clock" in out
    (wait,) = [line for line in out.splitlines() if "wait for first response" in line]
    assert "median" in wait and "mean" in wait and "90th percentile" in wait
    assert wait.index("median") < wait.index("mean")
    assert "overtime" in out  # utilisation counts overtime as paid time, and shows it
