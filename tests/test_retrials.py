"""Retrials (issue 14): customers who abandon and come back (``retry``, ``retry_after``).

The rule (docs/assumptions.md): each abandonment of a ticket of a channel with
``retry = p`` is followed by a retrial with probability p, independently, at most 100
times; the retrial is the same ticket, back in the entry queue after its drawn delay,
with the same drawn patience; ``arrived_at`` stays the first arrival.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import supportsim as ss
from supportsim._retrials import MAX_RETRIALS, mean_budget
from supportsim._size import estimate_size
from supportsim.analysis import score_tickets
from supportsim.cli import main
from supportsim.demand import TicketStream, expected_arrivals, generate
from supportsim.engine import engine_stream, run_replication
from supportsim.records import replication_tables
from tests.support import (
    Z,
    assert_one_line_error,
    assert_statistically_equal,
    build,
    mmc_dict,
    per_replication,
)

ROOT = Path(__file__).resolve().parent.parent


def erlang_a_desk(retry: float | None = None, after: Any = "20min") -> dict[str, Any]:
    # M/M/5+M: lambda 18/h, mu 4/h, patience exp(mean 10 min), as in
    # tests/test_engine_theory.py::test_abandonment_matches_erlang_a.
    data = mmc_dict(rate=18.0, mean=0.25, staff=5)
    phone: dict[str, Any] = {"share": 1.0, "patience": "10min"}
    if retry is not None:
        phone |= {"retry": retry, "retry_after": after}
    data["demand"]["channels"] = {"phone": phone}
    return data


def run(scenario: ss.Scenario, replication: int, seed: int) -> tuple[TicketStream, pd.DataFrame]:
    """The stream and ticket table of one replication (as ss.simulate builds them)."""
    stream = generate(scenario, replication, seed)
    record = run_replication(scenario, stream, engine_stream(seed, replication))
    return stream, replication_tables(scenario, replication, stream, record)["tickets"]


# --------------------------------------------------------------------------- counts


@pytest.mark.slow
@pytest.mark.parametrize("p", [0.3, 0.8])
def test_retrials_are_abandonments_times_probability(p: float) -> None:
    # Each abandonment is a Bernoulli(p) trial: a retrial (success) or the final
    # abandonment (failure). Trials N = retrials + final abandonments, successes S =
    # retrials; S - pN is a martingale with variance E[N] p (1 - p), so |S - pN| stays
    # within Z = 4 standard deviations sqrt(N p (1 - p)). Tickets arriving in the last
    # 12 h are left out: a retrial still pending at the horizon is a success not yet
    # counted (one 12 h old needs ~36 abandonments in a row, well under 1e-9 here).
    sc = build(erlang_a_desk(p))
    trials = successes = 0
    kept = []
    for rep in range(3):
        _, t = run(sc, rep, 5)
        t = t[t.arrived_at < sc.horizon - 12]
        kept.append(t.assign(warmup=False))
        successes += int(t.retrials.sum())
        trials += int(t.retrials.sum() + t.abandoned.sum())
    sd = math.sqrt(trials * p * (1 - p))
    assert trials > 5000  # power: sd / trials < 1 %
    assert abs(successes - p * trials) <= Z * sd, (successes, p * trials, sd)
    # The analysis view counts the same: its realised retry share is S / N.
    shares = ss.analysis.abandonment_shares(pd.concat(kept), by=None)
    assert shares.retrials.sum() == successes
    assert shares.abandoned_attempts.sum() == trials
    assert (shares.attempt_abandoned_share > shares.abandoned_share).all()


def test_retrials_never_exceed_the_cap_and_only_abandoning_tickets_retry() -> None:
    sc = build(erlang_a_desk(1.0, after="1min"), {"horizon": "2d", "warmup": 0,
                                                  "team.tiers.l1.staff": 3})
    stream, t = run(sc, 0, 3)
    assert t.retrials.max() <= MAX_RETRIALS
    assert (t.retrials > 0).any()
    # With retry = 1 a ticket abandons for good only when its 100 retrials are spent.
    assert (t.retrials[t.abandoned] == MAX_RETRIALS).all()
    assert stream.retry_budget is not None
    assert (t.retrials <= stream.retry_budget).all()


# --------------------------------------------------------------------------- retry = 0


@pytest.mark.slow
def test_retry_zero_is_todays_model_and_erlang_a() -> None:
    # retry = 0 (a retry_after given, as a sweep over retry would) draws and runs exactly
    # as a channel without the keys: identical tables, and Erlang A holds: P(abandon) =
    # 0.154036 from the birth-death chain (tests/test_engine_theory.py).
    today = ss.simulate(build(erlang_a_desk()), replications=6, seed=13)
    zero = ss.simulate(build(erlang_a_desk(0.0)), replications=6, seed=13)
    pd.testing.assert_frame_equal(today.tickets, zero.tickets)
    assert (zero.tickets.retrials == 0).all()
    assert_statistically_equal(per_replication(zero.tickets, "abandoned"), 0.154036,
                               max_se=0.004)
    # Every ticket is one attempt: both shares are Erlang A's, and nobody retries.
    shares = ss.analysis.abandonment_shares(zero.tickets, by=None)
    np.testing.assert_array_equal(shares.attempt_abandoned_share, shares.abandoned_share)
    assert (shares.retry_share == 0).all()
    assert_statistically_equal(shares.attempt_abandoned_share, 0.154036, max_se=0.004)


def test_no_retry_draws_nothing() -> None:
    stream = generate(build(erlang_a_desk(0.0)), 0, 1)
    assert stream.retry_budget is None and stream.retry_delays is None


# --------------------------------------------------------------------------- one ticket


def test_retried_ticket_keeps_its_first_arrival_and_is_scored_from_it() -> None:
    # Patience exp(10 min), fixed 30-minute retry delay, response target 15 min. A
    # ticket answered after k retrials waited k full patiences and k delays first:
    # wait >= k (patience + 30 min) from its first arrival, so it misses the target
    # (scored from the re-entry it would often meet it).
    data = erlang_a_desk(0.7, after={"dist": "fixed", "mean": "30min"})
    data["priorities"]["P1"]["response"] = "15min"
    sc = build(data, {"horizon": "1w", "warmup": 0})
    stream, t = run(sc, 0, 11)
    np.testing.assert_array_equal(t.arrived_at.to_numpy(), stream.arrived_at)
    answered = t[(t.retrials > 0) & t.first_response_at.notna()]
    assert len(answered) > 50
    k = answered.retrials.to_numpy()
    patience = stream.patience[answered.index]
    np.testing.assert_allclose(answered.wait_time, answered.first_response_at - answered.arrived_at)
    assert (answered.wait_time.to_numpy() >= k * (patience + 0.5) - 1e-9).all()
    scores = score_tickets(t, sc)
    assert not scores.loc[answered.index, "response_met"].any()
    assert scores.loc[answered.index, "response_scored"].all()


def test_retrial_waits_are_the_drawn_delays() -> None:
    # A ticket answered after k retrials waited exactly its k patiences and its first k
    # delays, then a while in its last attempt (>= 0): the final attempt's wait
    # is the wait minus those, never negative, and below its patience.
    sc = build(erlang_a_desk(0.6, after="15min"), {"horizon": "1w", "warmup": 0})
    stream, t = run(sc, 0, 2)
    assert stream.retry_first is not None and stream.retry_delays is not None
    answered = t[(t.retrials > 0) & t.first_response_at.notna()]
    assert len(answered) > 50
    for i, row in answered.iterrows():
        k = int(row.retrials)
        first = stream.retry_first[i]
        away = stream.retry_delays[first: first + k].sum()
        last = row.wait_time - k * stream.patience[i] - away
        assert -1e-9 <= last <= stream.patience[i] + 1e-9


# --------------------------------------------------------------------------- channel order


def test_a_returning_caller_is_live_again() -> None:
    # Phone (40 %, patience 10 min, retry 0.8 after 5 min) and portal (60 %, never
    # abandons) on 2 agents at rho 0.95 (tests/test_channel_order.py). Under live_first
    # a caller who comes back is ranked with the calls again, ahead of the portal
    # backlog; were it ranked behind it (as a started ticket is), or under "none", its
    # return would abandon more often. Share of returns that abandon again, paired on
    # the same tickets; measured 0.64 (live_first) against 0.79 ("none") and 0.92 with
    # returns ranked behind the portal tickets; about 1,400-4,600 returns, so a
    # standard error near 0.013.
    def abandoned_returns(order: str) -> float:
        data = mmc_dict(rate=57.0, mean=1 / 30, staff=2, horizon="2w", warmup=0)
        data["demand"]["channels"] = {
            "portal": {"share": 0.6},
            "phone": {"share": 0.4, "patience": "10min", "retry": 0.8,
                      "retry_after": "5min"}}
        data["team"]["channel_order"] = order
        sc = build(data)
        _, t = run(sc, 0, 4)
        back = t[(t.retrials > 0) & (t.arrived_at < sc.horizon - 12)]
        # Each return either abandons (then retries or gives up) or is answered.
        returns = back.retrials.sum()
        assert returns > 1000
        return float(((back.retrials - 1).sum() + back.abandoned.sum()) / returns)

    assert abandoned_returns("live_first") < abandoned_returns("none") - 0.08


# --------------------------------------------------------------------------- structures


def _backlog_rows() -> list[dict[str, Any]]:
    return [{"id": f"T{k}", "opened_at": -2.0 + k / 10, "priority": "P1", "tier": "l1",
             "channel": "phone"} for k in range(8)]


@st.composite
def retry_scenarios(draw: st.DrawFn) -> ss.Scenario:
    """Small desks with retrying phone calls: tiered or swarming, any channel order,
    sometimes a backlog or a rollout wave (their streams merge with the retrials)."""
    structure = draw(st.sampled_from(["tiered", "swarming"]))
    data = mmc_dict(rate=draw(st.floats(4.0, 30.0)), mean=draw(st.sampled_from([0.25, 0.5])),
                    staff=draw(st.integers(1, 5)), horizon="3d", warmup=0)
    data["demand"]["channels"] = {
        "phone": {"share": 0.6, "patience": draw(st.sampled_from(["2min", "20min"])),
                  "retry": draw(st.sampled_from([0.3, 0.9, 1.0])),
                  "retry_after": draw(st.sampled_from(
                      ["5min", "1h", {"dist": "uniform", "low": "1min", "high": "10min"}]))},
        "mail": {"share": 0.4}}
    data["team"]["structure"] = structure
    data["team"]["channel_order"] = draw(st.sampled_from(["none", "live_first"]))
    data["team"]["discipline"] = draw(st.sampled_from(["fifo", "preemptive"]))
    if structure == "swarming":
        data["work"] = {"mix": {"l1": 0.6, "l2": 0.4},
                        "effort": {"l1": {"mean": 0.25}, "l2": {"mean": 0.5}},
                        "triage": {"l1": {"mean": 0.1}}}
        data["team"]["tiers"]["l2"] = {"staff": 2, "hours": "24x7"}
    data["priorities"] = {"P1": {"share": 0.3, "response": "15min", "resolution": "4h"},
                          "P2": {"share": 0.7, "response": "1h", "resolution": "1d"}}
    if draw(st.booleans()):
        data["initial"] = {"backlog": _backlog_rows()}
    if draw(st.booleans()):
        data["demand"]["waves"] = [{"name": "go-live", "at": "1d", "users": 200,
                                    "rate": 1.0, "early": 3.0, "settle": "1d"}]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ss.CapacityWarning)
        return ss.Scenario.from_dict(data)


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario=retry_scenarios(), seed=st.integers(0, 2**32 - 1))
def test_conservation_and_determinism_with_retrials(scenario: ss.Scenario, seed: int) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ss.CapacityWarning)
        res = ss.simulate(scenario, replications=1, seed=seed)
        again = ss.simulate(scenario, replications=1, seed=seed)
    pd.testing.assert_frame_equal(res.tickets, again.tickets)
    t = res.tickets
    resolved = t.resolved_at.notna()
    open_ = ~resolved & ~t.abandoned
    # arrived = resolved + abandoned + open, each ticket exactly one of them.
    assert ((resolved.astype(int) + t.abandoned.astype(int) + open_.astype(int)) == 1).all()
    assert not (t.abandoned & t.first_response_at.notna()).any()
    assert (t.first_response_at.dropna() >= t.arrived_at[t.first_response_at.notna()]).all()
    assert ((t.retrials == 0) | (t.channel == "phone")).all()
    assert (t.retrials <= MAX_RETRIALS).all()
    assert (t.retrials[t.initial] == 0).all()  # nobody is on hold for a logged ticket
    # The final backlog snapshot counts open tickets, a customer away to retry included.
    last = res.timeline.t.iloc[-1]
    arrived = t.arrived_at <= last
    closed = (t.resolved_at <= last).sum()
    assert res.timeline.backlog.iloc[-1] >= arrived.sum() - closed - t.abandoned.sum()


def test_merged_streams_keep_each_tickets_own_delays() -> None:
    # Waves and a backlog are merged into the base stream: each ticket's delays stay
    # its own (disjoint ranges of the flat delays, in the order they were drawn).
    data = erlang_a_desk(0.9)
    data["demand"]["waves"] = [{"name": "w", "at": "1d", "users": 500, "rate": 2.0,
                                "settle": "1d"}]
    data["initial"] = {"backlog": _backlog_rows()}
    sc = build(data, {"horizon": "1w", "warmup": 0})
    stream = generate(sc, 0, 9)
    budget, first, delays = stream.retry_budget, stream.retry_first, stream.retry_delays
    assert budget is not None and first is not None and delays is not None
    assert (budget[: stream.initial] == 0).all()
    used = np.zeros(delays.size, dtype=int)
    for f, b in zip(first[budget > 0], budget[budget > 0], strict=True):
        used[f: f + b] += 1
    assert (used == 1).all()  # every delay belongs to exactly one ticket
    # The mean delay is retry_after's (20 min), within 4 standard errors.
    assert abs(delays.mean() - 1 / 3) <= Z * (1 / 3) / math.sqrt(delays.size)


# --------------------------------------------------------------------------- bad input

BAD = {
    "retry without patience": ({"share": 1.0, "retry": 0.5, "retry_after": "5min"},
                               "demand.channels.phone.retry needs patience"),
    "retry without delay": ({"share": 1.0, "patience": "5min", "retry": 0.5},
                            "demand.channels.phone.retry_after is required with retry = 0.5"),
    "retry above 1": ({"share": 1.0, "patience": "5min", "retry": 1.5, "retry_after": 1},
                      "demand.channels.phone.retry must be a number <= 1, got 1.5"),
    "zero delay": ({"share": 1.0, "patience": "5min", "retry": 0.5, "retry_after": 0},
                   "demand.channels.phone.retry_after must be a duration >= 1s"),
    "bad delay table": ({"share": 1.0, "patience": "5min", "retry": 0.5,
                         "retry_after": {"dist": "uniform", "low": 1}},
                        "demand.channels.phone.retry_after.high is required"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_retry_keys_are_one_line_errors(case: str) -> None:
    channel, expected = BAD[case]
    data = mmc_dict()
    data["demand"]["channels"] = {"phone": channel}
    with pytest.raises(ss.ScenarioError) as info:
        build(data)
    assert "\n" not in str(info.value)
    assert str(info.value).startswith(expected), str(info.value)


def test_more_persistent_customers_keep_their_draws() -> None:
    # Common random numbers across a sweep over `retry`: one uniform per ticket, so a
    # larger probability never lowers a ticket's budget, and the other draws stay put.
    low, high = (generate(build(erlang_a_desk(p)), 0, 3) for p in (0.3, 0.7))
    assert low.retry_budget is not None and high.retry_budget is not None
    assert (high.retry_budget >= low.retry_budget).all()
    assert (high.retry_budget > low.retry_budget).any()
    np.testing.assert_array_equal(low.patience, high.patience)
    np.testing.assert_array_equal(low.effort, high.effort)


def test_retry_keys_round_trip() -> None:
    data = erlang_a_desk(0.5, after={"dist": "uniform", "low": "1min", "high": "9min"})
    sc = build(data)
    again = ss.Scenario.from_dict(sc.to_dict())
    assert again == sc
    assert sc.to_dict()["demand"]["channels"]["phone"]["retry_after"] == {
        "dist": "uniform", "low": "1min", "high": "9min"}


def test_scenarios_without_retrials_keep_their_fingerprints() -> None:
    # Fingerprints name sweep stores: a channel nobody retries on dumps without `retry`, so
    # these are the values from before retrials existed (commit e6cc670).
    before = {
        "mmc": "6c303c386aa7639efbe3d2c0983d5244966028827f27ba749dcdec6283ee6464",
        "growth_year": "143b1a0732cd2a28f12b7f4b127c3a104115fcbd20368153302a6bb90eb6be8f",
        "shift_left": "fd2ed77925e50ddde15c92b77d8ee191ab884a326b32fde0ed222403869bde41",
    }
    for name, fingerprint in before.items():
        sc = ss.load_scenario(ROOT / "scenarios" / f"{name}.toml")
        assert sc.fingerprint() == fingerprint, name
    assert "retry" in build(erlang_a_desk(0.5)).to_dict()["demand"]["channels"]["phone"]


def test_budgets_are_geometric_and_the_size_estimate_counts_their_delays() -> None:
    # R = min(floor(ln U / ln p), 100): P(R >= k) = p^k, so E[R] = p (1 - p^100) / (1 - p)
    # (9.0 at p = 0.9) and Var R = p / (1 - p)^2 (uncapped; the cap only lowers it).
    p = 0.9
    sc = build(erlang_a_desk(p), {"horizon": "4w"})
    stream = generate(sc, 0, 6)
    assert stream.retry_budget is not None and stream.retry_delays is not None
    n = len(stream)
    mean = p * (1 - p**MAX_RETRIALS) / (1 - p)
    assert mean_budget(p) == pytest.approx(mean)
    assert abs(stream.retry_budget.mean() - mean) <= Z * math.sqrt(p / (1 - p) ** 2 / n)
    assert stream.retry_delays.size == int(stream.retry_budget.sum())
    # P(R >= 1) = p: the share of tickets that would retry at all.
    assert abs((stream.retry_budget >= 1).mean() - p) <= Z * math.sqrt(p * (1 - p) / n)
    # The size estimate adds the expected draws: 60 B per ticket and 18 B per delay.
    extra = (estimate_size(sc, 1).peak_bytes
             - estimate_size(build(erlang_a_desk(), {"horizon": "4w"}), 1).peak_bytes)
    assert extra == pytest.approx(expected_arrivals(sc) * (60 + 18 * mean))


RETRY_TOML = """
name = "retry demo"
horizon = "1w"
[demand]
rate = 18.0
[demand.channels.phone]
share = 0.5
patience = "10min"
retry = RETRY
retry_after = { dist = "uniform", low = "5min", high = "25min" }
[demand.channels.portal]
share = 0.5
[priorities.P1]
share = 1.0
response = "5min"
resolution = "1h"
[work]
mix = { l1 = 1.0 }
effort = { l1 = { dist = "empirical", quantiles = ["2min", "10min", "15min", "40min"] } }
[team.tiers.l1]
staff = 5
hours = "24x7"
"""


def test_check_states_the_retrials_and_run_refuses_bad_ones(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "retry.toml"
    good.write_text(RETRY_TOML.replace("RETRY", "0.6"))
    assert main(["check", str(good)]) == 0
    lines = [x for x in capsys.readouterr().out.splitlines() if x.startswith("Retrials")]
    # The mean of uniform(5 min, 25 min) is 15 min.
    assert lines == ["Retrials: phone 60% after 15min on average; each abandonment retries "
                     "with that probability, at most 100 times a ticket (same ticket and "
                     "patience, SLA clocks from the first arrival)"]
    bad = tmp_path / "bad.toml"
    bad.write_text(RETRY_TOML.replace("RETRY", "1.5"))
    assert main(["run", str(bad)]) == 2
    assert_one_line_error(capsys.readouterr().err.splitlines(),
                          ["demand.channels.phone.retry", "<= 1", "1.5", str(bad)])


def test_a_cut_stream_keeps_each_tickets_delays() -> None:
    stream = generate(build(erlang_a_desk(0.8), {"horizon": "3d", "warmup": 0}), 0, 2)
    cut = stream.select(np.arange(len(stream)) % 3 == 0)
    assert stream.retry_first is not None and cut.retry_first is not None
    assert cut.retry_delays is stream.retry_delays  # shared, not cut per ticket
    np.testing.assert_array_equal(cut.retry_first, stream.retry_first[::3])
    np.testing.assert_array_equal(cut.retry_budget, stream.retry_budget[::3])  # type: ignore[index]


def test_check_writes_a_mean_retry_delay_to_read(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Trial defect 18: the mean of uniform(5 min, 30 min) is 17.5 min, which check
    printed as "1050s" (the exact-unit writer of values as written)."""
    path = tmp_path / "retry.toml"
    path.write_text(RETRY_TOML.replace("RETRY", "0.5").replace('high = "25min"',
                                                               'high = "30min"'))
    assert main(["check", str(path)]) == 0
    out = capsys.readouterr().out
    assert "Retrials: phone 50% after 17.5min on average;" in out and "1050s" not in out
