"""Progress where nobody watches (trial defect 15): a bar asked for on a stderr that is not
a terminal (``supportsim sweep ... 2>log``) is written as whole lines, never as tqdm's
``\\r`` frames; ``breakpoint`` keeps its line per evaluation (docs/analysis.md).

pytest's captured stderr is not a terminal, which is the case under test.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

import supportsim as ss
from supportsim._progress import LogBar, progress_bar
from supportsim.cli import main
from tests.support import build, mmc_dict

ROOT = Path(__file__).resolve().parent.parent
MMC = str(ROOT / "scenarios" / "mmc.toml")


def tiny() -> ss.Scenario:
    return build(mmc_dict(horizon="1d", warmup="2h"))


def test_a_log_gets_a_line_each_tenth_and_at_the_end() -> None:
    log = io.StringIO()
    with LogBar(40, desc="sweep", unit="task", initial=4, file=log) as bar:
        bar.set_postfix(failed=0)
        for _ in range(35):
            bar.update(1)
    lines = log.getvalue().splitlines()
    # From 4/40 (10 %, resumed) a line at 20 %, 30 %, ... 90 % (8 lines) and the 39/40 end.
    assert [line.split(",")[0] for line in lines] == [
        *(f"sweep: {10 * k}% {4 * k}/40 tasks" for k in range(2, 10)), "sweep: 98% 39/40 tasks"]
    assert all(line.endswith(", failed=0") for line in lines)
    unknown = io.StringIO()
    bar = LogBar(None, desc="breakpoint", unit="evaluation", file=unknown)
    for value in (1, 2):
        bar.set_postfix_str(f"base: rate={value}", refresh=False)
        bar.update(1)
    bar.close()
    assert [line.split(",")[0] for line in unknown.getvalue().splitlines()] == [
        "breakpoint: 1 evaluation", "breakpoint: 2 evaluations"]


def test_no_tqdm_frames_on_a_stderr_that_is_not_a_terminal(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert isinstance(progress_bar(3, desc="x", unit="y", progress=True), LogBar)
    ss.simulate(tiny(), replications=2, seed=1, progress=True)
    err = capsys.readouterr().err
    assert "\r" not in err and "simulate: 100% 2/2 replications" in err
    ss.sweep(tiny(), factors={"team.tiers.l1.staff": [6, 7]}, replications=2, executor=1,
             progress=True)
    err = capsys.readouterr().err
    assert "\r" not in err and "sweep: 100% 4/4 tasks" in err
    ss.find_breaking_point(tiny(), "demand.rate", 0.5, values=[14, 26], replications=2,
                           seed=1, refine=0, progress=True)
    err = capsys.readouterr().err
    assert "\r" not in err and "breakpoint: 1 evaluation" in err
    # The command line: a sweep file run with its bar on (no --quiet), stderr a log.
    sweep_file = tmp_path / "staff.toml"
    sweep_file.write_text(f'base = "{Path(MMC).as_posix()}"\nreplications = 2\nseed = 1\n'
                          '[factors]\n"team.tiers.l1.staff" = [6, 7]\n', encoding="utf-8")
    assert main(["sweep", str(sweep_file), "--workers", "1", "--set", 'horizon="1d"',
                 "--set", 'warmup="2h"']) == 0
    err = capsys.readouterr().err
    assert "\r" not in err and "sweep: 100% 4/4 tasks" in err
    # breakpoint keeps its documented line per evaluation in a log.
    assert main(["breakpoint", MMC, "--set", 'horizon="1d"', "--set", 'warmup="2h"',
                 "--replications", "2", "--factor", "demand.rate", "--target", "0.5",
                 "--values", "14,26", "--refine", "0"]) == 0
    err = capsys.readouterr().err
    assert "\r" not in err
    lines = [line for line in err.splitlines() if "demand.rate = " in line]
    assert [line.split(" -> ")[0] for line in lines] == ["  base: demand.rate = 14",
                                                         "  base: demand.rate = 26"]


def test_plan_counts_its_points_and_is_quiet_off_a_terminal_by_default(
        capsys: pytest.CaptureFixture[str]) -> None:
    sc = tiny()
    kwargs = {"decisions": {"team.tiers.l1.staff": (8, 9)}, "replications": 3,
              "executor": 1, "seed": 1}
    ss.plan(sc, {"P1.response": 0.5}, progress=True, **kwargs)
    err = capsys.readouterr().err
    # How many points the search needs is not known ahead: a line per point (the start
    # pair 8 and 9, then 8 on the verification seeds), with the replications so far.
    assert "\r" not in err
    assert [line.split(",")[0] for line in err.splitlines()] == [
        "plan: 1 point", "plan: 2 points", "plan: 3 points"]
    assert err.splitlines()[-1].endswith(", 9 replications")
    # The default (None) shows it only where someone watches: not on a captured stderr.
    for progress in (None, False):
        ss.plan(sc, {"P1.response": 0.5}, progress=progress, **kwargs)
        assert capsys.readouterr().err == ""
