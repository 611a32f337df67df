"""``supportsim check SCENARIO``: validate a scenario and show its analytic load view."""

from __future__ import annotations

import argparse
import math
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from supportsim._errors import CapacityWarning
from supportsim.cli._common import (
    _add_scenario_args,
    _duration,
    _heading,
    _load,
    _share,
    _table,
    _warnings_to_stderr,
)
from supportsim.units import readable_duration, wait_text

if TYPE_CHECKING:
    from supportsim.capacity import CheckResult
    from supportsim.scenario import Scenario

__all__ = ["register"]


def register(commands: Any) -> None:
    """Add the ``check`` command to the sub-parsers `commands`."""
    parser = commands.add_parser(
        "check", help="validate a scenario and show offered load per tier",
        description="Validate SCENARIO and print the analytic view: offered load against "
                    "staff per tier, Erlang C where it applies, and expected tickets.")
    _add_scenario_args(parser)
    parser.set_defaults(handler=_check)

# --------------------------------------------------------------------------- check

# Each section of the report is a function of the check result, printed in this order,
# a blank line apart; a new section is one more function in SECTIONS.
Section = Callable[["CheckResult"], str]


def _loads_section(result: CheckResult) -> str:
    import pandas as pd

    loads = result.loads
    rows = pd.DataFrame({
        "tier": loads["tier"],
        "tickets/h": [f"{v:.2f}" for v in loads["arrival_rate"]],
        "work/ticket": [wait_text(v) for v in loads["work_time"]],
        "cv": [f"{v:.2f}" for v in loads["service_cv"]],
        "offered load": [f"{v:.2f} Erl" for v in loads["offered_load"]],
        "staff": loads["staff"].astype(str),
        "on duty": [f"{v:.2f}" for v in loads["on_duty"]],
        "utilisation": [_share(v).strip() for v in loads["utilisation"]],
        "model": [m or "-" for m in loads["model"]],
        "P(wait)": ["-" if math.isnan(v) else f"{v:.1%}" for v in loads["wait_probability"]],
        "mean wait": [wait_text(v) for v in loads["mean_wait"]],
    })
    return ("Offered load per tier (analytic; on duty = mean agents on duty over the horizon)\n"
            + _table(rows))


def _groups_section(result: CheckResult) -> str:
    """Tiers with agent groups: each group (site, skills, staff, on-duty hours on its
    site's clock), then the offered load of each skill, and of each set of skills that
    outgrows the groups serving it, against their agents; empty without groups."""
    import pandas as pd

    from supportsim._skill_capacity import (
        overflow_served,
        overflow_text,
        overloaded_sets,
        skill_loads,
    )

    scenario = result.scenario
    loads = skill_loads(scenario)
    if not loads:
        return ""
    weeks = scenario.horizon / 168.0
    groups = []
    for tier in loads:
        for name, group in (scenario.team.tiers[tier.tier].groups or {}).items():
            skills = ", ".join(f"{s} x{group.effort[s]:g}" if s in group.effort else s
                               for s in group.skills)
            if isinstance(group.hours, tuple):
                staff = (f"{group.headcount} (" + ", ".join(
                    f"{shift.name or f'{shift.start:%H:%M}-{shift.end:%H:%M}'} {shift.staff}"
                    for shift in group.hours) + ")")
            else:
                staff = f"{group.headcount} ({group.hours})"
            groups.append({"tier": tier.tier, "group": name,
                           "site": group.site or scenario.site_names[0], "skills": skills,
                           "staff (hours)": staff,
                           "on duty h/week": f"{tier.hours[name] / weeks:,.1f}",
                           "on duty": f"{tier.agents[name]:.2f}"})
    rows = []
    short = overloaded_sets(scenario, loads)
    how = overflow_text(scenario)
    served = {(t.tier, skill): (pooled, offered, capacity)
              for t, skill, pooled, offered, capacity in overflow_served(scenario, loads)}
    for tier in loads:
        sets: list[tuple[tuple[str, ...], float, float]] = [
            ((skill,), value, sum(tier.agents[g] for g in tier.serving(scenario, (skill,))))
            for skill, value in tier.load.items()]
        sets += [(chosen, offered, capacity) for t, chosen, offered, capacity in short
                 if t is tier and len(chosen) > 1]
        for chosen, offered, capacity in sets:
            mark = "<- short: its queue grows" if offered >= capacity else ""
            if how and len(chosen) == 1:
                pool = served.get((tier.tier, chosen[0]))
                if pool is not None:  # short in its own groups, not with overflow
                    mark = (f"<- served by {how} (with {', '.join(pool[0])}: "
                            f"{_share(pool[1] / pool[2]).strip()} of their groups)")
            rows.append({"tier": tier.tier, "skills": ", ".join(chosen),
                         "offered load": f"{offered:.2f} Erl",
                         "groups serving": ", ".join(tier.serving(
                             scenario, chosen, overflow=bool(how) and len(chosen) > 1)),
                         "on duty": f"{capacity:.2f}",
                         "utilisation": ("nobody on duty" if capacity <= 0
                                         else _share(offered / capacity).strip()),
                         "": mark})
    return ("Agent groups (each on its site's clock: time zone, business days, holidays; "
            "on duty = mean agents\non duty over the horizon, h/week = agent-hours on duty "
            "per week)\n" + _table(pd.DataFrame(groups))
            + "\n\nLoad per skill (offered load at the fastest serving group's effort "
            "against the mean agents on\nduty in the groups holding it; a set of skills "
            "is listed where together they outgrow their groups)\n"
            + _table(pd.DataFrame(rows)) + _overflow_legend(how))


def _overflow_legend(how: str) -> str:
    """With overflow: how "served by overflow" and a short set are judged."""
    if not how:
        return ""
    return (f"\nWith {how}: a skill short in its own groups is served by overflow when\n"
            "its load, with that of the skills its overflow groups carry, stays below their "
            "agents\non duty (a set of skills listed as short counts those groups and that "
            "load)")


def _peaks_section(result: CheckResult) -> str:
    """Offered load in the busiest hour, day and week against the agents rostered then."""
    import pandas as pd

    from supportsim._peak import LABELS

    peaks = result.peaks
    if peaks is None or peaks.empty:
        return ""
    rows = pd.DataFrame({
        "busiest": [LABELS[p] for p in peaks["period"]],
        "from": [f"{t:%a %Y-%m-%d %H:%M}" for t in peaks["start"]],
        "tickets/h": [f"{v:.2f}" for v in peaks["tickets_per_hour"]],
        "tier": peaks["tier"],
        "offered load": [f"{v:.2f} Erl" for v in peaks["offered_load"]],
        "on duty": [f"{v:.2f}" for v in peaks["on_duty"]],
        "utilisation": ["nobody on duty" if math.isinf(v) else _share(v).strip()
                        for v in peaks["utilisation"]],
        "": ["<- over capacity" if v >= 1 else "" for v in peaks["utilisation"]],
    })
    return ("Peak and burst load per tier (expected demand incl. bursts, storms and waves, "
            "in the\nbusiest hour, 24 h and 168 h, each from any whole hour; on duty = base "
            "staff rostered then;\nover 100 % the queue grows)\n" + _table(rows))


def _warmup(scenario: Scenario) -> str:
    """The warm-up as the user asked for it: ``warmup = "auto"`` is found after the run,
    so the 0 h the scenario holds until then is not the warm-up."""
    return "auto (MSER-5 after the run)" if scenario.auto_warmup else _duration(scenario.warmup)


def _demand_section(result: CheckResult) -> str:
    scenario = result.scenario
    days = scenario.horizon / 24
    head = (f"Expected tickets: {result.tickets:,.0f} over {_duration(scenario.horizon)} "
            f"({result.tickets / days:,.1f} a day)")
    if scenario.auto_warmup:
        return f"{head}; the warm-up MSER-5 cuts after the run is not scored"
    return (f"{head}, {result.scored_tickets:,.0f} after the "
            f"{_duration(scenario.warmup)} warm-up")


def _size_section(result: CheckResult) -> str:
    """Expected tickets and estimated peak memory of ``run``, against the default limit."""
    from supportsim._size import DEFAULT_MAX_TICKETS, SizeLimitError, estimate_size, format_bytes

    kept = estimate_size(result.scenario, keep=True)
    dropped = estimate_size(result.scenario, keep=False)
    lines = [f"Size: {kept.tickets_per_replication:,.0f} tickets per replication, "
             f"{kept.tickets:,.0f} over {kept.replications:,} replications",
             f"  estimated peak memory {format_bytes(dropped.peak_bytes)} "
             f"(`run`), {format_bytes(kept.peak_bytes)} with the ticket table kept "
             f"(`run --out`, `run --vs`, `ss.simulate`)"]
    for estimate, how in ((dropped, "`run`"), (kept, "with the ticket table kept")):
        try:
            estimate.check(DEFAULT_MAX_TICKETS)
        except SizeLimitError:
            lines.append(f"  {how}: refused at the default limit of {DEFAULT_MAX_TICKETS:,} "
                         "tickets in memory at once unless --max-tickets / max_tickets is "
                         "raised")
    return "\n".join(lines)


def _priorities_section(result: CheckResult) -> str:
    table = result.priorities
    rows = table[["priority", "share", "response", "resolution", "clock"]].assign(
        share=[f"{v:.0%}" for v in table["share"]])
    return "Priorities (SLA targets as written)\n" + _table(rows)


def _queue_order_section(result: CheckResult) -> str:
    """One line: how queues order tickets (team.channel_order with the discipline)."""
    from supportsim.engine._queues import channel_ranks

    scenario = result.scenario
    team = scenario.team
    order = team.channel_order
    setting = f"team.channel_order = {order!r}" if isinstance(order, str) else (
        f"team.channel_order = {list(order)}")
    within = "arrival" if team.discipline == "fifo" else "priority, then arrival"
    ranks = channel_ranks(scenario)
    if max(ranks) == 0:
        return f"Queue order: by {within} ({setting}; channels do not matter)"
    channels = scenario.demand.channels
    groups = [", ".join(f"{name} (patience {_duration(c.patience)})" if c.patience else name
                        for (name, c), r in zip(channels.items(), ranks, strict=True) if r == k)
              for k in range(max(ranks) + 1)]
    started = ("requests for help" if team.structure == "swarming"
               else "started tickets (escalated, bounced)")
    return (f"Queue order ({setting}): tickets nobody has started, {' before '.join(groups)}, "
            f"each by {within}; {started} by {within}")


def _waves_section(result: CheckResult) -> str:
    """Each rollout wave's expected tickets and share of all; empty without waves."""
    import pandas as pd

    from supportsim.curve import demand_curve
    from supportsim.sites import wall_clock

    scenario = result.scenario
    waves = scenario.demand.waves
    if not waves:
        return ""
    curve = demand_curve(scenario)
    widths = curve["t"].diff().shift(-1).fillna(scenario.horizon - curve["t"].iloc[-1])
    tickets = curve.drop(columns="t").mul(widths, axis=0).sum()
    start = scenario.start
    rows = pd.DataFrame({
        "wave": [w.name for w in waves] + ["base (with storms)"],
        "go-live": [f"{wall_clock(start, w.at, scenario.zone_of_start):%Y-%m-%d %H:%M}"
                    for w in waves] + ["-"],
        "users": [f"{w.users:,}" for w in waves] + ["-"],
        "tickets": [f"{tickets[w.name]:,.0f}" for w in waves] + [f"{tickets['base']:,.0f}"],
        "share": [f"{tickets[n] / tickets['total']:.1%}" if tickets["total"] > 0 else "-"
                  for n in [*(w.name for w in waves), "base"]],
        "peak/h": [f"{curve[w.name].max():.2f}" for w in waves] + [f"{curve['base'].max():.2f}"],
    })
    after = sum(1 for w in waves if w.at >= scenario.horizon)
    note = f"; {after} wave(s) go live after the horizon" if after else ""
    return ("Rollout waves (expected tickets over the horizon, share of all, peak hourly "
            f"rate; `ss.demand_curve` has the curve{note})\n" + _table(rows))


def _backlog_section(result: CheckResult) -> str:
    """One line: the [initial] backlog at start (or that the desk starts empty)."""
    import numpy as np

    scenario = result.scenario
    backlog = scenario.backlog
    if backlog is None or not len(backlog):
        return "Initial backlog: none (the desk starts empty)"
    from supportsim.scenario._schema import TIERS

    names = [TIERS[level - 1] for level in scenario.levels]
    per_tier = ", ".join(
        f"{name} {int(np.sum(backlog.tier == level))} "
        f"({int(np.sum((backlog.tier == level) & backlog.in_service))} in service)"
        for name, level in zip(names, scenario.levels, strict=True))
    return (f"Initial backlog: {len(backlog):,} open tickets at start ({per_tier}); oldest "
            f"opened {readable_duration(-float(backlog.opened.min()))} before start")


def _retrials_section(result: CheckResult) -> str:
    """One line on the channels whose customers retry; empty when none does."""
    from supportsim._retrials import MAX_RETRIALS
    from supportsim.distributions import moments

    channels = [(name, c) for name, c in result.scenario.demand.channels.items() if c.retry > 0]
    if not channels:
        return ""
    parts = []
    for name, c in channels:
        after = c.retry_after
        assert after is not None
        mean = after if isinstance(after, float) else moments(after)[0]
        parts.append(f"{name} {c.retry:.0%} after {readable_duration(mean)} on average")
    return (f"Retrials: {', '.join(parts)}; each abandonment retries with that probability, "
            f"at most {MAX_RETRIALS} times a ticket (same ticket and patience, SLA clocks "
            "from the first arrival)")


def _hours_section(result: CheckResult) -> str:
    """One line on the channels with opening hours; empty when every channel is 24x7."""
    from supportsim._opening_hours import closed_shares

    scenario = result.scenario
    shares = closed_shares(scenario)
    if not shares:
        return ""
    where = "each site's" if scenario.sites else "the"
    parts = [f"{name} open in {where} business hours, {share:.0%} of its tickets expected "
             f"while closed, raised on {scenario.demand.channels[name].closed} instead"
             for name, share in shares.items()]
    return f"Opening hours: {'; '.join(parts)} (total demand unchanged)"


SECTIONS: list[Section] = [_loads_section, _groups_section, _peaks_section, _demand_section,
                           _size_section, _priorities_section, _queue_order_section,
                           _retrials_section, _hours_section, _waves_section, _backlog_section]


def _check(args: argparse.Namespace) -> int:
    from supportsim.capacity import check

    with _warnings_to_stderr():
        scenario = _load(args)
        result = check(scenario)
        for message in result.warnings:
            warnings.warn(message, CapacityWarning, stacklevel=1)
    print(f"{_heading(scenario, args.overrides)}\nvalid; "
          f"horizon {_duration(scenario.horizon)}, warm-up {_warmup(scenario)}, "
          f"structure {scenario.team.structure}, discipline {scenario.team.discipline}")
    for section in SECTIONS:
        text = section(result)
        if text:  # a section with nothing to say (no waves) is left out
            print()
            print(text)
    return 0
