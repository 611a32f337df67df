"""Files the user names: read safely, reported on one line; outputs checked up front.

Issue 18: defect 1 (files that are not UTF-8 crashed with a traceback), the file-reading
part of defect 10 (a deeply nested array, ``/dev/zero``), defect 12's names and values
(control characters printed raw, 10,000-character values echoed), defect 13's TLS error,
and "an unwritable ``--out`` is refused before the simulation runs".
"""

from __future__ import annotations

import codecs
import os
import resource
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import supportsim as ss
from supportsim.cli import main
from supportsim.sweeps import load_sweep
from tests.test_sweep import small_scenario

ROOT = Path(__file__).resolve().parent.parent
MMC = ROOT / "scenarios" / "mmc.toml"
SAMPLE = ROOT / "tests" / "data" / "servicenow_incident_events_sample.csv"


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, list[str]]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err.splitlines()


# --------------------------------------------------------------------------- file contents

TEXT = MMC.read_text(encoding="utf-8")
# (content, what the one-line message must say)
BAD_CONTENT: dict[str, tuple[bytes, str]] = {
    "latin-1": (TEXT.replace("M/M/c", "M/M/c café").encode("latin-1"),
                r"is not UTF-8 text: byte 0xe9 at line \d+, column \d+"),
    "utf-16 with BOM": (TEXT.encode("utf-16"), r"is UTF-16 text \(it starts with the "
                                              r"byte-order mark FF FE\); save it as UTF-8"),
    "utf-16-be with BOM": (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"),
                           r"is UTF-16 text \(it starts with the byte-order mark FE FF\)"),
    "utf-32 with BOM": (TEXT.encode("utf-32"), r"is UTF-32 text"),
    "utf-16 without BOM": (TEXT.encode("utf-16-le"),
                           r"is not a text file: NUL byte at line 1, column 2"),
    "binary": (bytes(range(256)) * 4, r"is not a text file: NUL byte at line 1, column 1"),
    "invalid byte on line 3": (b"# one\n# two\nna\xffme = 'x'\n",
                               r"is not UTF-8 text: byte 0xff at line 3, column 3"),
}


def _readers(tmp_path: Path) -> dict[str, tuple[Callable[[Path], Any], str]]:
    return {
        "scenario": (ss.load_scenario, "scenario file"),
        "sweep": (load_sweep, "sweep file"),
        "event log": (lambda p: ss.calibrate.from_event_log(p, "tickets"), "event log"),
    }


@pytest.mark.parametrize("reader", ["scenario", "sweep", "event log"])
@pytest.mark.parametrize("case", list(BAD_CONTENT))
def test_a_file_that_is_not_utf8_text_is_one_line_naming_file_and_place(
        tmp_path: Path, reader: str, case: str) -> None:
    content, expected = BAD_CONTENT[case]
    path = tmp_path / "bad.file"
    path.write_bytes(content)
    load, what = _readers(tmp_path)[reader]
    with pytest.raises(ss.ScenarioError, match=rf"^{what} {expected}.*\({path}\)$") as info:
        load(path)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("command", ["check", "run", "sweep"])
@pytest.mark.parametrize("case", ["latin-1", "utf-16 with BOM", "binary"])
def test_the_cli_reports_a_file_that_is_not_utf8_on_one_line_with_exit_2(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str, case: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_bytes(BAD_CONTENT[case][0])
    code, out, err = cli(capsys, command, str(path))
    assert code == 2 and out == ""
    assert len(err) == 1 and err[0].startswith("supportsim: error: ") and str(path) in err[0]


def test_a_utf8_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    scenario = tmp_path / "base.toml"
    scenario.write_bytes(codecs.BOM_UTF8 + TEXT.encode("utf-8"))
    assert ss.load_scenario(scenario) == ss.load_scenario(MMC)
    grid = tmp_path / "grid.toml"
    grid.write_bytes(codecs.BOM_UTF8 + b'base = "base.toml"\n[factors]\n"demand.rate" = [9]\n')
    assert load_sweep(grid).factors == {"demand.rate": [9]}


# --------------------------------------------------------------------------- file kinds


def test_a_file_above_the_size_limit_is_refused(tmp_path: Path) -> None:
    from supportsim._textfile import TOML_LIMIT

    path = tmp_path / "huge.toml"
    path.write_bytes(TEXT.encode() + b"#" * TOML_LIMIT)
    with pytest.raises(ss.ScenarioError, match=rf"scenario file is larger than 4 MiB.*"
                                               rf"\({path}\)"):
        ss.load_scenario(path)


@pytest.mark.parametrize("depth", [100_000, 40])
def test_deeply_nested_arrays_are_one_error_not_a_recursion_traceback(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], depth: int) -> None:
    path = tmp_path / "deep.toml"
    path.write_text(TEXT + "\nnested = " + "[" * depth + "]" * depth + "\n", encoding="utf-8")
    with pytest.raises(ss.ScenarioError, match=r"nests arrays or tables more than 32 levels"):
        ss.load_scenario(path)
    code, _, err = cli(capsys, "check", str(path))
    assert code == 2 and len(err) == 1


def _cli_in_subprocess(*argv: str) -> subprocess.CompletedProcess[str]:
    """The CLI in a child with 2 GiB of address space and a minute: a read that never
    ends (a FIFO, /dev/zero) fails the test instead of hanging or filling the machine."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT),
                                                        os.environ.get("PYTHONPATH", "")])}
    return subprocess.run([sys.executable, "-m", "supportsim", *argv], env=env, text=True,
                          capture_output=True, timeout=60, preexec_fn=limit, check=False)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs")
@pytest.mark.parametrize("kind", ["fifo", "/dev/zero", "directory", "missing"])
def test_special_files_are_refused_without_reading_them(tmp_path: Path, kind: str) -> None:
    if kind == "fifo":
        path = tmp_path / "pipe.toml"
        os.mkfifo(path)
        expected = "it is a FIFO, not a regular file"
    elif kind == "directory":
        path, expected = tmp_path, "it is a directory, not a regular file"
    elif kind == "missing":
        path, expected = tmp_path / "missing.toml", "No such file or directory"
    else:
        path, expected = Path("/dev/zero"), "it is a device, not a regular file"
        if not path.exists():
            pytest.skip("no /dev/zero")
    for command in (["check", str(path)], ["calibrate", str(path), "--out",
                                           str(tmp_path / "x.toml")]):
        done = _cli_in_subprocess(*command)
        assert done.returncode == 2 and done.stdout == ""
        assert done.stderr.count("\n") == 1 and expected in done.stderr, done.stderr


# --------------------------------------------------------------------------- names, values


ANSI_NAME = "desk \x1b]0;owned\x07\x1b[2J\x1b[31mred\u202e"


def test_control_characters_in_names_and_values_are_escaped(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "evil.toml"
    small_scenario(name=ANSI_NAME).to_toml(path)
    code, out, err = cli(capsys, "check", str(path))
    assert code == 0
    assert "\x1b" not in out and "\u202e" not in out
    assert "desk \\x1b]0;owned\\x07\\x1b[2J\\x1b[31mred\\u202e" in out
    code, out, err = cli(capsys, "check", str(path), "--set", 'demand.rate="\x1b[2J"')
    assert code == 2 and len(err) == 1 and "\x1b" not in err[0]
    assert "\\x1b[2J" in err[0]


def test_a_long_value_is_shortened_in_errors(tmp_path: Path) -> None:
    long = "x" * 10_000
    for overrides in ({"demand.rate": long}, {"team.discipline": long}, {"horizon": long},
                      {long: 1}):
        with pytest.raises(ss.ScenarioError) as info:
            small_scenario().with_overrides(overrides)
        message = str(info.value)
        assert len(message) < 400, message
        assert "… (10,00" in message  # 10,000 characters, 10,002 with the quotes
    grid = tmp_path / "grid.toml"
    grid.write_text(f'base = "x.toml"\nname = {["y" * 10_000]}\n', encoding="utf-8")
    with pytest.raises(ss.ScenarioError) as info:
        load_sweep(grid)
    assert len(str(info.value)) < 400


# --------------------------------------------------------------------------- outputs


@pytest.mark.parametrize("command", [
    ["run", "{scenario}", "-r", "2"],
    ["sweep", "{sweep}", "--workers", "1", "-q"],
    ["breakpoint", "{scenario}", "--factor", "demand.rate", "--values", "5,10",
     "--target", "0.5", "-r", "2", "-q"],
])
def test_an_unwritable_out_is_refused_before_anything_runs(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]) -> None:
    scenario = tmp_path / "base.toml"
    small_scenario().to_toml(scenario)
    sweep = tmp_path / "grid.toml"
    sweep.write_text('base = "base.toml"\nreplications = 1\n', encoding="utf-8")
    blocker = tmp_path / "results.txt"
    blocker.write_text("a file, not a folder", encoding="utf-8")
    argv = [a.format(scenario=scenario, sweep=sweep) for a in command]
    for out_dir, reason in ((blocker / "out", "results.txt is not a directory"),
                            (blocker, "exists and is not a directory")):
        code, out, err = cli(capsys, *argv, "--out", str(out_dir))
        assert code == 1
        assert out == ""  # nothing was simulated, so nothing was reported
        assert len(err) == 1 and reason in err[0] and str(out_dir) in err[0]


def test_calibrate_refuses_an_unwritable_out_before_fitting(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    code, out, err = cli(capsys, "calibrate", str(SAMPLE), "--out", str(blocker / "s.toml"))
    assert code == 1 and out == "" and len(err) == 1 and "is not a directory" in err[0]
    code, out, err = cli(capsys, "calibrate", str(SAMPLE), "--out", str(tmp_path / "s.toml"),
                         "--report", str(blocker))
    assert code == 1 and out == "" and len(err) == 1
    assert not (tmp_path / "s.toml").exists()


# --------------------------------------------------------------------------- TLS


def test_tls_without_a_tls_configuration_fails_at_once(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("distributed")
    import dask

    from supportsim.sweeps import SweepError, sweep

    def never(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("connected without a TLS configuration")

    # Refused before a client is made (it would retry for about a minute, then fail).
    monkeypatch.setattr("distributed.Client", never)
    with dask.config.set({"distributed.comm.tls.ca-file": None,
                          "distributed.comm.tls.client.cert": None,
                          "distributed.comm.tls.client.key": None}):
        with pytest.raises(SweepError, match=r"needs a TLS configuration.*"
                                             r"distributed\.comm\.tls\.ca-file"):
            sweep(small_scenario(), replications=1, executor="tls://127.0.0.1:9",
                  progress=False)
        path = tmp_path / "grid.toml"
        small_scenario().to_toml(tmp_path / "base.toml")
        path.write_text('base = "base.toml"\nreplications = 1\n', encoding="utf-8")
        code, _, err = cli(capsys, "sweep", str(path), "--scheduler", "tls://127.0.0.1:9",
                           "-q")
        assert code == 2 and len(err) == 1 and "Security" in err[0]
    missing = tmp_path / "missing.pem"
    with dask.config.set({"distributed.comm.tls.ca-file": str(missing),
                          "distributed.comm.tls.client.cert": str(missing)}), \
            pytest.raises(SweepError, match="TLS configuration cannot be used"):
        sweep(small_scenario(), replications=1, executor="tls://127.0.0.1:9", progress=False)
