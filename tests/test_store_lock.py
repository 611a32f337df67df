"""The sweep store: one run at a time (a lock held by a process), and write errors named.

Issue 18, defect 12: two ``--resume`` runs on one store both ran every remaining task, and
a store that cannot be written raised a bare ``OSError`` from the API.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from supportsim.cli import main
from supportsim.sweeps import SweepError
from supportsim.sweeps._store import _write_atomic
from tests.test_sweep_store import log_runs, run, write_sweep

ROOT = Path(__file__).resolve().parent.parent

# A second process that runs a sweep on the store and stops inside it, with the store
# open (its executor never returns), until it is killed.
HOLDER = textwrap.dedent("""
    import sys, time
    from concurrent.futures import Executor
    from supportsim.sweeps import sweep
    from tests.test_sweep import small_scenario

    class Stuck(Executor):
        def submit(self, fn, /, *args, **kwargs):
            print("running", flush=True)
            time.sleep(600)

    sweep(small_scenario(), factors={"team.tiers.l1.staff": [6, 7]}, replications=2,
          executor=Stuck(), store=sys.argv[1], progress=False)
""")


def _hold(store: Path) -> subprocess.Popen[str]:
    """Start another process that runs a sweep on `store`; returns once it is running."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT),
                                                        os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(store)], env=env,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "running"
    return proc


@pytest.fixture
def holder(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], Path]]:
    """Another process running a sweep on the store ``tmp_path / 'out' / 'store'``."""
    store = tmp_path / "out" / "store"
    proc = _hold(store)
    try:
        yield proc, store
    finally:
        proc.kill()
        proc.wait()


def test_a_store_in_use_by_another_process_is_refused(
        holder: tuple[subprocess.Popen[str], Path]) -> None:
    proc, store = holder
    with pytest.raises(SweepError, match=rf"in use by another run \(pid {proc.pid} on "
                                         rf"{socket.gethostname()}, since "):
        run(store)
    # Refused before anything ran: no task was executed or stored.
    assert not (store / "log.jsonl").exists()
    assert not list((store / "tasks").glob("*.parquet"))


def test_the_lock_of_a_killed_run_is_taken_over(
        holder: tuple[subprocess.Popen[str], Path]) -> None:
    proc, store = holder
    proc.kill()  # like kill -9: the process cannot clean up; its lock file stays
    proc.wait()
    assert json.loads((store / "lock").read_text(encoding="utf-8"))["pid"] == proc.pid
    result = run(store)
    assert result.tasks_run == 4
    assert json.loads((store / "lock").read_text(encoding="utf-8"))["pid"] == os.getpid()


def test_two_resume_runs_do_not_both_run_the_remaining_tasks(
        holder: tuple[subprocess.Popen[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    proc, store = holder
    path = write_sweep(store.parent.parent, 'replications = 2\n[factors]\n'
                                            '"team.tiers.l1.staff" = [6, 7]\n')
    # The CLI keeps its store in OUT/store, which the other process holds.
    code = main(["sweep", str(path), "--workers", "1", "-q", "--out", str(store.parent),
                 "--resume"])
    captured = capsys.readouterr()
    assert code == 2
    err = captured.err.splitlines()
    assert len(err) == 1 and f"pid {proc.pid}" in err[0] and "in use by another run" in err[0]
    assert not (store / "log.jsonl").exists()


def test_a_finished_sweep_releases_its_store(tmp_path: Path) -> None:
    first = run(tmp_path / "store")
    second = run(tmp_path / "store")  # in the same process, right after
    assert (first.tasks_run, second.tasks_run, second.tasks_reused) == (4, 0, 4)
    assert len(log_runs(tmp_path / "store")) == 1


def test_a_store_that_cannot_be_written_is_a_sweep_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the store's parent folder should be", encoding="utf-8")
    with pytest.raises(SweepError, match=rf"cannot use the sweep store {blocker / 'store'}: "):
        run(blocker / "store")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="permission bits do not stop root")
def test_a_read_only_store_is_a_sweep_error(tmp_path: Path) -> None:
    store = tmp_path / "store"
    run(store, factors={"team.tiers.l1.staff": [6]})
    os.chmod(store, 0o555)
    try:
        with pytest.raises(SweepError, match=rf"sweep store {store}"):
            run(store)
    finally:
        os.chmod(store, 0o755)


def test_a_failed_store_write_names_the_file_not_its_temporary(tmp_path: Path) -> None:
    target = tmp_path / "missing-folder" / "manifest.json"
    with pytest.raises(OSError) as info:
        _write_atomic(target, lambda handle: handle.write(b"{}"))
    assert info.value.filename == str(target)
