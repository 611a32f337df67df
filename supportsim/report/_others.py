"""Displays of a sweep and of a breaking-point search (the same cards as a result)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from supportsim.report._display import Card, Table, number, share, short_repr

if TYPE_CHECKING:
    from supportsim.breakpoint import BreakingPoints
    from supportsim.sweeps import SweepResult

__all__ = ["breakpoints_card", "breakpoints_repr", "sweep_card", "sweep_repr",
           "sweep_sla_table", "sweep_summary_table"]


def _factors(sweep: SweepResult) -> str:
    return " x ".join(f"{key} ({len(values)})" for key, values in sweep.factors.items())


def sweep_repr(sweep: SweepResult) -> str:
    """One line: variants, factors, replications, seed, tasks and failures."""
    return short_repr("SweepResult", sweep.scenario.name, [
        f"{len(sweep.variants)} variants ({_factors(sweep) or 'no factor'}; "
        f"{len(sweep.strategies)} strateg{'ies' if len(sweep.strategies) != 1 else 'y'})",
        f"{sweep.replications} replications, seed {sweep.seed}",
        f"{sweep.tasks_run} tasks run, {sweep.tasks_reused} reused, "
        f"{len(sweep.failures)} failed"])


def _keys(sweep: SweepResult) -> list[str]:
    keys = list(sweep.factors)
    return ["strategy", *keys] if len(sweep.strategies) > 1 else keys or ["variant"]


def sweep_summary_table(sweep: SweepResult) -> Table:
    """Per variant: attainment over all priorities, abandonment and backlog at the end."""
    summary = sweep.summary()
    keys = _keys(sweep)
    rows = []
    for r in summary.to_dict("records"):
        rows.append([*(str(r[k]) for k in keys),
                     share(r["response_attainment"], r["response_attainment_low"],
                           r["response_attainment_high"]),
                     share(r["resolution_attainment"], r["resolution_attainment_low"],
                           r["resolution_attainment_high"]),
                     share(r["abandoned_share"]), number(r["backlog_at_end"])])
    columns = ["response met [95% CI]", "resolution met [95% CI]", "abandoned",
               "backlog at end"]
    return Table([*keys, *columns], rows,
                 "Per variant, all priorities (weighted by tickets)", frozenset(columns))


def sweep_sla_table(sweep: SweepResult) -> Table:
    """Per variant x priority: response and resolution attainment with intervals."""
    sla = sweep.sla()
    keys = _keys(sweep)
    rows = [[*(str(r[k]) for k in keys), str(r["priority"]),
             share(r["response_attainment"], r["response_attainment_low"],
                   r["response_attainment_high"]),
             share(r["resolution_attainment"], r["resolution_attainment_low"],
                   r["resolution_attainment_high"])]
            for r in sla.to_dict("records")]
    columns = ["response met [95% CI]", "resolution met [95% CI]"]
    return Table([*keys, "priority", *columns], rows, "SLA attainment per variant and priority",
                 frozenset(columns))


def sweep_card(sweep: SweepResult) -> Card:
    """The rich display of a sweep."""
    facts = [("scenario", sweep.scenario.name + (f" ({sweep.scenario.source})"
                                                 if sweep.scenario.source else "")),
             ("factors", ", ".join(f"{k} = {', '.join(map(str, v))}"
                                   for k, v in sweep.factors.items()) or "none"),
             ("strategies", ", ".join(sweep.strategies)),
             ("run", f"{sweep.replications} replications per variant, seed {sweep.seed}; "
                     f"{sweep.tasks_run} tasks run, {sweep.tasks_reused} reused, "
                     f"{len(sweep.failures)} failed ({sweep.executor or 'local'}, "
                     f"{sweep.wall_seconds:.1f} s)")]
    notes = ["Replication r of every variant draws from the same random numbers (common "
             "random numbers): variants at the same demand saw the same tickets."]
    if len(sweep.failures):
        notes.append(f"{len(sweep.failures)} tasks failed: see .failures.")
    from supportsim.report._blocks import sweep_goals_table

    goals = sweep_goals_table(sweep.verdicts())  # judged by supportsim.analysis, as `sweep`
    return Card("SweepResult", sweep.scenario.name, facts,
                [sweep_summary_table(sweep), *([goals] if goals is not None else [])], notes)


def _value(value: float) -> str:
    return "-" if math.isnan(value) else ("beyond the range" if math.isinf(value)
                                          else f"{value:.4g}")


def breakpoints_repr(bp: BreakingPoints) -> str:
    """One line: the question and each strategy's breaking value."""
    values = ", ".join(f"{r.strategy} {_value(r.breaking_value)}"
                       for r in bp.table.itertuples())
    return short_repr("BreakingPoints", bp.factor, [
        f"{bp.metric} attainment of {bp.priority or 'all priorities'} below "
        f"{bp.target:.0%}", values, f"seed {bp.seed}"])


def breakpoints_card(bp: BreakingPoints) -> Card:
    """The rich display of a breaking-point search."""
    rows = [[str(r.strategy), _value(r.breaking_value),
             f"[{_value(r.low)}, {_value(r.high)}]", _value(r.last_met),
             _value(r.first_missed), str(r.status), str(r.evaluations),
             _value(r.erlang_c_estimate)] for r in bp.table.itertuples()]
    columns = ["strategy", "breaking value", f"{bp.confidence:.0%} CI", "last met",
               "first missed", "status", "evaluations", "Erlang C estimate"]
    table = Table(columns, rows, f"Where {bp.factor} breaks the goal",
                  frozenset(columns[1:5]) | {"evaluations", "Erlang C estimate"},
                  ["missed" if r.status == "missed throughout" else ""
                   for r in bp.table.itertuples()])
    facts = [("question", f"{bp.metric} attainment of {bp.priority or 'all priorities'} "
                          f"below {bp.target:.0%} as {bp.factor} "
                          f"{'rises' if bp.direction == 'up' else 'falls'}"),
             ("run", f"seed {bp.seed}, {len(bp.curve)} points evaluated"
                     + (", searched over integers" if bp.integer else ""))]
    return Card("BreakingPoints", bp.factor, facts, [table],
                ["The interval is a bootstrap over replications; 'beyond the range': the "
                 "goal holds (or fails) over the whole range searched."])
