"""The report's Reproduce command reruns the run it describes, inline tables included.

The command is read back as a shell would (``shlex.split``) and given to the CLI's
``main``: the same seed must print the same SLA tables. A value written as a Python repr
or a TOML table section (``[v]`` and a line break) would not parse back the same.
"""

from __future__ import annotations

import html as html_module
import math
import re
import shlex
from datetime import date, datetime
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from supportsim.cli import main
from supportsim.cli._common import toml_value
from supportsim.scenario._written import toml_inline

#: Two channels in one inline table, a nested inline table in a variant.
CHANNELS = ('demand.channels={phone = {share = 0.5, patience = "8min"}, '
            "portal = {share = 0.5}}")
VARIANT = 'ph:demand.channels.phone={share = 0.5, patience = "3min"}'


def _command(path: Path) -> list[str]:
    found = re.search(r"Command: <code>([^<]*)</code>", path.read_text(encoding="utf-8"))
    assert found is not None
    words = shlex.split(html_module.unescape(found.group(1)))
    assert words[0] == "supportsim"
    return words[1:]


def _tables(out: str) -> str:
    # All but the lines that differ between runs by design: wall time, the report file.
    return "\n".join(line for line in out.splitlines()
                     if not line.startswith("Wrote") and " tasks: " not in line).strip()


def test_toml_inline_writes_tables_inline() -> None:
    assert toml_inline({"share": 0.35, "patience": "8min"}) == \
        '{share = 0.35, patience = "8min"}'
    assert toml_inline({"a b": [True, 1e-05, 'x"\n']}) == '{"a b" = [true, 1e-05, "x\\"\\n"]}'


_SCALARS = (st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.text(max_size=12)
            | st.floats(allow_nan=False) | st.dates(date(1, 1, 1), date(9999, 12, 31))
            | st.datetimes(datetime(1, 1, 1), datetime(9999, 12, 31)))
_VALUES = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=3)
                       | st.dictionaries(st.text(min_size=1, max_size=6), inner, max_size=3),
                       max_leaves=8)


@settings(max_examples=200, deadline=None)
@given(_VALUES)
def test_toml_inline_reads_back_as_the_same_value(value) -> None:
    # What --set KEY=VALUE reads from the text is the value written: one line, any
    # nesting, any string (quotes, backslashes, control characters, non-ASCII).
    text = toml_inline(value)
    assert "\n" not in text
    assert toml_value(text) == value
    assert toml_inline(math.nan) == "nan" and toml_inline(-math.inf) == "-inf"


def test_run_report_command_reproduces_the_run(capsys, tmp_path: Path) -> None:
    report = tmp_path / "run.html"
    argv = ["run", "scenarios/mmc.toml", "-r", "2", "--seed", "3", "--set", 'horizon="2w"',
            "--set", "warmup=2d", "--set", CHANNELS, "--vs", VARIANT, "--report", str(report)]
    assert main(argv) == 0
    first = capsys.readouterr().out
    command = _command(report)
    assert "--vs" in command and VARIANT in command and CHANNELS in command
    assert main(command) == 0
    again = capsys.readouterr().out
    assert "Variant 'ph' against the base" in again and "demand.channels.phone.patience" in again
    assert _tables(again) == _tables(first)


def test_sweep_report_command_reproduces_the_sweep(capsys, tmp_path: Path) -> None:
    report = tmp_path / "sweep.html"
    argv = ["sweep", "scenarios/sweeps/staffing_vs_load.toml", "-r", "2", "-w", "1", "-q",
            "--seed", "5", "--set", 'horizon="1w"', "--set", 'warmup="1d"', "--set",
            CHANNELS, "--report", str(report)]
    assert main(argv) == 0
    first = capsys.readouterr().out
    command = _command(report)
    assert CHANNELS in command
    assert main([*command, "-w", "1", "-q"]) == 0
    again = capsys.readouterr().out
    assert "base overrides:" in again and 'patience = "8min"' in again
    assert _tables(again) == _tables(first)


def test_numpy_scalars_are_written_as_toml_numbers() -> None:
    # np.float64 is a float subclass whose repr is "np.float64(0.35)" (numpy 2): an
    # override from np.linspace must still give a command that reads back.
    import numpy as np

    assert toml_inline(np.float64(0.35)) == "0.35"
    assert toml_inline({"a": np.float64(2.0), "b": np.int64(3), "c": np.bool_(True)}) == \
        "{a = 2.0, b = 3, c = true}"
