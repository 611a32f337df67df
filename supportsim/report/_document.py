"""The shareable report: one self-contained HTML file for a result, a comparison or a sweep.

Rendered by Jinja2 from the package's templates; figures are embedded PNG data, the CSS is
inline, there is no script and no external reference, so the file opens offline and
prints to PDF (the print CSS keeps tables and figures whole on a page).
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from supportsim.report._blocks import (
    abandonment_table,
    attempts_table,
    cost_table,
    goals_table,
    peaks_table,
    precision_table,
    sweep_cost_table,
    sweep_goals_table,
    warmup_fact,
    window_words,
)
from supportsim.report._display import Table, render, table_from_frame
from supportsim.report._figures import embed, result_figures, sweep_figures
from supportsim.report._layout import assumption_words
from supportsim.report._result import (
    headline_facts,
    sla_table,
    utilisation_table,
    workforce_table,
)
from supportsim.report._scenario import describe, load_table
from supportsim.scenario._written import written_toml

if TYPE_CHECKING:
    import pandas as pd

    from supportsim.analysis._window import Window
    from supportsim.results import SimulationResult
    from supportsim.scenario import Scenario
    from supportsim.sweeps import SweepResult

__all__ = ["render_report", "render_sweep_report", "write_report", "write_sweep_report"]

ASSUMPTIONS = (
    "Tickets arrive as a Poisson process whose rate follows the scenario's profile, growth, "
    "bursts, storms and rollout waves; each ticket's work, escalations and the patience of "
    "a waiting customer are drawn independently from the scenario's distributions. Demand "
    "is generated before the team is simulated, so variants on the same seed see the same "
    "tickets (common random numbers). A target is met when the first response (or the "
    "resolution) came within it on the priority's clock (business hours on a business "
    "clock); an abandoned ticket misses both, a ticket still open at the horizon misses "
    "once its deadline has passed, and tickets that arrived in the warm-up are not scored. "
    "Figures are means across {replications} independent replications and intervals are "
    "95% t-intervals across them (on the logit scale for shares): they measure the "
    "model's randomness, not the uncertainty of its inputs, which a sweep or a breaking-"
    "point search explores. The analytic load check uses averages over the horizon, the "
    "peak table the expected demand of the busiest hour, 24 hours and 168 hours.")


def assumptions(scenario: Scenario, replications: int) -> str:
    """The assumptions paragraph: the general rules, then those of the sites, skills-based
    routing and retrials the scenario uses."""
    return " ".join([ASSUMPTIONS.format(replications=replications),
                     *assumption_words(scenario)])


def _version() -> str:
    from supportsim import __version__

    return __version__


def reproducible(result: Any) -> Scenario:
    """The scenario with the seed and replications actually used, so it reruns exactly."""
    scenario: Scenario = result.scenario.with_overrides(
        {"seed": result.seed, "replications": result.replications})
    return scenario


def _as_filed(scenario: Scenario) -> bool:
    """True when `scenario` is still its file's content (no override, file unedited)."""
    from supportsim.scenario import load_scenario

    if scenario.source is None:
        return False
    try:
        return bool(load_scenario(scenario.source) == scenario)
    except (OSError, ValueError):  # moved or edited since: the embedded copy is exact
        return False


def window_arg(window: Any) -> str:
    """A scoring window as ``--window`` takes it: ``2026-02-16,30d``, ``168,720``."""
    import numbers
    from datetime import date

    def part(value: Any) -> str:
        if isinstance(value, date):  # a datetime is a date
            return value.isoformat()
        if isinstance(value, numbers.Real) and not isinstance(value, bool):
            return f"{float(value):g}"
        return str(value)

    return ",".join(part(v) for v in window)


def default_command(scenario: Scenario, seed: int, replications: int,
                    verb: str = "run", window: Window | None = None) -> str:
    """``supportsim run FILE --seed S --replications R [--window W]`` when `scenario` is
    still its file's content (else the command on the scenario embedded in the report)."""
    scored = "" if window is None else f" --window {shlex.quote(window_arg(window))}"
    if scenario.source is not None and _as_filed(scenario):
        return (f"supportsim {verb} {shlex.quote(scenario.source)} --seed {seed} "
                f"--replications {replications}{scored}")
    return (f"supportsim {verb} scenario.toml{scored}  # the scenario below, saved as "
            "scenario.toml")


def _python(scenario: Scenario, seed: int, replications: int) -> str:
    """The Python call that reruns the result."""
    source = scenario.source if _as_filed(scenario) else "scenario.toml"
    return (f"ss.simulate(ss.load_scenario({source!r}), seed={seed}, "
            f"replications={replications})"
            + ("" if source == scenario.source else "  # the scenario below"))


def _comparison_table(frame: pd.DataFrame, label: str, ticket_keys: list[str],
                      currency: str = "", whole_run: bool = False) -> Table:
    """The paired comparison, each row in its metric's unit as ``run --vs`` prints it:
    shares in % and pp, times in min or h, costs as money in `currency`; `whole_run`:
    a window scores the SLA tables, not this comparison (as ``run --vs`` says)."""
    from supportsim._comparison_cells import METRIC_NAMES, difference, is_cost, level

    rows = []
    for r in frame.itertuples():
        metric = str(r.metric)
        name = METRIC_NAMES.get(metric, metric)
        if is_cost(metric) and currency:
            name += f" ({currency})"
        rows.append([str(r.priority), name, level(r.baseline_value, metric),
                     level(r.value, metric), difference(r), r.better or "-"])
    columns = ["priority", "metric", "base", label, "difference [95% CI]", "better"]
    tickets = (f"; the tickets differ: {label} changes {', '.join(ticket_keys)}"
               if ticket_keys else ": the same tickets")
    scope = " over the whole run (not only the window)" if whole_run else ""
    return Table(columns, rows,
                 f"Paired comparison {label} − base on common random numbers{scope}{tickets}",
                 frozenset(columns[2:5]))


def _leaves(data: Any, prefix: str) -> list[tuple[str, Any]]:
    if isinstance(data, Mapping) and data:
        return [leaf for key, value in data.items()
                for leaf in _leaves(value, f"{prefix}.{key}" if prefix else str(key))]
    return [(prefix, data)]


def changed_keys(base: Mapping[str, Any], variant: Mapping[str, Any]) -> list[str]:
    """The dotted keys where `variant` differs from `base` with the variant's value as
    TOML (``team.tiers.l2.staff=13``), in the variant's order; a key only the base has
    reads ``KEY removed``."""
    import tomli_w

    def toml(value: Any) -> str:
        return str(tomli_w.dumps({"v": value}).partition("=")[2].strip())

    mine, theirs = dict(_leaves(variant, "")), dict(_leaves(base, ""))
    changed = [key for key, value in mine.items() if key not in theirs or theirs[key] != value]
    # A table replaced by a value (a distribution by a mean), or back, is that change.
    removed = [key for key in theirs if key not in mine
               and not any(key.startswith(f"{c}.") or c.startswith(f"{key}.")
                           for c in changed)]
    return [f"{key}={toml(mine[key])}" for key in changed] + [f"{k} removed" for k in removed]


def _variant(result: SimulationResult, variant: SimulationResult, label: str,
             window: Window | None) -> dict[str, Any]:
    """One ``vs`` variant's section: what changed, its SLA table and verdicts (over the
    window, if any), the paired comparison and its figure."""
    from supportsim.analysis import verdict_changes
    from supportsim.comparison import compare, has_tickets, ticket_changes
    from supportsim.plot import comparison

    scenario = result.scenario
    if result.seed != variant.seed or result.replications != variant.replications:
        raise ValueError(
            f"vs[{label!r}]: the report compares a variant with the base pair by pair on "
            f"common random numbers, but the base ran seed {result.seed} with "
            f"{result.replications} replications and {label!r} seed {variant.seed} with "
            f"{variant.replications}; simulate {label!r} with seed={result.seed}, "
            f"replications={result.replications}")
    frame = compare(result, variant, labels=("base", label))
    changed = changed_keys(scenario.to_dict(), variant.scenario.to_dict())
    dropped = [name for name, r in (("the base", result), (f"variant {label}", variant))
               if not has_tickets(r)]
    mine = variant.verdicts(window=window)
    goals = None
    if not mine.empty:
        changes = verdict_changes(result.verdicts(window=window), mine)
        goals = Table(["priority", "target", "goal", "base", label, "changed"],
                      [[str(r.priority), f"{r.target} within {r.target_time}",
                        f"{r.goal:.0%}", str(r.baseline_verdict), str(r.verdict),
                        "yes" if r.changed else ""] for r in changes.itertuples()],
                      f"Goals ({label}) against the base",
                      row_class=["missed" if r.verdict == "fails" else ""
                                 for r in changes.itertuples()])
    return {
        "label": label,
        "changed": ", ".join(changed) or "nothing",
        "sla": sla_table(variant.sla(window=window), variant.scenario,
                         f"SLA attainment ({label})"),
        "goals": goals,
        "comparison": _comparison_table(
            frame, label, ticket_changes(scenario, variant.scenario),
            scenario.costs.currency if scenario.costs is not None else "",
            whole_run=window is not None),
        "figure": embed(comparison(result, variant, labels=("base", label)),
                        f"compare_{label}", f"{label} against the base: paired "
                        "differences per priority with 95% intervals (whole run).")
        if not dropped else None,
        # Its resolution-time ECDF needs both ticket tables: left out, as the single
        # result's ticket-level figures are, never drawn from one side.
        "missing": [f"compare_{label} (paired differences and resolution-time ECDF): "
                    f"{' and '.join(dropped)} {'has' if len(dropped) == 1 else 'have'} no "
                    "ticket table (simulated with tickets='drop')"] if dropped else [],
    }


def render_report(result: SimulationResult, *,
                  vs: Mapping[str, SimulationResult] | None = None,
                  command: str | None = None, window: Window | None = None) -> str:
    """The HTML of the report of `result` (see :func:`write_report`)."""
    scenario = result.scenario
    summary = result.summary()
    figures, missing = result_figures(result)
    variants = [_variant(result, variant, label, window)
                for label, variant in (vs or {}).items()]
    facts = headline_facts(summary)
    found = warmup_fact(result)
    if found is not None:
        facts.append(found)
    try:
        by_channel = abandonment_table(result.abandonment(window=window))
    except ValueError as exc:  # a result without counts whose tickets were dropped
        if "no ticket table" not in str(exc):
            raise
        by_channel = None
        missing = [*missing, "abandonment by channel and priority: this result has no "
                             "ticket table and no abandonment counts"]
    abandonment = [t for t in (by_channel, attempts_table(result)) if t is not None]
    tables = [sla_table(result.sla(window=window), scenario),
              goals_table(result.verdicts(window=window)), precision_table(result),
              utilisation_table(summary)]
    return render(
        "report.html.j2", title=scenario.name, kind="Simulation report",
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        version=_version(), description=describe(scenario),
        window=window_words(window, scenario) if window is not None else "",
        facts=facts, run=f"{result.replications} replications, seed {result.seed}",
        tables=[t for t in tables if t is not None],
        load=load_table(scenario), peaks=peaks_table(scenario),
        abandonment=abandonment, workforce=workforce_table(result, summary),
        costs=cost_table(result), figures=figures, missing=missing, variants=variants,
        assumptions=assumptions(scenario, result.replications),
        command=command or default_command(scenario, result.seed, result.replications,
                                           window=window),
        python=_python(scenario, result.seed, result.replications),
        toml=reproducible(result).to_toml(), toml_summary="",
        fingerprint=scenario.fingerprint())


def _write(text: str, path: str | Path | None) -> str:
    if path is not None:
        Path(path).write_text(text, encoding="utf-8")
    return text


def write_report(result: SimulationResult, path: str | Path | None = None, *,
                 vs: Mapping[str, SimulationResult] | None = None,
                 command: str | None = None, window: Window | None = None) -> str:
    """Write a self-contained HTML report of `result` to `path`.

    Parameters
    ----------
    result : SimulationResult
        Ticket-level figures need its ticket table (``tickets="keep"`` or a directory);
        without one they are listed as left out, with the reason.
    path : str or Path, optional
        The file to write; None only returns the HTML.
    vs : mapping of str to SimulationResult, optional
        Labelled variants simulated on the same seed and replications: each gets its SLA
        table, the paired comparison with `result` (:func:`supportsim.compare`) and its
        figure.
    command : str, optional
        The command that reproduces the report (the CLI passes its own); by default
        ``supportsim run FILE --seed S --replications R`` when the scenario is still its
        file's content, else the instructions to run the scenario embedded in the report.
    window : (start, length or end), optional
        Score the SLA table, goals and abandonment over the tickets that arrived in this
        window (:meth:`supportsim.SimulationResult.sla`); the report says so in words.

    Returns
    -------
    str
        The HTML.

    Raises
    ------
    ValueError
        If a variant of `vs` is not on the same seed and replications as `result`.
    """
    return _write(render_report(result, vs=vs, command=command, window=window), path)


def render_sweep_report(sweep: SweepResult, *, command: str | None = None,
                        by: str | Sequence[str] | None = None) -> str:
    """The HTML of the report of `sweep` (see :func:`write_sweep_report`)."""
    from supportsim.report._others import sweep_sla_table, sweep_summary_table

    scenario = sweep.scenario
    factors = ", ".join(f"{k} over {', '.join(map(str, v))}" for k, v in sweep.factors.items())
    strategies = "; ".join(
        f"{name}: " + (", ".join(f"{k}={written_toml(v)}" for k, v in overrides.items())
                       or "as written")
        for name, overrides in sweep.strategies.items())
    failures = (table_from_frame(sweep.failures, "Failed tasks")
                if len(sweep.failures) else None)
    figures, missing = sweep_figures(sweep, by=by)
    return render(
        "report.html.j2", title=scenario.name, kind="Sweep report",
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        version=_version(),
        description=(f"{describe(scenario)} Swept: {factors or 'no factor'}; strategies "
                     f"{strategies}."),
        facts=[("variants", str(len(sweep.variants))),
               ("tasks", f"{sweep.tasks_run} run, {sweep.tasks_reused} reused, "
                         f"{len(sweep.failures)} failed")],
        run=f"{sweep.replications} replications per variant, seed {sweep.seed}",
        # With one priority the table per priority would repeat the one over all.
        tables=[t for t in (sweep_summary_table(sweep), sweep_goals_table(sweep.verdicts()),
                            sweep_sla_table(sweep) if len(scenario.priorities) > 1 else None,
                            failures) if t is not None],
        window="", load=load_table(scenario), peaks=peaks_table(scenario), abandonment=[],
        workforce=None, costs=sweep_cost_table(sweep, by=by), figures=figures, missing=missing,
        variants=[], assumptions=assumptions(scenario, sweep.replications),
        command=command or "supportsim sweep SWEEP_FILE  # the sweep file that ran it",
        python="", toml=scenario.with_overrides(
            {"seed": sweep.seed, "replications": sweep.replications}).to_toml(),
        toml_summary="The base scenario (TOML, with the seed and replications per variant "
                     "the sweep used; each variant applies its factors and strategy to it)",
        fingerprint=scenario.fingerprint())


def write_sweep_report(sweep: SweepResult, path: str | Path | None = None, *,
                       command: str | None = None,
                       by: str | Sequence[str] | None = None) -> str:
    """Write a self-contained HTML report of a sweep to `path`: the base scenario in
    words, the attainment per variant (all priorities, then per priority) with intervals,
    failed tasks, assumptions and the command that reruns it. Returns the HTML.

    `by` names the factors that are conditions for the cost–SLA frontier (its table and
    figure), as in :func:`supportsim.frontier`: None the default rule, ``()`` none (one
    frontier over all variants); ``supportsim sweep --by KEY --report FILE`` passes it.
    """
    return _write(render_sweep_report(sweep, command=command, by=by), path)
