"""The printed report of one ``supportsim run``: SLA attainment, utilisation and the
headline, the workforce, with the verdicts, abandonment and costs blocks around them."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from supportsim.cli._common import _duration, _heading, _share, _table
from supportsim.cli._costs import costs_section
from supportsim.cli._verdicts import abandonment_section, verdict_section, window_heading
from supportsim.units import wait_text

if TYPE_CHECKING:
    import pandas as pd

    from supportsim.scenario import Scenario


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
              costs_section(result, window) or ""]
    return "\n\n".join(part for part in parts if part)
