"""``supportsim run --precision`` and ``supportsim sweep --select`` (issue 16, part B)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import assert_one_line_error
from tests.test_cli import MMC, cli, sweep_file

# mmc.toml is M/M/7 at 5 Erlangs; one week after a day's warm-up keeps runs short.
SHORT = ["--set", 'horizon="1w"', "--set", 'warmup="1d"']


def test_run_precision_prints_the_report(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "run", MMC, *SHORT, "--replications", "2",
                         "--precision", "P1.response=0.02", "--max-replications", "30")
    assert code == 0, err
    assert "precision met with" in out and "P1.response: mean" in out
    assert "(target 0.02)" in out


def test_run_precision_cap_warns_on_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "run", MMC, *SHORT, "--replications", "2",
                         "--precision", "wait=0.00001", "--max-replications", "3")
    assert code == 0
    assert "precision NOT met with 3 replications" in out
    assert any("PrecisionWarning" in line and "max_replications=3" in line for line in err)


@pytest.mark.parametrize(("argv", "fragments"), [
    (["--precision", "P9.response=0.01"], ["--precision", "unknown metric 'P9.response'"]),
    (["--precision", "P1.response=0"], ["--precision", "positive half-width"]),
    (["--precision", "P1.response"], ["--precision", "METRIC=HALF_WIDTH"]),
    (["--max-replications", "9"], ["--max-replications is the cap of --precision"]),
    (["--precision", "wait=0.1", "--replications", "1"], ["pilot of at least 2"]),
    (["--precision", "P1.response=5"], ["--precision: precision P1.response must be a "
                                        "half-width in (0, 1) for a share", "got 5.0"]),
    (["--precision", "wait=0.1", "--replications", "4", "--max-replications", "3"],
     ["below the pilot of 4"]),
    # E2 (trial 5): the same metric twice was last-wins; now refused, naming it.
    (["--precision", "P1.response=0.05", "--precision", "P1.response=0.001"],
     ["--precision P1.response is given twice (0.05 and 0.001): give each metric once"]),
    (["--precision", "wait=0.1", "--precision", "mean_wait=0.2"],
     ["precision['mean_wait'] is the metric precision['wait'] names (mean_wait)"]),
    # E7: another case is suggested, not buried in the list of every metric.
    (["--precision", "p1.response=0.05"],
     ["unknown metric 'p1.response' (did you mean 'P1.response'?)"]),
])
def test_run_precision_errors_are_one_line(capsys: pytest.CaptureFixture[str],
                                           argv: list[str], fragments: list[str]) -> None:
    code, _, err = cli(capsys, "run", MMC, *SHORT, *argv)
    assert code == 2
    assert_one_line_error(err, fragments)


def test_run_auto_warmup_says_how_it_was_found(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "run", MMC, "--set", 'horizon="1w"', "--set",
                         'warmup="auto"', "--replications", "2")
    assert code == 0, err
    assert "(found by MSER-5)" in out.split("SLA attainment")[0]


def test_sweep_select_prints_the_selection(capsys: pytest.CaptureFixture[str],
                                           tmp_path: Path) -> None:
    # 5 or 9 agents at 5 Erlangs: 9 is far better on P1 response. -w 1 is what --select
    # does anyway (in this process), so it is accepted (E12, trial 5: it was refused).
    code, out, err = cli(capsys, "sweep", str(sweep_file(tmp_path)), *SHORT,
                         "--select", "P1.response", "--indifference", "0.02", "-w", "1")
    assert code == 0, err
    assert "best = 'staff=9'" in out
    assert "with probability ≥ 95 %, the selected strategy is within 2 points" in out


def test_sweep_select_says_tied_not_eliminated(capsys: pytest.CaptureFixture[str],
                                               tmp_path: Path) -> None:
    # One priority, so "fifo" and "priority" order the same queue: each staffing under
    # the two strategies is the same desk, identical in every replication.
    path = tmp_path / "tie.toml"
    path.write_text(f'base = "{Path(MMC).as_posix()}"\nseed = 1\n'
                    '[factors]\n"team.tiers.l1.staff" = [5, 9]\n'
                    '[strategies.fifo]\n"team.discipline" = "fifo"\n'
                    '[strategies.priority]\n"team.discipline" = "priority"\n',
                    encoding="utf-8")
    code, out, err = cli(capsys, "sweep", str(path), *SHORT, "--select", "P1.response",
                         "--indifference", "0.02")
    assert code == 0, err
    lines = {line.split("  mean ")[0].strip(): line for line in out.splitlines()
             if line.startswith("  ") and "replications)" in line}
    best = out.split("best = ")[1].splitlines()[0].strip("'")
    twin = next(name for name in lines if name != best and "staff=9" in name)
    assert len(lines) == 4 and lines[best].endswith("selected")
    assert f"tied with '{best}'" in lines[twin] and "eliminated" not in lines[twin]
    assert all("eliminated after" in line for name, line in lines.items()
               if "staff=5" in name)


@pytest.mark.parametrize(("argv", "fragments"), [
    (["--select", "P9.response"], ["--select", "unknown metric"]),
    (["--select", "wait"], ["give --indifference", "(h)"]),
    (["--select", "wait", "--indifference", "-1"], ["--indifference", "positive number"]),
    (["--indifference", "0.1"], ["--indifference goes with --select"]),
    (["--select", "P1.response", "--workers", "2"],
     ["one at a time, in this process (as --workers 1;", "does not take --workers 2"]),
])
def test_sweep_select_errors_are_one_line(capsys: pytest.CaptureFixture[str],
                                          tmp_path: Path, argv: list[str],
                                          fragments: list[str]) -> None:
    code, _, err = cli(capsys, "sweep", str(sweep_file(tmp_path)), *argv)
    assert code == 2
    assert_one_line_error(err, fragments)
