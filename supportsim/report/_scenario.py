"""A scenario in plain words: the short repr, the card and the sentences of the report."""

from __future__ import annotations

from typing import TYPE_CHECKING

from supportsim.report._display import Card, Table, short_repr, table_from_frame
from supportsim.report._layout import (
    cost_words,
    retrial_words,
    routing_words,
    site_words,
    skill_words,
    tier_words,
)
from supportsim.units import format_duration

if TYPE_CHECKING:
    from supportsim.scenario import Scenario

__all__ = ["describe", "scenario_card", "scenario_repr", "setup_words", "team_line",
           "workforce_words"]


def duration(value: float) -> str:
    """A duration as the scenario would write it (``26w``, ``15min``), else hours."""
    text = format_duration(value)
    return text if isinstance(text, str) else f"{value:.3g}h"


def team_line(scenario: Scenario, *, short: bool = False) -> str:
    """``l1 14 (24x7), l2 6 (business)``: staff and hours per tier; a tier split into
    agent groups by its groups (:func:`supportsim.report._layout.tier_words`)."""
    return ", ".join(tier_words(scenario, name, tier, short=short)
                     for name, tier in scenario.team.tiers.items())


def setup_words(scenario: Scenario) -> list[tuple[str, str]]:
    """(label, words) for sites, skills, routing, retrials and costs, those the scenario
    uses."""
    found = [("sites", site_words(scenario)), ("skills", skill_words(scenario)),
             ("routing", routing_words(scenario)), ("retrials", retrial_words(scenario)),
             ("costs", cost_words(scenario))]
    return [(label, words) for label, words in found if words]


def demand_words(scenario: Scenario) -> str:
    """``12 tickets/h, office profile, +2% per 4 weeks, 2 bursts, 3 waves (6,000 users)``."""
    demand = scenario.demand
    profile = demand.profile if isinstance(demand.profile, str) else "weekly weights"
    parts = [f"{demand.rate:g} tickets/h", f"{profile} profile"]
    if demand.growth:
        parts.append(f"{demand.growth:+.1%} per 4 weeks")
    if demand.bursts:
        parts.append(f"{len(demand.bursts)} burst{'s' if len(demand.bursts) != 1 else ''}")
    if demand.storms is not None:
        parts.append(f"change storms ({demand.storms.changes_per_week:g} changes/week)")
    if demand.waves:
        users = sum(w.users for w in demand.waves)
        parts.append(f"{len(demand.waves)} rollout wave{'s' if len(demand.waves) != 1 else ''}"
                     f" ({users:,} users)")
    return ", ".join(parts)


def workforce_words(scenario: Scenario) -> list[str]:
    """The workforce mechanisms switched on, one short phrase each (empty: none)."""
    workforce = scenario.workforce
    if workforce is None:
        return []
    out = []
    if workforce.learning is not None:
        out.append(f"learning curve ({workforce.learning.start:g}x effort on day one, "
                   f"{duration(workforce.learning.learning)} to the plateau)")
    if workforce.attrition is not None:
        out.append(f"attrition ({workforce.attrition.annual_rate:.0%} a year, hiring lead "
                   f"{duration(workforce.attrition.hiring_lead)})")
    if workforce.departures:
        count = sum(d.count for d in workforce.departures)
        out.append(f"{count} planned departure{'s' if count != 1 else ''}")
    if workforce.reserve is not None:
        out.append(f"reserve {workforce.reserve.fraction:.0%} ({workforce.reserve.mode})")
    if workforce.knowledge is not None:
        out.append(f"knowledge transfer (L1 takes {workforce.knowledge.l1_gain:.0%} of L2 "
                   f"tickets after {duration(workforce.knowledge.ramp)})")
    return out


def channel_words(scenario: Scenario) -> str:
    """``phone 40% (patience 2min), email 60%``; a channel with opening hours
    ``phone 40% (patience 2min; open in business hours, tickets raised while closed go
    to portal)``."""
    words = []
    for name, channel in scenario.demand.channels.items():
        notes = [f"patience {duration(channel.patience)}"] if channel.patience else []
        if channel.hours == "business":
            notes.append(f"open in business hours{' of each site' if scenario.sites else ''}"
                         f", tickets raised while closed go to {channel.closed}")
        words.append(f"{name} {channel.share:.0%}" + (f" ({'; '.join(notes)})" if notes else ""))
    return ", ".join(words)


def describe(scenario: Scenario) -> str:
    """The scenario in a few plain sentences (the report's first paragraph)."""
    team = scenario.team
    warm = (f", the first {duration(scenario.warmup)} a warm-up that is not scored"
            if scenario.warmup else "")
    words = [
        f"A {team.structure} desk answering {demand_words(scenario)}, simulated over "
        f"{duration(scenario.horizon)} from {scenario.start:%a %d %b %Y %H:%M}{warm}.",
        f"Tickets arrive by {channel_words(scenario)}.",
        f"Team: {team_line(scenario)}; queue discipline {team.discipline}"
        + (f", {team.tennis.bounce:.0%} of escalations bounced back" if team.tennis.bounce
           else "") + ".",
    ]
    targets = "; ".join(
        f"{name} {p.share:.0%} of tickets, response {p.target('response')}, resolution "
        f"{p.target('resolution')} ({p.clock} clock)"
        for name, p in scenario.priorities.items())
    words.append(f"SLA targets: {targets}.")
    words += [f"{label.capitalize()}: {text}." for label, text in setup_words(scenario)]
    workforce = workforce_words(scenario)
    if workforce:
        words.append(f"Workforce: {', '.join(workforce)}.")
    return " ".join(words)


def scenario_repr(scenario: Scenario) -> str:
    """The one-line repr of a scenario."""
    source = f" ({scenario.source})" if scenario.source else ""
    extra = []
    if scenario.sites:
        extra.append(f"sites {', '.join(scenario.sites)}")
    if scenario.demand.skills:
        extra.append(f"skills {', '.join(scenario.demand.skills)}")
    routing = scenario.team.routing
    if routing is not None and routing.overflow is not None:
        extra.append("overflow to " + (f"skill {routing.overflow.skill}"
                                       if routing.overflow.skill is not None
                                       else f"site {routing.overflow.site}"))
    retries = [n for n, c in scenario.demand.channels.items() if c.retry > 0]
    if retries:
        extra.append(f"retrials ({', '.join(retries)})")
    if scenario.costs is not None:
        extra.append(f"costs in {scenario.costs.currency}")
    return short_repr("Scenario", scenario.name, [
        f"{scenario.team.structure}{source}".strip(), f"horizon {duration(scenario.horizon)}",
        f"{scenario.demand.rate:g} tickets/h", team_line(scenario, short=True), *extra])


def load_table(scenario: Scenario) -> Table:
    """The analytic load check per tier (:func:`supportsim.check`), overloaded rows marked."""
    from supportsim.capacity import check

    checked = check(scenario)
    frame = checked.loads[["tier", "arrival_rate", "work_time", "offered_load", "staff",
                           "on_duty", "utilisation"]]
    table = table_from_frame(
        frame.rename(columns={"arrival_rate": "tickets/h", "work_time": "work/ticket",
                              "offered_load": "offered load (Erlang)",
                              "on_duty": "mean on duty", "utilisation": "load/on duty"}),
        "Analytic load check (averages over the horizon; no simulation)",
        formats={"tickets/h": lambda v: f"{v:.2f}", "work/ticket": lambda v: f"{v:.2f} h",
                 "offered load (Erlang)": lambda v: f"{v:.2f}",
                 "mean on duty": lambda v: f"{v:.1f}", "load/on duty": lambda v: f"{v:.0%}"},
        numeric={"tickets/h", "work/ticket", "offered load (Erlang)", "staff",
                 "mean on duty", "load/on duty"})
    over = set(checked.overloaded)
    return Table(table.columns, table.rows, table.caption, table.numeric,
                 ["overloaded" if str(t) in over else "" for t in checked.loads["tier"]])


def scenario_card(scenario: Scenario) -> Card:
    """The rich display of a scenario."""
    facts = [
        ("source", scenario.source or "(built in Python)"),
        ("horizon", f"{duration(scenario.horizon)} from {scenario.start:%a %Y-%m-%d %H:%M}, "
                    f"warm-up {duration(scenario.warmup) if scenario.warmup else 'none'}"),
        ("demand", demand_words(scenario)),
        ("channels", channel_words(scenario)),
        ("team", f"{scenario.team.structure}: {team_line(scenario)}"),
        *setup_words(scenario),
        ("workforce", ", ".join(workforce_words(scenario)) or "none"),
        ("replications", f"{scenario.replications}, seed {scenario.seed}"
         if scenario.seed is not None else f"{scenario.replications}, seed fresh"),
    ]
    priorities = Table(
        ["priority", "share", "clock", "response", "resolution"],
        [[name, f"{p.share:.0%}", p.clock, str(p.target("response")),
          str(p.target("resolution"))] for name, p in scenario.priorities.items()],
        "SLA targets", frozenset({"share"}))
    loads = load_table(scenario)
    notes = (["Rows marked \u2691 are overloaded: offered load reaches the agents on duty."]
             if any(loads.row_class) else [])
    return Card("Scenario", scenario.name, facts, [priorities, loads], notes)
