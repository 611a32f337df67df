"""Blocks of the report and the cards beyond the SLA table: goals with their verdicts,
abandonment by channel and priority, peak load, costs, precision and the auto warm-up.

Every number comes from the result's own methods (``res.verdicts()``,
``res.abandonment()``, ``res.cost_table()``, ``check(...).peaks``): the report formats,
it never judges or computes on its own, so it cannot disagree with ``run`` or a notebook.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from supportsim.report._display import Table, number, share

if TYPE_CHECKING:
    import pandas as pd

    from supportsim.results import SimulationResult
    from supportsim.scenario import Scenario

__all__ = ["abandonment_table", "attempts_table", "cost_table", "goals_table", "peaks_table",
           "precision_table", "sweep_cost_table", "sweep_goals_table", "tally", "warmup_fact",
           "window_words"]

#: Abandoned shares at or above this are flagged (as in ``supportsim run``).
HIGH_ABANDONMENT = 0.10


def _goal(value: float) -> str:
    return f"{value:.0%}" if round(value * 100, 6).is_integer() else f"{value:.1%}"


def tally(verdicts: pd.DataFrame) -> str:
    """``2 hold, 1 uncertain, 3 fail of 6 goals`` (``""`` without goals)."""
    if verdicts.empty:
        return ""
    counts = verdicts["verdict"].value_counts()
    words = {"holds": "hold", "uncertain": "uncertain", "fails": "fail", "n/a": "n/a"}
    parts = [f"{counts[v]} {w}" for v, w in words.items() if counts.get(v, 0)]
    return f"{', '.join(parts)} of {len(verdicts)} goal{'s' if len(verdicts) != 1 else ''}"


def goals_table(verdicts: pd.DataFrame) -> Table | None:
    """One row per goal of ``res.verdicts()``; a failed goal marks its row; None without
    goals."""
    if verdicts.empty:
        return None
    rows = [[str(r.priority), f"{r.target} within {r.target_time}", _goal(r.goal),
             share(r.attainment, r.low, r.high), str(r.verdict)]
            for r in verdicts.itertuples()]
    classes = ["missed" if r.verdict == "fails" else "" for r in verdicts.itertuples()]
    return Table(["priority", "target", "goal", "met [95% CI]", "verdict"], rows,
                 f"Goals: {tally(verdicts)}", frozenset({"goal", "met [95% CI]"}), classes)


def sweep_goals_table(verdicts: pd.DataFrame) -> Table | None:
    """Per variant, one verdict column per goal (``SweepResult.verdicts()``) and the count
    that hold; None without goals."""
    if verdicts.empty:
        return None
    names = [f"{p} {t} {_goal(g)}" for p, t, g in zip(
        verdicts["priority"], verdicts["target"], verdicts["goal"], strict=True)]
    frame = verdicts.assign(goal_name=names, variant=verdicts["variant"].astype(str))
    wide = frame.pivot(index="variant", columns="goal_name", values="verdict")
    order = list(dict.fromkeys(frame["variant"]))
    columns = list(dict.fromkeys(names))
    wide = wide.reindex(index=order, columns=columns)
    held = frame.groupby("variant", sort=False)["verdict"].agg(
        lambda v: f"{int((v == 'holds').sum())}/{len(v)}")
    rows = [[variant, *(str(wide.loc[variant, c]) if isinstance(wide.loc[variant, c], str)
                        else "-" for c in columns), held[variant]] for variant in order]
    classes = ["missed" if "fails" in row else "" for row in rows]
    return Table(["variant", *columns, "hold"], rows,
                 "Goals per variant: holds / uncertain / fails", frozenset({"hold"}), classes)


def abandonment_table(table: pd.DataFrame) -> Table | None:
    """``res.abandonment()`` by channel and priority, channels where nobody abandons left
    out; shares at or above 10 % flagged; None where no ticket abandoned."""
    if table.empty or not (table["abandoned"] > 0).any():
        return None
    table = table[table.groupby("channel", observed=True)["abandoned"].transform("sum") > 0]
    rows = [[str(r.channel), str(r.priority),
             share(r.abandoned_share, r.abandoned_share_low, r.abandoned_share_high),
             number(r.tickets_per_replication, 0)] for r in table.itertuples()]
    classes = ["missed" if r.abandoned_share >= HIGH_ABANDONMENT else ""
               for r in table.itertuples()]
    return Table(["channel", "priority", "abandoned [95% CI]", "tickets/replication"], rows,
                 "Abandonment by channel and priority (share of tickets given up)",
                 frozenset({"abandoned [95% CI]", "tickets/replication"}), classes)


def attempts_table(result: SimulationResult) -> Table | None:
    """With retrials (``demand.channels.NAME.retry``): per channel, tickets, attempts and
    the share of attempts abandoned; None without a ticket table or without a retrial."""
    from supportsim.analysis import abandonment_shares

    try:
        tickets = result.tickets
    except ValueError:
        return None
    if "retrials" not in tickets.columns or not (tickets["retrials"] > 0).any():
        return None
    per = abandonment_shares(tickets, by="channel")
    means = per.groupby("channel", observed=True, sort=False).mean(numeric_only=True)
    rows = [[str(channel), number(r["tickets"], 0), number(r["attempts"], 0),
             number(r["retrials"], 0), share(r["abandoned_share"]),
             share(r["attempt_abandoned_share"])]
            for channel, r in means.iterrows() if r["tickets"] > 0]
    columns = ["channel", "tickets", "attempts", "retrials", "tickets abandoned",
               "attempts abandoned"]
    return Table(columns, rows, "Attempts with retrials (per replication, mean)",
                 frozenset(columns[1:]))


def peaks_table(scenario: Scenario) -> Table | None:
    """Offered load in the busiest hour, 24 h and 168 h per tier (``check(...).peaks``)
    against the agents rostered then; rows over capacity marked."""
    from supportsim._peak import LABELS
    from supportsim.capacity import check

    peaks = check(scenario).peaks
    if peaks is None or peaks.empty:
        return None
    rows = [[LABELS[str(r.period)], f"{r.start:%a %Y-%m-%d %H:%M}", f"{r.tickets_per_hour:.2f}",
             str(r.tier), f"{r.offered_load:.2f}", f"{r.on_duty:.1f}",
             "nobody on duty" if math.isinf(r.utilisation) else f"{r.utilisation:.0%}"]
            for r in peaks.itertuples()]
    classes = ["overloaded" if r.utilisation >= 1 else "" for r in peaks.itertuples()]
    columns = ["busiest", "from", "tickets/h", "tier", "offered load (Erlang)",
               "on duty", "load/on duty"]
    return Table(columns, rows,
                 "Peak and burst load: the busiest hour, 24 h and 168 h (from any whole hour)",
                 frozenset(columns[2:3] + columns[4:]), classes)


#: Rows of the cost block: item of ``res.cost_table()`` -> label.
_COST_ITEMS = {"staff": "staff (rostered hours on duty)", "overtime": "overtime",
               "reserve": "reserve (called in)", "hiring": "hiring (joiners)",
               "penalties": "SLA penalties", "total": "total",
               "per_resolved_ticket": "per resolved ticket",
               "missed_response": "missed response targets",
               "missed_resolution": "missed resolution targets",
               "joiners": "joiners", "resolved_tickets": "resolved tickets"}


def cost_table(result: SimulationResult) -> Table | None:
    """``res.cost_table()`` where the scenario prices its desk (``[costs]``), per
    replication with intervals and units; None otherwise. Errors of a priced scenario
    propagate: never a block of plausible zeros."""
    costs = getattr(result.scenario, "costs", None)
    if costs is None:
        return None
    table = result.cost_table().set_index("item")
    tiers = [c for c in table.index if str(c).startswith("staff_")]
    labels = {**{c: f"staff {c.removeprefix('staff_')}" for c in tiers}, **_COST_ITEMS}
    # A group with its own rate is part of its tier's staff cost: "of which" under the
    # tier (as `supportsim run` prints it), not a row beside it.
    parts = {f"staff_{t}_{g}": f"staff_{t}" for t, c in costs.tiers.items() for g in c.groups}
    labels.update({item: f"of which {item.removeprefix(tier + '_')} (own rate)"
                   for item, tier in parts.items()})
    tiers = [t for t in tiers if t not in parts]
    tiers = [x for t in tiers for x in (t, *(g for g, of in parts.items() if of == t))]
    order = ["staff", *tiers, *(c for c in _COST_ITEMS if c != "staff")]
    rows, classes = [], []
    for item in (i for i in order if i in table.index):
        row = table.loc[item]
        digits = 2 if item == "per_resolved_ticket" else (1 if row["unit"] in (
            "people", "tickets") else 0)
        value = f"{number(row['value'], digits)}"
        if not (math.isnan(row["low"]) or math.isnan(row["high"])):
            value += f" [{number(row['low'], digits)}, {number(row['high'], digits)}]"
        rows.append([labels[item], value, str(row["unit"]),
                     "" if math.isnan(row["share"]) else f"{row['share']:.1%}"])
        classes.append("total" if item == "total" else "part" if item in parts else "")
    return Table(["item", "per replication [95% CI]", "unit", "share of total"], rows,
                 f"Costs over the {number(result.scenario.horizon / 168, 0)} weeks of the run",
                 frozenset({"per replication [95% CI]", "share of total"}), classes)


def precision_table(result: Any) -> Table | None:
    """``res.precision``: each target, the half-width reached and whether it was met."""
    precision = getattr(result, "precision", None)
    if precision is None:
        return None
    rows = [[t.metric, f"{t.mean:.4g}", f"±{t.half_width:.3g}", f"±{t.target:g}",
             "met" if t.met else "NOT met"] for t in precision.targets]
    classes = ["" if t.met else "missed" for t in precision.targets]
    return Table(["metric", "mean", "half-width reached", "asked", "precision"], rows,
                 f"Precision: {precision.replications} replications (pilot "
                 f"{precision.pilot}, cap {precision.max_replications})",
                 frozenset({"mean", "half-width reached", "asked"}), classes)


def warmup_fact(result: Any) -> tuple[str, str] | None:
    """The warm-up cut MSER-5 chose (``warmup = "auto"``) as a (label, value) fact."""
    from supportsim.report._scenario import duration

    found = getattr(result, "auto_warmup", None)
    if found is None:
        return None
    text = (f"{duration(found.hours)} cut by MSER-5 on the {found.metric} series"
            + ("" if found.settled else f"; not settled: {found.message}"))
    return "warm-up (auto)", text


def window_words(window: Any, scenario: Scenario) -> str:
    """The scoring window in a sentence, e.g. for the report's Results section."""
    from supportsim.analysis import parse_window
    from supportsim.sites import wall_clock
    from supportsim.units import span_text

    start, end = parse_window(window, scenario)
    first, last = (wall_clock(scenario.start, t, scenario.zone_of_start) for t in (start, end))
    return (f"Scored over the window: the tickets that arrived from {first:%a %Y-%m-%d %H:%M}"
            f" to {last:%a %Y-%m-%d %H:%M} ({span_text(end - start)}), each on its whole "
            "outcome. The SLA table, goals and abandonment cover those tickets; the "
            "headline, utilisation, workforce, costs and the figures cover the whole run.")


def sweep_cost_table(sweep: Any, by: Any = None) -> Table | None:
    """Per variant: total cost with its interval, staff, penalties, per resolved ticket and
    whether it is on the cost–resolution frontier (:func:`supportsim.frontier`, within
    the conditions `by` names); None without ``[costs]``."""
    summary = sweep.summary()
    if "cost_total" not in summary.columns:
        return None
    from supportsim.pareto import frontier

    currency = sweep.scenario.costs.currency if sweep.scenario.costs is not None else ""
    table = frontier(sweep, by=by)
    front = table.set_index("variant")
    within = table.attrs["by"]  # conditions (demand.rate...): one frontier per value
    rows, classes = [], []
    for r in summary.itertuples():
        name = str(r.variant)
        on = name in front.index and not front.loc[name, "dominated"]
        total = number(r.cost_total, 0)
        if not (math.isnan(r.cost_total_low) or math.isnan(r.cost_total_high)):
            total += f" [{number(r.cost_total_low, 0)}, {number(r.cost_total_high, 0)}]"
        rows.append([name, total, number(r.cost_staff, 0), number(r.cost_penalties, 0),
                     number(r.cost_per_resolved_ticket, 2),
                     "yes" if on else f"no, dominated by {front.loc[name, 'dominated_by']}"
                     if name in front.index else "n/a"])
        classes.append("" if on else "dominated")
    columns = ["variant", f"total, {currency} [95% CI]", f"staff, {currency}",
               f"penalties, {currency}", f"per resolved ticket, {currency}", "on the frontier"]
    where = f"; the frontier of each {', '.join(within)}" if within else ""
    return Table(columns, rows, f"Costs per variant ({currency} per replication{where})",
                 frozenset(columns[1:5]), classes)
