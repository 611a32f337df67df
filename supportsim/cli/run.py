"""``supportsim run SCENARIO [--vs KEY=VALUE;...]``: simulate and report, or compare variants.

Registered by :mod:`supportsim.cli` through :func:`register`. With ``--vs``, the base and
every variant run on the same root seed and replications, so replication ``r`` of each
draws from the same random streams (common random numbers) and :func:`supportsim.compare`
can pair them: the interval on a difference is then far narrower than two separate ones.
A variant that leaves demand alone sees the very same tickets; one that changes it
(:func:`supportsim.comparison.ticket_changes`) sees other tickets, and says so.
"""

from __future__ import annotations

import argparse
import math
import warnings
from pathlib import Path
from typing import Any

from supportsim._errors import CapacityWarning, ScenarioError
from supportsim.cli._common import (
    _add_scenario_args,
    _load,
    _one_line,
    _positive_int,
    _seed,
    _UsageError,
    _warnings_to_stderr,
    parse_variant,
)
from supportsim.cli._report import add_report_argument, check_report, command_line, write_html
from supportsim.cli._run_blocks import _run_report
from supportsim.cli._run_files import _headless, _slug, _write_comparison, _write_outputs
from supportsim.cli._verdicts import add_window_arg, window_of
from supportsim.cli._vs_blocks import _COMPARE_COLUMNS, BASE, _variant_report
from supportsim.scenario import Scenario

__all__ = ["register", "run"]


# --------------------------------------------------------------------------- arguments


def _variant(text: str) -> tuple[str, dict[str, Any]]:
    """``[LABEL:]KEY=VALUE;KEY=VALUE`` -> (label, overrides) (:func:`parse_variant`)."""
    label, overrides = parse_variant(text)
    if label == BASE:
        raise argparse.ArgumentTypeError(f"the label {BASE!r} names the scenario itself")
    if label in _COMPARE_COLUMNS:
        raise argparse.ArgumentTypeError(
            f"the label {label!r} is a column of the comparison table; choose another")
    return label, overrides


def _precision(text: str) -> tuple[str, float]:
    """``METRIC=HALF_WIDTH`` -> (metric, half-width > 0); the name is checked later
    against the scenario (:mod:`supportsim.analysis._metric_names`)."""
    name, sep, value = text.partition("=")
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not sep or not name.strip() or not math.isfinite(number) or number <= 0:
        raise argparse.ArgumentTypeError(
            f"must be METRIC=HALF_WIDTH with a positive half-width in the metric's unit, "
            f"e.g. P1.response=0.01 (one point of attainment) or wait=0.05 (hours), "
            f"got {text!r}")
    return name.strip(), number


def register(commands: Any) -> None:
    """Add the ``run`` sub-command to the ``supportsim`` sub-parsers `commands`."""
    parser = commands.add_parser(
        "run", help="simulate a scenario and report SLA attainment",
        description="Simulate SCENARIO and print SLA attainment, utilisation and backlog. "
                    "With --vs, also simulate each variant on common random numbers (same "
                    "seed and replications: the same tickets unless it changes demand) "
                    "and print its paired comparison with the base.")
    _add_scenario_args(parser)
    parser.add_argument("--replications", "-r", type=_positive_int, metavar="N",
                        help="independent replications (default: the scenario's)")
    parser.add_argument("--seed", type=_seed, metavar="S",
                        help="root random seed (default: the scenario's, else fresh)")
    parser.add_argument("--max-tickets", type=_positive_int, metavar="N",
                        help="refuse to start if more than N tickets are expected in memory "
                             "at once (default 8,000,000; `check` prints the estimate)")
    parser.add_argument(
        "--precision", metavar="METRIC=HALF_WIDTH", type=_precision, action="append",
        default=[], help="add replications until the 95%% interval of METRIC is at most "
                         "HALF_WIDTH wide on each side (repeatable), e.g. "
                         "P1.response=0.01 or wait=0.05; --replications is then the pilot")
    parser.add_argument("--max-replications", type=_positive_int, metavar="N",
                        help="cap of --precision (default 200)")
    parser.add_argument(
        "--vs", dest="variants", metavar="[LABEL:]KEY=VALUE;...", type=_variant,
        action="append", default=[],
        help="a variant to compare with the scenario (repeatable): ';'-separated overrides "
             "read like --set, e.g. --vs team.structure=swarming or "
             "--vs 'swarm30:team.structure=swarming;team.swarm.overhead=0.3'")
    parser.add_argument("--out", type=Path, metavar="DIR",
                        help="write tickets.parquet, sla.csv, summary.csv, scenario.toml, "
                             "costs.csv (with [costs]), abandonment.csv, verdicts.csv (with "
                             "goals) and figures (PNG) to DIR (sla, abandonment and verdicts "
                             "over --window if given); with --vs also compare_LABEL.csv, "
                             "compare_LABEL.png and scenario_LABEL.toml per variant")
    add_report_argument(parser, "run (and of each --vs comparison)")
    add_window_arg(parser)
    parser.add_argument("--quiet", "-q", action="store_true",
                        help="no progress bar (shown on a terminal for runs that take more "
                             "than a couple of seconds)")
    parser.set_defaults(handler=run)


# --------------------------------------------------------------------------- handler


def _variants(scenario: Scenario, specs: list[tuple[str, dict[str, Any]]],
              caught: list[warnings.WarningMessage]) -> list[tuple[str, Scenario]]:
    """Each ``--vs`` applied to the base, checked before anything is simulated.

    A variant's capacity warnings that the base does not share are re-issued with its
    label, so the one-line warning says which variant overloads a tier.
    """
    labels = [label for label, _ in specs]
    if len(set(labels)) != len(labels):
        raise _UsageError(f"--vs labels must be distinct, got {labels}; name them LABEL:...")
    slugs = [_slug(label) for label in labels]
    if len(set(slugs)) != len(slugs):
        raise _UsageError(f"--vs labels {labels} give clashing file names {slugs}; "
                          "name them LABEL:...")
    from supportsim.capacity import warn_if_overloaded

    known = {_one_line(item.message) for item in caught}
    out = []
    for label, overrides in specs:
        with warnings.catch_warnings(record=True) as mine:
            warnings.simplefilter("always", CapacityWarning)
            try:
                variant = scenario.with_overrides(overrides)
            except ScenarioError as exc:
                raise ScenarioError(f"--vs {label}: {exc}") from exc
            warn_if_overloaded(variant)
        for item in mine:
            if _one_line(item.message) not in known:
                warnings.warn(f"--vs {label}: {item.message}", item.category, stacklevel=1)
        if variant.priority_names != scenario.priority_names:
            raise _UsageError(f"--vs {label}: a variant must keep the priorities "
                              f"{scenario.priority_names} to be compared, got "
                              f"{variant.priority_names}")
        out.append((label, variant))
    return out


def _checked_precision(scenario: Scenario, args: argparse.Namespace
                       ) -> dict[str, float] | None:
    """``--precision`` as ``simulate(precision=...)``, names checked before anything runs."""
    if not args.precision:
        if args.max_replications is not None:
            raise _UsageError("--max-replications is the cap of --precision; without it "
                              "give the count with --replications")
        return None
    from supportsim.sequential._precision import parse_precision

    precision: dict[str, float] = {}
    for name, width in args.precision:  # a dict would keep the last silently
        if name in precision:
            raise _UsageError(f"--precision {name} is given twice ({precision[name]:g} and "
                              f"{width:g}): give each metric once")
        precision[name] = width
    try:
        parse_precision(precision, scenario)
    except ValueError as exc:
        raise _UsageError(f"--precision: {exc}") from None
    pilot = args.replications or scenario.replications
    if pilot < 2:
        raise _UsageError(f"--precision needs a pilot of at least 2 replications, got {pilot}")
    if args.max_replications is not None and args.max_replications < pilot:
        raise _UsageError(f"--max-replications {args.max_replications} is below the pilot "
                          f"of {pilot} replications")
    return precision


def run(args: argparse.Namespace) -> int:
    """Handle ``supportsim run``; returns the exit code."""
    from supportsim.capacity import warn_if_overloaded
    from supportsim.comparison import compare
    from supportsim.simulation import DEFAULT_MAX_TICKETS, estimate_size, resolve_seed, simulate

    if args.out is not None:
        from supportsim.cli._common import check_output

        check_output(args.out, directory=True)  # refused before the simulation, not after
    check_report(args.report)
    with _warnings_to_stderr() as caught:
        scenario = _load(args)
        warn_if_overloaded(scenario)
        variants = _variants(scenario, args.variants, caught)
        precision = _checked_precision(scenario, args)
    # A second collector, so the capacity warnings show before a long simulation starts.
    with _warnings_to_stderr():
        warnings.simplefilter("ignore", CapacityWarning)  # reported just above
        # One seed and one count for all: common random numbers across the variants.
        seed = resolve_seed(scenario, args.seed)
        replications = args.replications or scenario.replications
        # The report needs only per-replication summaries; ticket tables only for the
        # files of --out, the paired comparisons of --vs, the report and the scoring of
        # --window.
        window = window_of(args, scenario)
        keep = (args.out is not None or bool(variants) or args.report is not None
                or window is not None)
        tickets = "keep" if keep else "drop"
        limit = args.max_tickets or DEFAULT_MAX_TICKETS
        for checked in [scenario, *(v for _, v in variants)]:  # all before the first run
            estimate_size(checked, replications, keep=keep).check(limit, checked.source)
        progress = False if args.quiet else None
        result = simulate(scenario, replications=replications, seed=seed, tickets=tickets,
                          max_tickets=limit, progress=progress, precision=precision,
                          max_replications=args.max_replications if precision else None)
        replications = result.replications  # the variants run as many as the base needed
        print(_run_report(result, args.overrides, window), flush=True)
        compared = []
        for (label, variant_scenario), (_, overrides) in zip(variants, args.variants,
                                                              strict=True):
            variant = simulate(variant_scenario, replications=replications, seed=seed,
                               tickets=tickets, max_tickets=limit, progress=progress)
            frame = compare(result, variant, labels=(BASE, label))
            text = _variant_report(result, variant, label, overrides, frame, window)
            print(f"\n\n{text}", flush=True)
            compared.append((label, variant, frame))
        if args.out is not None:
            written = _write_outputs(result, args.out, window)
            for label, variant, frame in compared:
                written += _write_comparison(result, variant, label, _slug(label), frame,
                                             args.out)
            print(f"\nWrote {len(written)} files:")
            print("\n".join(f"  {path}" for path in written))
        if args.report is not None:
            _headless()
            command = command_line("run", args.scenario, seed, replications, args.overrides,
                                   args.variants, args.window)
            vs = {label: variant for label, variant, _ in compared}
            write_html(lambda path: result.to_html(path, vs=vs, command=command,
                                                  window=window), args.report)
            print(f"\nWrote the report {args.report}")
    return 0
