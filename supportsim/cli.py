"""The ``supportsim`` command line: ``run`` a scenario or ``check`` it analytically.

Each subcommand is registered by one function that declares its arguments and points
them at a handler that takes the parsed namespace and returns an exit code: ``check``
lives here, ``run`` in :mod:`supportsim._run_cli`, the others in their own modules.
Helpers every command shares (errors, warnings, ``--set``, text tables) live in
:mod:`supportsim._cli_common`.

Exit codes: 0 success (capacity warnings included: finding the edge is the point),
1 output could not be written or some sweep tasks failed, 2 invalid scenario or usage.
Errors are one line on stderr (``supportsim: error: ...``), never a traceback.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd

from supportsim._breakpoint_cli import register as _add_breakpoint
from supportsim._cli_common import (
    PROG,
    _add_scenario_args,
    _duration,
    _error,
    _heading,
    _load,
    _OutputError,
    _Parser,
    _share,
    _table,
    _UsageError,
    _wait,
    _warnings_to_stderr,
)
from supportsim._errors import ScenarioError
from supportsim._run_cli import register as _add_run
from supportsim.calibrate._cli import register as _add_calibrate
from supportsim.scenario import Scenario
from supportsim.sweep._cli import register as _add_sweep

__all__ = ["main"]

Handler = Callable[[argparse.Namespace], int]


# --------------------------------------------------------------------------- arguments


def _add_check(commands: Any) -> None:
    parser = commands.add_parser(
        "check", help="validate a scenario and show offered load per tier",
        description="Validate SCENARIO and print the analytic view: offered load against "
                    "staff per tier, Erlang C where it applies, and expected tickets.")
    _add_scenario_args(parser)
    parser.set_defaults(handler=_check)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``supportsim`` command (one sub-parser per command)."""
    from supportsim import __version__

    parser = _Parser(prog=PROG, description="Simulate IT service desks to plan capacity.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for add in (_add_run, _add_check, _add_sweep, _add_calibrate, _add_breakpoint):
        add(commands)
    return parser


# --------------------------------------------------------------------------- check


def _loads_section(scenario: Scenario) -> str:
    from supportsim.capacity import tier_loads

    loads = tier_loads(scenario)
    rows = pd.DataFrame({
        "tier": loads["tier"],
        "tickets/h": [f"{v:.2f}" for v in loads["arrival_rate"]],
        "work/ticket": [_wait(v) for v in loads["work_time"]],
        "cv": [f"{v:.2f}" for v in loads["service_cv"]],
        "offered load": [f"{v:.2f} Erl" for v in loads["offered_load"]],
        "staff": loads["staff"].astype(str),
        "on duty": [f"{v:.2f}" for v in loads["on_duty"]],
        "utilisation": [_share(v).strip() for v in loads["utilisation"]],
        "model": [m or "-" for m in loads["model"]],
        "P(wait)": ["-" if math.isnan(v) else f"{v:.1%}" for v in loads["wait_probability"]],
        "mean wait": [_wait(v) for v in loads["mean_wait"]],
    })
    return ("Offered load per tier (analytic; on duty = mean agents on duty over the horizon)\n"
            + _table(rows))


def _demand_section(scenario: Scenario) -> str:
    from supportsim.demand import expected_arrivals

    total = expected_arrivals(scenario)
    scored = expected_arrivals(scenario, scenario.warmup)
    days = scenario.horizon / 24
    return (f"Expected tickets: {total:,.0f} over {_duration(scenario.horizon)} "
            f"({total / days:,.1f} a day), {scored:,.0f} after the "
            f"{_duration(scenario.warmup)} warm-up")


def _priorities_section(scenario: Scenario) -> str:
    rows = pd.DataFrame({
        "priority": list(scenario.priorities),
        "share": [f"{p.share:.0%}" for p in scenario.priorities.values()],
        "response": [_duration(p.response) for p in scenario.priorities.values()],
        "resolution": [_duration(p.resolution) for p in scenario.priorities.values()],
        "clock": [p.clock for p in scenario.priorities.values()],
    })
    return "Priorities (SLA targets)\n" + _table(rows)


def _check(args: argparse.Namespace) -> int:
    with _warnings_to_stderr() as caught:
        scenario = _load(args, caught)
    print(f"{_heading(scenario, args.overrides)}\nvalid; "
          f"horizon {_duration(scenario.horizon)}, warm-up {_duration(scenario.warmup)}, "
          f"structure {scenario.team.structure}, discipline {scenario.team.discipline}")
    print()
    print(_loads_section(scenario))
    print()
    print(_demand_section(scenario))
    print()
    print(_priorities_section(scenario))
    return 0


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
        0 on success (also with capacity warnings), 1 if results could not be written,
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
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`supportsim run ... | head`): nothing left to say. Point
        # stdout at devnull so the interpreter's final flush does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
