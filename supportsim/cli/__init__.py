"""The ``supportsim`` command line: one module per command.

Each command module (:mod:`~supportsim.cli.run`, :mod:`~supportsim.cli.check`,
:mod:`~supportsim.cli.sweep`, :mod:`~supportsim.cli.breakpoint`,
:mod:`~supportsim.cli.calibrate`) has a ``register`` function that declares its arguments
and points them at a handler that takes the parsed namespace and returns an exit code.
What every command shares (errors, warnings, ``--set``, text tables) lives in
:mod:`supportsim.cli._common`. Nothing below this package imports it: the CLI is the top
layer (DESIGN section 1). Command modules import numpy, pandas and the simulation layers
inside their handlers, so ``supportsim --help`` and ``--version`` answer quickly.

Exit codes: 0 success (capacity warnings included: finding the edge is the point),
1 output could not be written, some sweep tasks failed or a plan missed a target on
fresh seeds, 2 invalid scenario or usage.
Errors are one line on stderr (``supportsim: error: ...``), never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from supportsim._errors import ScenarioError
from supportsim.cli import breakpoint as _breakpoint
from supportsim.cli import calibrate as _calibrate
from supportsim.cli import check as _check
from supportsim.cli import plan as _plan
from supportsim.cli import run as _run
from supportsim.cli import sweep as _sweep
from supportsim.cli._common import (
    PROG,
    _error,
    _OutputError,
    _Parser,
    _UsageError,
    escaped_stdout,
)

__all__ = ["build_parser", "main"]

Handler = Callable[[argparse.Namespace], int]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``supportsim`` command (one sub-parser per command)."""
    from supportsim import __version__

    parser = _Parser(prog=PROG, description="Simulate IT service desks to plan capacity.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in (_run, _check, _sweep, _calibrate, _breakpoint, _plan):
        command.register(commands)
    return parser


# --------------------------------------------------------------------------- entry point


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``supportsim`` command line.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments without the program name; defaults to ``sys.argv[1:]``.

    Returns
    -------
    int
        0 on success (also with capacity warnings), 1 if results could not be written or
        memory ran out,
        2 for an invalid scenario or bad usage, 130 when interrupted.

    Examples
    --------
    >>> main(["check", "scenarios/mmc.toml"])  # doctest: +SKIP
    0
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        handler: Handler = args.handler
        with escaped_stdout():  # names from files must not drive the terminal
            return handler(args)
    except SystemExit as exc:  # --help and --version exit through argparse
        return exc.code if isinstance(exc.code, int) else 0
    except _UsageError as exc:
        _error(f"{exc} (see '{PROG} --help')")
        return 2
    except ScenarioError as exc:
        _error(exc)
        return 2
    except _OutputError as exc:
        _error(exc)
        return 1
    except MemoryError:
        # Reached only past the size guard (--max-tickets raised beyond this machine).
        _error("out of memory; lower --max-tickets (or the replications) to be refused "
               "before anything runs")
        return 1
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`supportsim run ... | head`): nothing left to say. Point
        # stdout at devnull so the interpreter's final flush does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
