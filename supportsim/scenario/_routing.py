"""Skills and skills-based routing: ``[demand.skills]``, ``[work.skills.NAME]``,
``[team.routing]`` and the rules that relate them to the agent groups of
``[team.tiers.lN.groups.NAME]`` (the group itself is in :mod:`supportsim.scenario._team`).

The rules the engine follows are stated in docs/assumptions.md, "Routing".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field, StringConstraints, model_validator

from supportsim.scenario._group_sites import check_group_sites
from supportsim.scenario._schema import (
    MAX_DURATION,
    TIERS,
    Hours,
    KeyedError,
    Section,
)
from supportsim.scenario._validation import _did_you_mean

if TYPE_CHECKING:
    from supportsim.scenario._scenario import Scenario

__all__ = ["DEFAULT_SKILL", "Overflow", "Routing", "check_routing", "check_skill_work",
           "skill_names", "skill_shares"]

#: The one skill of a scenario without ``[demand.skills]``.
DEFAULT_SKILL = "any"
#: Skills of a scenario, at most (a ticket's skill is stored in one byte).
MAX_SKILLS = 100
#: Bounds of a group's per-skill effort multiplier.
MIN_SKILL_EFFORT, MAX_SKILL_EFFORT = 0.01, 100.0

#: A skill, group or site name: letters, digits, "_" and "-" (they appear in column names).
SkillName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_\-]{0,63}$")]


class Overflow(Section):
    """``[team.routing.overflow]``: a ticket waiting longer than `after` in a tier's queue
    also becomes eligible for the groups of that tier holding `skill`, or (follow the
    sun) for the groups of that tier working at `site`."""

    after: Hours = Field(ge=0, le=MAX_DURATION,
                         description="wait in the tier's queue after which it overflows")
    skill: SkillName | None = Field(
        default=None, description="the fallback skill (e.g. a common language)")
    site: SkillName | None = Field(
        default=None, description="or: the site whose groups take it, whatever its skill")

    @model_validator(mode="after")
    def _one_target(self) -> Overflow:
        if (self.skill is None) == (self.site is None):
            # Said of the table: the rule is about both keys.
            raise ValueError("must give exactly one of skill and site (where an "
                             "overflowing ticket goes)")
        return self


class Routing(Section):
    """``[team.routing]``: which agent takes a ticket and which ticket a free agent takes,
    in tiers split into agent groups."""

    agent: Literal["longest_idle", "random", "ordered"] = Field(
        default="longest_idle",
        description='which idle eligible agent takes an arriving ticket: "longest_idle", '
                    '"random" (uniform), or "ordered" (the first group of `order` with one '
                    'idle, longest idle within it)')
    queue: Literal["oldest", "priority"] | None = Field(
        default=None,
        description='which waiting ticket a freed agent takes across the queues of its '
                    'skills: "oldest" (longest waiting), or "priority" (most urgent class, '
                    'then longest waiting); not set: "priority" unless discipline = "fifo"')
    order: tuple[SkillName, ...] = Field(
        default=(), max_length=1000,
        description='group names, most preferred first, for agent = "ordered"; groups left '
                    'out follow in file order')
    overflow: Overflow | None = None

    @model_validator(mode="after")
    def _check(self) -> Routing:
        if self.order and self.agent != "ordered":
            raise KeyedError("order", f'is read only with agent = "ordered", not '
                             f'{self.agent!r}', list(self.order))
        if len(set(self.order)) != len(self.order):
            raise KeyedError("order", "must name each group once", list(self.order))
        return self


def skill_names(scenario: Scenario) -> list[str]:
    """The skills of `scenario`, in file order (``["any"]`` without ``[demand.skills]``)."""
    skills = scenario.demand.skills
    return list(skills) if skills else [DEFAULT_SKILL]


def skill_shares(scenario: Scenario) -> dict[str, float]:
    """Each skill's share of the tickets: [demand.skills], or a channel's own shares for
    its tickets, or a site's for the tickets raised there, weighted by the channels' and
    sites' shares (waves' own shares aside)."""
    names = skill_names(scenario)
    base = scenario.demand.skills or {DEFAULT_SKILL: 1.0}
    sites = scenario.sites or {}
    site_shares = scenario.demand.sites or dict.fromkeys(sites, 1.0 / max(len(sites), 1))
    shares = dict.fromkeys(names, 0.0)
    if any(c.hours != "24x7" for c in scenario.demand.channels.values()):
        return _open_skill_shares(scenario, shares, base, site_shares)
    for channel in scenario.demand.channels.values():
        if channel.skills or not any(site.skills for site in sites.values()):
            mix = [(1.0, channel.skills or base)]
        else:  # by the site the ticket is raised at
            mix = [(site_shares.get(name, 0.0), site.skills or base)
                   for name, site in sites.items()]
        for weight, own in mix:
            for name in names:
                shares[name] += channel.share * weight * own.get(name, 0.0)
    return shares


def _open_skill_shares(scenario: Scenario, shares: dict[str, float], base: dict[str, float],
                       site_shares: dict[str, float]) -> dict[str, float]:
    """:func:`skill_shares` where a channel has opening hours: per site, each channel's
    expected share with its closed-hours tickets moved to its `closed` channel."""
    from supportsim._opening_hours import channel_shares_at  # imports the scenario package

    sites = scenario.sites or {}
    places: list[tuple[str | None, float]] = ([(name, site_shares.get(name, 0.0)) for name in sites]
                                              or [(None, 1.0)])
    channels = scenario.demand.channels
    for place, weight in places:
        if weight <= 0:
            continue
        own = (sites[place].skills if place is not None else None) or base
        for name, share in channel_shares_at(scenario, place).items():
            mix = channels[name].skills or own
            for skill in shares:
                shares[skill] += weight * share * mix.get(skill, 0.0)
    return shares


def check_routing(scenario: Scenario) -> None:
    """The rules relating skills, work overrides, agent groups and routing (KeyedError)."""
    skills = skill_names(scenario)
    known = _did_you_mean_factory(skills)
    check_skill_work(scenario)
    for name, channel in scenario.demand.channels.items():
        for skill in channel.skills or ():
            if skill not in skills:
                raise KeyedError(f"demand.channels.{name}.skills.{skill}",
                                 "is not a skill of [demand.skills]" + known(skill), skill)
    for name, site in (scenario.sites or {}).items():
        for skill in site.skills or ():
            if skill not in skills:
                raise KeyedError(f"sites.{name}.skills.{skill}",
                                 "is not a skill of [demand.skills]" + known(skill), skill)
    for skill in scenario.work.skills or ():
        if skill not in skills:
            raise KeyedError(f"work.skills.{skill}", "is not a skill of [demand.skills]"
                             + known(skill), skill)
    team = scenario.team
    grouped = {tier: t.groups for tier, t in team.tiers.items() if t.groups is not None}
    for tier, groups in grouped.items():
        for name, group in groups.items():
            key = f"team.tiers.{tier}.groups.{name}"
            for skill in group.skills:
                if skill not in skills:
                    raise KeyedError(f"{key}.skills", f"names {skill!r}, not a skill of "
                                     "[demand.skills]" + known(skill), list(group.skills))
            if group.site is not None and group.site not in scenario.site_names:
                raise KeyedError(f"{key}.site", "is not a site of [sites]"
                                 + _did_you_mean_factory(scenario.site_names)(group.site),
                                 group.site)
    _check_reach(scenario, skills, grouped)
    check_group_sites(scenario)
    workforce = scenario.workforce
    for k, departure in enumerate(workforce.departures if workforce is not None else ()):
        if departure.group is None:
            continue
        key = f"workforce.departures.{k}.group"
        own = grouped.get(departure.tier) or {}
        if departure.group not in own:
            raise KeyedError(key, f"is not an agent group of team.tiers.{departure.tier}"
                             + _did_you_mean_factory(list(own))(departure.group),
                             departure.group)
        if departure.count > own[departure.group].headcount:
            raise KeyedError(f"workforce.departures.{k}.count", "must be <= the group's "
                             f"staff ({own[departure.group].headcount})", departure.count)
    routing = team.routing
    if routing is None:
        return
    if not grouped:
        raise KeyedError("team.routing", "routes between agent groups, but no tier has "
                         "groups (team.tiers.lN.groups)")
    names = {name for groups in grouped.values() for name in groups}
    for name in routing.order:
        if name not in names:
            raise KeyedError("team.routing.order", f"names {name!r}, not a group of any tier"
                             + _did_you_mean_factory(sorted(names))(name), list(routing.order))
    overflow = routing.overflow
    if overflow is not None and overflow.skill is not None:
        holders = [name for groups in grouped.values() for name, group in groups.items()
                   if overflow.skill in group.skills]
        if overflow.skill not in skills:
            raise KeyedError("team.routing.overflow.skill", "is not a skill of "
                             "[demand.skills]" + known(overflow.skill), overflow.skill)
        if not holders:
            raise KeyedError("team.routing.overflow.skill", "names a skill no agent group "
                             "holds, so nobody could take an overflowing ticket",
                             overflow.skill)


def _check_reach(scenario: Scenario, skills: list[str], grouped: Mapping[Any, Any]) -> None:
    """Every skill a ticket can bring to a tier with groups is held by one of them."""
    if not grouped:
        return
    shares = _skill_shares(scenario, skills)
    work = scenario.work
    workforce = scenario.workforce
    # Joiners may escalate what they could fix: then any ticket can reach any tier.
    anywhere = (workforce is not None and workforce.learning is not None
                and workforce.learning.escalation > 0)
    mixes = [work.mix, *(p.mix for p in work.priorities.values() if p.mix is not None)]
    for s, skill in enumerate(skills):
        if shares[s] <= 0:
            continue
        own = (work.skills or {}).get(skill)
        reach = [own.mix] if own is not None and own.mix is not None else mixes
        top = 3 if anywhere else max(TIERS.index(t) + 1 for mix in reach
                                     for t, share in mix.items() if share > 0)
        for tier, groups in grouped.items():
            level = TIERS.index(tier) + 1
            if level > top and level != min(scenario.levels):
                continue
            if not any(skill in group.skills for group in groups.values()):
                raise KeyedError(f"team.tiers.{tier}.groups",
                                 f"no group serves skill {skill!r}, which tickets bring to "
                                 f"{tier}: add it to a group's skills", list(groups))


def _skill_shares(scenario: Scenario, skills: list[str]) -> list[float]:
    """Largest share of each skill over [demand.skills] and the channels' own shares."""
    base = scenario.demand.skills or {DEFAULT_SKILL: 1.0}
    shares = [base.get(s, 0.0) for s in skills]
    own = [c.skills for c in scenario.demand.channels.values()]
    own += [site.skills for site in (scenario.sites or {}).values()]
    for table in own:
        if table:
            shares = [max(v, table.get(s, 0.0)) for v, s in zip(shares, skills, strict=True)]
    return shares


def _did_you_mean_factory(choices: list[str]) -> Any:
    return lambda word: _did_you_mean(word, choices)


def check_skill_work(scenario: Scenario) -> None:
    """A skill's own mix: its tiers exist, and a tier it escalates from has triage."""
    for name, override in (scenario.work.skills or {}).items():
        if override.mix is None:
            continue
        work = scenario.work.for_skill(name)
        needed = [TIERS.index(t) + 1 for t, share in work.mix.items() if share > 0]
        for need in needed:
            if need > max(scenario.levels):
                raise KeyedError(f"work.skills.{name}.mix.l{need}",
                                 f"is > 0 but the team has no tier at level >= {need}")
        if scenario.team.structure != "tiered":
            continue
        for level in scenario.levels:
            if any(need > level for need in needed) and TIERS[level - 1] not in work.triage:
                raise KeyedError(f"work.triage.l{level}", f"is required: tier l{level} "
                                 f"escalates tickets it cannot fix (work.skills.{name}.mix)")
