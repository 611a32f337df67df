"""Displays of a plan and a roster: the short repr and the notebook card.

The words and numbers come from here for the card and for ``supportsim plan`` alike
(:func:`cost_text`, :func:`search_text`, :func:`decision_rows`, :func:`target_rows`), so the
terminal and the notebook say the same thing.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from supportsim.report._display import Card, Table, number, share

if TYPE_CHECKING:
    from supportsim.planning._optimise import Plan
    from supportsim.planning._roster import Roster
    from supportsim.scenario import Scenario

__all__ = ["cost_text", "decision_rows", "plan_card", "plan_short", "roster_card",
           "roster_short", "search_text", "shifts_note", "target_rows", "value_of"]

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def value_of(scenario: Scenario, key: str) -> Any:
    """The value of dotted `key` in `scenario` as written, or None where it is not written.

    A tier's or an agent group's ``staff`` is its head count (also when it is rostered by
    shifts, whose file leaves ``staff`` out).
    """
    parts = key.split(".")
    if len(parts) == 4 and parts[:2] == ["team", "tiers"] and parts[3] == "staff" \
            and parts[2] in scenario.team.tiers:
        return scenario.team.tiers[parts[2]].headcount
    if len(parts) == 6 and parts[:2] == ["team", "tiers"] and parts[3] == "groups" \
            and parts[5] == "staff" and parts[2] in scenario.team.tiers:
        groups = scenario.team.tiers[parts[2]].groups or {}
        if parts[4] in groups:
            return groups[parts[4]].headcount
    node: Any = scenario.to_dict()
    for part in parts:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node


def _label(key: str) -> str:
    """``team.tiers.l1.staff`` -> ``l1``; other keys as written."""
    parts = key.split(".")
    if len(parts) == 4 and parts[:2] == ["team", "tiers"] and parts[3] == "staff":
        return parts[2]
    return key


def unit(plan: Plan) -> str:
    """The plan's money: the scenario's currency, or paid agent-hours without ``[costs]``."""
    costs = plan.scenario.costs
    return "paid agent-hours" if costs is None else costs.currency


def cost_interval(plan: Plan) -> tuple[float, float]:
    """The t-interval of the mean cost over the verification replications (NaN when
    fewer than two were kept)."""
    from supportsim.analysis._intervals import t_interval

    if len(plan.costs) < 2:
        return math.nan, math.nan
    _, low, high = t_interval(plan.costs, confidence=plan.confidence)
    return float(low), float(high)


def cost_text(plan: Plan) -> str:
    """``1,898,919 EUR [1,851,002, 1,946,836] per replication (95% CI, fresh seeds)``."""
    low, high = cost_interval(plan)
    text = f"{plan.cost:,.0f} {unit(plan)}"
    if not (math.isnan(low) or math.isnan(high)):
        text += f" [{low:,.0f}, {high:,.0f}]"
    return (f"{text} per replication ({plan.confidence:.0%} CI over "
            f"{len(plan.costs)} fresh replications)")


def search_text(plan: Plan) -> str:
    """How much was simulated: points on the search seeds, replications in all."""
    searched = int((plan.trace["phase"] != "verify").sum()) if len(plan.trace) else 0
    per_point = len(plan.costs)
    return (f"{searched} points evaluated on the search seeds ({per_point} replications "
            f"each), the plan again on fresh seeds; {plan.replications} replications "
            "simulated in all")


def verdict_text(plan: Plan) -> str:
    """Verified, or which targets the fresh seeds missed."""
    if plan.verified:
        return "yes: every target met on fresh seeds"
    missed = plan.attainment()
    return "no: on fresh seeds it misses " + ", ".join(missed.loc[~missed["met"], "target"])


def _split(value: Any, shifts: tuple[int, ...] | None) -> str:
    """A head count with the shifts' staff behind it: ``7 (4+3)``."""
    return str(value) if shifts is None else f"{value} ({'+'.join(map(str, shifts))})"


def decision_rows(plan: Plan) -> list[list[str]]:
    """Per decision: key, the plan's value, the scenario's, and the change. The staff of
    a tier or group on shifts shows the shifts' split, ``7 (4+3)``."""
    from supportsim.planning._groups import rostered

    rows = []
    for key, value in plan.values.items():
        before = plan.baseline.get(key)
        shown = _split(value, rostered(plan.scenario, key))
        today = "-" if before is None else _split(before, plan.baseline_shifts.get(key))
        change = ""
        if isinstance(before, int | float) and isinstance(value, int | float) \
                and not isinstance(before, bool):
            change = f"{value - before:+g}" if value != before else "="
        elif before is not None:
            change = "=" if before == value else "changed"
        rows.append([key, shown, today, change])
    return rows


def shifts_note(plan: Plan) -> str | None:
    """How a head count on shifts was applied, when a decision is one (else None)."""
    keys = list(plan.baseline_shifts)
    if not keys:
        return None
    return (f"{', '.join(keys)}: the head count of shifts, applied by scaling them in "
            f"proportion (largest remainder), as --set does; to move agents between shifts, "
            f"decide their own staff (...hours.N.staff).")


def target_rows(plan: Plan) -> tuple[list[list[str]], list[bool]]:
    """Per target on fresh seeds: key, level, attainment [CI], lower bound, met/missed."""
    met = plan.attainment()
    rows = []
    for r in met.itertuples():
        rows.append([str(r.target), f"{r.level:.1%}", share(r.attainment, r.low, r.high),
                     f"{r.low:.1%}", "met" if r.met else "missed"])
    return rows, [bool(m) for m in met["met"]]


def plan_short(plan: Plan) -> tuple[str, str, list[str]]:
    """``<Plan 'desk': l1=14 l2=9 l3=6; 1,898,919 EUR per replication; verified>``."""
    values = " ".join(f"{_label(k)}={v}" for k, v in plan.values.items())
    return "Plan", plan.scenario.name, [
        values, f"{plan.cost:,.0f} {unit(plan)} per replication",
        "verified" if plan.verified else "NOT verified on fresh seeds"]


def plan_card(plan: Plan) -> Card:
    """The rich display of a plan."""
    facts = [("cost", cost_text(plan)), ("verified", verdict_text(plan)),
             ("search", search_text(plan))]
    decisions = Table(["decision", "plan", "scenario", "change"], decision_rows(plan),
                      "The values chosen against the scenario's",
                      frozenset({"plan", "scenario", "change"}))
    rows, met = target_rows(plan)
    ci = f"attainment [{plan.confidence:.0%} CI]"
    targets = Table(["target", "level", ci, "lower bound", "verdict"], rows,
                    "Targets on fresh seeds (met when the lower bound reaches the level)",
                    frozenset({"level", ci, "lower bound"}),
                    ["" if m else "missed" for m in met])
    notes = ["A local optimum on the search seeds (no single removal or swap stays "
             "feasible for less), not a proven global one; .trace lists every point "
             "evaluated, .scenario is the input with the plan applied."]
    if (note := shifts_note(plan)) is not None:
        notes.append(note)
    return Card("Plan", plan.scenario.name, facts, [decisions, targets], notes)


def _hour(start: float, cycle: str) -> str:
    hour = int(start)
    clock = f"{hour % 24:02d}:00"
    return clock if cycle == "day" else f"{_DAYS[hour // 24]} {clock}"


def roster_short(roster: Roster) -> tuple[str, str, list[str]]:
    """``<Roster 'week': 5 shifts, 23 agents; cost 8,740 per week; every hour covered>``."""
    return "Roster", roster.cycle, [
        f"{len(roster.shifts)} shifts, {int(roster.shifts['staff'].sum())} agents",
        f"cost {roster.cost:,.0f} per {roster.cycle}", _cover_text(roster)]


def _cover_text(roster: Roster) -> str:
    if roster.uncovered.empty:
        return "every hour covered"
    short = int(roster.uncovered["short"].sum())
    return (f"{len(roster.uncovered)} hours short ({short} agent-hour"
            f"{'' if short == 1 else 's'})")


def roster_card(roster: Roster) -> Card:
    """The rich display of a roster: the shifts worked, the cost, the hours left short."""
    shifts = roster.shifts
    paid = float((shifts["staff"] * shifts["length"] * shifts["days"].map(len)).sum()
                 if roster.cycle == "week" else (shifts["staff"] * shifts["length"]).sum())
    facts = [("cost", f"{roster.cost:,.2f} per {roster.cycle} (the rate's currency)"),
             ("agents", f"{int(shifts['staff'].sum())} on {len(shifts)} shifts, "
                        f"{number(paid, 0)} paid agent-hours per {roster.cycle}"),
             ("cover", _cover_text(roster))]
    rows = [[str(r.name), str(r.start), str(r.end),
             "every day" if roster.cycle == "day" or len(r.days) == 7 else " ".join(r.days),
             str(r.staff), f"{r.cost:,.2f}"] for r in shifts.itertuples()]
    tables = [Table(["shift", "start", "end", "days", "agents", "cost"], rows,
                    f"Shifts worked, per {roster.cycle}", frozenset({"agents", "cost"}))]
    if not roster.uncovered.empty:
        short = [[_hour(r.interval_start, roster.cycle), str(r.required), str(r.covered),
                  str(r.short)] for r in roster.uncovered.itertuples()]
        tables.append(Table(["hour", "required", "covered", "short"], short,
                            "Hours left short (a cap on shifts made full cover impossible)",
                            frozenset({"required", "covered", "short"}),
                            ["missed"] * len(short)))
    return Card("Roster", roster.cycle, facts, tables)
