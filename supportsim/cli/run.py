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
import re
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from supportsim._errors import CapacityWarning, ScenarioError
from supportsim.cli._common import (
    _add_scenario_args,
    _duration,
    _heading,
    _load,
    _one_line,
    _OutputError,
    _positive_int,
    _seed,
    _share,
    _table,
    _UsageError,
    _warnings_to_stderr,
    parse_variant,
)
from supportsim.cli._costs import COST_NAMES, costs_section, is_cost, money, money_difference
from supportsim.cli._report import add_report_argument, check_report, command_line, write_html
from supportsim.cli._verdicts import (
    abandonment_section,
    add_window_arg,
    verdict_section,
    window_heading,
    window_of,
)
from supportsim.scenario import Scenario
from supportsim.units import wait_text

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["register", "run"]

BASE = "base"
_SHORT_LABEL = 16  # characters: longer labels show as "variant" in table columns
#: Column names of the printed comparison: a label that reads like one would be ambiguous.
_COMPARE_COLUMNS = ("priority", "metric", "difference", "low", "high", "better")
_RULE = 72  # characters: the widest rule above a variant's section


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


# --------------------------------------------------------------------------- report


def _sla_section(sla: pd.DataFrame, scenario: Scenario) -> str:
    import pandas as pd

    # Targets as the scenario writes them ("3bd", "15min"), not converted to hours.
    targets = [scenario.priorities[str(name)] for name in sla["priority"]]
    rows = pd.DataFrame({
        "priority": sla["priority"].astype(str),
        "clock": sla["clock"],
        "response": [p.target("response") for p in targets],
        "met (95% CI)": [_share(r.response_attainment, r.response_attainment_low,
                                r.response_attainment_high) for r in sla.itertuples()],
        "resolution": [p.target("resolution") for p in targets],
        "met (95% CI) ": [_share(r.resolution_attainment, r.resolution_attainment_low,
                                 r.resolution_attainment_high) for r in sla.itertuples()],
        "tickets": [f"{n:,.0f}" for n in sla["tickets_per_replication"]],
    })
    return ("SLA attainment (targets on each priority's clock; share met and tickets per "
            "replication,\nmeans across replications)\n" + _table(rows))


def _off_duty_hours(scenario: Scenario) -> bool:
    """Whether some agents of the desk have hours off (business hours or shifts), so that
    tickets can wait for them overnight or over a weekend; not on a 24x7 desk."""
    return any(hours != "24x7" for tier in scenario.team.tiers.values()
               for hours in ([tier.hours] if tier.groups is None
                             else [group.hours for group in tier.groups.values()]))


def _summary_section(summary: pd.DataFrame, scenario: Scenario) -> str:
    import pandas as pd

    metrics = summary.set_index("metric")
    util = [m for m in metrics.index if m.startswith("utilisation_")]
    rows = pd.DataFrame({
        "tier": [m.removeprefix("utilisation_") for m in util],
        "utilisation (95% CI)": [_share(*metrics.loc[m, ["value", "low", "high"]])
                                 for m in util],
        "overtime, agent-h/week (95% CI)": [
            _number(metrics.loc[m.replace("utilisation_", "overtime_")]) for m in util],
    })
    lines = ["Utilisation (busy / paid agent-hours; paid = on duty + overtime, the time "
             "spent\n"
             "finishing the ticket in hand after a shift ends)", _table(rows), "",
             "Headline (times in wall-clock hours, whatever a priority's SLA clock)"]
    backlog = metrics.loc["backlog_at_end"]

    def times(name: str) -> str:
        return (f"median {wait_text(metrics.loc[f'median_{name}', 'value'])}, "
                f"mean {wait_text(metrics.loc[f'mean_{name}', 'value'])}, "
                f"90th percentile {wait_text(metrics.loc[f'p90_{name}', 'value'])}")

    headline = {
        "tickets per replication":
            f"{metrics.loc['tickets_per_replication', 'value']:,.0f} (after warm-up)",
        "wait for first response": times("wait"),
        "resolution time": times("resolution_time"),
        "abandoned": _share(metrics.loc["abandoned_share", "value"]).strip(),
        "backlog at end": f"{backlog['value']:.1f} open tickets "
                          f"[{backlog['low']:.1f}, {backlog['high']:.1f}]",
    }
    width = max(len(k) for k in headline)
    lines += [f"  {k.ljust(width)}  {v}" for k, v in headline.items()]
    median = metrics.loc["median_wait", "value"]
    if metrics.loc["mean_wait", "value"] > 2 * median:  # else it reads like a bug
        most = ("most tickets are answered at once" if median == 0
                else "most tickets wait briefly")
        why = (", e.g. overnight or over a weekend,\n   when their agents are off duty"
               if _off_duty_hours(scenario) else " in busy spells")
        lines.append(f"  (mean wait far above the median: {most},\n   a few wait long{why})")
    return "\n".join(lines)


def _number(row: pd.Series) -> str:
    text = f"{row['value']:.1f}"
    if not (math.isnan(row["low"]) or math.isnan(row["high"])):
        text += f" [{row['low']:.1f}, {row['high']:.1f}]"
    return text


def _workforce_section(scenario: Scenario, summary: pd.DataFrame) -> str | None:
    """Agents on duty, effective FTE and, where their mechanism is on, vacancies, reserve
    and leavers; None without ``[workforce]`` (a block of zeros would only mislead)."""
    workforce = scenario.workforce
    if workforce is None:
        return None
    metrics = summary.set_index("metric")
    rows = {
        "agents on duty": ("on_duty", "mean, reserve included"),
        "effective FTE": ("effective_fte", "on duty weighted by proficiency"),
    }
    if workforce.attrition is not None:
        rows["vacancies"] = ("vacancies", "mean seats empty")
    if workforce.reserve is not None:
        rows["reserve on duty"] = ("reserve_on_duty", "mean")
        rows["reserve activations"] = ("reserve_activations", "per replication, whole run")
    if workforce.attrition is not None:
        rows["leavers"] = ("leavers", "per replication, whole run")
    values = {name: _number(metrics.loc[metric]) for name, (metric, _) in rows.items()}
    width = max(len(name) for name in rows)
    column = max(len(v) for v in values.values())
    lines = ["Workforce (after warm-up, mean across replications with 95% CI)"]
    lines += [f"  {name.ljust(width)}  {values[name].ljust(column)}  {note}"
              for name, (_, note) in rows.items()]
    return "\n".join(lines)


def _run_report(result: Any, overrides: Sequence[tuple[str, Any]] = (),
                window: tuple[float, float] | None = None) -> str:
    scenario = result.scenario
    summary = result.summary()
    found = getattr(result, "auto_warmup", None)
    auto = "" if found is None else (" (found by MSER-5)" if found.settled
                                     else " (MSER-5; the series does not settle)")
    head = (f"{_heading(scenario, overrides)}\n"
            f"horizon {_duration(scenario.horizon)}, warm-up {_duration(scenario.warmup)}"
            f"{auto}, "
            f"{result.replications} replication{'s' if result.replications != 1 else ''}, "
            f"seed {result.seed}")
    if getattr(result, "precision", None) is not None:
        head += "\n" + str(result.precision)
    if window is not None:
        head += (f"\n{window_heading(window, scenario)};\nutilisation, headline, "
                 "workforce and costs cover the whole run")
    parts = [head, _sla_section(result.sla(window=window), result.scenario)]
    overall = result.abandonment(by=(), window=window)["abandoned_share"]
    parts += [verdict_section(result.verdicts(window=window)),
              abandonment_section(result.abandonment(window=window),
                                  float(overall.iloc[0]) if len(overall) else math.nan),
              _summary_section(summary, scenario), _workforce_section(scenario, summary) or "",
              costs_section(result) or ""]
    return "\n\n".join(part for part in parts if part)


# --------------------------------------------------------------------------- comparison

_METRIC_NAMES = {
    "response_attainment": "response met",
    "resolution_attainment": "resolution met",
    "mean_resolution_time": "mean resolution",
    "p90_resolution_time": "p90 resolution",
    **COST_NAMES,
}


def _short(label: str) -> str:
    return label if len(label) <= _SHORT_LABEL else "variant"


def _level(value: float, metric: str) -> str:
    if math.isnan(value):
        return "n/a"
    if is_cost(metric):
        return money(value, 2 if metric == "cost_per_resolved_ticket" else 0)
    return f"{value:.1%}" if metric.endswith("attainment") else wait_text(value)


def _difference(row: Any, share: bool) -> str:
    """``+3.1 pp [+1.0, +5.2]`` for shares; minutes or hours, by size, for times."""
    if math.isnan(row.difference):
        return "n/a"
    values = [row.difference, row.low, row.high]
    if share:
        scale, unit = 100.0, "pp"
    else:
        biggest = max(abs(v) for v in values if not math.isnan(v))
        scale, unit = (60.0, "min") if biggest < 1 else (1.0, "h")
    digits = 1 if scale != 1.0 or share else 2
    text = f"{row.difference * scale:+.{digits}f} {unit}"
    if not (math.isnan(row.low) or math.isnan(row.high)):
        text += f" [{row.low * scale:+.{digits}f}, {row.high * scale:+.{digits}f}]"
    return text


def _comparison_section(frame: pd.DataFrame, label: str, seed: int, replications: int,
                        ticket_keys: Sequence[str] = ()) -> str:
    """The paired differences ``variant - base`` per priority and metric as a text table;
    `ticket_keys`: the variant's changes that give it other tickets than the base's."""
    import pandas as pd

    name = _short(label)
    rows = pd.DataFrame({
        "priority": frame["priority"].astype(str),
        "metric": [_METRIC_NAMES.get(m, m) for m in frame["metric"]],
        BASE: [_level(v, m) for v, m in zip(frame["baseline_value"], frame["metric"],
                                            strict=True)],
        name: [_level(v, m) for v, m in zip(frame["value"], frame["metric"], strict=True)],
        "difference [95% CI]": [money_difference(r) if is_cost(r.metric)
                                else _difference(r, r.metric.endswith("attainment"))
                                for r in frame.itertuples()],
        "better": [{BASE: BASE, label: name}.get(b, "-") for b in frame["better"]],
    })
    wins = frame["better"].value_counts()
    verdict = (f"{name} better on {wins.get(label, 0)}, {BASE} better on {wins.get(BASE, 0)}, "
               f"no clear difference on {int((frame['better'] == '').sum())} "
               f"of {len(frame)} (priority x metric)")
    runs = f"seed {seed}, {replications} replication{'s' if replications != 1 else ''}"
    tickets = (f" ({runs});\nthe tickets differ: {name} changes {', '.join(ticket_keys)}"
               if ticket_keys else f"\n({runs}: the same tickets)")
    return (f"Paired comparison, {name} − {BASE}, on common random numbers{tickets}\n"
            f"'better' where the 95% interval of the difference excludes 0\n"
            f"{_table(rows)}\n  {verdict}")


def _variant_report(base: Any, variant: Any, label: str, overrides: dict[str, Any],
                    frame: pd.DataFrame, window: tuple[float, float] | None = None) -> str:
    import pandas as pd

    from supportsim.comparison import ticket_changes

    changed = ", ".join(f"{key}={value!r}" for key, value in overrides.items())
    sla = variant.sla(window=window)
    rows = pd.DataFrame({
        "priority": sla["priority"].astype(str),
        "response met (95% CI)": [_share(r.response_attainment, r.response_attainment_low,
                                         r.response_attainment_high).strip()
                                  for r in sla.itertuples()],
        "resolution met (95% CI)": [_share(r.resolution_attainment,
                                           r.resolution_attainment_low,
                                           r.resolution_attainment_high).strip()
                                    for r in sla.itertuples()],
    })
    summary_frame = variant.summary()
    summary = summary_frame.set_index("metric")
    tiers = [m.removeprefix("utilisation_") for m in summary.index
             if m.startswith("utilisation_")]
    util = ", ".join(f"{t} {summary.loc[f'utilisation_{t}', 'value']:.1%}" for t in tiers)
    overtime = ", ".join(f"{t} {summary.loc[f'overtime_{t}', 'value']:.1f}" for t in tiers)
    backlog = summary.loc["backlog_at_end", "value"]
    title = f"Variant {label!r} against the {BASE}"
    parts = [f"{'-' * min(len(title), _RULE)}\n{title}\noverrides: {changed}",
             f"SLA attainment ({label})\n{_table(rows)}\n"
             f"  utilisation {util}; backlog at end {backlog:.1f}\n"
             f"  overtime (agent-h/week) {overtime}",
             _comparison_section(frame, label, base.seed, base.replications,
                                 ticket_changes(base.scenario, variant.scenario))]
    verdicts = _verdict_change(base, variant, label, window)
    if verdicts:
        parts.append(verdicts)
    # The base's block already describes a workforce the variant leaves alone.
    changes_workforce = any(key.split(".")[0] == "workforce" for key in overrides)
    workforce = (_workforce_section(variant.scenario, summary_frame)
                 if changes_workforce else None)
    return "\n\n".join(parts if workforce is None else [*parts, workforce])


def _verdict_change(base: Any, variant: Any, label: str,
                    window: tuple[float, float] | None) -> str:
    """The variant's verdicts with the base's next to them; ``""`` without goals."""
    from supportsim.analysis import verdict_changes

    mine = variant.verdicts(window=window)
    if mine.empty:
        return ""
    text = verdict_section(mine, label=label)
    changes = verdict_changes(base.verdicts(window=window), mine)
    changed = [f"{r.priority} {r.target}: {r.baseline_verdict} -> {r.verdict}"
               for r in changes[changes["changed"]].itertuples()]
    if not changed:
        return f"{text}\n  the same verdicts as the {BASE}"
    return f"{text}\n  against the {BASE}:\n" + "\n".join(f"    {c}" for c in changed)


# --------------------------------------------------------------------------- outputs


def _slug(label: str) -> str:
    """A file-name-safe form of a label: ``team.structure=swarming`` ->
    ``team.structure_swarming``."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", label).strip("_.") or "variant"


def _headless() -> None:
    import matplotlib

    # A headless backend for the command line, but never switch one a session (a
    # notebook calling main) has already chosen through pyplot.
    if "matplotlib.pyplot" not in sys.modules:
        matplotlib.use("Agg")


def _reproducible(result: Any) -> Scenario:
    """The scenario with the seed and replications actually used, so it reruns exactly."""
    scenario: Scenario = result.scenario.with_overrides(
        {"seed": result.seed, "replications": result.replications})
    return scenario


def _write_outputs(result: Any, directory: Path,
                   window: tuple[float, float] | None = None) -> list[Path]:
    _headless()
    from supportsim.plot import save_figures

    try:
        directory.mkdir(parents=True, exist_ok=True)
        paths = [directory / name for name in ("tickets.parquet", "sla.csv", "summary.csv",
                                               "scenario.toml", "abandonment.csv")]
        result.tickets.to_parquet(paths[0], index=False)
        result.sla(window=window).to_csv(paths[1], index=False)
        result.summary().to_csv(paths[2], index=False)
        _reproducible(result).to_toml(paths[3])
        if result.scenario.costs is not None:
            paths.append(directory / "costs.csv")
            result.costs().to_csv(paths[-1], index=False)
        result.abandonment(window=window).to_csv(paths[4], index=False)
        verdicts = result.verdicts(window=window)
        if not verdicts.empty:
            paths.append(directory / "verdicts.csv")
            verdicts.to_csv(paths[-1], index=False)
        return paths + save_figures(result, directory)
    except OSError as exc:
        raise _OutputError(f"cannot write results to {directory}: {exc.strerror or exc}") from exc


def _write_comparison(base: Any, variant: Any, label: str, slug: str, frame: pd.DataFrame,
                      directory: Path) -> list[Path]:
    _headless()
    from supportsim.plot import comparison

    paths = [directory / f"compare_{slug}.csv", directory / f"compare_{slug}.png",
             directory / f"scenario_{slug}.toml"]
    try:
        frame.to_csv(paths[0], index=False)
        comparison(base, variant, labels=(BASE, label)).savefig(paths[1], dpi=150)
        _reproducible(variant).to_toml(paths[2])
    except OSError as exc:
        raise _OutputError(f"cannot write results to {directory}: {exc.strerror or exc}") from exc
    return paths


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

    precision = dict(args.precision)
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
