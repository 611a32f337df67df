"""Offered load of skills against the agent groups serving them, before any simulation.

A tier split into agent groups can keep up on the whole and still starve a skill: the
tier's offered load may be below its agents while German tickets have one agent of their
own. For each set of skills, the agents who could serve them are those of the groups
holding any of them; if the set's offered load reaches the mean number of those agents on
duty, its queues grow (a necessary condition of stability, Hall's condition of the
routing graph). Each skill's load is taken at the smallest effort multiplier among the
groups serving it, so the check never warns about a layout that could keep up. Used by
:mod:`supportsim.capacity`, which raises the :class:`~supportsim.CapacityWarning`.
"""

from __future__ import annotations

from itertools import combinations

from supportsim.capacity import _tiered_parts
from supportsim.demand import expected_arrivals
from supportsim.engine._hours import on_duty_hours, staffing_duty_groups
from supportsim.scenario import Scenario
from supportsim.scenario._routing import skill_shares

__all__ = ["skill_overloads"]

#: Skills up to which every set of skills is checked; above it, each skill alone.
MAX_SUBSET_SKILLS = 12


def skill_overloads(scenario: Scenario) -> list[tuple[str, str]]:
    """(tier, one-line message) for each smallest set of skills of a tier with agent
    groups whose offered load reaches the agents on duty serving any of them."""
    if scenario.team.structure != "tiered":
        return []  # swarming: the team-wide view of supportsim.capacity only
    source = f" ({scenario.source})" if scenario.source else ""
    rate = expected_arrivals(scenario) / scenario.horizon
    shares = skill_shares(scenario)
    out: list[tuple[str, str]] = []
    for level, (name, tier) in zip(scenario.levels, scenario.team.tiers.items(), strict=True):
        if tier.groups is None:
            continue
        groups = tier.groups
        # Each group on its own site's clock (its hours there: holidays, time zone).
        agents = {g: sum(d.size * on_duty_hours(d, scenario.horizon)
                         for d in staffing_duty_groups(scenario, group, group.site)
                         ) / scenario.horizon
                  for g, group in groups.items()}
        load = {}
        for skill, share in shares.items():
            holders = [group for group in groups.values() if skill in group.skills]
            if share <= 0 or not holders:
                continue
            factor = min(group.effort.get(skill, 1.0) for group in holders)
            work = sum(s * m for s, m, _ in _tiered_parts(scenario, level, name, skill))
            load[skill] = rate * share * work * factor
        skills = [s for s, value in load.items() if value > 0]
        sizes = range(1, len(skills) + 1) if len(skills) <= MAX_SUBSET_SKILLS else [1]
        found: list[set[str]] = []
        for size in sizes:
            for chosen in combinations(skills, size):
                if any(smaller <= set(chosen) for smaller in found):
                    continue  # a smaller set already explains it
                serving = [g for g, group in groups.items()
                           if any(s in group.skills for s in chosen)]
                offered = sum(load[s] for s in chosen)
                capacity = sum(agents[g] for g in serving)
                if offered >= capacity:
                    found.append(set(chosen))
                    what = "skill" if size == 1 else "skills"
                    out.append((name, (
                        f"team.tiers.{name}.groups: offered load of {what} "
                        f"{', '.join(chosen)} {offered:.2f} Erlangs >= {capacity:.2f} agents "
                        f"on duty on average in the groups serving them "
                        f"({', '.join(serving)}); their queue will grow{source}")))
    return out
