"""Where and how a desk works, in words: agent groups (site, skills, staff, hours on the
site's clock), sites (time zones, holidays), skills, routing and overflow, retrials and
costs. Used by the scenario's repr, card and the report's first paragraph
(:mod:`supportsim.report._scenario`); each phrase is empty where the scenario does not
use the mechanism, so a plain desk reads as before."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from supportsim.scenario._schema import DAYS

if TYPE_CHECKING:
    from supportsim.scenario import Scenario
    from supportsim.scenario._team import AgentGroup, Tier

__all__ = ["assumption_words", "cost_words", "group_words", "retrial_words", "routing_words",
           "site_words", "skill_words", "tier_words"]


def _duration(value: float) -> str:
    from supportsim.report._scenario import duration

    return duration(value)


def _days(days: tuple[str, ...]) -> str:
    """``""`` for every day, ``Mon-Fri`` for a run of days, else ``Mon/Wed/Fri``."""
    if tuple(days) == DAYS:
        return ""
    index = [DAYS.index(d) for d in days]
    if index == list(range(index[0], index[0] + len(index))) and len(index) > 2:
        return f"{days[0]}-{days[-1]}"
    return "/".join(days)


def _shifts(hours: tuple[Any, ...]) -> str:
    """``shifts 07:00-16:00 x2 Mon-Fri, 16:00-01:00 x1 Mon-Fri``."""
    parts = []
    for shift in hours:
        days = _days(shift.days)
        parts.append(f"{shift.start}-{shift.end} x{shift.staff}" + (f" {days}" if days else ""))
    return f"shift{'s' if len(parts) != 1 else ''} " + ", ".join(parts)


def _zone(scenario: Scenario, site: str) -> str:
    if scenario.sites:
        return scenario.sites[site].timezone
    return scenario.start_zone or "start's clock"


def _business_hours(scenario: Scenario, site: str) -> str:
    own = scenario.sites[site].business_hours if scenario.sites else None
    opens, closes = own or scenario.calendar_section.business_hours
    from supportsim.scenario._group_sites import site_business_days

    days = _days(site_business_days(scenario, site))
    return f"business hours {opens}-{closes}" + (f" {days}" if days else "")


def _hours_words(scenario: Scenario, hours: Any, site: str) -> str:
    if isinstance(hours, tuple):
        text = _shifts(hours)
    elif hours == "business":
        text = _business_hours(scenario, site)
    else:
        text = str(hours)
    return text if text == "24x7" else f"{text} {_zone(scenario, site)}"


def group_words(scenario: Scenario, tier: str, name: str, group: AgentGroup) -> str:
    """``german 4 at berlin (de/en; business hours 08:00-17:00 Mon-Fri Europe/Berlin)``."""
    from supportsim.scenario._group_sites import group_site

    site = group_site(scenario, tier, name)
    where = f" at {site}" if scenario.sites else ""
    return (f"{name} {group.headcount}{where} ({'/'.join(group.skills)}; "
            f"{_hours_words(scenario, group.hours, site)})")


def tier_words(scenario: Scenario, name: str, tier: Tier, *, short: bool = False) -> str:
    """A tier in words: ``l2 6 (business)``, or by its groups
    (``l1 10 in 3 groups: german 4 at berlin (...), ...``); `short` names only the groups'
    head counts (``l1 10 (german 4, polish 3, english 3)``)."""
    if tier.groups is None:
        if isinstance(tier.hours, tuple):
            count = len(tier.hours)
            hours = f"{count} shift{'s' if count != 1 else ''}"
        else:
            hours = tier.hours
        return f"{name} {tier.headcount} ({hours})"
    if short:
        return (f"{name} {tier.headcount} ("
                + ", ".join(f"{g} {group.headcount}" for g, group in tier.groups.items())
                + ")")
    count = len(tier.groups)
    return (f"{name} {tier.headcount} in {count} group{'s' if count != 1 else ''}: "
            + ", ".join(group_words(scenario, name, g, group)
                        for g, group in tier.groups.items()))


def _holidays(scenario: Scenario, site: str) -> str:
    rules = scenario.sites[site].holidays if scenario.sites else None
    if rules is None:
        dates = len(scenario.calendar_section.holidays)
        return f"{dates} holiday date{'s' if dates != 1 else ''}" if dates else "no holidays"
    parts = []
    if rules.country is not None:
        parts.append(rules.country + (f"-{rules.subdivision}" if rules.subdivision else ""))
    if rules.dates:
        parts.append(f"{len(rules.dates)} date{'s' if len(rules.dates) != 1 else ''}")
    return "holidays " + " + ".join(parts) if parts else "no holidays"


def site_words(scenario: Scenario) -> str:
    """``berlin (Europe/Berlin, holidays DE-BY, 50% of tickets), ...``; ``""`` without
    ``[sites]``."""
    if not scenario.sites:
        return ""
    shares = scenario.demand.sites or {}
    out = []
    for name, site in scenario.sites.items():
        parts = [site.timezone, _holidays(scenario, name)]
        if site.business_hours is not None:
            parts.append(_business_hours(scenario, name))
        if name in shares:
            parts.append(f"{shares[name]:.0%} of base tickets")
        out.append(f"{name} ({', '.join(parts)})")
    return ", ".join(out)


def skill_words(scenario: Scenario) -> str:
    """``de 30%, pl 20%, en 50% (own shares at berlin, warsaw)``; ``""`` without
    ``[demand.skills]``."""
    skills = scenario.demand.skills
    if not skills:
        return ""
    text = ", ".join(f"{name} {value:.0%}" for name, value in skills.items())
    own = [n for n, s in (scenario.sites or {}).items() if s.skills is not None]
    own += [f"{n} channel" for n, c in scenario.demand.channels.items()
            if c.skills is not None]
    return text + (f" (own shares: {', '.join(own)})" if own else "")


def routing_words(scenario: Scenario) -> str:
    """``longest-idle agent, priority queue, overflow to skill en after 20min``; ``""``
    where no tier has groups (routing applies to groups only)."""
    team = scenario.team
    if not any(t.groups for t in team.tiers.values()):
        return ""
    routing = team.routing
    agent = routing.agent if routing is not None else "longest_idle"
    queue = routing.queue if routing is not None else None
    if queue is None:
        queue = "oldest" if team.discipline == "fifo" else "priority"
    words = [f"{agent.replace('_', '-')} agent"
             + (f" (order {', '.join(routing.order)})" if routing and routing.order else ""),
             f"{queue} queue"]
    overflow = routing.overflow if routing is not None else None
    if overflow is not None:
        target = (f"skill {overflow.skill}" if overflow.skill is not None
                  else f"site {overflow.site}")
        words.append(f"overflow to {target} after {_duration(overflow.after)}")
    else:
        words.append("no overflow")
    return ", ".join(words)


def retrial_words(scenario: Scenario) -> str:
    """``phone 50% after 17.5min on average``; ``""`` where no channel retries."""
    parts = []
    for name, channel in scenario.demand.channels.items():
        if channel.retry <= 0:
            continue
        after = channel.retry_after
        assert after is not None  # required with retry > 0
        if isinstance(after, float):
            mean = after
        else:
            from supportsim.distributions import moments

            mean = moments(after)[0]
        # A mean is rarely a round duration: minutes or hours, three digits (17.5min).
        text = f"{mean * 60:.3g}min" if mean < 1 else f"{mean:.3g}h"
        parts.append(f"{name} {channel.retry:.0%} after {text} on average")
    return ", ".join(parts)


def cost_words(scenario: Scenario) -> str:
    """``EUR: l1 38/h (chinese 21/h), l2 55/h, joiner 5,000, penalties P1 100 / 300``: a
    group with its own rate in brackets after its tier's; ``""`` without ``[costs]``."""
    costs = scenario.costs
    if costs is None:
        return ""

    def rate(hourly: float) -> str:
        return f"{hourly:,.4g}/h"

    parts = [", ".join(
        f"{t} {rate(c.hourly)}" + (" (" + ", ".join(f"{g} {rate(own.hourly)}" for g, own
                                                     in c.groups.items()) + ")"
                                   if c.groups else "")
        for t, c in costs.tiers.items())]
    if costs.joiner:
        parts.append(f"joiner {costs.joiner:,.0f}")
    if costs.penalties:
        parts.append("penalties " + ", ".join(
            f"{p} {pen.response:,.4g} per missed response / {pen.resolution:,.4g} per "
            f"missed resolution" for p, pen in costs.penalties.items()))
    return f"{costs.currency}: " + ", ".join(parts)


def assumption_words(scenario: Scenario) -> list[str]:
    """Sentences the report's assumptions add for sites, skills-based routing and
    retrials where the scenario has them (the rules of docs/assumptions.md: "Sites, time
    zones and holidays", "Agent groups at sites", "Routing", "Retrials")."""
    out = []
    if scenario.sites:
        out.append(
            "Each site works on its own local clock (time zone with daylight saving, "
            "business hours and days, public holidays): every ticket carries the site "
            "where it was raised, a business-clock target runs on that site's business "
            "hours, and a group's hours are local clock times of its site (a tier or "
            "group without a site works at the first site); with several sites on "
            "different clocks each site's users raise tickets on their own clock.")
    if any(t.groups for t in scenario.team.tiers.values()):
        routing = scenario.team.routing
        overflow = routing.overflow if routing is not None else None
        out.append(
            "Tickets are routed by skill: each ticket keeps one skill for life, each tier "
            "keeps one queue per skill, and only agents of a group holding the skill take "
            "it (the idle agent and the waiting ticket chosen by the routing rules); a "
            "group's effort multiplier scales its service of that skill"
            + (f"; a ticket that has waited {_duration(overflow.after)} in a tier's queue "
               "also becomes eligible for the groups holding the fallback "
               + (f"skill {overflow.skill}" if overflow.skill is not None
                  else f"site {overflow.site}")
               + " (the clock restarts at each tier)" if overflow is not None else "")
            + ".")
    if any(c.retry > 0 for c in scenario.demand.channels.values()):
        out.append(
            "A customer who abandons tries again with the channel's retry probability "
            "after a drawn delay, at most 100 times: a retrial is the same ticket with "
            "the same patience, SLA clocks run from its first arrival, and it counts as "
            "abandoned only if its last attempt abandoned.")
    return out
