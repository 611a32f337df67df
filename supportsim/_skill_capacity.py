"""Offered load of skills against the agent groups serving them, before any simulation.

A tier split into agent groups can keep up on the whole and still starve a skill: the
tier's offered load may be below its agents while German tickets have one agent of their
own. For each set of skills, the agents who could serve them are those of the groups
holding any of them; if the set's offered load reaches the mean number of those agents on
duty, its queues grow (a necessary condition of stability, Hall's condition of the
routing graph). Each skill's load is taken at the smallest effort multiplier among the
groups serving it, so the check never warns about a layout that could keep up. Used by
:mod:`supportsim.capacity`, which raises the :class:`~supportsim.CapacityWarning`, and by
``supportsim check``'s agent-group section.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations

import numpy as np

from supportsim._opening_hours import closed_moves, open_fraction
from supportsim.capacity import _tiered_parts
from supportsim.demand import expected_arrivals, wave_integrals
from supportsim.engine._hours import on_duty_hours, staffing_duty_groups
from supportsim.scenario import Scenario
from supportsim.scenario._routing import DEFAULT_SKILL, skill_names, skill_shares
from supportsim.scenario._schema import TierName

__all__ = ["SkillLoads", "overflow_groups", "overflow_notes", "overflow_served",
           "overflow_text", "overloaded_sets", "skill_loads", "skill_overloads",
           "ticket_skill_shares", "wave_skill_shares"]

#: Skills up to which every set of skills is checked; above it, each skill alone.
MAX_SUBSET_SKILLS = 12


@dataclass(frozen=True)
class SkillLoads:
    """One tier with agent groups: each group's mean agents on duty and on-duty
    agent-hours over the horizon (on its site's clock), each skill's offered load."""

    tier: TierName
    agents: dict[str, float]  # group -> mean agents on duty over the horizon
    hours: dict[str, float]  # group -> agent-hours on duty over the horizon
    load: dict[str, float]  # skill -> offered load (Erlangs), skills with tickets only
    # skill -> offered load at the fastest multiplier among its own groups and those its
    # tickets overflow to; equal to `load` without [team.routing.overflow]
    pooled: dict[str, float] = field(default_factory=dict)

    def serving(self, scenario: Scenario, skills: tuple[str, ...], *,
                overflow: bool = False) -> list[str]:
        """The groups holding any of `skills`, in the scenario's order; with `overflow`,
        also those their tickets may overflow to (:func:`overflow_groups`)."""
        groups = scenario.team.tiers[self.tier].groups or {}
        extra = set(overflow_groups(scenario, self.tier, skills)) if overflow else set()
        return [g for g, group in groups.items()
                if g in extra or any(s in group.skills for s in skills)]


def overflow_groups(scenario: Scenario, tier: TierName, skills: tuple[str, ...]) -> list[str]:
    """The groups of `tier` that waiting tickets of `skills` overflow to
    (``[team.routing.overflow]``): those holding the fallback skill (whose own tickets do
    not overflow), or those working at the fallback site; none without overflow."""
    routing = scenario.team.routing
    overflow = routing.overflow if routing is not None else None
    if overflow is None:
        return []
    groups = scenario.team.tiers[tier].groups or {}
    if overflow.skill is not None:
        if all(skill == overflow.skill for skill in skills):
            return []
        return [g for g, group in groups.items() if overflow.skill in group.skills]
    first = scenario.site_names[0]  # a group without a site works at the first one
    return [g for g, group in groups.items() if (group.site or first) == overflow.site]


def overflow_text(scenario: Scenario) -> str:
    """How tickets overflow, in words (``"overflow to 'en' after 2h"``); empty without."""
    from supportsim.units import readable_duration

    routing = scenario.team.routing
    overflow = routing.overflow if routing is not None else None
    if overflow is None:
        return ""
    where = (repr(overflow.skill) if overflow.skill is not None
             else f"site {overflow.site!r}")
    return f"overflow to {where} after {readable_duration(overflow.after)}"


def _wave_sites(scenario: Scenario, site: str | None) -> dict[str, float]:
    """The sites a wave's tickets are raised at, with their weights, as
    :func:`supportsim.demand._sites` draws them: the wave's own site, else by
    ``demand.sites`` (one site: the first)."""
    names = scenario.site_names
    if site is not None:
        return {site: 1.0}
    if len(names) == 1:
        return {names[0]: 1.0}
    given = scenario.demand.sites or {}
    return {name: given.get(name, 0.0) for name in names}


def wave_skill_shares(scenario: Scenario, index: int) -> dict[str, float]:
    """Each skill's expected share of rollout wave `index`'s tickets, following what
    :func:`supportsim.demand._draw` draws: the wave's own channel shares (else
    ``demand.channels``), a channel with opening hours moving its closed-hours tickets to
    its `closed` channel by the wave's open fraction at each site
    (:mod:`supportsim._opening_hours`), then per ticket its channel's skill shares, else
    its site's, else ``[demand.skills]`` (:func:`supportsim.demand._skills`)."""
    wave = scenario.demand.waves[index]
    channels = scenario.demand.channels
    names = list(channels)
    given = (dict(wave.channels) if wave.channels is not None
             else {name: c.share for name, c in channels.items()})
    total = sum(given.values())
    drawn = {name: given.get(name, 0.0) / total for name in names}
    moves = closed_moves(scenario)
    base = scenario.demand.skills or {DEFAULT_SKILL: 1.0}
    sites = scenario.sites or {}
    shares = dict.fromkeys(skill_names(scenario), 0.0)
    for site, weight in _wave_sites(scenario, wave.site).items():
        if weight <= 0:
            continue
        place = sites.get(site)
        own = (place.skills if place is not None else None) or base
        split = dict(drawn)
        if moves:
            shut = 1.0 - open_fraction(scenario, site, index)
            # As redirect_closed: by the channel drawn, so moves never chain.
            for source, target in moves:
                moved = drawn[names[source]] * shut
                split[names[source]] -= moved
                split[names[target]] += moved
        for name, channel in channels.items():
            mix = channel.skills or own
            for skill in shares:
                shares[skill] += weight * split[name] * mix.get(skill, 0.0)
    return shares


def ticket_skill_shares(scenario: Scenario) -> dict[str, float]:
    """Each skill's share of the expected tickets over the horizon: the base demand's by
    :func:`~supportsim.scenario._routing.skill_shares`, each rollout wave's by
    :func:`wave_skill_shares` (a wave of Chinese users raises Chinese tickets, whatever
    the base demand's sites; a wave's own channel shares carry their channels' skills)."""
    base = skill_shares(scenario)
    waves = scenario.demand.waves
    total = expected_arrivals(scenario)
    if not waves or total <= 0:
        return base
    per_wave = wave_integrals(scenario, np.array([0.0, scenario.horizon]))[:, 0]
    out = {name: value * (total - float(per_wave.sum())) for name, value in base.items()}
    for index, tickets in enumerate(per_wave.tolist()):
        if tickets <= 0:
            continue
        for name, value in wave_skill_shares(scenario, index).items():
            out[name] += value * tickets
    return {name: value / total for name, value in out.items()}


def skill_loads(scenario: Scenario) -> list[SkillLoads]:
    """:class:`SkillLoads` of each tier with agent groups (none for a swarming team)."""
    if scenario.team.structure != "tiered":
        return []  # swarming: the team-wide view of supportsim.capacity only
    rate = expected_arrivals(scenario) / scenario.horizon
    shares = ticket_skill_shares(scenario)
    out = []
    for level, (name, tier) in zip(scenario.levels, scenario.team.tiers.items(), strict=True):
        if tier.groups is None:
            continue
        groups = tier.groups
        # Each group on its own site's clock (its hours there: holidays, time zone).
        hours = {g: sum(d.size * on_duty_hours(d, scenario.horizon)
                        for d in staffing_duty_groups(scenario, group, group.site))
                 for g, group in groups.items()}
        load, pooled = {}, {}
        for skill, share in shares.items():
            holders = [group for group in groups.values() if skill in group.skills]
            if share <= 0 or not holders:
                continue
            factor = min(group.effort.get(skill, 1.0) for group in holders)
            # An overflowing ticket takes the next agent's own multiplier (1 if none).
            others = [groups[g] for g in overflow_groups(scenario, name, (skill,))]
            fastest = min([factor, *(group.effort.get(skill, 1.0) for group in others)])
            work = sum(s * m for s, m, _ in _tiered_parts(scenario, level, name, skill))
            load[skill] = rate * share * work * factor
            pooled[skill] = rate * share * work * fastest
        out.append(SkillLoads(name, {g: h / scenario.horizon for g, h in hours.items()},
                              hours, load, pooled))
    return out


def _pooled(scenario: Scenario, tier: SkillLoads, chosen: tuple[str, ...]
            ) -> tuple[tuple[str, ...], float, float]:
    """With overflow: (the skills all of whose tickets the groups `chosen`'s tickets may
    reach serve, their offered load, those groups' agents on duty). Those groups must
    keep up with all of it (Hall's condition of the routing graph with overflow edges):
    e.g. Finnish with overflow to English against the Finnish and English groups carries
    the English load too."""
    reach = set(tier.serving(scenario, chosen, overflow=True))
    skills = tuple(s for s in tier.load
                   if s in chosen or set(tier.serving(scenario, (s,), overflow=True)) <= reach)
    return (skills, sum(tier.pooled[s] for s in skills),
            sum(tier.agents[g] for g in reach))


def overloaded_sets(scenario: Scenario, loads: list[SkillLoads] | None = None
                    ) -> list[tuple[SkillLoads, tuple[str, ...], float, float]]:
    """(tier's loads, skills, offered load, agents on duty serving them) for each smallest
    set of skills of a tier with agent groups whose load reaches those agents; with
    ``[team.routing.overflow]``, counting the groups their tickets overflow to and the
    load those groups carry (:func:`_pooled`)."""
    out = []
    overflow = bool(overflow_text(scenario))
    for tier in skill_loads(scenario) if loads is None else loads:
        skills = [s for s, value in tier.load.items() if value > 0]
        sizes = range(1, len(skills) + 1) if len(skills) <= MAX_SUBSET_SKILLS else [1]
        found: list[set[str]] = []
        for size in sizes:
            for chosen in combinations(skills, size):
                if any(smaller <= set(chosen) for smaller in found):
                    continue  # a smaller set already explains it
                if overflow:
                    # Hall's condition with the overflow edges; above MAX_SUBSET_SKILLS
                    # each skill with all the load its groups carry (_pooled).
                    if len(skills) > MAX_SUBSET_SKILLS:
                        chosen, offered, capacity = _pooled(scenario, tier, chosen)
                    else:
                        offered = sum(tier.pooled[s] for s in chosen)
                        capacity = sum(tier.agents[g] for g in
                                       tier.serving(scenario, chosen, overflow=True))
                else:
                    offered = sum(tier.load[s] for s in chosen)
                    capacity = sum(tier.agents[g] for g in tier.serving(scenario, chosen))
                if offered >= capacity and not any(smaller <= set(chosen)
                                                   for smaller in found):
                    found.append(set(chosen))
                    out.append((tier, chosen, offered, capacity))
    return out


def overflow_served(scenario: Scenario, loads: list[SkillLoads] | None = None
                    ) -> list[tuple[SkillLoads, str, tuple[str, ...], float, float]]:
    """(tier's loads, skill, the skills pooled with it, their offered load, agents on
    duty of the groups serving them) for each skill whose load reaches its own groups'
    agents but which overflow serves: the pooled load stays below those agents (else
    :func:`overloaded_sets` lists it, or a set of skills with it)."""
    if not overflow_text(scenario):
        return []
    loads = skill_loads(scenario) if loads is None else loads
    short = {(tier.tier, s) for tier, chosen, _, _ in overloaded_sets(scenario, loads)
             for s in chosen}
    out = []
    for tier in loads:
        for skill, value in tier.load.items():
            own = sum(tier.agents[g] for g in tier.serving(scenario, (skill,)))
            if (value < own or not overflow_groups(scenario, tier.tier, (skill,))
                    or (tier.tier, skill) in short):
                continue
            pooled, offered, capacity = _pooled(scenario, tier, (skill,))
            if offered < capacity:
                out.append((tier, skill, pooled, offered, capacity))
    return out


def overflow_notes(scenario: Scenario) -> list[tuple[str, str]]:
    """(tier, one-line note) for each skill short in its own groups but served by
    overflow (:func:`overflow_served`): not a warning."""
    source = f" ({scenario.source})" if scenario.source else ""
    how = overflow_text(scenario)
    return [(tier.tier, (
        f"team.tiers.{tier.tier}.groups: offered load of skill {skill} "
        f"{tier.load[skill]:.2f} Erlangs >= "
        f"{sum(tier.agents[g] for g in tier.serving(scenario, (skill,))):.2f} agents on "
        f"duty on average in its own groups ({', '.join(tier.serving(scenario, (skill,)))})"
        f"; served by {how}: skills {', '.join(pooled)} {offered:.2f} Erlangs < "
        f"{capacity:.2f} agents on duty in the groups serving them "
        f"({', '.join(tier.serving(scenario, (skill,), overflow=True))}){source}"))
        for tier, skill, pooled, offered, capacity in overflow_served(scenario)]


def skill_overloads(scenario: Scenario) -> list[tuple[str, str]]:
    """(tier, one-line message) for each smallest set of skills of a tier with agent
    groups whose offered load reaches the agents on duty serving any of them (with
    overflow, the groups their tickets may overflow to too)."""
    source = f" ({scenario.source})" if scenario.source else ""
    how = overflow_text(scenario)
    via = f" with {how}" if how else ""
    out: list[tuple[str, str]] = []
    for tier, chosen, offered, capacity in overloaded_sets(scenario):
        what = "skill" if len(chosen) == 1 else "skills"
        out.append((tier.tier, (
            f"team.tiers.{tier.tier}.groups: offered load of {what} "
            f"{', '.join(chosen)} {offered:.2f} Erlangs >= {capacity:.2f} agents "
            f"on duty on average in the groups serving them "
            f"({', '.join(tier.serving(scenario, chosen, overflow=bool(how)))}){via}; "
            f"their queue will grow{source}")))
    return out
