"""A simulation result as tables a person reads first: the short repr, the card and the
tables shared with the report (SLA against targets, utilisation, headline, workforce)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from supportsim.report._display import Card, Table, hours, number, share, short_repr

if TYPE_CHECKING:
    import pandas as pd

    from supportsim.results import SimulationResult

__all__ = ["headline_facts", "result_card", "result_repr", "sla_table", "utilisation_table",
           "workforce_table"]


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def result_repr(result: SimulationResult) -> str:
    """Two lines: what, where from, and response / resolution attainment per priority."""
    sla = result.sla()
    head = short_repr("SimulationResult", result.scenario.name, [
        result.scenario.source or "", _plural(result.replications, "replication"),
        f"seed {result.seed}"])
    met = ", ".join(f"{r.priority} {r.response_attainment:.1%} / {r.resolution_attainment:.1%}"
                    for r in sla.itertuples())
    return f"{head}\n  response / resolution met: {met}"


def sla_table(sla: pd.DataFrame, scenario: object, caption: str | None = None) -> Table:
    """Per priority: each target as written and the share met with its interval. Goals
    and their verdicts are judged once, by ``res.verdicts()``, and shown by
    :func:`supportsim.report._blocks.goals_table`; here a row is marked where one of its
    goals fails."""
    from supportsim.analysis import verdicts

    priorities = scenario.priorities  # type: ignore[attr-defined]
    judged = verdicts(sla, scenario)  # type: ignore[arg-type]
    failed = set(judged.loc[judged["verdict"] == "fails", "priority"].astype(str))
    rows, classes = [], []
    for r in sla.itertuples():
        p = priorities[str(r.priority)]
        row = [str(r.priority), r.clock]
        for kind in ("response", "resolution"):
            value, low, high = (getattr(r, f"{kind}_attainment{end}")
                                for end in ("", "_low", "_high"))
            row += [str(p.target(kind)), share(value, low, high)]
        rows.append([*row, number(r.tickets_per_replication, 0)])
        classes.append("missed" if str(r.priority) in failed else "")
    columns = ["priority", "clock"]
    for kind in ("response", "resolution"):
        columns += [f"{kind} target", f"{kind} met [95% CI]"]
    return Table(
        [*columns, "tickets/replication"], rows, caption if caption is not None else
        "SLA attainment: share of tickets within target, mean across replications",
        frozenset({"response met [95% CI]", "resolution met [95% CI]",
                   "tickets/replication"}), classes)


def utilisation_table(summary: pd.DataFrame) -> Table:
    """Per tier: busy over paid agent-hours and overtime, with intervals."""
    metrics = summary.set_index("metric")
    tiers = [m.removeprefix("utilisation_") for m in metrics.index
             if m.startswith("utilisation_")]
    rows = []
    for tier in tiers:
        util, over = metrics.loc[f"utilisation_{tier}"], metrics.loc[f"overtime_{tier}"]
        rows.append([tier, share(util["value"], util["low"], util["high"]),
                     f"{number(over['value'])} [{number(over['low'])}, {number(over['high'])}]"])
    return Table(["tier", "utilisation [95% CI]", "overtime, agent-h/week [95% CI]"], rows,
                 "Utilisation: busy / paid agent-hours (paid = on duty + overtime)",
                 frozenset({"utilisation [95% CI]", "overtime, agent-h/week [95% CI]"}))


def headline_facts(summary: pd.DataFrame) -> list[tuple[str, str]]:
    """Tickets, waits, resolution times, abandonment and backlog at the end."""
    metrics = summary.set_index("metric")

    def value(name: str) -> float:
        return float(metrics.loc[name, "value"])

    backlog = metrics.loc["backlog_at_end"]
    return [
        ("tickets per replication", f"{value('tickets_per_replication'):,.0f} (after warm-up)"),
        ("wait for first response", f"median {hours(value('median_wait'))}, mean "
                                    f"{hours(value('mean_wait'))}, 90th percentile "
                                    f"{hours(value('p90_wait'))}"),
        ("resolution time", f"median {hours(value('median_resolution_time'))}, 90th "
                            f"percentile {hours(value('p90_resolution_time'))} (wall clock)"),
        ("abandoned", share(*metrics.loc["abandoned_share", ["value", "low", "high"]])),
        ("backlog at end", f"{backlog['value']:.1f} open tickets [{backlog['low']:.1f}, "
                           f"{backlog['high']:.1f}]"),
    ]


def workforce_table(result: SimulationResult, summary: pd.DataFrame) -> Table | None:
    """Agents on duty, effective FTE and, where their mechanism is on, vacancies, reserve
    and leavers; None without ``[workforce]`` (a block of zeros would only mislead)."""
    workforce = result.scenario.workforce
    if workforce is None:
        return None
    metrics = summary.set_index("metric")
    rows = {"agents on duty": ("on_duty", "mean, reserve included"),
            "effective FTE": ("effective_fte", "on duty weighted by proficiency")}
    if workforce.attrition is not None:
        rows["vacancies"] = ("vacancies", "mean seats empty")
    if workforce.reserve is not None:
        rows["reserve on duty"] = ("reserve_on_duty", "mean")
        rows["reserve activations"] = ("reserve_activations", "per replication, whole run")
    if workforce.attrition is not None or workforce.departures:
        rows["leavers"] = ("leavers", "per replication, whole run")
    out = []
    for name, (metric, note) in rows.items():
        row = metrics.loc[metric]
        out.append([name, f"{number(row['value'])} [{number(row['low'])}, "
                          f"{number(row['high'])}]", note])
    return Table(["measure", "value [95% CI]", "what"], out,
                 "Workforce (after warm-up, mean across replications)",
                 frozenset({"value [95% CI]"}))


def result_card(result: SimulationResult) -> Card:
    """The rich display of a simulation result."""
    from supportsim.report._blocks import goals_table, precision_table, tally, warmup_fact

    summary = result.summary()
    scenario = result.scenario
    facts = [("scenario", f"{scenario.name}" + (f" ({scenario.source})" if scenario.source
                                                 else "")),
             ("run", f"{_plural(result.replications, 'replication')}, seed {result.seed}, "
                     f"fingerprint {scenario.fingerprint()[:12]}"),
             *headline_facts(summary)]
    found = warmup_fact(result)
    if found is not None:
        facts.insert(2, found)
    sla = result.sla()
    judged = result.verdicts()  # judged once, in supportsim.analysis
    if not judged.empty:
        facts.insert(2, ("goals", tally(judged)))
    tables = [sla_table(sla, scenario),
              *(t for t in (goals_table(judged), precision_table(result)) if t is not None),
              utilisation_table(summary)]
    workforce = workforce_table(result, summary)
    if workforce is not None:
        tables.append(workforce)
    return Card("SimulationResult", scenario.name, facts, tables,
                ["Intervals are 95% confidence intervals across replications; warm-up "
                 "tickets are not scored; an abandoned ticket misses both targets."])
