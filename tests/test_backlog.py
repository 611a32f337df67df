"""Warm start from a backlog (issue 15): ``[initial]`` open tickets at `start`.

Reference values are closed forms, each commented with where it comes from; statistical
checks use fixed seeds and a tolerance of 4 standard errors.
"""

from __future__ import annotations

import copy
import math
import re
import warnings
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import integrate, stats

import supportsim as ss
from supportsim.analysis import score_tickets, sla_attainment
from supportsim.cli import main
from supportsim.demand import generate
from supportsim.distributions import remaining
from supportsim.scenario._schema import Distribution
from tests.support import assert_on_fluid_line

ROOT = Path(__file__).resolve().parent.parent
MMC = ROOT / "scenarios" / "mmc.toml"


def mmc(backlog: Any = None, **overrides: Any) -> dict[str, Any]:
    """scenarios/mmc.toml as a dict (M/M/7, 20 tickets/h, 15 min effort), with `backlog`."""
    data = ss.load_scenario(MMC).to_dict()
    for key, value in overrides.items():
        node = data
        *parts, last = key.split(".")
        for part in parts:
            node = node.setdefault(part, {})
        node[last] = value
    if backlog is not None:
        data["initial"] = {"backlog": backlog}
    return data


def waiting(n: int, **row: Any) -> list[dict[str, Any]]:
    return [{"id": f"T{k}", "opened_at": -1.0 - k, "priority": "P1", "tier": "l1", **row}
            for k in range(n)]


def simulate(data: dict[str, Any], replications: int, seed: int = 1, **kw: Any
             ) -> ss.SimulationResult:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ss.CapacityWarning)
        return ss.simulate(ss.Scenario.from_dict(data), replications, seed, **kw)


# --------------------------------------------------------------------------- the stream


def test_backlog_leaves_the_other_tickets_draws_unchanged() -> None:
    # Common random numbers: the backlog draws from streams of its own.
    plain = generate(ss.Scenario.from_dict(mmc()), 3, 11)
    warm = generate(ss.Scenario.from_dict(mmc(waiting(5))), 3, 11)
    assert warm.initial == 5 and len(warm) == len(plain) + 5
    for name in ("arrived_at", "priority", "need", "patience", "effort", "triage"):
        np.testing.assert_array_equal(getattr(warm, name)[..., 5:], getattr(plain, name))
    assert np.all(warm.arrived_at[:5] < 0) and np.all(np.isinf(warm.patience[:5]))


def test_backlog_is_sorted_by_opening_and_ids_may_be_numbers() -> None:
    rows = [{"id": 7, "opened_at": -2.0, "priority": "P1", "tier": "l1"},
            {"id": "x", "opened_at": datetime(2026, 1, 4, 12), "priority": "P1", "tier": "l1"}]
    backlog = ss.Scenario.from_dict(mmc(rows)).backlog
    assert backlog is not None
    assert backlog.ids == ("x", "7")  # 2026-01-04 12:00 is 12 h before start
    np.testing.assert_array_equal(backlog.opened, [-12.0, -2.0])


# --------------------------------------------------------------------------- conservation


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(0, 30), serving=st.integers(0, 7), done=st.floats(0, 1),
       seed=st.integers(0, 2**32 - 1), patience=st.booleans())
def test_every_backlog_ticket_is_resolved_or_open(n: int, serving: int, done: float,
                                                  seed: int, patience: bool) -> None:
    rows = waiting(n, work_done=done)
    for row in rows[:serving]:
        row["in_service"] = True
    data = mmc(rows, horizon="6h", warmup="0h")
    if patience:
        data["demand"]["channels"] = {"phone": {"share": 1.0, "patience": "5min"}}
    res = simulate(data, 1, seed)
    t = res.tickets
    init = t[t["initial"]]
    assert len(init) == n and (init["arrived_at"] < 0).all()
    assert (t.loc[~t["initial"], "arrived_at"] >= 0).all()
    # Backlog tickets never abandon; each is resolved (after start) or open at the horizon.
    assert not init["abandoned"].any()
    assert (init["resolved_at"].dropna() >= 0).all()
    # The timeline's open tickets at each hour t: arrived by t (the backlog at 0) minus
    # resolved by t, minus abandoned (at most those abandoned by the horizon).
    arrived, resolved = t["arrived_at"].to_numpy(), t["resolved_at"].to_numpy()
    abandoned = int(t["abandoned"].sum())
    for hour, open_now in zip(res.timeline["t"], res.timeline["backlog"], strict=True):
        upper = int(np.sum(arrived <= hour)) - int(np.sum(resolved <= hour))
        assert upper - abandoned <= open_now <= upper
        if not patience:
            assert open_now == upper
    assert res.timeline["backlog"].iloc[0] == n


# --------------------------------------------------------------------------- drain rate


def test_mmc_backlog_drains_at_c_mu_minus_lambda() -> None:
    # M/M/4 with mu = 1/h and lambda = 1/h started with N = 60 tickets waiting. While all
    # four agents are busy, departures are Poisson(c mu t) and arrivals Poisson(lambda t),
    # so E[open(t)] = N - (c mu - lambda) t exactly (the fluid line), with variance
    # (lambda + c mu) t. At t <= 10 the queue is 60 - 30 = 30 above empty, over 4.7
    # standard deviations: the all-busy assumption holds in practice.
    c, mu, lam, n, reps = 4, 1.0, 1.0, 60, 200
    data = mmc(waiting(n), horizon="11h", warmup="0h", **{
        "demand.rate": lam, "team.tiers.l1.staff": c,
        "work.effort": {"l1": {"dist": "exponential", "mean": 1 / mu}}})
    assert_on_fluid_line(simulate(data, reps).timeline, n, c, mu, lam, reps)


# --------------------------------------------------------------------------- SLA clocks


def _weekend_result(**extra: Any) -> ss.SimulationResult:
    # Start Monday 2026-01-05 09:00 on a 09:00-17:00 Mon-Fri calendar; one agent per
    # backlog ticket, fixed effort 1 h, so each resolves at t = 1 (Monday 10:00).
    rows = [
        {"id": "fri", "opened_at": "2026-01-02T16:00", "priority": "P1", "tier": "l1"},
        {"id": "thu", "opened_at": "2026-01-01T12:00", "priority": "P1", "tier": "l1"},
    ]
    data = mmc(rows, start=datetime(2026, 1, 5, 9), horizon="8h", **{
        "warmup": "0h", "demand.rate": 0.0001, "team.tiers.l1.staff": 2,
        "calendar.business_hours": ["09:00", "17:00"],
        "priorities.P1": {"share": 1.0, "response": "2h", "resolution": "4h",
                          "clock": "business"},
        "work.effort": {"l1": {"dist": "fixed", "mean": 1.0}}, **extra})
    return simulate(data, 1)


def test_backlog_sla_clocks_run_from_the_opening_on_business_hours() -> None:
    res = _weekend_result()
    t = res.tickets
    init = t[t["initial"]].reset_index(drop=True)
    cal = res.scenario.calendar
    # Thursday 12:00 -> Monday 10:00 on 09-17 Mon-Fri: Thu 5 h + Fri 8 h + Mon 1 h = 14 h;
    # Friday 16:00 -> Monday 10:00: Fri 1 h + Mon 1 h = 2 h. Responses at Monday 09:00:
    # 13 h and 1 h.
    np.testing.assert_allclose(init["arrived_at"], [-(24 * 3 + 21), -(24 * 2 + 17)])
    np.testing.assert_allclose(init["resolved_at"], [1.0, 1.0])
    np.testing.assert_allclose(cal.elapsed(init["arrived_at"].to_numpy(),
                                           init["resolved_at"].to_numpy()), [14.0, 2.0])
    np.testing.assert_allclose(cal.elapsed(init["arrived_at"].to_numpy(),
                                           init["first_response_at"].to_numpy()), [13.0, 1.0])
    scored = score_tickets(t, res.scenario).loc[t.index[t["initial"]]]
    # Thursday's ticket was already late at start (13 h > 2 h and 14 h > 4 h): missed.
    assert scored["response_met"].tolist() == [False, True]
    assert scored["resolution_met"].tolist() == [False, True]


def test_backlog_is_scored_by_default_even_with_a_warmup_and_can_be_left_out() -> None:
    res = _weekend_result(warmup="4h")
    t = res.tickets
    assert not t.loc[t["initial"], "warmup"].any()
    sla = res.sla()
    assert sla["resolution_tickets"].iloc[0] == 2  # the two backlog tickets (no others
    assert sla["resolution_attainment"].iloc[0] == 0.5  # arrive at 0.0001/h in 8 h)
    fresh = res.sla(initial=False)
    assert fresh["resolution_tickets"].iloc[0] == 0
    pd.testing.assert_frame_equal(res.attainment(initial=False).reset_index(drop=True),
                                  sla_attainment(t, res.scenario, initial=False))
    assert len(score_tickets(t, res.scenario, initial=False)) == 0


@pytest.mark.parametrize("warmup", ["0h", "1w", "10d"])
def test_weekly_attainment_counts_the_backlog_in_the_first_week_shown(warmup: str) -> None:
    # The backlog is scored whatever the warm-up, so the weekly view counts it too: in
    # the first week it shows (it was cut off with a warm-up of a week or more).
    data = mmc(waiting(30), horizon="3w", warmup=warmup)
    res = simulate(data, replications=2, seed=3)
    weekly = ss.analysis.weekly_attainment(res.tickets, res.scenario)
    first = weekly["week"].min()
    fresh = ss.analysis.weekly_attainment(res.tickets[~res.tickets["initial"]], res.scenario)
    extra = (weekly.groupby("week")["resolution_tickets"].sum()
             - fresh.groupby("week")["resolution_tickets"].sum())
    assert extra[first] == 2 * 30  # two replications of 30 backlog tickets
    assert (extra.drop(first) == 0).all()


@pytest.mark.parametrize("mode", ["drop", "spill"])
def test_leaving_the_backlog_out_works_in_every_tickets_mode(mode: str, tmp_path: Path
                                                             ) -> None:
    data = mmc(waiting(40), horizon="1d", warmup="2h")
    kept = simulate(data, 2)
    other = simulate(data, 2, tickets="drop" if mode == "drop" else str(tmp_path))
    for initial in (True, False):
        pd.testing.assert_frame_equal(kept.sla(initial=initial), other.sla(initial=initial))
    assert not kept.sla().equals(kept.sla(initial=False))


# --------------------------------------------------------------------------- work left


def test_remaining_work_is_conditioned_on_work_done() -> None:
    rng = np.random.default_rng(5)
    u = rng.random(40_000)
    done = np.full(u.size, 0.75)
    # Exponential: memoryless, so the mean of what is left is the mean itself.
    left = remaining(Distribution(dist="exponential", mean=0.5), done, u)
    assert abs(left.mean() - 0.5) < 4 * left.std() / math.sqrt(u.size)
    # Lognormal and gamma: E[X - d | X > d] = integral_d^inf sf(x) dx / sf(d), numerically.
    for dist, law in (
        ("lognormal", stats.lognorm(math.sqrt(math.log1p(1.5**2)),
                                    scale=0.5 * math.exp(-math.log1p(1.5**2) / 2))),
        ("gamma", stats.gamma(1 / 1.5**2, scale=0.5 * 1.5**2)),
    ):
        left = remaining(Distribution(dist=dist, mean=0.5, cv=1.5), done, u)
        exact = integrate.quad(law.sf, 0.75, np.inf)[0] / law.sf(0.75)
        assert abs(left.mean() - exact) < 4 * left.std() / math.sqrt(u.size), dist
        assert (left >= 0).all()
    # Fixed: what is left of the fixed effort, never below zero.
    np.testing.assert_array_equal(
        remaining(Distribution(dist="fixed", mean=1.0), np.array([0.25, 2.0]), u[:2]),
        [0.75, 0.0])


def test_a_ticket_in_service_finishes_the_rest_of_its_work() -> None:
    # Fixed 1 h effort, 0.25 h done: resolved at t = 0.75; started before start, so its
    # first response counts at its opening.
    rows = waiting(1, in_service=True, work_done="15min")
    data = mmc(rows, horizon="4h", warmup="0h",
               **{"work.effort": {"l1": {"dist": "fixed", "mean": 1.0}}})
    t = simulate(data, 1).tickets
    first = t[t["initial"]].iloc[0]
    assert first["resolved_at"] == 0.75 and first["first_response_at"] == first["arrived_at"]


# --------------------------------------------------------------------------- bad input

HEADER = "id,opened_at,priority,tier,in_service,work_done\n"
BAD_FILES = {
    "missing": ("id,opened_at,tier\nA,-1h,l1\n", "line 1: missing column priority"),
    "after start": (HEADER + "A,2026-02-01T00:00,P1,l1,,\n",
                    "line 2, column 2 (opened_at): must be at or before start"),
    "priority": (HEADER + "A,-1h,P9,l1,,\n",
                 "line 2, column 3 (priority): must be one of [priorities] (P1), got 'P9'"),
    "tier": (HEADER + "A,-1h,P1,l3,,\n",
             "line 2, column 4 (tier): must be a tier of the team (l1), got 'l3'"),
    "duplicate": (HEADER + "A,-1h,P1,l1,,\nA,-2h,P1,l1,,\n",
                  "line 3, column 1 (id): ticket ids must be unique, got 'A' again"),
    "negative work": (HEADER + "A,-1h,P1,l1,,-2\n",
                      "line 2, column 6 (work_done): must be a duration >= 0"),
    "unknown column": ("id,opened_at,priority,tier,colour\nA,-1h,P1,l1,red\n",
                       "line 1: unknown column 'colour'"),
}


def _scenario_file(tmp_path: Path, text: str) -> Path:
    (tmp_path / "open.csv").write_text(text, encoding="utf-8")
    path = tmp_path / "s.toml"
    path.write_text(MMC.read_text(encoding="utf-8") + '\n[initial]\nbacklog = "open.csv"\n',
                    encoding="utf-8")
    return path


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_backlog_file_names_file_line_column_and_rule(case: str, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]
                                                         ) -> None:
    text, expected = BAD_FILES[case]
    path = _scenario_file(tmp_path, text)
    with pytest.raises(ss.ScenarioError) as err:
        ss.load_scenario(path)
    message = str(err.value)
    assert message.startswith(f"{tmp_path / 'open.csv'}, ") and expected in message
    assert message.endswith(f"(scenario {path})")
    for command in ("check", "run"):
        assert main([command, str(path)]) == 2
        out = capsys.readouterr()
        assert out.err.count("\n") == 1 and expected in out.err


def test_good_backlog_file_loads_relative_to_the_scenario(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _scenario_file(tmp_path, "# exported\n" + HEADER + "A,2026-01-04T18:00,P1,l1,true,"
                          "10min\nB,-1h,P1,l1,,\n")
    monkeypatch.chdir(ROOT)  # not the scenario's directory: the file is found beside it
    backlog = ss.load_scenario(path).backlog
    assert backlog is not None and backlog.ids == ("A", "B")
    np.testing.assert_allclose(backlog.work_done, [1 / 6, 0.0])
    assert backlog.in_service.tolist() == [True, False]
    assert main(["check", str(path)]) == 0
    assert ("Initial backlog: 2 open tickets at start (l1 2 (1 in service)); oldest opened "
            "6h before start") in capsys.readouterr().out


def test_parquet_backlog_and_an_edited_file_changes_the_fingerprint(tmp_path: Path) -> None:
    frame = pd.DataFrame({"id": ["A", "B"], "opened_at": pd.to_datetime(
        ["2026-01-04 18:00", "2026-01-04 23:00"]), "priority": ["P1", "P1"],
        "tier": ["l1", "l1"], "work_done": [0.5, None]})
    frame.to_parquet(tmp_path / "open.parquet")
    path = tmp_path / "s.toml"
    path.write_text(MMC.read_text(encoding="utf-8")
                    + '\n[initial]\nbacklog = "open.parquet"\n', encoding="utf-8")
    first = ss.load_scenario(path)
    assert first.backlog is not None
    np.testing.assert_allclose(first.backlog.opened, [-6.0, -1.0])
    np.testing.assert_allclose(first.backlog.work_done, [0.5, 0.0])
    frame.assign(priority=["P1", "P9"]).to_parquet(tmp_path / "open.parquet")
    with pytest.raises(ss.ScenarioError, match=re.escape(
            "open.parquet, row 2, column 3 (priority): must be one of [priorities]")):
        ss.load_scenario(path)
    frame.assign(work_done=[0.25, None]).to_parquet(tmp_path / "open.parquet")
    assert ss.load_scenario(path).fingerprint() != first.fingerprint()


BAD_ROWS = {
    "priority": ({"priority": "P9"}, "initial.backlog.0.priority must be one of"),
    "channel": ({"channel": "fax"}, "initial.backlog.0.channel must be one of"),
    "tier": ({"tier": "l2"}, "initial.backlog.0.tier must be a tier of the team"),
    "need": ({"need": "l3"}, "initial.backlog.0.need must be a tier of the team"),
    "after start": ({"opened_at": "2h"}, "initial.backlog.0.opened_at must be"),
    "boolean": ({"opened_at": True}, "initial.backlog.0.opened_at must be an instant or "
                "hours since start, not a boolean"),
    "offset": ({"opened_at": datetime.fromisoformat("2026-01-04T00:00+01:00")},
               "initial.backlog.0.opened_at must be a local date-time without a UTC offset"),
    "empty id": ({"id": " "}, "initial.backlog.0.id must not be empty"),
    "negative work": ({"work_done": -1}, "initial.backlog.0.work_done must be a duration"),
}


@pytest.mark.parametrize("case", sorted(BAD_ROWS))
def test_bad_inline_backlog_names_the_dotted_key(case: str) -> None:
    change, expected = BAD_ROWS[case]
    rows = waiting(1)
    rows[0].update(change)
    with pytest.raises(ss.ScenarioError, match=re.escape(expected)):
        ss.Scenario.from_dict(mmc(rows))
    dup = copy.deepcopy(waiting(2))
    dup[1]["id"] = "T0"
    unique = re.escape("initial.backlog.1.id ticket ids must be unique")
    with pytest.raises(ss.ScenarioError, match=unique):
        ss.Scenario.from_dict(mmc(dup))


def test_more_in_service_than_agents_on_duty_is_an_error() -> None:
    rows = waiting(9, in_service=True)  # 7 agents in mmc.toml
    with pytest.raises(ss.ScenarioError, match=r"9 ticket\(s\) in service at l1 at start, "
                       "but only 7 l1 agents are on duty"):
        simulate(mmc(rows, horizon="1h", warmup="0h"), 1)


# --------------------------------------------------------------------------- placement


def tiered(backlog: list[dict[str, Any]], discipline: str = "fifo") -> dict[str, Any]:
    """Two tiers, one agent each, 24x7, fixed work: L1 triage 0.5 h, effort 1 h."""
    return mmc(backlog, horizon="12h", warmup="0h", **{
        "demand.rate": 0.0001,
        "priorities": {"P1": {"share": 0.5, "response": "1h", "resolution": "4h"},
                       "P2": {"share": 0.5, "response": "1h", "resolution": "8h"}},
        "work": {"mix": {"l1": 0.5, "l2": 0.3, "l3": 0.2},
                 "effort": {t: {"dist": "fixed", "mean": 1.0} for t in ("l1", "l2", "l3")},
                 "triage": {t: {"dist": "fixed", "mean": 0.5} for t in ("l1", "l2")}},
        "team": {"structure": "tiered", "discipline": discipline,
                 "tiers": {t: {"staff": 1, "hours": "24x7"} for t in ("l1", "l2", "l3")}}})


def test_waiting_tickets_are_served_in_order_of_opening_with_fifo() -> None:
    rows = [{"id": k, "opened_at": -float(k), "priority": "P2", "tier": "l1", "need": "l1"}
            for k in (3, 1, 2)]
    t = simulate(tiered(rows), 1).tickets
    init = t[t["initial"]]
    # Opened 3, 2, 1 h before start; one L1 agent, 1 h each: starts at 0, 1, 2.
    np.testing.assert_array_equal(init["arrived_at"], [-3.0, -2.0, -1.0])
    np.testing.assert_array_equal(init["first_response_at"], [0.0, 1.0, 2.0])


def test_priority_discipline_orders_the_backlog_queue() -> None:
    rows = [{"id": "old", "opened_at": -5.0, "priority": "P2", "tier": "l1", "need": "l1"},
            {"id": "busy", "opened_at": -4.0, "priority": "P2", "tier": "l1", "need": "l1",
             "in_service": True},
            {"id": "new", "opened_at": -1.0, "priority": "P1", "tier": "l1", "need": "l1"}]
    t = simulate(tiered(rows, "priority"), 1).tickets
    init = t[t["initial"]].reset_index(drop=True)
    # The in-service ticket holds the agent to t = 1; then P1 goes before the older P2.
    np.testing.assert_array_equal(init["resolved_at"], [3.0, 1.0, 2.0])


def test_a_ticket_waiting_at_l2_is_worked_there_and_escalated_if_it_needs_l3() -> None:
    rows = [{"id": "a", "opened_at": -2.0, "priority": "P2", "tier": "l2", "need": "l2"},
            {"id": "b", "opened_at": -1.0, "priority": "P2", "tier": "l2", "need": "l3"}]
    t = simulate(tiered(rows), 1).tickets
    init = t[t["initial"]].reset_index(drop=True)
    # a: L2's 1 h effort from 0. b: L2 triage 0.5 h after a (1.0 -> 1.5), then L3 1 h.
    np.testing.assert_array_equal(init["resolved_at"], [1.0, 2.5])
    np.testing.assert_array_equal(init["resolved_by"], [2, 3])
    np.testing.assert_array_equal(init["escalations"], [0, 1])
    # Waiting above the first tier: responded to before start, at its opening.
    np.testing.assert_array_equal(init["first_response_at"], init["arrived_at"])


def test_need_is_drawn_conditioned_on_the_tier_it_waits_at() -> None:
    # mix l1 0.5, l2 0.3, l3 0.2: given need >= l2, P(l3) = 0.2 / 0.5 = 0.4.
    n = 2000
    rows = [{"id": k, "opened_at": -1.0, "priority": "P2", "tier": "l2"} for k in range(n)]
    stream = generate(ss.Scenario.from_dict(tiered(rows)), 0, 3)
    need = stream.need[:n]
    assert need.min() == 2
    share = float(np.mean(need == 3))
    assert abs(share - 0.4) < 4 * math.sqrt(0.4 * 0.6 / n)
