"""``--report FILE`` of ``run`` and ``sweep``: the HTML report and the command that
reproduces it (the command line as given, with the seed and replications actually used)."""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from supportsim.cli._common import _OutputError
from supportsim.scenario._written import toml_inline

__all__ = ["add_report_argument", "check_report", "command_line", "write_html"]


def add_report_argument(parser: Any, what: str) -> None:
    """Add ``--report FILE`` to `parser`."""
    parser.add_argument("--report", type=Path, metavar="FILE",
                        help=f"write a self-contained HTML report of the {what} to FILE "
                             "(figures embedded; opens offline, prints to PDF)")


def check_report(path: Path | None) -> None:
    """Refuse, before anything runs, a report file that could not be written."""
    if path is not None:
        from supportsim.cli._common import check_output

        check_output(path, directory=False)


def command_line(verb: str, path: str, seed: int, replications: int,
                 overrides: Sequence[tuple[str, Any]] = (),
                 variants: Sequence[tuple[str, dict[str, Any]]] = (),
                 window: Any = None) -> str:
    """``supportsim VERB PATH --seed S --replications R [--set K=V ...] [--window W]
    [--vs ...]``: each value as one-line TOML (an inline table stays one), each word quoted
    for a POSIX shell."""
    words = ["supportsim", verb, path, "--seed", str(seed), "--replications",
             str(replications)]
    for key, value in overrides:
        words += ["--set", f"{key}={toml_inline(value)}"]
    if window is not None:  # the report scored over it: so does the command
        from supportsim.report._document import window_arg

        words += ["--window", window_arg(window)]
    for label, changes in variants:
        body = ";".join(f"{key}={toml_inline(value)}" for key, value in changes.items())
        # A variant given without a name is named by its overrides as typed.
        words += ["--vs", body if "=" in label else f"{label}:{body}"]
    return shlex.join(words)


def write_html(write: Any, path: Path) -> Path:
    """Call ``write(path)`` (a report writer), turning a failed write into one line."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)  # as --out creates its directory
        write(path)
    except OSError as exc:
        raise _OutputError(f"cannot write {path}: {exc.strerror or exc}") from exc
    return path
