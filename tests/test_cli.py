"""The ``supportsim`` command line: run, check, overrides, outputs and one-line errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import supportsim as ss
from supportsim.cli import main
from supportsim.cli._common import _override
from tests.support import assert_one_line_error

ROOT = Path(__file__).resolve().parent.parent
MMC = str(ROOT / "scenarios" / "mmc.toml")
GOLIVE = str(ROOT / "scenarios" / "golive_tiered.toml")
# Two replications over two weeks keep each run well under a second.
FAST = ["--replications", "2", "--set", 'horizon="2w"', "--set", 'warmup="2d"']


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, list[str]]:
    """Exit code, stdout and the stderr lines of one ``main`` call."""
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err.splitlines()


def broken_file(tmp_path: Path, old: str, new: str, name: str = "broken.toml") -> Path:
    path = tmp_path / name
    text = Path(MMC).read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- overrides


@pytest.mark.parametrize(("text", "expected"), [
    ("demand.rate=18", ("demand.rate", 18)),
    ("demand.rate=18.5", ("demand.rate", 18.5)),
    ("team.structure=tiered", ("team.structure", "tiered")),
    ('horizon="2w"', ("horizon", "2w")),
    ("horizon=2w", ("horizon", "2w")),
    ("work.mix={ l1 = 1.0 }", ("work.mix", {"l1": 1.0})),
    (" team.tiers.l1.staff = 9 ", ("team.tiers.l1.staff", 9)),
    # A newline must not smuggle in a second key: the whole value stays text.
    ("demand.rate=1\nx = 2", ("demand.rate", "1\nx = 2")),
])
def test_override_values_are_toml_or_text(text: str, expected: tuple[str, object]) -> None:
    assert _override(text) == expected


# --------------------------------------------------------------------------- run


def test_run_prints_sla_utilisation_backlog_and_seed(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "run", MMC, *FAST, "--seed", "3")
    assert code == 0, err
    assert err == []
    for text in ("SLA attainment", "P1", "5min", "30min", "Utilisation", "l1",
                 "backlog at end", "seed 3", "horizon 2w", "2 replications"):
        assert text in out
    assert max(len(line) for line in out.splitlines()) <= 100


def test_run_accepts_unquoted_strings(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "run", GOLIVE, "-r", "2", "--set", "horizon=2w",
                         "--set", "warmup=2d", "--set", "team.structure=tiered")
    assert code == 0, err
    assert "horizon 2w, warm-up 2d" in out
    assert all(name in out for name in ("P1", "P2", "P3", "P4", "l2", "l3"))


def test_run_out_writes_results_that_rerun_identically(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out_dir = tmp_path / "results"
    code, out, err = cli(capsys, "run", MMC, *FAST, "--seed", "5", "--out", str(out_dir))
    assert code == 0, err
    names = ["tickets.parquet", "sla.csv", "summary.csv", "scenario.toml", "backlog.png",
             "wait_distribution.png", "sla.png", "utilisation.png"]
    for name in names:
        assert (out_dir / name).stat().st_size > 0, name
        assert name in out
    # scenario.toml carries the seed and replications used, so it reproduces the run.
    rerun = ss.simulate(ss.load_scenario(out_dir / "scenario.toml"))
    tickets = pd.read_parquet(out_dir / "tickets.parquet")
    assert len(tickets) == len(rerun.tickets)
    pd.testing.assert_frame_equal(tickets, rerun.tickets)
    sla = pd.read_csv(out_dir / "sla.csv")
    assert sla["response_attainment"].tolist() == pytest.approx(
        rerun.sla()["response_attainment"].tolist())


def test_run_out_unwritable_is_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    code, _, err = cli(capsys, "run", MMC, *FAST, "--out", str(blocker / "sub"))
    assert code == 1
    assert len(err) == 1
    assert err[0].startswith("supportsim: error: cannot write results")


# --------------------------------------------------------------------------- check


@pytest.mark.parametrize("scenario", [MMC, GOLIVE])
def test_check_shipped_scenarios(capsys: pytest.CaptureFixture[str], scenario: str) -> None:
    code, out, err = cli(capsys, "check", scenario)
    assert code == 0
    assert err == []
    assert "valid" in out
    assert "offered load" in out.lower()
    assert "Erl" in out
    assert "Expected tickets" in out


def test_check_mmc_shows_erlang_c(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "check", MMC)
    assert code == 0
    # Erlang C for c = 7, a = 5 Erlangs (the reference value in scenarios/mmc.toml).
    assert "M/M/c" in out
    assert "5.00 Erl" in out
    assert "32.4%" in out


def test_check_overload_is_a_warning(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "check", MMC, "--set", "team.tiers.l1.staff=4")
    assert code == 0
    assert "valid" in out
    assert len(err) == 1
    assert err[0].startswith("supportsim: warning: team.tiers.l1")
    assert "5.00 Erlangs" in err[0]


def test_overrides_replace_the_files_warnings(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    overloaded = broken_file(tmp_path, "staff = 7", "staff = 4", "overloaded.toml")
    code, _, err = cli(capsys, "check", str(overloaded))
    assert code == 0
    assert len(err) == 1
    code, _, err = cli(capsys, "check", str(overloaded), "--set", "team.tiers.l1.staff=7")
    assert code == 0
    assert err == []


# --------------------------------------------------------------------------- errors


def test_invalid_value_names_key_value_and_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = broken_file(tmp_path, "staff = 7", "staff = -2")
    code, out, err = cli(capsys, "check", str(path))
    assert code == 2
    assert out == ""
    assert len(err) == 1
    assert err[0].startswith("supportsim: error: ")
    for text in ("team.tiers.l1.staff", "-2", "broken.toml"):
        assert text in err[0]


@pytest.mark.parametrize(("argv", "fragments"), [
    (["check", MMC, "--set", "team.tiers.l1.stuff=3"], ["team.tiers.l1.stuff", "'staff'"]),
    (["run", MMC, "--set", "demand.rat=3"], ["demand.rat", "did you mean", "'rate'"]),
    (["check", str(ROOT / "no_such_scenario.toml")], ["no_such_scenario.toml"]),
    (["check", MMC, "--set", "team.tiers.l1.staff"], ["--set", "KEY=VALUE"]),
    (["run", MMC, "--set", "horizon=2x"], ["horizon", "2x"]),
    (["frobnicate", MMC], ["frobnicate", "run", "check"]),
    ([], ["COMMAND"]),
    (["run", MMC, "--replications", "0"], ["--replications", "0"]),
    (["check", MMC, "--bogus"], ["--bogus"]),
])
def test_bad_input_is_one_line_exit_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], fragments: list[str]
) -> None:
    code, out, err = cli(capsys, *argv)
    assert code == 2
    assert out == ""
    assert_one_line_error(err, fragments)


def test_help_and_version_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "--help")
    assert code == 0
    assert "run" in out and "check" in out
    code, out, _ = cli(capsys, "--version")
    assert code == 0
    assert ss.__version__ in out


def test_python_m_supportsim_error_has_no_traceback(tmp_path: Path) -> None:
    path = broken_file(tmp_path, "staff = 7", "staff = -2")
    proc = subprocess.run([sys.executable, "-m", "supportsim", "check", str(path)],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("supportsim: error: team.tiers.l1.staff")
    assert "Traceback" not in proc.stderr


# --------------------------------------------------------------------------- issue 18


def test_readme_staff_example_runs_on_the_flagship(capsys: pytest.CaptureFixture[str]) -> None:
    # README: `supportsim run scenarios/rollout_tiered.toml --set team.tiers.l1.staff=14
    # --replications 20 --seed 7`, shortened by a horizon override. L1 works shifts: the
    # staff override scales them (13 -> 14) instead of being refused.
    code, out, err = cli(capsys, "run", str(ROOT / "scenarios" / "rollout_tiered.toml"),
                         "--set", "team.tiers.l1.staff=14", "--replications", "20",
                         "--seed", "7", "--set", 'horizon="1w"', "--set", 'warmup="1d"')
    assert code == 0, err
    assert "overrides: team.tiers.l1.staff=14" in out and "20 replications" in out


def sweep_file(tmp_path: Path, staff: str = "[5, 9]") -> Path:
    path = tmp_path / "staff.toml"
    path.write_text(f'base = "{Path(MMC).as_posix()}"\nreplications = 5\nseed = 1\n'
                    f'[factors]\n"team.tiers.l1.staff" = {staff}\n', encoding="utf-8")
    return path


def test_sweep_takes_replications_seed_and_set_like_run(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = cli(capsys, "sweep", str(sweep_file(tmp_path)), "-q", "--workers",
                         "1", "--replications", "2", "--seed", "3", "--set",
                         'horizon="1w"', "--set", 'warmup="1d"')
    assert code == 0, err
    assert "seed 3" in out and "2 variants x 2 replications = 4 tasks" in out
    assert 'base overrides: horizon="1w", warmup="1d"' in out
    # 20 tickets/h x 15 min on 5 agents: offered load equals capacity, overloaded
    # whatever its backlog trend; 9 agents are not.
    headline = out.split("Headline")[1]
    assert "overloaded" in headline and "1 of 2 variants" in headline
    assert "staff=5 (l1 offered 100%" in headline and "staff=9" not in headline


def test_a_scenario_file_is_not_a_sweep_file(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(capsys, "sweep", MMC)
    assert code == 2
    assert_one_line_error(err, ["is a scenario file, not a sweep file",
                                f"supportsim run {MMC}"])


@pytest.mark.parametrize("command", ["run", "check"])
def test_a_sweep_file_is_not_a_scenario_file(capsys: pytest.CaptureFixture[str],
                                             tmp_path: Path, command: str) -> None:
    path = sweep_file(tmp_path)
    code, _, err = cli(capsys, command, str(path))
    assert code == 2
    assert_one_line_error(err, ["is a sweep file, not a scenario file",
                                f"supportsim sweep {path}"])


def test_headline_blames_off_duty_hours_only_where_there_are_some(
        capsys: pytest.CaptureFixture[str]) -> None:
    """Trial defect 12: on M/M/7 around the clock (mean wait 2.2 min, median 0) the note on
    a mean far above the median said "e.g. overnight or over a weekend"; nobody is off
    duty there. The flagship rollout's tiers work business hours and shifts."""
    code, out, err = cli(capsys, "run", MMC, "--set", "horizon=1w", "--set", "warmup=1d",
                         "-r", "3")
    assert code == 0, err
    note = out.split("Headline")[1].split("\n\n")[0]
    assert "mean wait far above the median" in note
    assert "busy spells" in note and "overnight" not in note
    code, out, err = cli(capsys, "run", str(ROOT / "scenarios" / "rollout_tiered.toml"),
                         "--set", "horizon=6w", "-r", "2", "--seed", "3")
    assert code == 0, err
    note = out.split("Headline")[1].split("\n\n")[0]
    assert "overnight or over a weekend" in note and "off duty" in note
