"""``supportsim breakpoint SCENARIO --factor KEY --target SHARE``: find where an SLA breaks.

Registered by :mod:`supportsim.cli` through :func:`register`. Exit codes: 0 success,
1 the outputs could not be written, 2 a bad scenario or usage. Errors are one line on
stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import math
import sys
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

from supportsim._errors import CapacityWarning
from supportsim.cli._common import (
    _add_scenario_args,
    _error,
    _load,
    _positive_int,
    _seed,
    _table,
    _warnings_to_stderr,
    parse_variant,
    toml_value,
)

if TYPE_CHECKING:
    pass

__all__ = ["register", "run"]

DEFAULT_POINTS = 7


# --------------------------------------------------------------------------- arguments


def _number(text: str) -> int | float:
    value = toml_value(text)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}")
    return value


def _values(text: str) -> list[int | float]:
    """``10,12,14`` -> [10, 12, 14]."""
    parts = [p for p in text.split(",") if p.strip()]
    if len(parts) < 2:
        raise argparse.ArgumentTypeError(f"expected at least two values A,B[,C...], got {text!r}")
    return [_number(p) for p in parts]


def _span(text: str) -> tuple[float, float, int | None]:
    """``LO:HI`` or ``LO:HI:N`` -> (lo, hi, n or None)."""
    parts = text.split(":")
    if len(parts) not in (2, 3):
        raise argparse.ArgumentTypeError(f"expected LO:HI or LO:HI:N, got {text!r}")
    lo, hi = float(_number(parts[0])), float(_number(parts[1]))
    points = _number(parts[2]) if len(parts) == 3 else None
    if not hi > lo or (points is not None and (not isinstance(points, int) or points < 2)):
        raise argparse.ArgumentTypeError(f"expected LO < HI and N >= 2, got {text!r}")
    return lo, hi, points


def _target(text: str) -> float:
    value = float(_number(text))
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"must be a share in (0, 1) such as 0.9, got {text!r}")
    return value


def _strategy(text: str) -> tuple[str, dict[str, Any]]:
    """``NAME:KEY=VALUE;KEY=VALUE``, or ``NAME`` alone for the scenario as it is
    (:func:`parse_variant`, the syntax of ``run --vs``)."""
    return parse_variant(text, need_overrides=False)


def register(commands: Any) -> None:
    """Add the ``breakpoint`` sub-command to the ``supportsim`` sub-parsers `commands`."""

    parser = commands.add_parser(
        "breakpoint", help="find the value of a factor at which an SLA breaks",
        description="Simulate SCENARIO over values of a factor (the same seeds for every "
                    "value and strategy), refine the first value at which SLA attainment "
                    "falls below the target, and print it per strategy with a bootstrap "
                    "interval and, for an M/M/c desk, the Erlang C estimate.")
    _add_scenario_args(parser)
    parser.add_argument("--factor", required=True, metavar="KEY",
                        help="dotted scenario key, e.g. demand.rate or team.tiers.l1.staff")
    parser.add_argument("--target", required=True, type=_target, metavar="SHARE",
                        help="attainment goal, e.g. 0.9")
    parser.add_argument("--metric", choices=["response", "resolution"], default="response",
                        help="which SLA target (default: response)")
    parser.add_argument("--priority", metavar="NAME",
                        help="the priority that counts (default: all priorities pooled)")
    grid = parser.add_mutually_exclusive_group()
    grid.add_argument("--values", type=_values, metavar="A,B,C",
                      help="factor values of the coarse grid")
    grid.add_argument("--range", dest="span", type=_span, metavar="LO:HI[:N]",
                      help=f"N evenly spaced values from LO to HI, both included (default "
                           f"{DEFAULT_POINTS}); for an integer factor every integer from LO "
                           "to HI, or N that gives integer steps (default grid: half to "
                           "twice the current value)")
    parser.add_argument("--strategy", dest="strategies", action="append", type=_strategy,
                        default=[], metavar="NAME:KEY=VALUE;...",
                        help="a variant to compare (repeatable), written like run --vs: "
                             "';'-separated overrides read like --set, e.g. "
                             "'swarm30:team.structure=swarming;team.swarm.overhead=0.3'; "
                             "NAME alone is the scenario as it is; default: the scenario")
    parser.add_argument("--direction", choices=["up", "down"],
                        help="the way the factor gets worse (default: read from the curve)")
    parser.add_argument("--replications", "-r", type=_positive_int, metavar="N",
                        help="replications per evaluation (default: the scenario's)")
    parser.add_argument("--seed", type=_seed, metavar="S",
                        help="root random seed of every evaluation (default: the scenario's)")
    parser.add_argument("--refine", type=int, default=4, metavar="K",
                        help="bisection steps around the crossing of a continuous factor "
                             "(default 4); an integer factor is bisected to neighbours")
    parser.add_argument("--out", type=Path, metavar="DIR",
                        help="write breakpoint.csv, curve.csv, scenario.toml and "
                             "breakpoint.png to DIR")
    parser.add_argument("--quiet", "-q", action="store_true",
                        help="no progress on stderr (a bar on a terminal, else a line per "
                             "evaluation)")
    parser.set_defaults(handler=run)


# --------------------------------------------------------------------------- report


def _value(x: float) -> str:
    if math.isnan(x):
        return "-"
    if math.isinf(x):
        return "beyond range" if x > 0 else "below range"
    return f"{x:.4g}"


def report(bp: Any) -> str:
    """The table and the curve as text."""
    import numpy as np
    import pandas as pd


    who = bp.priority or "all priorities"
    pct = f"{bp.confidence:.0%}"
    head = (f"Breaking point of {bp.metric} attainment ({who}) below {bp.target:.1%} "
            f"in {bp.factor} (worse {'upwards' if bp.direction == 'up' else 'downwards'}), "
            f"seed {bp.seed}")
    table = pd.DataFrame({
        "strategy": bp.table["strategy"],
        # An integer answer is the last value that still holds (the smallest staffing).
        "last that holds" if bp.integer else "breaks at":
            [_value(v) for v in bp.table["breaking_value"]],
        f"{pct} CI": [f"[{_value(lo)}, {_value(hi)}]"
                      for lo, hi in zip(bp.table["low"], bp.table["high"], strict=True)],
        "last met": [_value(v) for v in bp.table["last_met"]],
        "first missed": [_value(v) for v in bp.table["first_missed"]],
        "status": bp.table["status"],
        "Erlang C": [_value(v) for v in bp.table["erlang_c_estimate"]],
    })
    curve = pd.DataFrame({
        "strategy": bp.curve["strategy"],
        bp.factor: [_value(v) for v in bp.curve["value"]],
        "attainment": [f"{m:6.1%}" for m in bp.curve["attainment"]],
        f"{pct} CI": [f"[{lo:.1%}, {hi:.1%}]" if not (np.isnan(lo) or np.isnan(hi)) else "-"
                      for lo, hi in zip(bp.curve["low"], bp.curve["high"], strict=True)],
        "stage": bp.curve["stage"],
    })
    reps = int(bp.curve["replications"].max())
    return (f"{head}\n{_table(table)}\n\nEvaluated curve ({reps} replications per point)\n"
            f"{_table(curve)}")


def _write(bp: Any, scenario: Any, directory: Path) -> list[Path]:
    import matplotlib

    if "matplotlib.pyplot" not in sys.modules:
        matplotlib.use("Agg")
    from supportsim.plot import breaking_points

    directory.mkdir(parents=True, exist_ok=True)
    paths = [directory / n for n in ("breakpoint.csv", "curve.csv", "samples.csv",
                                     "scenario.toml", "breakpoint.png")]
    bp.table.to_csv(paths[0], index=False)
    bp.curve.to_csv(paths[1], index=False)
    bp.samples.to_csv(paths[2], index=False)
    scenario.to_toml(paths[3])
    breaking_points(bp).savefig(paths[4], dpi=150)
    return paths


def run(args: argparse.Namespace) -> int:
    """Handle ``supportsim breakpoint``; returns the exit code."""
    from supportsim._errors import ScenarioError
    from supportsim.breakpoint import find_breaking_point, span_values
    from supportsim.capacity import warn_if_overloaded

    if args.out is not None:
        from supportsim.cli._common import check_output

        check_output(args.out, directory=True)  # refused before the search runs, not after
    with _warnings_to_stderr():
        scenario = _load(args)
        warn_if_overloaded(scenario)  # shown before the search starts
    strategies = dict(args.strategies) if args.strategies else None
    if args.strategies and len(strategies or {}) != len(args.strategies):
        _error("--strategy names must be distinct")
        return 2

    def line(strategy: str, value: float, attainment: float) -> None:
        print(f"  {strategy}: {args.factor} = {value:.6g} -> {attainment:.1%}",
              file=sys.stderr, flush=True)

    # A bar where someone watches; a line per evaluation in a log.
    progress = False if args.quiet else True if sys.stderr.isatty() else line

    with _warnings_to_stderr():
        warnings.simplefilter("ignore", CapacityWarning)  # reported above
        try:
            values = (span_values(scenario, args.factor, *args.span) if args.span
                      else args.values)
            bp = find_breaking_point(
                scenario, args.factor, args.target, metric=args.metric,
                priority=args.priority, strategies=strategies, values=values,
                direction=args.direction, replications=args.replications, seed=args.seed,
                refine=args.refine, progress=progress)
        except ScenarioError:
            raise
        except ValueError as exc:
            _error(f"{exc} (see 'supportsim breakpoint --help')")
            return 2
        print(report(bp))
        if args.out is not None:
            try:
                written = _write(bp, scenario, args.out)
            except OSError as exc:
                _error(f"cannot write results to {args.out}: {exc.strerror or exc}")
                return 1
            print(f"\nWrote {len(written)} files:")
            print("\n".join(f"  {path}" for path in written))
    return 0
