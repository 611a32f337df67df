"""The ``[team]`` section of the scenario schema: tiers, their hours and shifts, ticket
tennis, swarming and the queue order (split from :mod:`supportsim.scenario._schema`,
whose conventions it follows)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    Discriminator,
    Field,
    SerializerFunctionWrapHandler,
    Tag,
    field_validator,
    model_serializer,
    model_validator,
)

from supportsim.scenario._routing import (
    MAX_SKILL_EFFORT,
    MAX_SKILLS,
    MIN_SKILL_EFFORT,
    Routing,
    SkillName,
)
from supportsim.scenario._schema import (
    DAYS,
    MAX_STAFF,
    TIERS,
    ClockTime,
    Count,
    DayName,
    Distribution,
    KeyedError,
    Real,
    Section,
    Share,
    TierName,
)


class Shift(Section):
    """One shift of a tier: agents on duty from `start` to `end` on `days` (may cross midnight)."""

    name: str = ""
    start: ClockTime
    end: ClockTime
    days: tuple[DayName, ...] = DAYS
    staff: Count = Field(ge=0, le=MAX_STAFF)

    @model_validator(mode="after")
    def _check(self) -> Shift:
        if self.start == self.end:
            raise KeyedError("end", "must differ from start", self.end)
        return self


def _hours_kind(value: Any) -> str:
    return "named" if isinstance(value, str) else "shifts"


StaffHours = Annotated[
    Annotated[Literal["24x7", "business"], Tag("named")]
    | Annotated[tuple[Shift, ...], Tag("shifts")],
    Discriminator(_hours_kind),
]


def scale_roster(staff: list[int], total: int) -> list[int]:
    """Shift head counts scaled in proportion to sum to `total` (largest remainder).

    Each shift gets ``floor(staff_i * total / sum)``; the agents still missing go one each
    to the shifts with the largest remainders, the earlier shift first on a tie. E.g.
    ``[4, 1, 2, 3, 2, 1]`` (13) to 14 gives ``[5, 1, 2, 3, 2, 1]``. A roster of zeros has
    no proportions to keep, so it only scales to 0.
    """
    current = sum(staff)
    if current == 0:
        if total != 0:
            raise ValueError("every shift has staff 0, so there are no proportions to scale")
        return list(staff)
    quotas = [s * total for s in staff]  # exact integer arithmetic: quota / current
    shares = [q // current for q in quotas]
    order = sorted(range(len(staff)), key=lambda i: (-(quotas[i] % current), i))
    for i in order[: total - sum(shares)]:
        shares[i] += 1
    return shares


def _check_staffing(owner: Tier | AgentGroup) -> None:
    """`staff` and `hours` of a tier or an agent group agree."""
    if isinstance(owner.hours, tuple):
        rostered = sum(s.staff for s in owner.hours)
        if not owner.hours:
            raise KeyedError("hours", "must list at least one shift")
        if rostered > MAX_STAFF:
            raise KeyedError("hours", f"shifts' staff must sum to <= {MAX_STAFF}, got "
                             f"{rostered}")
        if owner.staff is not None and owner.staff != rostered:
            last = len(owner.hours) - 1
            kind = "group" if isinstance(owner, AgentGroup) else "tier"
            raise KeyedError(
                "staff", f"must equal the sum of the shifts' staff ({rostered}): leave "
                         f"it out, or set each shift's own staff (hours.0.staff .. "
                         f"hours.{last}.staff of this {kind}); an override of the {kind}'s "
                         f"staff scales the shifts instead", owner.staff
            )
    elif owner.staff is None:
        raise KeyedError("staff", "is required (or give `hours` as a list of shifts)")


#: A group's effort multiplier for one skill.
SkillEffort = Annotated[Real, Field(ge=MIN_SKILL_EFFORT, le=MAX_SKILL_EFFORT)]


class AgentGroup(Section):
    """``[team.tiers.lN.groups.NAME]``: agents of a tier who serve the same skills
    (skills-based routing; see docs/assumptions.md, "Routing")."""

    skills: tuple[SkillName, ...] = Field(
        min_length=1, max_length=MAX_SKILLS,
        description="skills of [demand.skills] the group's agents serve")
    staff: Count | None = Field(
        default=None, ge=0, le=MAX_STAFF,
        description="agents in the group; with `hours` as shifts it may be left out (in a "
                    "file it must then equal their sum); set as an override it scales the "
                    "shifts like a tier's `staff`")
    hours: StaffHours = Field(
        default="24x7", description="when the group's agents are on duty, as a tier's `hours`")
    effort: dict[SkillName, SkillEffort] = Field(
        default_factory=dict,
        description="effort multiplier per skill the group serves (a second language is "
                    "slower); in [0.01, 100]; 1 where not given")
    site: SkillName | None = Field(
        default=None, description="the site of [sites] whose clock, business hours and "
                                  "holidays the group's hours follow; not set: the first")

    @model_validator(mode="after")
    def _check(self) -> AgentGroup:
        _check_staffing(self)
        if len(set(self.skills)) != len(self.skills):
            raise KeyedError("skills", "must name each skill once", list(self.skills))
        for skill in self.effort:
            if skill not in self.skills:
                raise KeyedError(f"effort.{skill}", "names a skill the group does not serve "
                                 f"(skills = {list(self.skills)})", self.effort[skill])
        return self

    @property
    def headcount(self) -> int:
        """Agents in the group (the shifts' sum when hours is a roster)."""
        if isinstance(self.hours, tuple):
            return sum(s.staff for s in self.hours)
        assert self.staff is not None
        return self.staff


class Tier(Section):
    """``[team.tiers.lN]``: head count and working hours of one tier."""

    staff: Count | None = Field(
        default=None, ge=0, le=MAX_STAFF,
        description="agents in the tier. With `hours` as a list of shifts it may be left out "
                    "(the shifts' sum); in a file it must then equal that sum. Set as an "
                    "override (`--set`, `with_overrides`, a sweep factor or breakpoint "
                    "factor), it scales every shift's staff by staff / sum, rounded by "
                    "largest remainder (ties to the earlier shift) so the shifts sum to it "
                    "exactly: 13 agents on shifts of 4, 1, 2, 3, 2, 1 set to 14 gives "
                    "5, 1, 2, 3, 2, 1")
    hours: StaffHours = "24x7"

    groups: dict[str, AgentGroup] | None = Field(
        default=None,
        description="agent groups of the tier (skills-based routing, [team.routing]); "
                    "with groups the tier sets neither `staff` nor `hours`: each group has "
                    "its own")

    @model_validator(mode="after")
    def _check(self) -> Tier:
        if self.groups is not None:
            if not self.groups:
                raise KeyedError("groups", "must define at least one group", {})
            for key in ("staff", "hours"):
                if key in self.model_fields_set:
                    raise KeyedError(key, "must be left out when the tier has groups: each "
                                     "group sets its own staff or hours",
                                     getattr(self, key))
            return self
        _check_staffing(self)
        return self

    @model_serializer(mode="wrap")
    def _without_own_hours(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # A tier with groups has no hours of its own: written back without them, so the
        # dump loads again (and overrides of a group's staff work).
        out: dict[str, Any] = handler(self)
        if self.groups is not None:
            out.pop("hours", None)
        return out

    @property
    def headcount(self) -> int:
        """Agents in the tier (the shifts' sum when hours is a roster; with groups, the
        groups' sum)."""
        if self.groups is not None:
            return sum(group.headcount for group in self.groups.values())
        if isinstance(self.hours, tuple):
            return sum(s.staff for s in self.hours)
        assert self.staff is not None
        return self.staff


def _order_kind(value: Any) -> str:
    return "named" if isinstance(value, str) else "channels"


#: ``team.channel_order``: a named rule or channel names, first served first.
ChannelOrder = Annotated[
    Annotated[Literal["live_first", "none"], Tag("named")]
    | Annotated[tuple[str, ...], Tag("channels")],
    Discriminator(_order_kind),
]


class Tennis(Section):
    """``[team.tennis]``: an escalated ticket is sent back down once with probability `bounce`,
    after the upper tier's agent has worked `review` on it (default: that tier's triage,
    ``work.triage.lN``; no review time where it has none; ``"none"``: bounces cost the
    upper tier no time, as before version 0.2).
    """

    bounce: Share = 0.0
    review: Literal["none"] | Distribution | None = Field(
        default=None,
        description='the upper tier\'s work on a ticket before it sends it back: a '
                    'distribution table, or "none" for no time')


class Swarm(Section):
    """``[team.swarm]``: how a swarm works a ticket when structure = "swarming"."""

    overhead: Real = Field(default=0.15, ge=0, le=10,
                            description="extra effort per extra member working the ticket")
    max_size: Count = Field(default=3, ge=2, le=100, description="owner plus experts, at most")


class Team(Section):
    """``[team]``: structure, queue discipline and tiers."""

    structure: Literal["tiered", "swarming"] = "tiered"
    discipline: Literal["fifo", "priority", "preemptive"] = "priority"
    channel_order: ChannelOrder = Field(
        default="live_first",
        description='who is answered first among tickets nobody has started: "live_first" '
                    "(channels with patience first), \"none\", or channel names in order")
    tiers: dict[TierName, Tier]
    tennis: Tennis = Field(default_factory=Tennis)
    # Read only when structure = "swarming" (DESIGN section 4), so a file can carry both
    # structures' settings and switch with one override.
    swarm: Swarm | None = None
    routing: Routing | None = Field(
        default=None, description="skills-based routing between agent groups "
                                  "(team.tiers.lN.groups)")

    @field_validator("tiers")
    @classmethod
    def _order_tiers(cls, tiers: dict[str, Tier]) -> dict[str, Tier]:
        # Tier order is level order whatever the file order, so `levels` can rely on it.
        return {name: tiers[name] for name in TIERS if name in tiers}

    @property
    def swarm_settings(self) -> Swarm:
        """The ``[team.swarm]`` settings, defaults when the section is left out."""
        return self.swarm if self.swarm is not None else Swarm()

    @model_validator(mode="after")
    def _check(self) -> Team:
        if not self.tiers:
            raise KeyedError("tiers", "must define at least one tier")
        return self
