"""What every ``supportsim`` sub-command shares: errors (control characters escaped),
warnings, output checks, arguments, text tables.

It imports no command module, so :mod:`supportsim.cli` and the modules that register a
command can all import it at the top without a cycle.
"""

from __future__ import annotations

import argparse
import io
import math
import os
import re
import sys
import tempfile
import tomllib
import unicodedata
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

from supportsim._errors import CapacityWarning, ScenarioError
from supportsim.scenario import Scenario, load_scenario
from supportsim.scenario._override_source import override_origin
from supportsim.scenario._written import written_toml
from supportsim.units import format_duration

if TYPE_CHECKING:
    import pandas as pd

PROG = "supportsim"


class _UsageError(Exception):
    """Bad command-line usage; reported like a scenario error (one line, exit 2)."""


class _OutputError(Exception):
    """The results could not be written (exit 1)."""


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are exceptions, so main prints one line."""

    def error(self, message: str) -> NoReturn:
        raise _UsageError(message)


# --------------------------------------------------------------------------- messages


# Bidirectional overrides and isolates reorder what a terminal shows ("Trojan source").
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                  "\u2066\u2067\u2068\u2069")


def _escape_char(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_controls(text: str, keep: str = "") -> str:
    """`text` with control characters (ANSI/OSC escapes, bidi overrides) written as
    ``\\x1b``-style escapes, so a name from a file cannot drive the terminal; the
    characters in `keep` (e.g. newline) pass through."""
    if text.isprintable():
        return text
    return "".join(
        _escape_char(c) if c not in keep and (unicodedata.category(c) == "Cc" or c in _BIDI)
        else c for c in text)


def _one_line(text: object) -> str:
    return escape_controls(" ".join(str(text).split()))


def _error(message: object) -> None:
    print(f"{PROG}: error: {_one_line(message)}", file=sys.stderr)


class _EscapingStream(io.TextIOBase):
    """A text stream that escapes control characters (not newline or tab) on the way to
    `target`: everything a command prints may contain names and values from a file."""

    def __init__(self, target: TextIO) -> None:
        self._target = target

    def write(self, text: str) -> int:
        self._target.write(escape_controls(text, keep="\n\t"))
        return len(text)

    def flush(self) -> None:
        self._target.flush()

    def fileno(self) -> int:
        return self._target.fileno()

    def isatty(self) -> bool:
        return self._target.isatty()

    def writable(self) -> bool:
        return True


@contextmanager
def escaped_stdout() -> Iterator[None]:
    """Print to stdout through :class:`_EscapingStream` inside the block."""
    target = sys.stdout
    sys.stdout = _EscapingStream(target)
    try:
        yield
    finally:
        sys.stdout = target


@contextmanager
def _warnings_to_stderr() -> Iterator[list[warnings.WarningMessage]]:
    """Collect warnings and print each once as ``supportsim: warning: ...`` on exit.

    The caller may read the yielded list (``run --vs`` re-issues only the capacity
    warnings of a variant that the base does not share).
    """
    with warnings.catch_warnings(record=True) as caught:
        # Every capacity warning, even a repeat from the same line; others as filtered.
        warnings.simplefilter("always", CapacityWarning)
        try:
            yield caught
        finally:
            seen: set[str] = set()
            for item in caught:
                text = _one_line(item.message)
                if not issubclass(item.category, CapacityWarning):
                    text = f"{item.category.__name__}: {text}"
                if text not in seen:
                    seen.add(text)
                    print(f"{PROG}: warning: {text}", file=sys.stderr)


# --------------------------------------------------------------------------- outputs


def check_output(path: Path, *, directory: bool) -> None:
    """Refuse, before any simulation runs, an output that could not be written.

    `path` is an output directory (`directory` true) or file; it need not exist yet, but
    the nearest existing folder above it must be a folder we can create files in (tried
    with a temporary file: permission bits alone say nothing for root or on read-only
    mounts). Nothing is created: a run that fails later leaves no empty folder behind.

    Raises
    ------
    _OutputError
        One line naming `path` and the reason.
    """
    head = f"cannot write results to {path}" if directory else f"cannot write {path}"
    if directory and path.exists() and not path.is_dir():
        raise _OutputError(f"{head}: it exists and is not a directory")
    if not directory and path.is_dir():
        raise _OutputError(f"{head}: it is a directory")
    folder = path if directory and path.is_dir() else path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        raise _OutputError(f"{head}: {folder} is not a directory")
    try:
        handle, probe = tempfile.mkstemp(prefix=".supportsim-probe.", dir=folder)
    except OSError as exc:
        raise _OutputError(f"{head}: {exc.strerror or exc} ({folder})") from None
    os.close(handle)
    os.unlink(probe)


# --------------------------------------------------------------------------- arguments


def _override(text: str) -> tuple[str, Any]:
    """``KEY=VALUE`` -> (key, value); the value is read as TOML, else kept as a string.

    ``demand.rate=18`` gives 18, ``horizon="2w"`` and ``horizon=2w`` both give "2w".
    """
    key, sep, raw = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    return key, toml_value(raw)


def toml_value(text: str) -> Any:
    """`text` read as a TOML value, else the (stripped) text itself."""
    raw = text.strip()
    try:
        parsed = tomllib.loads(f"v = {raw}")
    except (tomllib.TOMLDecodeError, RecursionError):  # deep nesting: not a value we use
        return raw
    # A value with a newline could smuggle in more keys ("1\nx = 2"): keep it as text.
    return parsed["v"] if parsed.keys() == {"v"} else raw


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be an integer >= 1, got {text!r}")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be an integer >= 0, got {text!r}")
    return value


def _add_scenario_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("scenario", metavar="SCENARIO", help="scenario TOML file")
    parser.add_argument(
        "--set", dest="overrides", metavar="KEY=VALUE", type=_override, action="append",
        default=[],
        help="override a dotted key, value as TOML (repeatable), e.g. "
             "--set team.tiers.l1.staff=14 --set 'horizon=\"8w\"'",
    )


def _load(args: argparse.Namespace) -> Scenario:
    try:
        scenario = load_scenario(args.scenario)
    except ScenarioError:
        _not_a_sweep_file(args.scenario)
        raise
    if args.overrides:
        scenario = with_set(scenario, args.overrides)
    return scenario


def with_set(scenario: Scenario, overrides: Sequence[tuple[str, Any]]) -> Scenario:
    """`scenario` with the ``--set`` overrides; an error names them, not only the file."""
    with override_origin("--set"):
        return scenario.with_overrides(dict(overrides))


def _not_a_sweep_file(path: str) -> None:
    """Raise a one-line ScenarioError if `path` is a sweep file given as a scenario."""
    from supportsim.scenario._toml import read_toml

    try:
        data = read_toml(Path(path), "scenario file")
    except ScenarioError:
        return
    if "base" in data and ("factors" in data or "strategies" in data):
        raise ScenarioError(f"{path} is a sweep file, not a scenario file: run it with "
                            f"'{PROG} sweep {path}', or give its base scenario "
                            f"({data['base']!r}, relative to the sweep file)")


#: Keys a variant may not change: every variant runs on the base's seed and replications.
SHARED_KEYS = ("seed", "replications")
_KEY_START = re.compile(r"\s*[A-Za-z_][\w-]*(\.[\w-]+)*\s*=")


def parse_variant(text: str, *, need_overrides: bool = True) -> tuple[str, dict[str, Any]]:
    """``[NAME:]KEY=VALUE;KEY=VALUE`` -> (name, overrides): the one syntax for a variant
    on the command line (``run --vs``, ``breakpoint --strategy``).

    Values are read like ``--set`` (TOML, else text); ``;`` separates overrides outside
    quotes and brackets. Without a name, the overrides as typed are the name. Dotted keys
    hold no colon, so a colon before the first ``=`` can only end a name. ``NAME`` alone
    (or ``NAME:``) is the scenario as it is, where `need_overrides` is False.

    Raises
    ------
    argparse.ArgumentTypeError
        A malformed item, overrides separated by ``,``, or a key every variant shares
        (seed, replications).
    """
    name, colon, rest = text.partition(":")
    if "=" in name:
        name, rest = "", text
    elif not colon:
        name, rest = text, ""
    name = name.strip()
    items = split_top_level(rest, ";")
    if not items and (need_overrides or not name):
        raise argparse.ArgumentTypeError(
            f"expected [NAME:]KEY=VALUE[;KEY=VALUE...], got {text!r}")
    overrides = {}
    for item in items:
        key, value = _override(item)
        raw = item.partition("=")[2]
        if any(_KEY_START.match(part) for part in split_top_level(raw, ",")[1:]):
            raise argparse.ArgumentTypeError(
                f"separate overrides with ';', not ',': "
                f"NAME:KEY=VALUE;KEY=VALUE, got {text!r}")
        overrides[key] = value
    shared = [key for key in overrides if key in SHARED_KEYS]
    if shared:
        raise argparse.ArgumentTypeError(
            f"a variant cannot set {', '.join(shared)}: every variant runs on the same seed "
            "and replications (common random numbers); use --seed and --replications")
    return name or ";".join(items), overrides


# --------------------------------------------------------------------------- formatting


def _duration(hours: float) -> str:
    text = format_duration(hours)
    return text if isinstance(text, str) else f"{hours:.3g}h"


def _share(value: float, low: float | None = None, high: float | None = None) -> str:
    if math.isnan(value):
        return "n/a"
    text = f"{value:6.1%}"
    if low is not None and high is not None and not (math.isnan(low) or math.isnan(high)):
        text += f" [{low:.1%}, {high:.1%}]"
    return text



def _table(frame: pd.DataFrame) -> str:
    """Left-aligned text columns under left-aligned headers, two spaces apart."""
    text = frame.astype(str)
    widths = {c: max(len(c), *(len(v) for v in text[c])) if len(text) else len(c)
              for c in text.columns}
    lines = ["  ".join(c.ljust(widths[c]) for c in text.columns).rstrip()]
    for row in text.itertuples(index=False):
        lines.append("  ".join(v.ljust(widths[c]) for c, v in zip(text.columns, row,
                                                                   strict=True)).rstrip())
    return "\n".join("  " + line for line in lines)


def _heading(scenario: Scenario, overrides: Sequence[tuple[str, Any]] = ()) -> str:
    source = f"  ({scenario.source})" if scenario.source else ""
    changed = ", ".join(f"{key}={written_toml(value)}" for key, value in overrides)
    return f"{scenario.name}{source}" + (f"\noverrides: {changed}" if changed else "")


def split_top_level(text: str, separator: str) -> list[str]:
    """Split on `separator` outside quotes and brackets (TOML strings and arrays keep it)."""
    parts: list[str] = []
    current: list[str] = []
    depth, quote = 0, ""
    for char in text:
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
        elif char == separator and depth == 0:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return [p.strip() for p in parts if p.strip()]


def _address(text: str) -> str:
    """A scheduler address; ``host:port`` alone means ``tcp://host:port``."""
    if "://" not in text:
        text = f"tcp://{text}"
    scheme, _, rest = text.partition("://")
    if scheme not in ("tcp", "tls", "dask") or not rest:
        raise argparse.ArgumentTypeError(
            f"must be a Dask scheduler address such as tcp://host:8786, got {text!r}")
    return text


def add_executor_args(parser: argparse.ArgumentParser) -> None:
    """``--workers N`` or ``--scheduler ADDRESS``: where a sweep's or a plan's
    replications run (``args.scheduler or args.workers`` is the executor to pass on)."""
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--workers", "-w", type=_positive_int, metavar="N",
                       help="local worker processes (default: all cores)")
    where.add_argument("--scheduler", type=_address, metavar="ADDRESS",
                       help="run on a Dask cluster, e.g. tcp://10.0.0.5:8786")
