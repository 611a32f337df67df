"""Goals and verdicts, scoring over a window of arrival, abandonment by channel and
priority (issue 17)."""

from __future__ import annotations

import math
import warnings
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import supportsim as ss
from supportsim import analysis
from supportsim.analysis import parse_window, verdict
from tests.support import assert_statistically_equal, build, mmc_dict

ROOT = Path(__file__).resolve().parent.parent
GOLIVE = ROOT / "scenarios" / "golive_tiered.toml"


@pytest.fixture(scope="module")
def mmc() -> ss.SimulationResult:
    # M/M/7 at 71 % load, two weeks, four replications: P1 response (5 min) is met by
    # about 85 % of tickets (Erlang C service level), resolution (1 h) by about 98 %.
    scenario = build(mmc_dict(horizon="2w", warmup="2d"))
    return ss.simulate(scenario, replications=4, seed=3)


# --------------------------------------------------------------------------- goal key


def test_goal_is_read_validated_and_written_back() -> None:
    base = build(mmc_dict())
    scenario = base.with_overrides({"priorities.P1.goal": {"response": 0.8}})
    assert scenario.priorities["P1"].goal.response == 0.8
    assert scenario.priorities["P1"].goal.resolution is None
    assert scenario.to_dict()["priorities"]["P1"]["goal"] == {"response": 0.8}
    assert ss.Scenario.from_dict(scenario.to_dict()) == scenario
    # No goal, nothing written: fingerprints of scenarios without goals are unchanged.
    assert "goal" not in base.to_dict()["priorities"]["P1"]
    for value, message in [
        ({"response": 1.2}, "priorities.P1.goal.response must be a number <= 1, got 1.2"),
        ({"resolution": -0.1}, "priorities.P1.goal.resolution must be a number >= 0"),
        ({"response": "90%"}, "priorities.P1.goal.response must be a number"),
        ({}, "priorities.P1.goal.response or resolution must be given"),
        ({"reponse": 0.9}, "priorities.P1.goal.reponse is not a known key"),
    ]:
        with pytest.raises(ss.ScenarioError, match="^" + message.replace(".", r"\.")):
            base.with_overrides({"priorities.P1.goal": value})


def test_shipped_golive_states_its_goals() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ss.CapacityWarning)
        scenario = ss.load_scenario(GOLIVE)
    assert analysis.goals(scenario)[("P1", "response")] == 0.95
    assert len(analysis.goals(scenario)) == 8


# --------------------------------------------------------------------------- verdicts


@pytest.mark.parametrize(("mean", "low", "high", "goal", "expected"), [
    (0.95, 0.92, 0.97, 0.90, "holds"),
    (0.95, 0.90, 0.97, 0.90, "holds"),       # on the goal counts as meeting it
    (0.85, 0.80, 0.89, 0.90, "fails"),
    (0.91, 0.88, 0.93, 0.90, "uncertain"),
    (0.95, math.nan, math.nan, 0.90, "uncertain"),  # one replication: no interval
    (math.nan, math.nan, math.nan, 0.90, "n/a"),    # nothing scored
])
def test_verdict_rule(mean: float, low: float, high: float, goal: float,
                      expected: str) -> None:
    assert verdict(mean, low, high, goal) == expected


def test_verdicts_judge_each_goal_on_the_sla_interval(mmc: ss.SimulationResult) -> None:
    scenario = mmc.scenario.with_overrides(
        {"priorities.P1.goal": {"response": 0.5, "resolution": 0.999}})
    result = ss.SimulationResult(**{**mmc.__dict__, "scenario": scenario})
    table = result.verdicts()
    sla = result.sla().iloc[0]
    assert list(table["target"]) == ["response", "resolution"]
    assert list(table["verdict"]) == ["holds", "fails"]
    assert table["attainment"].tolist() == [sla["response_attainment"],
                                            sla["resolution_attainment"]]
    assert table["low"].iloc[0] == sla["response_attainment_low"]
    assert list(table["target_time"]) == ["5min", "1h"]
    # Without goals nothing is judged; a goal given to the call judges every target.
    assert mmc.verdicts().empty
    assert len(mmc.verdicts(0.5)) == 2
    assert list(mmc.verdicts({"P1": {"resolution": 0.5}})["target"]) == ["resolution"]
    middle = float(sla["response_attainment"])
    assert mmc.verdicts({"P1": {"response": middle}})["verdict"].iloc[0] == "uncertain"


@pytest.mark.parametrize(("goal", "message"), [
    (1.5, "goal must be a share in [0, 1], got 1.5"),
    ({"P9": 0.9}, "goal names priorities ['P9'] not in the scenario"),
    ({"P1": {"respond": 0.9}}, "keys must be 'response' or 'resolution'"),
])
def test_verdict_goal_argument_errors(mmc: ss.SimulationResult, goal: object,
                                      message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        mmc.verdicts(goal)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- window


def test_window_scores_the_tickets_that_arrived_in_it(mmc: ss.SimulationResult) -> None:
    # Reference: score the filtered ticket table by hand, as notebook 05 used to.
    start, length = 100.0, 120.0
    tickets = mmc.tickets
    inside = tickets[(tickets["arrived_at"] >= start) & (tickets["arrived_at"] < start + length)]
    expected = analysis.sla_table(analysis.sla_attainment(inside, mmc.scenario), mmc.scenario)
    got = mmc.sla(window=(start, length))
    pd.testing.assert_frame_equal(got, expected)
    assert not got.equals(mmc.sla())
    # The same window written as dates: start + 100 h is 2026-01-09 04:00 on mmc's clock.
    when = mmc.scenario.start + pd.Timedelta(hours=start)
    by_date = mmc.sla(window=(when.isoformat(), when + pd.Timedelta(hours=length)))
    pd.testing.assert_frame_equal(by_date, expected)
    assert mmc.verdicts(0.5, window=(start, "5d"))["attainment"].tolist() == [
        expected["response_attainment"].iloc[0], expected["resolution_attainment"].iloc[0]]


def test_window_errors_name_the_rule(mmc: ss.SimulationResult) -> None:
    scenario = mmc.scenario  # 2 weeks, 2-day warm-up
    assert parse_window(("2026-01-07", "1w"), scenario) == pytest.approx(
        ((datetime(2026, 1, 7) - scenario.start).total_seconds() / 3600,
         (datetime(2026, 1, 14) - scenario.start).total_seconds() / 3600))
    for window, message in [
        ((10.0, "1d"), "before the warm-up ends"),
        ((48.0, "3w"), "after the horizon"),
        ((100.0, "2026-01-01"), "must end after it starts"),
        ((100.0, "soon"), "window length must be a duration like '30d' or an end date"),
        (("monday", "1d"), "window start must be a date, a date-time or hours"),
        ("2026-01-07,1w", "window must be (start, length or end)"),
    ]:
        with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
            parse_window(window, scenario)  # type: ignore[arg-type]


def test_window_needs_the_ticket_table() -> None:
    result = ss.simulate(build(mmc_dict(horizon="3d", warmup="1d")), replications=2, seed=1,
                         tickets="drop")
    with pytest.raises(ValueError, match="scoring a window needs the ticket table"):
        result.sla(window=(24.0, "1d"))


# --------------------------------------------------------------------------- abandonment


def test_abandonment_matches_erlang_a_and_the_summary() -> None:
    # M/M/5+M: lambda 18/h, mu 4/h, patience exp(mean 10 min): P(abandon) = 0.154036, from
    # the birth-death chain (tests/test_engine_theory.py::test_abandonment_matches_erlang_a).
    # A second channel that never abandons shows as 0, with a Wilson upper bound.
    data = mmc_dict(rate=18.0, mean=0.25, staff=5, horizon="4w")
    data["demand"]["channels"] = {"phone": {"share": 1.0, "patience": "10min"}}
    res = ss.simulate(build(data), replications=6, seed=13, tickets="drop")
    table = res.abandonment(by=("channel",))
    assert table["channel"].tolist() == ["phone"]
    per_rep = res.abandonment_counts.groupby("replication")[["abandoned", "tickets"]].sum()
    shares = per_rep["abandoned"] / per_rep["tickets"]
    assert table["abandoned_share"].iloc[0] == pytest.approx(shares.mean(), rel=1e-12)
    assert_statistically_equal(shares.to_numpy(), 0.154036, max_se=0.004)
    overall = res.summary().set_index("metric").loc["abandoned_share", "value"]
    assert res.abandonment(by=())["abandoned_share"].iloc[0] == pytest.approx(overall)


def test_abandonment_by_channel_and_priority_hides_nothing() -> None:
    data = mmc_dict(rate=18.0, mean=0.25, staff=5, horizon="1w", warmup="1d")
    data["demand"]["channels"] = {"portal": {"share": 0.5},
                                  "phone": {"share": 0.5, "patience": "10min"}}
    data["priorities"] = {"P1": {"share": 0.3, "response": "5min", "resolution": "1h"},
                          "P2": {"share": 0.7, "response": "1h", "resolution": "8h"}}
    kept = ss.simulate(build(data), replications=3, seed=5)
    dropped = ss.simulate(build(data), replications=3, seed=5, tickets="drop")
    table = kept.abandonment()
    pd.testing.assert_frame_equal(table, dropped.abandonment())  # counted as reps finish
    assert list(zip(table["channel"], table["priority"], strict=True)) == [
        ("portal", "P1"), ("portal", "P2"), ("phone", "P1"), ("phone", "P2")]
    portal = table[table["channel"] == "portal"]
    assert (portal["abandoned_share"] == 0).all() and (portal["abandoned_share_high"] > 0).all()
    tickets = kept.tickets[~kept.tickets["warmup"]]
    reference = (tickets.groupby(["replication", "channel", "priority"], observed=True)
                 ["abandoned"].mean().groupby(["channel", "priority"], observed=True).mean())
    phone = table[table["channel"] == "phone"].set_index("priority")["abandoned_share"]
    assert phone["P2"] == pytest.approx(reference[("phone", "P2")])
    assert (table["abandoned_share_low"] <= table["abandoned_share"]).all()
    with pytest.raises(ValueError, match="by must be distinct names among"):
        kept.abandonment(by=("tier",))
    window = kept.abandonment(window=(48.0, "2d"))
    inside = tickets[(tickets["arrived_at"] >= 48) & (tickets["arrived_at"] < 96)]
    assert window["tickets"].sum() == len(inside)


def test_golive_phone_abandonment_is_far_above_the_headline() -> None:
    # Issue 17: the headline share hides the phone channel of the go-live. Two
    # replications of the 16-week scenario (about a second).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ss.CapacityWarning)
        res = ss.simulate(ss.load_scenario(GOLIVE), replications=2, tickets="drop")
    headline = res.abandonment(by=())["abandoned_share"].iloc[0]
    phone = res.abandonment(by=("channel",)).set_index("channel")["abandoned_share"]["phone"]
    assert phone > 2 * headline
    assert np.isclose(res.abandonment(by=("channel",)).set_index("channel")
                      ["abandoned_share"]["portal"], 0.0)
