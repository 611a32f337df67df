"""``supportsim calibrate LOG.csv --out scenario.toml``: the command-line front of calibration.

:func:`register` adds the sub-command to the ``supportsim`` parser. Everything is computed
before anything is written, and each file is written through a temporary file, so a bad
history leaves no output behind. Errors are :class:`EventLogError` (a ``ScenarioError``),
which the ``supportsim`` entry point prints on one line with exit code 2.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path
from typing import Any

from supportsim.calibrate._formats import FORMATS

__all__ = ["register"]


def _replications(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value != 0 and value < 2:
        raise argparse.ArgumentTypeError(f"must be 0 (no back-test) or an integer >= 2, "
                                         f"got {text!r}")
    return value


def register(commands: Any) -> None:
    """Add ``calibrate`` to the sub-parsers `commands` of the ``supportsim`` parser."""
    parser = commands.add_parser(
        "calibrate", help="fit a skeleton scenario to a ticket history",
        description="Fit demand, priority mix and resolution times to a ticket history "
                    "and write a skeleton scenario whose comments say which values were "
                    "fitted and which guessed. The report goes to stdout.")
    parser.add_argument("log", metavar="LOG.csv", help="ticket history (CSV)")
    parser.add_argument("--format", choices=FORMATS, default="servicenow",
                        help="servicenow: one row per update (default); tickets: one row "
                             "per ticket")
    parser.add_argument("--out", type=Path, required=True, metavar="SCENARIO.toml",
                        help="where to write the skeleton scenario")
    parser.add_argument("--report", type=Path, metavar="DIR",
                        help="also write report.txt and figures (PNG) to DIR")
    parser.add_argument("--backtest", type=_replications, default=0, metavar="N",
                        help="simulate the skeleton with N replications beside the history "
                             "(0: skip; default)")
    parser.add_argument("--seed", type=int, default=0, metavar="S",
                        help="root seed of the back-test (default 0)")
    parser.set_defaults(handler=_calibrate)


def _calibrate(args: argparse.Namespace) -> int:
    from supportsim.calibrate._api import from_event_log
    from supportsim.cli._common import _one_line, check_output

    check_output(args.out, directory=False)  # before the (possibly long) fit and back-test
    if args.report is not None:
        check_output(args.report, directory=True)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            cal = from_event_log(args.log, args.format)
            report = cal.report()
            backtest = cal.backtest(args.backtest, args.seed) if args.backtest else None
        finally:
            for item in caught:
                text = _one_line(item.message)
                print(f"supportsim: warning: {item.category.__name__}: {text}",
                      file=sys.stderr)
    text = report.text
    if backtest is not None:
        from supportsim.calibrate._report import backtest_text

        text += "\n" + backtest_text(backtest)
    from supportsim.calibrate._output import write_files
    from supportsim.cli._common import _OutputError

    files: dict[Path, bytes | str] = {args.out: cal.toml}
    if args.report is not None:
        files.update(report.files(args.report))
        if backtest is not None:
            files.update(backtest.files(args.report))
    try:
        written = write_files(files)  # all or nothing: no skeleton without its report
    except OSError as exc:
        raise _OutputError(f"cannot write calibration output: {exc.strerror or exc} "
                           f"({exc.filename or args.out})") from exc
    print(text)
    print(f"Wrote {len(written)} file{'s' if len(written) != 1 else ''}:")
    print("\n".join(f"  {path}" for path in written))
    return 0
