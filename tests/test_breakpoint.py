"""Breaking-point search: against Erlang C, on common random numbers, staff downwards."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest

import supportsim as ss
from supportsim import analytic, cli
from supportsim._crossing import crossing, crossings
from supportsim._factor import current_value, span_values
from tests.support import build, mmc_dict

ROOT = Path(__file__).resolve().parent.parent

# lambda* of M/M/10 with mu = 2/h (mean effort 30 min) where P(wait <= 10 min) = 0.90:
# the root of 1 - C(10, lambda/2) exp(-(20 - lambda) / 6) = 0.9, by the Erlang B
# recursion and Brent's method (also in the issue): 14.4055 tickets/h.
LAMBDA_STAR = 14.405523603260264


def mm10(rate: float = 14.0, horizon: str = "2w") -> ss.Scenario:
    """One tier, 10 agents, exponential 30 min effort, response target 10 min."""
    data = mmc_dict(rate=rate, mean=0.5, staff=10, horizon=horizon, warmup="1d")
    data["priorities"]["P1"]["response"] = "10min"
    return build(data)


# --------------------------------------------------------------------------- crossing rule


def test_first_crossing_interpolates_from_the_good_end() -> None:
    values = np.array([10.0, 12.0, 14.0, 16.0])
    value, index = crossing(values, np.array([0.99, 0.95, 0.85, 0.95]), 0.9)
    assert (value, index) == (pytest.approx(13.0), 2)
    assert crossing(values, np.array([0.99, 0.95, 0.93, 0.91]), 0.9) == (math.inf, 4)
    assert crossing(values, np.array([0.8, 0.95, 0.93, 0.91]), 0.9) == (-math.inf, 0)
    # Resamples on axis 1: the same rule, vectorised.
    means = np.array([[0.99, 0.99, 0.80], [0.95, 0.95, 0.95], [0.85, 0.93, 0.93],
                      [0.95, 0.91, 0.91]])
    assert crossings(values, means, 0.9).tolist() == [pytest.approx(13.0), math.inf,
                                                        -math.inf]


# --------------------------------------------------------------------------- Erlang C


@pytest.mark.slow
def test_mmc_breaking_point_matches_erlang_c() -> None:
    # 30 replications of two weeks per evaluation, 3 grid values + 4 bisection steps: the
    # estimate's standard deviation is ~0.6 % of lambda* (measured over 25 seeds: bias
    # +0.1 %, largest error 1.7 %; the 95 % bootstrap interval covered lambda* in 33 of
    # 35 seeds at 20 replications), so the 2 % tolerance is over 3 standard deviations.
    bp = ss.find_breaking_point(mm10(), "demand.rate", 0.90, values=[11.0, 14.0, 17.0],
                                replications=30, seed=2026)
    row = bp.table.iloc[0]
    assert bp.direction == "up"  # read from the curve
    assert row["status"] == "crossed"
    assert row["erlang_c_estimate"] == pytest.approx(LAMBDA_STAR, rel=1e-5)
    assert abs(row["breaking_value"] / LAMBDA_STAR - 1) < 0.02, row.to_dict()
    assert row["low"] <= LAMBDA_STAR <= row["high"], row.to_dict()
    assert row["last_met"] < row["breaking_value"] < row["first_missed"]
    # 3 grid values, then 4 bisections of [14, 17].
    assert row["evaluations"] == 7
    assert list(bp.curve["stage"]).count("refine") == 4


# --------------------------------------------------------------------------- strategies


def test_strategies_run_on_common_random_numbers() -> None:
    sc = mm10(horizon="1w")
    bp = ss.find_breaking_point(
        sc, "demand.rate", 0.90, values=[10.0, 13.0, 16.0], replications=4, seed=5,
        refine=2, strategies={"base": {}, "renamed": {"name": "a copy"},
                              "eleven": {"team.tiers.l1.staff": 11}})
    samples = bp.samples.set_index(["strategy", "value", "replication"])["attainment"]
    samples = samples.sort_index()
    # A strategy that changes nothing simulates the very same tickets: identical samples.
    assert samples.loc["renamed"].equals(samples.loc["base"])
    # One more agent on the same tickets (FIFO, effort drawn per ticket) waits no longer
    # for any ticket, so every replication's attainment is at least as high.
    for value in (10.0, 13.0, 16.0):
        assert (samples.loc[("eleven", value)] >= samples.loc[("base", value)]).all()
    table = bp.table.set_index("strategy")
    assert table.loc["eleven", "breaking_value"] > table.loc["base", "breaking_value"]
    assert list(table.index) == ["base", "renamed", "eleven"]
    assert bp["strategy"].tolist() == ["base", "renamed", "eleven"]  # indexing reads .table


def test_staff_is_searched_downwards_over_integers() -> None:
    # lambda 10/h: M/M/8 answers 93.8 % within 10 min, M/M/7 83.4 % (Erlang C), so eight
    # agents is the smallest team that keeps 90 % (analytic.required_staff).
    sc = mm10(rate=10.0, horizon="1w")
    bp = ss.find_breaking_point(sc, "team.tiers.l1.staff", 0.90, values=[6, 10, 14],
                                replications=6, seed=3)
    row = bp.table.iloc[0]
    assert bp.direction == "down"
    assert int(analytic.required_staff(10.0, 2.0, 0.9, 1 / 6)) == 8
    assert (row["last_met"], row["first_missed"]) == (8, 7)
    # An integer answer: the smallest staffing that holds, never "7.6 agents" (issue 18),
    # with an interval over integers around it, and Erlang C's smallest M/M/c that holds.
    assert row["breaking_value"] == 8
    assert row["low"] <= 8 <= row["high"]
    assert float(row["low"]).is_integer() and float(row["high"]).is_integer()
    assert all(float(v).is_integer() for v in bp.curve["value"])
    assert row["erlang_c_estimate"] == 8


def test_integer_interval_bounds_rest_on_neighbouring_integers() -> None:
    # A coarse grid with big gaps: the search evaluates integers until every finite bound
    # of the bootstrap interval is followed by its neighbour, so each bound is exact.
    sc = mm10(rate=10.0, horizon="3d")
    bp = ss.find_breaking_point(sc, "team.tiers.l1.staff", 0.90, values=[5, 11, 17],
                                replications=3, seed=4, progress=False)
    row = bp.table.iloc[0]
    evaluated = set(bp.curve["value"])
    for bound in (row["low"], row["high"], row["breaking_value"]):
        if math.isfinite(bound):
            assert bound in evaluated and bound - 1 in evaluated, (bound, sorted(evaluated))


def test_met_throughout_shows_beyond_range_in_value_and_interval() -> None:
    # 10 to 14 agents all answer half the tickets within 10 min at 8 tickets/h: the
    # smallest staffing that holds lies below the range, and value and interval say so.
    sc = mm10(rate=8.0, horizon="3d")
    bp = ss.find_breaking_point(sc, "team.tiers.l1.staff", 0.5, values=[10, 14],
                                replications=2, seed=1, direction="down", progress=False)
    row = bp.table.iloc[0]
    assert row["status"] == "met throughout"
    assert row["breaking_value"] == -math.inf and row["low"] == -math.inf


def test_no_crossing_within_the_range_is_reported() -> None:
    sc = mm10(horizon="3d")
    bp = ss.find_breaking_point(sc, "demand.rate", 0.5, values=[4.0, 6.0], replications=2,
                                seed=1, direction="up")
    row = bp.table.iloc[0]
    assert row["status"] == "met throughout"
    # Beyond the end of the range, in the value and the interval alike (no NaN next to a
    # finite interval).
    assert row["breaking_value"] == math.inf
    assert row["high"] == math.inf and row["low"] <= row["breaking_value"]


def test_the_interval_always_contains_the_estimate() -> None:
    # Two replications hovering near the goal at several values: resampled curves cross
    # early, which could put "met throughout" next to a finite interval.
    sc = mm10(horizon="3d")
    bp = ss.find_breaking_point(sc, "demand.rate", 0.9, values=[8.0, 9.0, 10.0, 11.0, 12.0],
                                replications=2, seed=7, direction="up", refine=0,
                                progress=False)
    for row in bp.table.itertuples():
        assert row.low <= row.breaking_value <= row.high


@pytest.mark.parametrize(("lo", "hi", "points", "expected"), [
    (4, 12, None, list(range(4, 13))),      # every integer: nothing silently skipped
    (4, 12, 5, [4, 6, 8, 10, 12]),
    (4, 12, 2, [4, 12]),
])
def test_an_integer_range_evaluates_what_it_says(lo: int, hi: int, points: int | None,
                                                 expected: list[int]) -> None:
    assert span_values(mm10(), "team.tiers.l1.staff", lo, hi, points) == expected


def test_an_integer_range_that_skips_values_is_refused() -> None:
    with pytest.raises(ValueError, match=r"7 points from 4 to 12 are not evenly spaced "
                                         r"integers; give N in \[2, 3, 5, 9\]"):
        span_values(mm10(), "team.tiers.l1.staff", 4, 12, 7)
    assert span_values(mm10(), "demand.rate", 10, 13, 4) == [10.0, 11.0, 12.0, 13.0]


def test_shift_tier_staff_is_a_factor_at_its_head_count() -> None:
    # rollout_tiered.toml's L1 works six shifts of 13 agents and sets no staff key.
    sc = ss.load_scenario(ROOT / "scenarios" / "rollout_tiered.toml")
    assert current_value(sc, "team.tiers.l1.staff") == 13
    assert span_values(sc, "team.tiers.l1.staff", 11, 13) == [11, 12, 13]


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"metric": "answer"}, "metric"),
    ({"target": 90}, "target"),
    ({"priority": "P7"}, "priority"),
    ({"strategies": {"x": {"demand.rate": 3.0}}}, "sets the factor"),
    ({"values": [5.0]}, "two distinct"),
    ({"direction": "sideways"}, "direction"),
    ({"replications": 1}, "replications"),
])
def test_bad_arguments_are_errors(kwargs: dict, match: str) -> None:
    args = {"factor": "demand.rate", "target": 0.9, "values": [5.0, 6.0], **kwargs}
    with pytest.raises(ValueError, match=match):
        ss.find_breaking_point(mm10(horizon="3d"), **args)


# --------------------------------------------------------------------------- CLI


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


MMC = str(ROOT / "scenarios" / "mmc.toml")
FAST = ("--set", 'horizon="3d"', "--set", 'warmup="12h"', "--replications", "2")


def test_cli_breakpoint_prints_and_writes(capsys: pytest.CaptureFixture[str],
                                          tmp_path: Path) -> None:
    code, out, err = run_cli(capsys, "breakpoint", MMC, *FAST, "--factor", "demand.rate",
                             "--target", "0.8", "--values", "14,20,26", "--refine", "1",
                             "--strategy", "base:", "--strategy",
                             "eight:team.tiers.l1.staff=8", "--out", str(tmp_path))
    assert code == 0, err
    assert "Breaking point of response attainment" in out
    assert "eight" in out and "Erlang C" in out
    assert "demand.rate = " in err  # one progress line per evaluation
    for name in ("breakpoint.csv", "curve.csv", "samples.csv", "scenario.toml",
                 "breakpoint.png"):
        assert (tmp_path / name).stat().st_size > 0, name


@pytest.mark.parametrize("args", [
    ("--factor", "demand.rate", "--target", "1.5"),
    ("--factor", "demand.rate", "--target", "0.9", "--priority", "P9", "--values", "1,2"),
    ("--factor", "demand.rat", "--target", "0.9", "--values", "1,2"),
    ("--factor", "demand.rate", "--target", "0.9", "--range", "5:1"),
    ("--factor", "demand.rate", "--target", "0.9", "--strategy", "x:nonsense"),
])
def test_cli_breakpoint_errors_are_one_line(capsys: pytest.CaptureFixture[str],
                                            args: tuple[str, ...]) -> None:
    code, _, err = run_cli(capsys, "breakpoint", MMC, *FAST, "-q", *args)
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("supportsim: error:"), err


def test_cli_strategy_takes_the_syntax_of_run_vs(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "breakpoint", MMC, *FAST, "-q", "--factor",
                             "team.tiers.l1.staff", "--target", "0.5", "--range", "6:9",
                             "--strategy", "today", "--strategy",
                             "busier:demand.rate=24;work.effort.l1.mean=\"16min\"")
    assert code == 0, err
    assert err == ""  # --quiet
    table = out.split("Evaluated curve")[0]
    assert "busier" in table and "today" in table
    # Every integer of 6:9 evaluated, and integer answers only.
    curve = out.split("Evaluated curve")[1]
    for staff in ("6", "7", "8", "9"):
        assert f"  {staff}  " in curve
    assert "last that holds" in table and not re.search(r"\d\.\d+ *\[", table)


def test_cli_strategy_with_commas_says_to_use_semicolons(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "breakpoint", MMC, *FAST, "--factor", "demand.rate",
                           "--target", "0.9", "--strategy",
                           "x:team.tiers.l1.staff=8,demand.rate=3")
    assert code == 2
    assert "separate overrides with ';', not ','" in err and err.count("\n") == 1


def test_cli_breakpoint_on_a_shift_tier_staff(capsys: pytest.CaptureFixture[str]) -> None:
    # README's factor on the flagship, whose L1 works shifts: scaled, not "got 1".
    code, out, err = run_cli(capsys, "breakpoint", str(ROOT / "scenarios" /
                                                       "rollout_tiered.toml"),
                             "--set", 'horizon="3w"', "--replications", "2", "-q",
                             "--factor", "team.tiers.l1.staff", "--target", "0.8",
                             "--metric", "resolution", "--values", "11,13")
    assert code == 0, err
    assert "team.tiers.l1.staff" in out and "got 1" not in err
