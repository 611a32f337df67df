"""Tiers split into agent groups, in :func:`supportsim.plan`: one decision per group.

A tier with ``[team.tiers.lN.groups.NAME]`` has no staff of its own (the scenario refuses
``team.tiers.lN.staff`` there), so the plan decides each group's head count,
``team.tiers.lN.groups.NAME.staff``. A group rostered by shifts is decided the same way:
setting its staff scales its shifts in proportion (largest remainder, as ``--set`` does,
:func:`supportsim.scenario._team.scale_roster`), so the plan keeps the group's shape of
the day and chooses how many agents work it; a planner who wants to move agents between
the shifts decides ``...groups.NAME.hours.K.staff`` instead.

Bounds, honestly: the tier's offered load must fit its agents on duty (the tier's bound,
:func:`supportsim.planning._optimise.lower_bounds`), but how the groups share it depends
on the routing, so a group gets a lower bound of its own only from the skills nobody
else in its tier holds, and only without ``[team.routing.overflow]`` (an overflowing
ticket may be taken by another group): their load must fit the group's agents on duty.
Elsewhere the bound is 0; the tier's own bound then holds through :func:`keeps_up`,
which the default search checks before it removes an agent. The search starts each
group at the largest of its bound, its share of the tier's bound (split in proportion to
today's head counts) and one agent (where it has any today); the removals may still
take a group below that.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from supportsim.scenario import Scenario
from supportsim.scenario._team import scale_roster

__all__ = ["group_bounds", "group_key", "keeps_up", "rostered"]


def group_key(tier: str, group: str) -> str:
    """The dotted key of a group's head count: ``team.tiers.l1.groups.central.staff``."""
    return f"team.tiers.{tier}.groups.{group}.staff"


def group_bounds(scenario: Scenario, tiered: Scenario, tier_bounds: Mapping[str, int]
                 ) -> tuple[dict[str, int], dict[str, int]]:
    """(lower bound, start) of each group's head count, by :func:`group_key`.

    `tiered` is `scenario` as a tiered desk (the loads of a swarm's tiers are bounded by
    the tiered ones); `tier_bounds` the tiers' lower bounds.
    """
    from supportsim._skill_capacity import skill_loads

    lower: dict[str, int] = {}
    starts: dict[str, int] = {}
    routing = scenario.team.routing
    overflow = routing is not None and routing.overflow is not None
    loads = {tier.tier: tier for tier in skill_loads(tiered)}
    for name, tier in scenario.team.tiers.items():
        if tier.groups is None:
            continue
        groups = tier.groups
        split = scale_roster([g.headcount for g in groups.values()], tier_bounds[name]) \
            if any(g.headcount for g in groups.values()) else [0] * len(groups)
        for (group_name, group), share in zip(groups.items(), split, strict=True):
            bound = 0
            own = loads.get(name)
            if not overflow and own is not None and group.headcount:
                alone = [s for s in group.skills
                         if not any(s in other.skills for other_name, other in groups.items()
                                    if other_name != group_name)]
                load = sum(own.load.get(s, 0.0) for s in alone)
                on_duty = own.agents[group_name] / group.headcount
                if load > 0 and on_duty > 0:
                    bound = math.floor(load / on_duty) + 1
            key = group_key(name, group_name)
            lower[key] = bound
            # At least one agent where the group has any today: a start, not a bound
            # (the removals may still take the group to 0).
            starts[key] = max(bound, share, min(group.headcount, 1))
    return lower, starts


def keeps_up(scenario: Scenario) -> bool:
    """Whether every tier split into agent groups has its offered load below its mean
    agents on duty (:func:`supportsim.capacity.tier_loads`, the tiered loads for a swarm).

    The groups' lower bounds of :func:`group_bounds` cannot say this (it is a bound on
    their sum), so the plan's default search checks it on each point before removing an
    agent: without it, a lenient target met by the tickets L1 resolves could leave L2's
    queue growing for the rest of time, unseen over a short horizon.
    """
    from supportsim.capacity import tier_loads

    grouped = [n for n, t in scenario.team.tiers.items() if t.groups is not None]
    if not grouped:
        return True
    if scenario.team.structure != "tiered":
        scenario = scenario.with_overrides({"team.structure": "tiered"})
    loads = tier_loads(scenario).set_index("tier")
    return all(float(loads.loc[n, "offered_load"]) < float(loads.loc[n, "on_duty"])
               for n in grouped)


def rostered(scenario: Scenario, key: str) -> tuple[int, ...] | None:
    """The shifts' staff behind a head-count decision `key` (a tier's or a group's
    ``staff`` whose hours are shifts), else None."""
    parts = key.split(".")
    if parts[:2] != ["team", "tiers"] or parts[-1] != "staff" or len(parts) not in (4, 6):
        return None
    tier = next((t for n, t in scenario.team.tiers.items() if n == parts[2]), None)
    if tier is None:
        return None
    hours = tier.hours
    if len(parts) == 6:
        if parts[3] != "groups" or tier.groups is None or parts[4] not in tier.groups:
            return None
        hours = tier.groups[parts[4]].hours
    elif tier.groups is not None:
        return None
    if not isinstance(hours, tuple):
        return None
    return tuple(s.staff for s in hours)
