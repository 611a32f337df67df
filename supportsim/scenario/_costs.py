"""Schema of ``[costs]``: what the desk's people, reserve, hiring and missed SLAs cost.

Optional: without it a scenario has no costs, and :meth:`SimulationResult.costs` says so.
The amounts are read by :mod:`supportsim.analysis._costs`, a pure function over the result
tables; nothing here touches the simulation (the same seed gives the same tickets with or
without ``[costs]``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import Field, SerializerFunctionWrapHandler, field_validator, model_serializer

from supportsim.scenario._schema import KeyedError, Real, Section, TierName
from supportsim.scenario._validation import _did_you_mean

if TYPE_CHECKING:
    from supportsim.scenario._scenario import Scenario

__all__ = ["Costs", "GroupCost", "Penalty", "TierCost", "check_costs"]

#: Highest loaded cost of an agent-hour: far above any desk (a senior consultant's day
#: rate is a few thousand); beyond it a typo (an annual salary as hourly) is likelier.
MAX_HOURLY = 100_000.0
#: Highest single amount (a joiner, a service credit): a hundred million.
MAX_AMOUNT = 1e8
#: Highest reserve premium: ten times the tier's hourly cost.
MAX_PREMIUM = 10.0
#: Longest currency label, in characters ("EUR", "€", "CHF", "kEUR", "US$").
MAX_CURRENCY = 8


class GroupCost(Section):
    """``[costs.tiers.lN.groups.NAME]``: an agent group's own loaded hourly cost (a group
    at a lower-cost site), in place of its tier's."""

    hourly: Real = Field(
        ge=0, le=MAX_HOURLY,
        description="loaded cost per rostered hour on duty of the group's agents, in "
                    "place of the tier's hourly (on duty, overtime and reserve hours alike)")


class TierCost(Section):
    """``[costs.tiers.lN]``: the loaded cost of one agent-hour of the tier."""

    hourly: Real = Field(
        ge=0, le=MAX_HOURLY,
        description="loaded cost per rostered hour on duty (salary, overheads, tools), "
                    "paid whether the agent is busy or idle; overtime (finishing the "
                    "ticket in hand after the shift) is paid at the same rate")
    groups: dict[str, GroupCost] = Field(
        default_factory=dict,
        description="own hourly cost of agent groups of the tier "
                    "(team.tiers.lN.groups.NAME); a group left out costs the tier's hourly")

    @model_serializer(mode="wrap")
    def _dump(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # A tier without group rates dumps as before they existed, so the fingerprints of
        # scenarios without them (sweep stores, caches) do not change.
        data: dict[str, Any] = handler(self)
        if not self.groups:
            data.pop("groups", None)
        return data


class Penalty(Section):
    """``[costs.penalties.NAME]``: service credits of a priority of [priorities], per
    scored ticket that misses a target (scored as in ``res.sla()``)."""

    response: Real = Field(default=0.0, ge=0, le=MAX_AMOUNT,
                           description="credit per ticket that misses its response target")
    resolution: Real = Field(default=0.0, ge=0, le=MAX_AMOUNT,
                             description="credit per ticket that misses its resolution target")


class Costs(Section):
    """``[costs]``: hourly cost per tier, the reserve's premium, the cost of a joiner and
    SLA penalties, for ``res.costs()``. Costs are computed from the result tables after
    the run and change nothing in it. Every tier of the team needs its hourly cost."""

    currency: str = Field(
        description=f"label of every amount, e.g. \"EUR\" (1 to {MAX_CURRENCY} characters, "
                    "no spaces); amounts are not converted")
    reserve_premium: Real = Field(
        default=1.0, ge=0, le=MAX_PREMIUM,
        description="multiplier on the tier's hourly cost for the hours a surge or backfill "
                    "reserve is called in (on duty and overtime); a \"pool\" reserve is "
                    "ordinary rostered staff at 1x")
    joiner: Real = Field(
        default=0.0, ge=0, le=MAX_AMOUNT,
        description="cost of each hire or planned refill joining during the horizon "
                    "(recruiting and training), charged when they join; not the team "
                    "at start")
    tiers: dict[TierName, TierCost] = Field(description="hourly cost of each tier of the team")
    penalties: dict[str, Penalty] = Field(
        default_factory=dict,
        description="service credits per priority; a priority left out costs nothing "
                    "when it misses")

    @field_validator("currency")
    @classmethod
    def _label(cls, value: str) -> str:
        if not 1 <= len(value) <= MAX_CURRENCY or not value.isprintable() or any(
                c.isspace() for c in value):
            raise ValueError(f"must be 1 to {MAX_CURRENCY} printable characters without "
                             f"spaces, got {value!r}")
        return value


def check_costs(scenario: Scenario) -> None:
    """The rules of ``[costs]`` that involve other sections (a :class:`KeyedError`).

    Every tier of the team has an hourly cost and no other tier has one; a group's own
    cost names an agent group of its tier; penalties name priorities of ``[priorities]``.
    """
    costs = scenario.costs
    if costs is None:
        return
    team = list(scenario.team.tiers)
    for priced in costs.tiers:
        if priced not in team:
            raise KeyedError(f"costs.tiers.{priced}", "names a tier the team does not have "
                             f"(tiers: {', '.join(team)})", priced)
    for tier in team:
        if tier not in costs.tiers:
            raise KeyedError(f"costs.tiers.{tier}", f"is required: the team has tier {tier}, "
                             "and [costs] needs the hourly cost of every tier")
    for tier, priced_tier in costs.tiers.items():
        groups = list(scenario.team.tiers[tier].groups or ())
        for group in priced_tier.groups:
            if group not in groups:
                held = (f"(groups of {tier}: {', '.join(groups)})" if groups else
                        f"(tier {tier} has no team.tiers.{tier}.groups)")
                raise KeyedError(f"costs.tiers.{tier}.groups.{group}",
                                 f"names an agent group the team does not have {held}"
                                 + _did_you_mean(group, groups), group)
    for name in costs.penalties:
        if name not in scenario.priorities:
            raise KeyedError(f"costs.penalties.{name}", "is not a priority of [priorities]"
                             + _did_you_mean(name, list(scenario.priorities)), name)
