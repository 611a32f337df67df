"""Round trip: simulate a known scenario, write its tickets as a log, calibrate, compare.

The generating desk has ample staff, so no ticket waits and resolution time equals the
effort drawn (a lognormal of known mean and cv): then, and only then, the resolution-time
fit recovers effort. Arrivals stop after four weeks (a zero-multiplier burst) and the
simulation runs one more week, so every ticket resolves and the fit sees no censoring.

Every tolerance is Z = 4 standard errors of the estimator at the sample size at hand
(a correct fit fails one such check in ~16,000), the standard error stated beside it.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import supportsim as ss
from supportsim._rates import _OFFICE_DAILY, _OFFICE_HOURLY
from supportsim.calibrate import CalibrationResult, CalibrationWarning
from supportsim.cli import main
from tests.support import Z

RATE, MEAN, CV = 6.0, 3.0, 1.5  # tickets/h; effort mean (h) and coefficient of variation
SHARES = {"P1": 0.1, "P2": 0.2, "P3": 0.5, "P4": 0.2}
CHANNELS = {"portal": 0.6, "phone": 0.4}
WEEKS = 4
SIGMA = math.sqrt(math.log1p(CV**2))  # lognormal shape for that cv
MU = math.log(MEAN) - SIGMA**2 / 2  # log of the median


def _scenario(bounce: float = 0.0, mix_l2: float = 0.0) -> ss.Scenario:
    window = WEEKS * 168
    work: dict[str, object] = {"mix": {"l1": 1.0},
                               "effort": {"l1": {"dist": "lognormal", "mean": MEAN, "cv": CV}}}
    tiers: dict[str, object] = {"l1": {"staff": 200, "hours": "24x7"}}
    if mix_l2:
        work = {"mix": {"l1": 1 - mix_l2, "l2": mix_l2},
                "effort": {"l1": {"dist": "exponential", "mean": 0.5},
                           "l2": {"dist": "exponential", "mean": 1.0}},
                "triage": {"l1": {"dist": "exponential", "mean": 0.1}}}
        tiers = {"l1": {"staff": 100}, "l2": {"staff": 100}}
    return ss.Scenario.from_dict({
        "name": "known desk", "start": "2026-01-05T00:00:00", "horizon": window + 168,
        "demand": {"rate": RATE, "profile": "office",
                   "channels": {k: {"share": v} for k, v in CHANNELS.items()},
                   "bursts": [{"name": "stop", "at": window, "multiplier": 0.0,
                               "duration": 168}]},
        "priorities": {k: {"share": v, "response": "1h", "resolution": "8h"}
                       for k, v in SHARES.items()},
        "work": work,
        "team": {"tiers": tiers, "tennis": {"bounce": bounce}},
    })


def write_ticket_log(result: ss.SimulationResult, path: Path) -> pd.DataFrame:
    """Replication 0 of `result` as a ``tickets``-format CSV (ISO dates, microseconds)."""
    tickets = result.tickets[result.tickets["replication"] == 0]
    start = pd.Timestamp(result.scenario.start)

    def stamp(hours: pd.Series) -> pd.Series:
        text = (start + pd.to_timedelta(hours, unit="h")).dt.strftime("%Y-%m-%dT%H:%M:%S.%f")
        return text.where(hours.notna(), "")

    log = pd.DataFrame({
        "ticket": [f"T{i}" for i in range(len(tickets))],
        "opened_at": stamp(tickets["arrived_at"]),
        "first_response_at": stamp(tickets["first_response_at"]),
        "resolved_at": stamp(tickets["resolved_at"]),
        "priority": tickets["priority"].astype(str),
        "channel": tickets["channel"].astype(str),
        # A group change per escalation and per bounce back down.
        "reassignments": tickets["escalations"] + tickets["bounces"],
    })
    log.to_csv(path, index=False)
    return tickets


@pytest.fixture(scope="module")
def known(tmp_path_factory: pytest.TempPathFactory) -> tuple[CalibrationResult, pd.DataFrame,
                                                             Path]:
    result = ss.simulate(_scenario(), replications=1, seed=2026)
    path = tmp_path_factory.mktemp("roundtrip") / "tickets.csv"
    tickets = write_ticket_log(result, path)
    # Precondition of the whole round trip: nobody waited, so resolution == effort.
    assert tickets["wait_time"].max() == 0.0
    assert tickets["resolved_at"].notna().all()
    with warnings.catch_warnings():
        warnings.simplefilter("error", CalibrationWarning)  # four weeks: nothing defaulted
        cal = ss.calibrate.from_event_log(path, format="tickets")
    return cal, tickets, path


def _est(cal: CalibrationResult, name: str, group: str = "all") -> float:
    rows = cal.parameters.query("parameter == @name and group == @group")
    return float(rows["estimate"].iloc[0])


def test_rate_is_recovered(known: tuple[CalibrationResult, pd.DataFrame, Path]) -> None:
    cal, _, _ = known
    span = _est(cal, "span")
    # Poisson count over the span: se(rate) = sqrt(rate / span).
    assert abs(cal.scenario.demand.rate - RATE) <= Z * math.sqrt(RATE / span)


def test_priority_and_channel_mix_are_recovered(
        known: tuple[CalibrationResult, pd.DataFrame, Path]) -> None:
    cal, tickets, _ = known
    n = len(tickets)
    # Multinomial shares: se = sqrt(p (1 - p) / n).
    for name, share in SHARES.items():
        assert abs(cal.scenario.priorities[name].share - share) <= Z * math.sqrt(
            share * (1 - share) / n), name
    for name, share in CHANNELS.items():
        assert abs(cal.scenario.demand.channels[name].share - share) <= Z * math.sqrt(
            share * (1 - share) / n), name


def test_lognormal_effort_is_recovered(
        known: tuple[CalibrationResult, pd.DataFrame, Path]) -> None:
    cal, tickets, _ = known
    for group in ["all", *SHARES]:
        fit = cal.estimates.resolution[group]
        # MLE on log times: se(mu) = sigma / sqrt(n), se(sigma) = sigma / sqrt(2 n).
        assert abs(fit.mu - MU) <= Z * SIGMA / math.sqrt(fit.n), group
        assert abs(fit.sigma - SIGMA) <= Z * SIGMA / math.sqrt(2 * fit.n), group
    n = len(tickets)
    effort = cal.scenario.work.effort["l1"]
    assert effort.dist == "lognormal"
    # log mean = mu + sigma^2/2: se^2 = sigma^2/n + sigma^4/(2n) (delta method, Cox).
    assert abs(math.log(effort.mean) - math.log(MEAN)) <= Z * math.sqrt(
        SIGMA**2 / n + SIGMA**4 / (2 * n))
    # cv = sqrt(exp(sigma^2) - 1): d cv / d sigma = sigma exp(sigma^2) / cv.
    assert effort.cv is not None
    assert abs(effort.cv - CV) <= Z * SIGMA * math.exp(SIGMA**2) / CV * SIGMA / math.sqrt(2 * n)
    # The true law passes the KS check (p is optimistic with fitted parameters, so a
    # correct model essentially never falls below 0.001).
    assert _est(cal, "resolution_ks_pvalue") > 1e-3


def test_weekly_profile_is_recovered(known: tuple[CalibrationResult, pd.DataFrame, Path]) -> None:
    cal, tickets, _ = known
    profile = cal.scenario.demand.profile
    assert not isinstance(profile, str)
    n = len(tickets)
    for fitted, truth, slots in ((profile.hourly, _OFFICE_HOURLY, 24),
                                 (profile.daily, _OFFICE_DAILY, 7)):
        true = np.asarray(truth) / np.mean(truth)
        # A slot's weight is its Poisson count over its exposure: relative se
        # 1/sqrt(expected count), expected count = n * weight / slots; plus 0.0005 rounding.
        expected = n * true / slots
        tolerance = Z * true / np.sqrt(expected) + 5e-4
        assert np.all(np.abs(np.asarray(fitted) - true) <= tolerance), (fitted, true)


def test_bounce_is_recovered_from_reassignments(tmp_path: Path) -> None:
    bounce, mix_l2 = 0.25, 0.4
    result = ss.simulate(_scenario(bounce=bounce, mix_l2=mix_l2), replications=1, seed=7)
    tickets = write_ticket_log(result, tmp_path / "tennis.csv")
    cal = ss.calibrate.from_event_log(tmp_path / "tennis.csv", format="tickets")
    escalated = int((tickets["escalations"] > 0).sum())
    # One escalation level, so bounce = P(3 reassignments | reassigned); binomial se.
    assert abs(cal.scenario.team.tennis.bounce - bounce) <= Z * math.sqrt(
        bounce * (1 - bounce) / escalated)


def test_backtest_of_the_known_desk_matches(
        known: tuple[CalibrationResult, pd.DataFrame, Path]) -> None:
    cal, tickets, _ = known
    bt = cal.backtest(replications=3, seed=1)
    table = bt.table.set_index(["metric", "group"])
    n = len(tickets)
    observed = table.loc[("median_resolution_time", "all"), "observed"]
    simulated = table.loc[("median_resolution_time", "all"), "simulated"]
    # Sample median of a lognormal: se = median * sigma * sqrt(pi / 2) / sqrt(n), for the
    # observed and (over 3 replications) the simulated one; the skeleton's staff guess lets
    # peak-hour tickets wait a little, which only lengthens the simulated times.
    se = math.exp(MU) * SIGMA * math.sqrt(math.pi / 2) / math.sqrt(n)
    assert abs(simulated - observed) <= Z * se * math.sqrt(1 + 1 / 3)
    arrivals = table.loc[("tickets", "all")]
    assert abs(arrivals["simulated"] - n) <= Z * math.sqrt(2 * n)  # two Poisson counts
    assert table.loc[("resolved_share", "all"), "observed"] == 1.0


def test_cli_on_a_synthetic_log(known: tuple[CalibrationResult, pd.DataFrame, Path],
                                tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cal, _, path = known
    out = tmp_path / "desk.toml"
    assert main(["calibrate", str(path), "--format", "tickets", "--out", str(out)]) == 0
    assert "arrival rate" in capsys.readouterr().out
    assert ss.load_scenario(out) == cal.scenario
