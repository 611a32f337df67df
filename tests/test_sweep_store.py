"""The sweep store and `supportsim sweep`: resume after kill -9, damaged files, refusals."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import supportsim as ss
from supportsim.cli import main
from supportsim.sweeps import SweepError, SweepFailureWarning, SweepResult, load_sweep, sweep
from tests.test_sweep import small_scenario

ROOT = Path(__file__).resolve().parent.parent
FACTORS = {"team.tiers.l1.staff": [6, 7]}


def run(store: Path, scenario: ss.Scenario | None = None, **kwargs: Any) -> SweepResult:
    kwargs.setdefault("factors", FACTORS)
    kwargs.setdefault("replications", 2)
    return sweep(scenario or small_scenario(), executor=1, store=store, progress=False,
                 **kwargs)


def task_files(store: Path) -> dict[str, int]:
    """Finished task files and their modification times (ns)."""
    return {p.name: p.stat().st_mtime_ns for p in sorted((store / "tasks").glob("*.parquet"))}


def log_runs(store: Path) -> dict[str, set[tuple[str, int]]]:
    """Tasks executed per run id, from the store's log (a line cut by a kill is skipped)."""
    runs: dict[str, set[tuple[str, int]]] = {}
    for line in (store / "log.jsonl").read_text(encoding="utf-8").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        runs.setdefault(entry["run"], set()).add((entry["variant"], entry["replication"]))
    return runs


# --------------------------------------------------------------------------- store


def test_a_second_run_reads_finished_tasks(tmp_path: Path) -> None:
    first = run(tmp_path)
    assert (first.tasks_run, first.tasks_reused) == (4, 0)
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["scenario"] == small_scenario().fingerprint()
    assert manifest["seed"] == first.seed and manifest["replications"] == 2
    assert (tmp_path / "scenario.toml").exists()
    before = task_files(tmp_path)
    again = run(tmp_path)
    assert (again.tasks_run, again.tasks_reused) == (0, 4)
    assert task_files(tmp_path) == before
    pd.testing.assert_frame_equal(again.table, first.table, check_exact=True)


def test_a_grown_sweep_runs_only_the_new_tasks(tmp_path: Path) -> None:
    run(tmp_path)
    grown = run(tmp_path, factors={"team.tiers.l1.staff": [6, 7, 8]}, replications=3)
    assert (grown.tasks_run, grown.tasks_reused) == (9 - 4, 4)
    fresh = sweep(small_scenario(), factors={"team.tiers.l1.staff": [6, 7, 8]},
                  replications=3, executor=1, progress=False)
    pd.testing.assert_frame_equal(grown.table, fresh.table, check_exact=True)


@pytest.mark.parametrize("damage", ["truncate", "garbage", "other_task", "temporary"])
def test_a_damaged_task_file_is_redone(tmp_path: Path, damage: str) -> None:
    first = run(tmp_path)
    files = sorted((tmp_path / "tasks").glob("*.parquet"))
    victim = files[0]
    if damage == "truncate":
        victim.write_bytes(victim.read_bytes()[: victim.stat().st_size // 2])
    elif damage == "garbage":
        victim.write_bytes(b"PAR1 not really")
    elif damage == "other_task":
        victim.write_bytes(files[1].read_bytes())
    else:  # a kill between writing and renaming leaves only a temporary file
        victim.rename(victim.with_name(f".{victim.name}.123.tmp"))
    again = run(tmp_path)
    assert (again.tasks_run, again.tasks_reused) == (1, 3)
    pd.testing.assert_frame_equal(again.table, first.table, check_exact=True)
    assert not list((tmp_path / "tasks").glob(".*.tmp"))


def test_another_base_scenario_or_seed_is_refused(tmp_path: Path) -> None:
    run(tmp_path)
    with pytest.raises(SweepError, match=r"holds another sweep \(scenario"):
        run(tmp_path, small_scenario(**{"demand.rate": 12.0}))
    with pytest.raises(SweepError, match=r"holds another sweep \(seed 3 in the store, 4 now"):
        run(tmp_path, seed=4)
    assert len(task_files(tmp_path)) == 4  # nothing was mixed in or removed


def test_a_directory_that_is_not_a_store_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(SweepError, match=r"holds no manifest\.json"):
        run(tmp_path)


def test_an_unseeded_sweep_resumes_with_the_store_s_seed(tmp_path: Path) -> None:
    unseeded = ss.Scenario.from_dict(
        {k: v for k, v in small_scenario().to_dict().items() if k != "seed"})
    first = run(tmp_path, unseeded)
    again = run(tmp_path, unseeded)
    assert again.seed == first.seed and again.tasks_run == 0


def test_failed_tasks_run_again_next_time(tmp_path: Path) -> None:
    factors = {"team.tiers.l1.staff": [7, -1]}
    with pytest.warns(SweepFailureWarning):
        first = run(tmp_path, factors=factors)
    assert len(first.failures) == 2
    with pytest.warns(SweepFailureWarning):
        again = run(tmp_path, factors=factors)
    assert (again.tasks_run, again.tasks_reused) == (2, 2)
    statuses = [json.loads(line)["status"]
                for line in (tmp_path / "log.jsonl").read_text(encoding="utf-8").splitlines()]
    assert statuses.count("failed") == 4 and statuses.count("done") == 2


# --------------------------------------------------------------------------- sweep files


def write_sweep(tmp_path: Path, body: str, name: str = "grid.toml") -> Path:
    base = tmp_path / "base.toml"
    if not base.exists():
        small_scenario().to_toml(base)
    path = tmp_path / name
    path.write_text(f'base = "base.toml"\n{body}', encoding="utf-8")
    return path


def test_sweep_file_keys_quoted_or_nested(tmp_path: Path) -> None:
    path = write_sweep(tmp_path, """
replications = 3
seed = 9
[factors]
"demand.rate" = [16.0, 20.0]
team.tiers.l1.staff = [6, 7]
[strategies.plain]
[strategies.mixed]
"work.mix" = { l1 = 1.0 }
team.discipline = "priority"
""")
    spec = load_sweep(path)
    assert spec.factors == {"demand.rate": [16.0, 20.0], "team.tiers.l1.staff": [6, 7]}
    assert spec.strategies == {"plain": {}, "mixed": {"work.mix": {"l1": 1.0},
                                                      "team.discipline": "priority"}}
    assert (spec.replications, spec.seed, spec.name) == (3, 9, "grid")
    assert spec.base == small_scenario()


@pytest.mark.parametrize(("body", "message"), [
    ("replicatons = 3", r"replicatons is not a sweep file key \(did you mean 'replications'"),
    ("replications = 0", "replications must be an integer >= 1, got 0"),
    ("[factors]\n\"demand.rate\" = 10", "factors.demand.rate must be a list of values, got 10"),
    ("[factors]\n\"demand.rat\" = [10]", r"demand\.rat is not a known key"),
    ("[factors]\n\"team.tiers.l1.staff\" = [-1, 7]", "team.tiers.l1.staff must be an integer"),
    ("[strategies]\nfast = 3", "strategies.fast must be a table"),
])
def test_bad_sweep_files_name_key_value_and_file(tmp_path: Path, body: str,
                                                 message: str) -> None:
    path = write_sweep(tmp_path, body)
    with pytest.raises(ss.ScenarioError, match=message) as caught:
        load_sweep(path)
    assert str(path) in str(caught.value)


@pytest.mark.parametrize("path", sorted((ROOT / "scenarios" / "sweeps").glob("*.toml")),
                         ids=lambda p: p.name)
def test_the_example_sweep_files_load(path: Path) -> None:
    spec = load_sweep(path)
    assert spec.factors and spec.replications >= 1


# --------------------------------------------------------------------------- command line


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, list[str]]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err.splitlines()


def test_cli_writes_tables_and_prints_the_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_sweep(tmp_path, "replications = 2\n[factors]\n"
                                 "\"team.tiers.l1.staff\" = [6, 7]\n")
    out = tmp_path / "out"
    code, text, err = cli(capsys, "sweep", str(path), "--workers", "1", "--out", str(out),
                          "--quiet")
    assert code == 0, err
    assert err == []
    for expected in ("2 variants x 2 replications = 4 tasks: 4 run, 0 reused, 0 failed",
                     "SLA attainment per variant", "staff=6", "Capacity per variant",
                     "Headline", "lowest response attainment", "sweep.parquet"):
        assert expected in text
    table = pd.read_parquet(out / "sweep.parquet")
    assert len(table) == 2 * 2 * 2
    assert len(pd.read_csv(out / "sweep.csv")) == len(table)
    assert {"sla.csv", "summary.csv", "failures.csv"} <= {p.name for p in out.iterdir()}
    # Without --resume, an existing store is an error; with it, nothing runs again.
    code, _, err = cli(capsys, "sweep", str(path), "--workers", "1", "--out", str(out))
    assert code == 2 and len(err) == 1 and "pass --resume" in err[0]
    code, text, err = cli(capsys, "sweep", str(path), "--out", str(out), "--resume", "-q")
    assert code == 0 and "0 run, 4 reused" in text


@pytest.mark.parametrize(("argv", "message"), [
    (["--resume"], "--resume needs --out DIR"),
    (["--workers", "0"], "must be an integer >= 1"),
    (["--scheduler", "http://x:1"], "must be a Dask scheduler address"),
    (["--workers", "2", "--scheduler", "tcp://x:1"], "not allowed with argument"),
])
def test_cli_usage_errors_are_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    path = write_sweep(tmp_path, "replications = 1\n")
    code, out, err = cli(capsys, "sweep", str(path), *argv)
    assert code == 2 and out == "" and len(err) == 1 and message in err[0]


def test_cli_bad_sweep_file_is_one_line_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_sweep(tmp_path, "[factors]\n\"demand.rate\" = 10\n")
    code, out, err = cli(capsys, "sweep", str(path))
    assert code == 2 and out == ""
    assert err == [f"supportsim: error: factors.demand.rate must be a list of values, "
                   f"got 10 ({path})"]
    code, _, err = cli(capsys, "sweep", str(tmp_path / "missing.toml"))
    assert code == 2 and len(err) == 1 and "cannot read sweep file" in err[0]


def test_cli_reports_failed_tasks_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_sweep(tmp_path, "replications = 1\n[factors]\n"
                                 "\"team.tiers.l1.staff\" = [7, -1]\n")
    code, text, err = cli(capsys, "sweep", str(path), "--workers", "1", "-q")
    assert code == 1
    assert "1 run, 0 reused, 1 failed" in text
    assert err == ["supportsim: error: variant 'staff=-1' replication 0 failed: ScenarioError: "
                   "team.tiers.l1.staff must be an integer >= 0, got -1 "
                   f"(override team.tiers.l1.staff=-1, on {tmp_path / 'base.toml'})"]


def test_resume_after_kill_9_runs_only_the_missing_tasks(tmp_path: Path) -> None:
    path = write_sweep(tmp_path, 'replications = 3\n[factors]\n"demand.rate" = [16.0, 20.0]\n'
                                 '"team.tiers.l1.staff" = [6, 7, 8]\n')
    out = tmp_path / "out"
    store = out / "store"
    total = 2 * 3 * 3
    command = [sys.executable, "-m", "supportsim", "sweep", str(path), "--workers", "2",
               "--out", str(out), "--quiet"]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process.poll() is None:
            if (store / "tasks").exists() and len(task_files(store)) >= 4:
                break
            time.sleep(0.005)
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait()
    assert process.returncode == -signal.SIGKILL
    survived = task_files(store)
    assert 4 <= len(survived) < total, "the sweep was not caught part way"

    code = main(["sweep", str(path), "--workers", "2", "--out", str(out), "--resume", "-q"])
    assert code == 0
    assert {n: t for n, t in task_files(store).items() if n in survived} == survived
    runs = log_runs(store)
    assert len(runs) == 2
    first_run = next(iter(runs))
    second = runs[next(r for r in runs if r != first_run)]
    finished = {(n.split("-r")[0], int(n.split("-r")[1].removesuffix(".parquet")))
                for n in survived}
    assert len(second) == total - len(survived)  # only the missing tasks ran
    assert not second & finished

    uninterrupted = load_sweep(path).run(executor=1, progress=False)
    written = pd.read_parquet(out / "sweep.parquet")
    assert not written.duplicated(["variant", "replication", "priority"]).any()
    pd.testing.assert_frame_equal(written, uninterrupted.table, check_exact=True)
    resumed = load_sweep(path).run(executor=1, store=store, progress=False)
    assert resumed.tasks_run == 0
    pd.testing.assert_frame_equal(resumed.table, uninterrupted.table, check_exact=True)


def test_a_finished_sweep_needs_no_executor(tmp_path: Path) -> None:
    first = run(tmp_path)
    again = sweep(small_scenario(), factors=FACTORS, replications=2, store=tmp_path,
                  executor="tcp://127.0.0.1:9", progress=False)  # nothing listens there
    assert (again.tasks_run, again.executor) == (0, "nothing to run")
    pd.testing.assert_frame_equal(again.table, first.table, check_exact=True)
