"""The command line of issue 17: verdicts and abandonment in ``run``, ``--window``,
``--quiet`` and progress, goals per variant in ``sweep``, peak load in ``check``."""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np
import pytest

import supportsim as ss
from supportsim._peak import peak_loads
from supportsim._progress import progress_bar
from supportsim.cli import main
from tests.support import assert_one_line_error, build, mmc_dict

ROOT = Path(__file__).resolve().parent.parent
MMC = str(ROOT / "scenarios" / "mmc.toml")
GOLIVE = str(ROOT / "scenarios" / "golive_tiered.toml")
SHORT = ["--set", 'horizon="2w"', "--set", 'warmup="2d"', "--replications", "3"]


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, list[str]]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err.splitlines()


# --------------------------------------------------------------------------- run


def test_run_prints_verdicts_and_abandonment_in_a_window(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "run", GOLIVE, "--replications", "2", "--quiet",
                         "--window", "2026-02-16,30d")
    assert code == 0, err
    assert ("Window: tickets that arrived from 2026-02-16 00:00 to 2026-03-18 00:00 (30d)"
            in out)
    goals = out.split("Goals: ", 1)[1].split("\n\n", 1)[0].splitlines()
    assert goals[0].endswith("of 8")
    rows = [line.split() for line in goals[4:]]
    assert [row[:3] for row in rows[:2]] == [["P1", "response", "15min"],
                                              ["P1", "resolution", "4h"]]
    assert {row[-1] for row in rows} <= {"holds", "fails", "uncertain"}
    abandonment = out.split("Abandonment by channel and priority", 1)[1].split("\n\n")[0]
    assert "phone    P4" in abandonment and "portal" not in abandonment
    assert not any("simulate" in line for line in err)  # no bar: stderr is not a terminal
    assert max(len(line) for line in out.splitlines()) <= 100


def test_run_without_goals_prints_no_goal_section(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "run", MMC, *SHORT)
    assert code == 0, err
    assert "Goals" not in out and "Abandonment" not in out  # mmc: no goals, nobody hangs up


@pytest.mark.parametrize(("window", "fragments"), [
    ("2026-01-05,1d", ["--window", "before the warm-up ends"]),
    ("2026-01-10,30d", ["--window", "after the horizon"]),
    ("2026-01-10", ["--window", "expected START,LENGTH or START,END"]),
    ("2026-01-10,soon", ["--window", "window length must be a duration"]),
])
def test_run_window_errors_are_one_line(capsys: pytest.CaptureFixture[str], window: str,
                                        fragments: list[str]) -> None:
    code, _, err = cli(capsys, "run", MMC, *SHORT, "--window", window)
    assert code == 2
    assert_one_line_error(err, fragments)


def test_run_vs_prints_the_variant_verdicts(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "run", MMC, *SHORT, "--set",
                         "priorities.P1.goal={response=0.8}", "--vs",
                         "lean:team.tiers.l1.staff=6")
    assert code == 0, err
    assert "Goals (lean): " in out
    assert "against the base:\n    P1 response: " in out or "the same verdicts as the base" in out
    assert max(len(line) for line in out.splitlines()) <= 100


def test_progress_bar_rule(capsys: pytest.CaptureFixture[str]) -> None:
    with progress_bar(3, desc="simulate", unit="replication", progress=False) as bar:
        assert bar.disable
    with progress_bar(3, desc="simulate", unit="replication", progress=True) as bar:
        bar.update(3)
    assert "simulate: 100%" in capsys.readouterr().err
    # None: shown only where someone watches; pytest's stderr is not a terminal.
    assert progress_bar(3, desc="x", unit="y").disable
    build_result = ss.simulate(build(mmc_dict(horizon="1d", warmup="2h")), replications=2,
                               seed=1, progress=True)
    assert build_result.replications == 2
    assert "2/2" in capsys.readouterr().err


# --------------------------------------------------------------------------- sweep


def test_sweep_prints_a_verdict_column_per_goal(capsys: pytest.CaptureFixture[str],
                                                tmp_path: Path) -> None:
    sweep = tmp_path / "sweep.toml"
    sweep.write_text(f'name = "staff"\nbase = "{MMC}"\nreplications = 2\n'
                     '[factors]\n"team.tiers.l1.staff" = [6, 9]\n', encoding="utf-8")
    code, out, err = cli(capsys, "sweep", str(sweep), "-q", "-w", "1", "--set",
                         'horizon="1w"', "--set", 'warmup="1d"', "--set",
                         "priorities.P1.goal={response=0.5,resolution=0.99}")
    assert code == 0, err
    section = out.split("Goals per variant", 1)[1].split("\n\n")[0].splitlines()
    assert section[2].split() == ["variant", "P1", "response", "50%", "P1", "resolution",
                                  "99%", "holds"]
    rows = {line.split()[0].rsplit("=", 1)[-1]: line.split()[1:] for line in section[3:]}
    # 9 agents at 20/h x 15 min: 56 % load, Erlang C gives P(wait) 11 %: far more than
    # half the tickets answered within 5 min, far fewer than 99 % resolved within 1 h
    # (exponential 15-min work alone leaves e^-4 = 1.8 % over 1 h).
    assert rows["9"] == ["holds", "fails", "1/2"]


# --------------------------------------------------------------------------- check


def test_peak_load_of_a_flat_desk_is_its_mean() -> None:
    # Flat Poisson demand, 24x7: every hour is the busiest, load 20/h x 15 min = 5 Erlangs
    # on 7 agents (the analytic check's values).
    peaks = peak_loads(build(mmc_dict()))
    assert list(peaks["period"]) == ["hour", "day", "week"]
    assert np.allclose(peaks["tickets_per_hour"], 20.0)
    assert np.allclose(peaks["offered_load"], 5.0)
    assert np.allclose(peaks["on_duty"], 7.0)


def test_peak_load_of_a_burst_and_of_business_hours() -> None:
    # A x3 burst for one day from hour 50 on flat 10/h: the busiest hour and day carry
    # 30/h (3 x 10), so 30 x 0.25 = 7.5 Erlangs; the busiest week holds the one burst day
    # among six normal ones: (6 x 10 + 30) / 7 = 12.857/h.
    data = mmc_dict(rate=10.0, horizon="4w")
    data["demand"]["bursts"] = [{"at": 50.0, "multiplier": 3.0, "duration": "1d"}]
    peaks = peak_loads(build(data)).set_index("period")
    assert peaks.loc["hour", "tickets_per_hour"] == pytest.approx(30.0)
    assert peaks.loc["day", "offered_load"] == pytest.approx(7.5)
    assert peaks.loc["week", "tickets_per_hour"] == pytest.approx(90 / 7)
    # Business hours (Mon-Fri 08:00-17:00): nine hours a day on duty, so the busiest day
    # (24 h) has 7 x 9 / 24 = 2.625 agents on duty on average.
    data["team"]["tiers"]["l1"]["hours"] = "business"
    peaks = peak_loads(build(data)).set_index("period")
    assert peaks.loc["day", "on_duty"] == pytest.approx(7 * 9 / 24)
    assert math.isinf(peaks.loc["hour", "utilisation"]) or peaks.loc["hour", "on_duty"] == 7


def test_check_prints_peak_load(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "check", GOLIVE)
    assert code == 0, err
    section = out.split("Peak and burst load per tier", 1)[1].split("\n\n")[0]
    # The go-live (week 6, x3) is the busiest hour, 24 h and 168 h, past L1's capacity
    # (printed "24 h" and "168 h" since trial defect 18: rolling windows, not calendar
    # days and weeks).
    assert "hour     Mon 2026-02-16 10:00" in section
    assert "168 h    Mon 2026-02-16 00:00" in section
    assert "<- over capacity" in section


def test_run_out_writes_verdicts_and_abandonment_of_the_window(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    import pandas as pd

    out = tmp_path / "results"
    code, _, err = cli(capsys, "run", GOLIVE, "-r", "2", "--seed", "3", "-q", "--window",
                       "2026-02-16,30d", "--out", str(out))
    assert code == 0, err
    verdicts = pd.read_csv(out / "verdicts.csv")
    abandonment = pd.read_csv(out / "abandonment.csv")
    res = ss.simulate(ss.load_scenario(GOLIVE), replications=2, seed=3)
    window = ("2026-02-16", "30d")
    expected = res.verdicts(window=window)
    assert verdicts["verdict"].tolist() == expected["verdict"].tolist()
    assert verdicts["attainment"].to_numpy() == pytest.approx(expected["attainment"])
    assert abandonment["abandoned_share"].to_numpy() == pytest.approx(
        res.abandonment(window=window)["abandoned_share"])


def test_verdict_changes_pair_two_results() -> None:
    from supportsim.analysis import verdict_changes

    base = ss.simulate(build(mmc_dict(horizon="1w", warmup="1d")), replications=3, seed=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ss.CapacityWarning)  # the point of the variant
        lean = ss.simulate(build(mmc_dict(horizon="1w", warmup="1d", staff=5)),
                           replications=3, seed=2)
    changes = verdict_changes(base.verdicts(0.7), lean.verdicts(0.7))
    # 7 agents at 71 % load answer 83 % of tickets within 5 min (Erlang C: 1 - 0.324
    # e^(-8 x 5/60)); 5 agents at 100 % load fall ever further behind.
    row = changes.set_index("target").loc["response"]
    assert (row["baseline_verdict"], row["verdict"], bool(row["changed"])) == (
        "holds", "fails", True)
    assert row["baseline_attainment"] > 0.7 > row["attainment"]
