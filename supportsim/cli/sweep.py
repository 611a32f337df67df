"""``supportsim sweep SWEEP.toml``: run a sweep file and report it.

Registered by :mod:`supportsim.cli` through :func:`register`. Exit codes: 0 success,
1 some tasks failed (their results are missing; the rest is written) or the outputs could
not be written, 2 a bad sweep file, usage, store or scheduler. Errors are one line on
stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import math
import shlex
import sys
import warnings
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from supportsim.cli._common import (
    PROG,
    _error,
    _override,
    _positive_int,
    _seed,
    _table,
    _warnings_to_stderr,
    add_executor_args,
    with_set,
)
from supportsim.cli._common import _share as _share_text
from supportsim.cli._report import add_report_argument, check_report, command_line, write_html
from supportsim.scenario._written import written_toml

if TYPE_CHECKING:
    pass

__all__ = ["register", "run"]

_MAX_FAILURES_SHOWN = 10


def register(commands: Any) -> None:
    """Add the ``sweep`` sub-command to the ``supportsim`` sub-parsers `commands`."""
    parser = commands.add_parser(
        "sweep", help="run a sweep file: variants x replications in parallel, resumable",
        description="Run every variant (factor values x strategy) of SWEEP in every "
                    "replication, on local processes or a Dask cluster, and print SLA "
                    "attainment, capacity and headline figures per variant.")
    parser.add_argument("sweep", metavar="SWEEP", help="sweep TOML file (docs/sweeps.md)")
    parser.add_argument("--replications", "-r", type=_positive_int, metavar="N",
                        help="replications per variant (default: the sweep file's, else "
                             "the base scenario's)")
    parser.add_argument("--seed", type=_seed, metavar="S",
                        help="root random seed (default: the sweep file's, else the base "
                             "scenario's, else fresh)")
    parser.add_argument(
        "--set", dest="overrides", metavar="KEY=VALUE", type=_override, action="append",
        default=[], help="override a dotted key of the base scenario, value as TOML "
                         "(repeatable), e.g. --set 'horizon=\"8w\"'; factors and "
                         "strategies apply on top")
    add_executor_args(parser)
    parser.add_argument("--out", type=Path, metavar="DIR",
                        help="write sweep.parquet, sweep.csv, sla.csv, summary.csv, "
                             "failures.csv, (with [costs]) frontier.csv, verdicts.csv (with "
                             "goals), lines.png and heatmap.png (two factors) to DIR, and keep "
                             "finished tasks in DIR/store")
    parser.add_argument("--resume", action="store_true",
                        help="continue the sweep in --out DIR: reuse finished tasks, run "
                             "the rest")
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    parser.add_argument(
        "--select", metavar="METRIC",
        help="instead of running the whole grid, select the best variant on METRIC (e.g. "
             "P1.response, wait) by Kim & Nelson's KN: replications are added only for "
             "the variants still in contention (docs/analysis.md)")
    parser.add_argument("--indifference", type=_positive_float, metavar="X",
                        help="with --select: the smallest difference worth detecting, in "
                             "the metric's unit (default 0.01, one point, for shares)")
    parser.add_argument(
        "--by", action="append", metavar="KEY",
        help="a factor that is a condition (what the desk faces, not a choice): the "
             "frontier and --select compare variants only within each of its values "
             "(repeatable; default: the factors under demand., initial., and horizon, "
             "warmup, start; 'none': compare every variant with every other)")
    add_report_argument(parser, "sweep")
    parser.set_defaults(handler=run)


def _by(args: argparse.Namespace, factors: Any) -> list[str] | None:
    """The condition keys of ``--by`` (None: the default rule); ValueError naming a key
    that is not a factor."""
    if args.by is None:
        return None
    if args.by == ["none"]:
        return []
    if "none" in args.by:
        raise ValueError(f"--by none compares every variant with every other; it cannot "
                         f"go with other keys, got {args.by}")
    from supportsim.sweeps._conditions import condition_keys

    try:
        return condition_keys(list(factors), args.by)
    except ValueError as exc:
        raise ValueError(f"--{exc}") from None  # "--by: 'x' is not a factor ..."


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text!r}")
    return value


def _select(args: argparse.Namespace) -> int:
    """``--select METRIC``: KN on the sweep file's variants; prints the selection."""
    from supportsim.analysis._metric_names import resolve_metric
    from supportsim.sequential import select_best
    from supportsim.sweeps._file import load_sweep

    # KN decides after each round of replications which variants stay in contention, so
    # it runs them one at a time in this process: --workers 1 says just that.
    clashes = [flag for flag, given in (("--out", args.out), ("--resume", args.resume),
                                        ("--replications", args.replications),
                                        (f"--workers {args.workers}",
                                         args.workers is not None and args.workers > 1),
                                        ("--scheduler", args.scheduler)) if given]
    if clashes:
        _error(f"--select runs its own replications, one at a time, in this process "
               f"(as --workers 1; it adds them while variants stay in contention); it does "
               f"not take {', '.join(clashes)}")
        return 2
    with _warnings_to_stderr():
        spec = load_sweep(args.sweep)
        if args.overrides:
            spec = replace(spec, base=with_set(spec.base, args.overrides))
        try:
            metric = resolve_metric(args.select, spec.base)
        except ValueError as exc:
            _error(f"--select: {exc}")
            return 2
        delta = args.indifference
        if delta is None:
            if metric.unit != "share":
                _error(f"--select {args.select}: give --indifference in the metric's unit "
                       f"({metric.unit or 'its own'})")
                return 2
            delta = 0.01
        from supportsim.sweeps._grid import build_variants

        variants = build_variants(spec.factors, spec.strategies, str(spec.path))
        seed = args.seed if args.seed is not None else spec.seed
        try:
            by = _by(args, spec.factors)
            selection = select_best(spec, args.select, indifference=delta, seed=seed, by=by)
        except ValueError as exc:
            _error(f"--select: {exc}")
            return 2
        print(f"Sweep {spec.name} ({spec.path}): {len(variants)} variants\n")
        print(repr(selection))
    return 0


# --------------------------------------------------------------------------- report


def _share(value: float, low: float, high: float) -> str:
    return _share_text(value, low, high).strip()


def _number(value: float, digits: int = 1) -> str:
    if math.isnan(value):
        return "n/a"
    return f"{value + 0.0:.{digits}f}".replace(f"-0.{'0' * digits}", f"0.{'0' * digits}")


def _sla_section(result: Any) -> str:
    import pandas as pd

    sla = result.sla()
    rows = {
        "variant": sla["variant"].astype(str),
        "priority": sla["priority"].astype(str),
        "response met (95% CI)": [_share(r.response_attainment, r.response_attainment_low,
                                         r.response_attainment_high)
                                  for r in sla.itertuples()],
        "resolution met (95% CI)": [_share(r.resolution_attainment,
                                           r.resolution_attainment_low,
                                           r.resolution_attainment_high)
                                    for r in sla.itertuples()],
        "tickets per replication": [f"{n:,.0f}" for n in sla["tickets_per_replication"]],
    }
    return ("SLA attainment per variant (mean across replications)\n"
            + _table(pd.DataFrame(rows)))


def _capacity_section(summary: Any) -> str:
    import pandas as pd

    util = [c for c in summary.columns if c.startswith("utilisation_")
            and not c.endswith(("_low", "_high"))]
    rows: dict[str, Any] = {"variant": summary["variant"].astype(str)}
    for column in util:
        rows[f"util {column.removeprefix('utilisation_')}"] = [
            "n/a" if math.isnan(v) else f"{v:.1%}" for v in summary[column]]
    for column in util:  # overtime only where someone works past a shift's end
        overtime = column.replace("utilisation_", "overtime_")
        if overtime in summary and (summary[overtime] > 0).any():
            rows[f"overtime {overtime.removeprefix('overtime_')} h/wk"] = [
                _number(v) for v in summary[overtime]]
    rows["backlog at end"] = [_number(v) for v in summary["backlog_at_end"]]
    rows["growth/h [95% CI]"] = [
        f"{_number(g, 2)} [{_number(lo, 2)}, {_number(hi, 2)}]"
        for g, lo, hi in zip(summary["backlog_growth"], summary["backlog_growth_low"],
                             summary["backlog_growth_high"], strict=True)]
    return ("Capacity per variant (utilisation = busy / paid agent-hours, paid = on duty + "
            "overtime\nfinishing tickets after a shift; growth = backlog trend over the second "
            "half of\nthe scored window, tickets per hour)\n"
            + _table(pd.DataFrame(rows)))


def _headline(result: Any, summary: Any) -> str:
    sla = result.sla()
    util = [c for c in summary.columns if c.startswith("utilisation_")
            and not c.endswith(("_low", "_high"))]
    lines = {}
    for kind in ("response", "resolution"):
        column = f"{kind}_attainment"
        if sla[column].notna().any():
            worst = sla.loc[sla[column].idxmin()]
            lines[f"lowest {kind} attainment"] = (
                f"{worst[column]:.1%} ({worst['priority']}, {worst['variant']})")
    from supportsim.sweeps._overload import MATERIAL_GROWTH

    load = result.overload()
    over = load[load["overloaded"]]
    reasons = [_reason(row) for row in over.itertuples()]
    lines["overloaded"] = (
        f"{len(over)} of {len(load)} variants"
        + (f": {', '.join(reasons[:5])}{', ...' if len(reasons) > 5 else ''}"
           if reasons else ""))
    busiest = summary.loc[summary[util].max(axis=1).idxmax()] if util else None
    if busiest is not None:
        tier = busiest[util].astype(float).idxmax().removeprefix("utilisation_")
        lines["highest utilisation"] = (f"{busiest[util].max():.1%} ({tier}, "
                                        f"{busiest['variant']})")
    width = max(len(k) for k in lines)
    return ("Headline (overloaded: offered load >= agents on duty at a tier, or the backlog "
            f"growing by >= {MATERIAL_GROWTH:.0%}\nof arrivals per hour at 95% confidence; "
            "docs/sweeps.md)\n"
            + "\n".join(f"  {k.ljust(width)}  {v}" for k, v in lines.items()))


def _reason(row: Any) -> str:
    """``name (l2 offered 104%; backlog +3.1/h)``: why a variant counts as overloaded."""
    why = []
    if row.offered_utilisation >= 1:
        why.append(f"{row.offered_tier} offered {row.offered_utilisation:.0%}")
    if row.growing:
        why.append(f"backlog +{row.backlog_growth:.2g}/h")
    return f"{row.variant} ({'; '.join(why)})"


def report(spec: Any, result: Any, overrides: Any = (), by: list[str] | None = None) -> str:
    """The text printed after a sweep: what ran, SLA, capacity and headline figures."""
    variants = len(result.variants)
    tasks = variants * result.replications
    failed = len(result.failures)
    scenario = result.scenario
    source = f" ({scenario.source})" if scenario.source else ""
    changed = ", ".join(f"{key}={written_toml(value)}" for key, value in overrides)
    head = (f"Sweep {spec.name} ({spec.path})\n"
            f"base: {scenario.name}{source}, seed {result.seed}\n"
            + (f"base overrides: {changed}\n" if changed else "") +
            f"{variants} variants x {result.replications} replications = {tasks} tasks: "
            f"{result.tasks_run - failed} run, {result.tasks_reused} reused, {failed} failed"
            f"; {result.executor}, {result.wall_seconds:.1f} s")
    if result.table.empty:
        return head
    summary = result.summary()
    from supportsim.cli._costs import sweep_costs_section
    from supportsim.cli._verdicts import sweep_verdict_section

    costs = sweep_costs_section(result, summary, by)
    goals = sweep_verdict_section(result.verdicts())
    return "\n\n".join([head, _sla_section(result), *([goals] if goals else []),
                        _capacity_section(summary), *([costs] if costs is not None else []),
                        _headline(result, summary)])


# --------------------------------------------------------------------------- outputs


def _write(result: Any, directory: Path, by: list[str] | None = None) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = {name: directory / name for name in (
        "sweep.parquet", "sweep.csv", "sla.csv", "summary.csv", "failures.csv")}
    result.table.to_parquet(paths["sweep.parquet"], index=False)
    result.table.to_csv(paths["sweep.csv"], index=False)
    result.sla().to_csv(paths["sla.csv"], index=False)
    result.summary().to_csv(paths["summary.csv"], index=False)
    result.failures.to_csv(paths["failures.csv"], index=False)
    written = list(paths.values())
    if any(c.startswith("cost_") for c in result.table.columns):
        from supportsim.pareto import frontier

        written.append(directory / "frontier.csv")
        frontier(result, by=by).to_csv(written[-1], index=False)
    verdicts = result.verdicts()
    if not verdicts.empty:
        written.append(directory / "verdicts.csv")
        verdicts.to_csv(written[-1], index=False)
    return written + _write_figures(result, directory)


def _write_figures(result: Any, directory: Path) -> list[Path]:
    """``lines.png`` over the first factor; ``heatmap.png`` over the first two."""
    if result.table.empty or not result.factors:
        return []
    import matplotlib

    if "matplotlib.pyplot" not in sys.modules:  # never switch a notebook's backend
        matplotlib.use("Agg")
    from supportsim.plot import sweep_heatmap, sweep_lines

    figures = {"lines.png": lambda: sweep_lines(result)}
    if len(result.factors) >= 2 and all(len(v) == 1 for v in list(result.factors.values())[2:]):
        figures["heatmap.png"] = lambda: sweep_heatmap(result)
    written = []
    for name, draw in figures.items():
        written.append(directory / name)
        draw().savefig(written[-1], dpi=150)
    return written


def _failures(result: Any) -> None:
    rows = list(result.failures.itertuples())
    for row in rows[:_MAX_FAILURES_SHOWN]:
        _error(f"variant {row.variant!r} replication {row.replication} failed: "
               f"{row.error}: {row.message}")
    if len(rows) > _MAX_FAILURES_SHOWN:
        _error(f"... and {len(rows) - _MAX_FAILURES_SHOWN} more failed tasks "
               "(failures.csv lists them all)")


# --------------------------------------------------------------------------- handler


def run(args: argparse.Namespace) -> int:
    """Handle ``supportsim sweep``; returns the exit code."""
    from supportsim._errors import CapacityWarning
    from supportsim.sweeps._executors import SweepError
    from supportsim.sweeps._file import load_sweep
    from supportsim.sweeps._run import SweepFailureWarning

    if args.select is not None:
        return _select(args)
    if args.indifference is not None:
        _error("--indifference goes with --select METRIC")
        return 2
    if args.resume and args.out is None:
        _error("--resume needs --out DIR, the directory of the sweep to continue "
               f"(see '{PROG} sweep --help')")
        return 2
    if args.out is not None:
        from supportsim.cli._common import check_output

        check_output(args.out, directory=True)  # refused before the sweep runs, not after
    check_report(args.report)
    store = None if args.out is None else args.out / "store"
    if store is not None and not args.resume and store.exists() and any(store.iterdir()):
        _error(f"{store} already holds a sweep; pass --resume to continue it, or choose "
               "another --out DIR")
        return 2
    with _warnings_to_stderr():
        spec = load_sweep(args.sweep)
        if args.overrides:
            with warnings.catch_warnings():
                # Overload is what a sweep measures (as load against capacity).
                warnings.simplefilter("ignore", CapacityWarning)
                spec = replace(spec, base=with_set(spec.base, args.overrides))
        try:
            by = _by(args, spec.factors)
        except ValueError as exc:
            _error(exc)
            return 2
        executor = args.scheduler or args.workers
        given = {"replications": args.replications, "seed": args.seed}
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", SweepFailureWarning)  # reported below
                result = spec.run(executor=executor, store=store, progress=not args.quiet,
                                  **{k: v for k, v in given.items() if v is not None})
        except (SweepError, ImportError) as exc:
            _error(exc)
            return 2
        except OSError as exc:
            _error(f"sweep failed: {exc.strerror or exc}"
                   + (f" ({exc.filename})" if exc.filename else ""))
            return 1
        except KeyboardInterrupt:
            if store is not None:
                print(f"{PROG}: interrupted; finished tasks are kept in {store}: rerun with "
                      "--resume to continue", file=sys.stderr)
            raise
        print(report(spec, result, args.overrides, by))
        if args.out is not None:
            try:
                written = _write(result, args.out, by)
            except OSError as exc:
                _error(f"cannot write results to {args.out}: {exc.strerror or exc}")
                return 1
            print(f"\nWrote {len(written)} files and the task store:")
            print("\n".join(f"  {path}" for path in [*written, store]))
        if args.report is not None:
            command = command_line("sweep", args.sweep, result.seed, result.replications,
                                   args.overrides)
            if args.by is not None:  # the report's frontier is drawn within these
                command += "".join(f" --by {shlex.quote(key)}" for key in args.by)
            write_html(lambda path: result.to_html(path, command=command, by=by), args.report)
            print(f"\nWrote the report {args.report}")
    if len(result.failures):
        _failures(result)
        return 1
    return 0
