"""The ``supportsim`` command line: ``run`` a scenario or ``check`` it analytically.

Each subcommand is one ``_add_<name>`` function that declares its arguments and one
``_<name>`` handler that takes the parsed namespace and returns an exit code, so adding
``sweep`` or ``breakpoint`` later touches nothing else.

Exit codes: 0 success (capacity warnings included: finding the edge is the point),
1 output could not be written, 2 invalid scenario or usage. Errors are one line on
stderr (``supportsim: error: ...``), never a traceback.
"""

from __future__ import annotations

import argparse
import math
import sys
import tomllib
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import pandas as pd

from supportsim._breakpoint_cli import register as _add_breakpoint
from supportsim._errors import CapacityWarning, ScenarioError
from supportsim.calibrate._cli import register as _add_calibrate
from supportsim.scenario import Scenario, load_scenario
from supportsim.sweep._cli import register as _add_sweep
from supportsim.units import format_duration

__all__ = ["main"]

PROG = "supportsim"
Handler = Callable[[argparse.Namespace], int]


class _UsageError(Exception):
    """Bad command-line usage; reported like a scenario error (one line, exit 2)."""


class _OutputError(Exception):
    """The results could not be written (exit 1)."""


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are exceptions, so main prints one line."""

    def error(self, message: str) -> NoReturn:
        raise _UsageError(message)


# --------------------------------------------------------------------------- messages


def _one_line(text: object) -> str:
    return " ".join(str(text).split())


def _error(message: object) -> None:
    print(f"{PROG}: error: {_one_line(message)}", file=sys.stderr)


@contextmanager
def _warnings_to_stderr() -> Iterator[list[warnings.WarningMessage]]:
    """Collect warnings and print each once as ``supportsim: warning: ...`` on exit.

    The caller may clear the yielded list to drop warnings that no longer apply (those of
    a scenario that overrides have since replaced).
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


# --------------------------------------------------------------------------- arguments


def _override(text: str) -> tuple[str, Any]:
    """``KEY=VALUE`` -> (key, value); the value is read as TOML, else kept as a string.

    ``demand.rate=18`` gives 18, ``horizon="2w"`` and ``horizon=2w`` both give "2w".
    """
    key, sep, raw = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    raw = raw.strip()
    try:
        parsed = tomllib.loads(f"v = {raw}")
    except tomllib.TOMLDecodeError:
        return key, raw
    # A value with a newline could smuggle in more keys ("1\nx = 2"): keep it as text.
    return (key, parsed["v"]) if parsed.keys() == {"v"} else (key, raw)


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


def _add_run(commands: Any) -> None:
    parser = commands.add_parser(
        "run", help="simulate a scenario and report SLA attainment",
        description="Simulate SCENARIO and print SLA attainment, utilisation and backlog.")
    _add_scenario_args(parser)
    parser.add_argument("--replications", "-r", type=_positive_int, metavar="N",
                        help="independent replications (default: the scenario's)")
    parser.add_argument("--seed", type=_seed, metavar="S",
                        help="root random seed (default: the scenario's, else fresh)")
    parser.add_argument("--out", type=Path, metavar="DIR",
                        help="write tickets.parquet, sla.csv, summary.csv, scenario.toml "
                             "and figures (PNG) to DIR")
    parser.set_defaults(handler=_run)


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


def _wait(hours: float) -> str:
    if math.isnan(hours):
        return "-"
    if math.isinf(hours):
        return "unbounded"
    return f"{hours * 60:.1f} min" if hours < 1 else f"{hours:.2f} h"


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
    changed = ", ".join(f"{key}={value!r}" for key, value in overrides)
    return f"{scenario.name}{source}" + (f"\noverrides: {changed}" if changed else "")


# --------------------------------------------------------------------------- run


def _sla_section(sla: pd.DataFrame) -> str:
    rows = pd.DataFrame({
        "priority": sla["priority"].astype(str),
        "clock": sla["clock"],
        "response": [_duration(h) for h in sla["response_target"]],
        "met (95% CI)": [_share(r.response_attainment, r.response_attainment_low,
                                r.response_attainment_high) for r in sla.itertuples()],
        "resolution": [_duration(h) for h in sla["resolution_target"]],
        "met (95% CI) ": [_share(r.resolution_attainment, r.resolution_attainment_low,
                                 r.resolution_attainment_high) for r in sla.itertuples()],
        "tickets": [f"{n:,}" for n in sla["tickets"]],
    })
    return "SLA attainment (targets, share met, mean across replications)\n" + _table(rows)


def _summary_section(summary: pd.DataFrame) -> str:
    metrics = summary.set_index("metric")
    util = [m for m in metrics.index if m.startswith("utilisation_")]
    rows = pd.DataFrame({
        "tier": [m.removeprefix("utilisation_") for m in util],
        "utilisation (95% CI)": [_share(*metrics.loc[m, ["value", "low", "high"]])
                                 for m in util],
    })
    lines = ["Utilisation (busy / on-duty agent-hours)", _table(rows), "", "Headline"]
    backlog = metrics.loc["backlog_at_end"]
    headline = {
        "tickets per replication": f"{metrics.loc['tickets', 'value']:,.0f} (after warm-up)",
        "mean wait (wall clock)": _wait(metrics.loc["mean_wait", "value"]),
        "90th percentile wait": _wait(metrics.loc["p90_wait", "value"]),
        "abandoned": _share(metrics.loc["abandoned_share", "value"]).strip(),
        "backlog at end": f"{backlog['value']:.1f} open tickets "
                          f"[{max(backlog['low'], 0.0):.1f}, {backlog['high']:.1f}]",
    }
    width = max(len(k) for k in headline)
    lines += [f"  {k.ljust(width)}  {v}" for k, v in headline.items()]
    return "\n".join(lines)


def _run_report(result: Any, overrides: Sequence[tuple[str, Any]] = ()) -> str:
    scenario = result.scenario
    head = (f"{_heading(scenario, overrides)}\n"
            f"horizon {_duration(scenario.horizon)}, warm-up {_duration(scenario.warmup)}, "
            f"{result.replications} replication{'s' if result.replications != 1 else ''}, "
            f"seed {result.seed}")
    return "\n\n".join([head, _sla_section(result.sla()), _summary_section(result.summary())])


def _write_outputs(result: Any, directory: Path) -> list[Path]:
    import matplotlib

    # A headless backend for the command line, but never switch one a session (a
    # notebook calling main) has already chosen through pyplot.
    if "matplotlib.pyplot" not in sys.modules:
        matplotlib.use("Agg")
    from supportsim.plot import save_figures

    try:
        directory.mkdir(parents=True, exist_ok=True)
        paths = [directory / name for name in ("tickets.parquet", "sla.csv", "summary.csv",
                                               "scenario.toml")]
        result.tickets.to_parquet(paths[0], index=False)
        result.sla().to_csv(paths[1], index=False)
        result.summary().to_csv(paths[2], index=False)
        _reproducible(result).to_toml(paths[3])
        return paths + save_figures(result, directory)
    except OSError as exc:
        raise _OutputError(f"cannot write results to {directory}: {exc.strerror or exc}") from exc


def _reproducible(result: Any) -> Scenario:
    """The scenario with the seed and replications actually used, so it reruns exactly."""
    with warnings.catch_warnings():
        # Its capacity was reported when it was loaded.
        warnings.simplefilter("ignore", CapacityWarning)
        scenario: Scenario = result.scenario.with_overrides(
            {"seed": result.seed, "replications": result.replications})
    return scenario


def _run(args: argparse.Namespace) -> int:
    from supportsim.simulate import simulate

    with _warnings_to_stderr() as caught:
        scenario = _load(args, caught)
    # A second collector, so the capacity warnings show before a long simulation starts.
    with _warnings_to_stderr():
        result = simulate(scenario, replications=args.replications, seed=args.seed)
        print(_run_report(result, args.overrides))
        if args.out is not None:
            written = _write_outputs(result, args.out)
            print(f"\nWrote {len(written)} files:")
            print("\n".join(f"  {path}" for path in written))
    return 0


# --------------------------------------------------------------------------- check


def _load(args: argparse.Namespace, caught: list[warnings.WarningMessage]) -> Scenario:
    scenario = load_scenario(args.scenario)
    if args.overrides:
        # Only the final scenario's capacity matters: drop the file's own warnings.
        caught.clear()
        scenario = scenario.with_overrides(dict(args.overrides))
    return scenario


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
