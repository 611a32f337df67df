"""``supportsim plan``: the plan, its cost and SLA table; plan.toml and the trace; one-line
errors with exit 2 for bad or unreachable targets."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import supportsim as ss
from supportsim.cli import main
from tests.support import assert_one_line_error

ROOT = Path(__file__).resolve().parent.parent
MMC = str(ROOT / "scenarios" / "mmc.toml")
# Four weeks after a three-day warm-up, three replications, in this process.
FAST = ["--set", 'horizon="4w"', "--set", 'warmup="3d"', "-r", "3", "--workers", "1",
        "--seed", "3"]


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, list[str]]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err.splitlines()


def test_plan_prints_the_plan_and_writes_plan_toml_and_trace(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    # mmc.toml: lambda 20/h, mu 4/h; 75 % answered within 5 min needs 7 agents
    # (analytic.required_staff; 0.579 with 6, 0.834 with 7).
    code, out, err = cli(capsys, "plan", MMC, *FAST, "--target", "P1.response=0.75",
                         "--out", str(tmp_path / "out"))
    assert code == 0, err
    assert "team.tiers.l1.staff  7" in out
    assert "Cost: " in out and "paid agent-hours" in out
    assert "P1.response  75.0%" in out
    planned = ss.load_scenario(tmp_path / "out" / "plan.toml")
    assert planned.team.tiers["l1"].headcount == 7
    trace = pd.read_csv(tmp_path / "out" / "trace.csv")
    assert {"phase", "team.tiers.l1.staff", "cost", "feasible"} <= set(trace.columns)
    assert trace["phase"].iloc[-1] == "verify"


def test_plan_decide_sets_the_search_bounds(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "plan", MMC, *FAST, "--target", "P1.response=0.5",
                         "--decide", "team.tiers.l1.staff=8:9")
    assert code == 0, err
    assert "team.tiers.l1.staff  8" in out  # the lower bound already meets 50 %
    # Progress by default: stderr is a log here, so a plain line per evaluated point
    # (the start pair 8 and 9, then the verification of 8), never tqdm's \r frames.
    assert [line.split(",")[0] for line in err] == [
        "plan: 1 point", "plan: 2 points", "plan: 3 points"], err
    assert err[-1].endswith(", 9 replications")


def test_plan_quiet_prints_nothing_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    for flag in ("--quiet", "-q"):
        code, out, err = cli(capsys, "plan", MMC, *FAST, "--target", "P1.response=0.5",
                             "--decide", "team.tiers.l1.staff=8:9", flag)
        assert code == 0 and "team.tiers.l1.staff  8" in out
        assert err == []


def test_an_unreachable_target_is_one_line_and_exit_2(
        capsys: pytest.CaptureFixture[str]) -> None:
    # --quiet: the progress lines (stderr is not a terminal here) would precede the error.
    code, _, err = cli(capsys, "plan", MMC, *FAST, "--target", "P1.response=0.999",
                       "--decide", "team.tiers.l1.staff=5:8", "--quiet")
    assert code == 2
    assert_one_line_error(err, ["P1.response >= 0.999", "the best reached is",
                                "team.tiers.l1.staff=8"])


@pytest.mark.parametrize(("argv", "fragments"), [
    (["--target", "P1.response=1.5"], ["--target", "level in (0, 1)"]),
    (["--target", "P7.response=0.9"], ["P7", "priority must be one of"]),
    (["--target", "P1.response=0.9", "--decide", "team.tiers.l1.staff"],
     ["--decide", "KEY=LOW:HIGH"]),
    (["--target", "P1.response=0.9", "--decide", "team.tiers.l5.staff=1:3"], ["l5"]),
    (["--target", "P1.wait=0.9"], ["P1.wait", "metric must be 'response' or"]),
    (["--target", "P1.response=0.9", "--decide", "team.tiers.l1.staff=9:3"],
     ["low <= high"]),
    (["--target", "P1.response=0.9", "-r", "1"], ["replications must be an integer >= 2"]),
    # A key given twice is refused, not last-wins.
    (["--target", "P1.response=0.8", "--target", "P1.response=0.9"],
     ["--target P1.response is given twice (0.8 and 0.9)"]),
    (["--target", "P1.response=0.9", "--decide", "team.tiers.l1.staff=5:8",
      "--decide", "team.tiers.l1.staff=6:9"],
     ["--decide team.tiers.l1.staff is given twice (5:8 and 6:9)"]),
    (["--target", "P1.response=0.9", "--decide", "demand.rate=10:20"],
     ["'demand.rate' is a condition", "team.* or workforce.*"]),
    (["--target", "P1.response=0.9", "--decide", "seed=1:3"], ["'seed'", "team.* or"]),
    # E7/E8 (trial 5): another case is suggested; a refused --decide is quoted as typed,
    # not as the end of its range that was tried.
    (["--target", "p1.response=0.9"], ["got 'p1' (did you mean 'P1'?)"]),
    (["--target", "P1.Response=0.9"], ["got 'Response' (did you mean 'response'?)"]),
    (["--target", "P1.response=0.9", "--decide", "Team.tiers.l1.staff=5:9"],
     ["'Team.tiers.l1.staff' is not a key the desk controls (did you mean "
      "'team.tiers.l1.staff'?)"]),
    (["--target", "P1.response=0.9", "--decide", "team.tiers.L1.staff=5:9"],
     ["did you mean 'l1'?", "(--decide team.tiers.L1.staff=5:9, on "]),
    # D3 (trial 5): a tier's head count with one of its shifts' staff.
    (["--target", "P1.response=0.9", "--decide", "team.tiers.l1.hours.0.staff=1:3",
      "--decide", "team.tiers.l1.staff=5:9"],
     ["decisions 'team.tiers.l1.staff' and 'team.tiers.l1.hours.0.staff' overlap: the "
      "head count scales the shifts' staff"]),
])
def test_bad_plan_arguments_are_one_line_and_exit_2(
        capsys: pytest.CaptureFixture[str], argv: list[str], fragments: list[str]) -> None:
    code, out, err = cli(capsys, "plan", MMC, *FAST, *argv)
    assert code == 2
    assert_one_line_error(err, fragments)
    assert out == ""  # checked before anything is printed: no scenario heading


def test_a_plan_missing_a_target_on_fresh_seeds_exits_1(
        capsys: pytest.CaptureFixture[str], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    # E3 (trial 5): a plan that fails its verification exited 0 (a PlanWarning only), so
    # a script could not tell it. The real plan (7 agents, verified) is judged against
    # 99 % instead, as its fresh seeds would miss it: printed and written, exit code 1.
    import dataclasses

    import supportsim.planning as planning
    from supportsim.planning._targets import Target

    real = planning.plan

    def missed(*args: object, **kwargs: object) -> ss.Plan:
        return dataclasses.replace(real(*args, **kwargs),  # type: ignore[arg-type]
                                   targets=[Target("P1", "response", 0.99)], verified=False)

    monkeypatch.setattr(planning, "plan", missed)
    code, out, err = cli(capsys, "plan", MMC, *FAST, "--target", "P1.response=0.75",
                         "--out", str(tmp_path / "out"))
    assert code == 1, err
    assert "Verified: no: on fresh seeds it misses P1.response" in out
    assert (tmp_path / "out" / "plan.toml").exists()


def test_plan_help_lists_the_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "plan", "--help")
    assert code == 0
    assert "exit codes: 0 a plan was found and every target is met" in " ".join(out.split())
    assert "1 a plan was found but misses a target on fresh seeds" in " ".join(out.split())
