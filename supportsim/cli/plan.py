"""``supportsim plan SCENARIO --target P1.response=0.95 ...``: the cheapest plan that meets
the targets (:func:`supportsim.plan`).

Registered by :mod:`supportsim.cli` through :func:`register`. Exit codes: see
:data:`EXIT_CODES` (``supportsim plan --help`` ends with them).
"""

from __future__ import annotations

import argparse
import math
import warnings
from pathlib import Path
from typing import Any

from supportsim.cli._common import (
    _add_scenario_args,
    _error,
    _heading,
    _load,
    _positive_int,
    _seed,
    _table,
    _warnings_to_stderr,
    add_executor_args,
    check_output,
)

__all__ = ["EXIT_CODES", "register", "run"]

#: The exit codes of ``supportsim plan``: 1 for "ran but failed", as ``sweep`` uses it
#: for failed tasks, so a script can tell a plan its fresh seeds refuse from a good one.
EXIT_CODES = ("exit codes: 0 a plan was found and every target is met on fresh seeds; "
              "1 a plan was found but misses a target on fresh seeds (the plan, its "
              "table and plan.toml are still written), or the outputs could not be "
              "written; 2 a bad scenario, target or decision, or targets that no plan "
              "within the bounds meets (one line: which target and the best attainment "
              "reached)")


def _target(text: str) -> tuple[str, float]:
    key, sep, raw = text.partition("=")
    try:
        level = float(raw)
    except ValueError:
        level = math.nan
    if not sep or "." not in key or not 0 < level < 1:
        raise argparse.ArgumentTypeError(
            f"must be PRIORITY.METRIC=LEVEL with a level in (0, 1), e.g. P1.response=0.95, "
            f"got {text!r}")
    return key.strip(), level


def _number(text: str) -> int | float:
    value = float(text)
    return int(value) if value.is_integer() and "." not in text else value


def _decision(text: str) -> tuple[str, Any]:
    key, sep, raw = text.partition("=")
    parts = raw.split(":")
    try:
        if not sep or not key.strip() or len(parts) not in (2, 3):
            raise ValueError
        spec: Any = tuple(_number(p) for p in parts)
    except ValueError:
        choices = raw.split(",")
        if not sep or not key.strip() or len(choices) < 2 or not all(choices):
            raise argparse.ArgumentTypeError(
                f"must be KEY=LOW:HIGH, KEY=LOW:HIGH:STEP or KEY=A,B,... (a choice), e.g. "
                f"team.tiers.l1.staff=8:20, got {text!r}") from None
        spec = choices
    return key.strip(), spec


def _once(pairs: list[tuple[str, Any]], option: str, what: str) -> None:
    """Refuse a key given twice (``-t P1.response=0.8 -t P1.response=0.9``): the dict the
    options become would otherwise keep the last silently."""
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise ValueError(f"plan: {option} {key} is given twice ({_spec(seen[key])} and "
                             f"{_spec(value)}): give each {what} once")
        seen[key] = value


def _spec(value: Any) -> str:
    if isinstance(value, tuple):
        return ":".join(map(str, value))
    if isinstance(value, list):
        return ",".join(map(str, value))
    return f"{value:g}" if isinstance(value, float) else str(value)


def register(commands: Any) -> None:
    """Add the ``plan`` sub-command to the ``supportsim`` sub-parsers `commands`."""
    parser = commands.add_parser(
        "plan", help="the cheapest staffing that meets SLA targets (simulation in the loop)",
        description="Search the decisions (default: every tier's staff, or each agent "
                    "group's on a tier split into groups) for the cheapest "
                    "plan whose SLA attainment meets every target (its lower confidence "
                    "bound), on common random numbers; verify it on fresh seeds. Prints "
                    "the plan, its cost and SLA table; writes plan.toml and trace.csv.",
        epilog=EXIT_CODES)
    _add_scenario_args(parser)
    parser.add_argument("--target", "-t", dest="targets", metavar="P.METRIC=LEVEL",
                        type=_target, action="append", required=True,
                        help="an attainment target, e.g. P1.response=0.95 (repeatable)")
    parser.add_argument("--decide", "-d", dest="decisions", metavar="KEY=LOW:HIGH",
                        type=_decision, action="append", default=[],
                        help="a decision and its bounds (repeatable): KEY=LOW:HIGH "
                             "(integers), KEY=LOW:HIGH:STEP, or KEY=A,B (a choice), a "
                             "team.* or workforce.* key; default: every tier's staff (each "
                             "agent group's on a tier with groups)")
    parser.add_argument("--replications", "-r", type=_positive_int, metavar="N",
                        help="replications per evaluated plan (default: the scenario's)")
    parser.add_argument("--seed", type=_seed, metavar="S",
                        help="root seed of the search; verification uses S + 1")
    add_executor_args(parser)
    parser.add_argument("--out", type=Path, metavar="DIR",
                        help="write plan.toml (the scenario with the plan), trace.csv "
                             "and sla.csv to DIR")
    parser.add_argument("--quiet", "-q", action="store_true",
                        help="no progress on stderr (a bar on a terminal, else a line per "
                             "evaluated point)")
    parser.set_defaults(handler=run)


def report(result: Any) -> str:
    """The text printed for a plan: what its notebook card shows (values against the
    scenario's, cost with its interval, the targets on fresh seeds), as text."""
    import pandas as pd

    from supportsim.planning._display import (
        cost_text,
        decision_rows,
        search_text,
        shifts_note,
        target_rows,
        verdict_text,
    )

    values = pd.DataFrame(decision_rows(result),
                          columns=["decision", "plan", "scenario", "change"])
    rows, _ = target_rows(result)
    sla = pd.DataFrame(rows, columns=["target", "level",
                                      f"attainment [{result.confidence:.0%} CI]",
                                      "lower bound", "verdict"])
    note = shifts_note(result)
    return "\n\n".join([
        f"Plan\n{_table(values)}" + ("" if note is None else f"\n{note}"),
        f"Cost: {cost_text(result)}",
        "Targets on fresh seeds (met when the lower bound reaches the level)\n"
        + _table(sla),
        f"Verified: {verdict_text(result)}\n{search_text(result)}",
    ])


def run(args: argparse.Namespace) -> int:
    """Handle ``supportsim plan``; returns the exit code."""
    from supportsim._errors import CapacityWarning
    from supportsim.planning import PlanError, plan
    from supportsim.planning._targets import check_inputs
    from supportsim.scenario._override_source import override_origin
    from supportsim.sweeps._executors import SweepError

    if args.out is not None:
        check_output(args.out, directory=True)
    typed = {key: _spec(spec) for key, spec in args.decisions}  # quoted as written
    with _warnings_to_stderr():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CapacityWarning)  # candidates are meant to vary
            scenario = _load(args)
            try:  # before the heading: a bad --target is one line, nothing else
                _once(args.targets, "--target", "target")
                _once(args.decisions, "--decide", "decision")
                with override_origin("--decide", typed):  # a refused value names it
                    check_inputs(scenario, dict(args.targets), dict(args.decisions) or None,
                                 args.replications, 0.95)
            except ValueError as exc:  # a ScenarioError too: a --decide the scenario refuses
                _error(exc)
                return 2
        print(_heading(scenario, args.overrides))
        try:
            with warnings.catch_warnings(), override_origin(
                    "--decide" if args.decisions else "decision", typed):
                warnings.simplefilter("ignore", CapacityWarning)
                result = plan(scenario, dict(args.targets),
                              decisions=dict(args.decisions) or None,
                              replications=args.replications, seed=args.seed,
                              executor=args.scheduler or args.workers,
                              progress=not args.quiet)
        except (PlanError, SweepError, ImportError) as exc:
            _error(exc)
            return 2
        except ValueError as exc:  # a bad target or decision (a ScenarioError is handled
            _error(exc)            # by the entry point the same way)
            return 2
        print()
        print(report(result))
        if args.out is not None:
            try:
                args.out.mkdir(parents=True, exist_ok=True)
                result.scenario.to_toml(args.out / "plan.toml")
                result.trace.to_csv(args.out / "trace.csv", index=False)
                result.sla.to_csv(args.out / "sla.csv", index=False)
            except OSError as exc:
                _error(f"cannot write results to {args.out}: {exc.strerror or exc}")
                return 1
            print(f"\nWrote {args.out / 'plan.toml'}, trace.csv and sla.csv")
    return 0 if result.verified else 1  # the table above says which targets it misses
