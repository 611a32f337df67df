"""Schema of ``[workforce.*]`` and ``[team.swarm]``: people who join, learn, leave and cover.

Each section is optional; leaving it out switches the mechanism off.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from supportsim.scenario._schema import (
    MAX_DURATION,
    MAX_STAFF,
    MIN_DURATION,
    Count,
    Hours,
    KeyedError,
    Real,
    Section,
    Share,
    TierName,
)

#: Largest effort multiplier of a joiner (100 times a stable agent's effort).
MAX_LEARNING_MULTIPLIER = 100.0
#: Most leavers (or transfers) per head-year: a mean stay of under four days. (Tests use
#: such rates to see many leavers in a short run; no desk has them.)
MAX_ANNUAL_RATE = 100.0


class Learning(Section):
    """``[workforce.learning]``: a joiner's effort multiplier falls piecewise-linearly from
    `start` to `plateau` over the learning phase, then to 1.0 over the improvement phase."""

    learning: Hours = Field(ge=MIN_DURATION, le=MAX_DURATION,
                            description="length of the learning phase")
    improvement: Hours = Field(ge=0, le=MAX_DURATION,
                               description="length of the improvement phase")
    start: Real = Field(ge=1, le=MAX_LEARNING_MULTIPLIER,
                        description="effort multiplier on the first day")
    plateau: Real = Field(ge=1, le=MAX_LEARNING_MULTIPLIER,
                          description="multiplier at the end of the learning phase")
    escalation: Share = Field(
        default=0.0, description="extra escalation probability on day one, fading with the curve")
    initial_joiners: dict[TierName, Count] = Field(
        default_factory=dict,
        description="agents per tier who are new on day one; at most the tier's staff")

    @model_validator(mode="after")
    def _check(self) -> Learning:
        if self.plateau > self.start:
            raise KeyedError("plateau", f"must be <= start ({self.start:g})", self.plateau)
        for tier, count in self.initial_joiners.items():
            if count < 0:
                raise KeyedError(f"initial_joiners.{tier}", "must be an integer >= 0", count)
        return self


class Attrition(Section):
    """``[workforce.attrition]``: leavers and transfers per head-year; seats refilled later."""

    annual_rate: Real = Field(ge=0, le=MAX_ANNUAL_RATE,
                              description="leavers per head-year (exponential)")
    transfers: Real = Field(default=0.0, ge=0, le=MAX_ANNUAL_RATE,
                            description="internal moves per head-year")
    hiring_lead: Hours = Field(ge=0, le=MAX_DURATION,
                               description="vacancy to joiner on the learning curve")
    hiring_freeze: tuple[Hours, Hours] | None = Field(
        default=None, description="[from, to]: no joiner starts inside this window; both "
        "in [0, 520w]")

    @model_validator(mode="after")
    def _check(self) -> Attrition:
        if self.hiring_freeze is not None:
            if not all(0 <= t <= MAX_DURATION for t in self.hiring_freeze):
                raise KeyedError("hiring_freeze", "must lie in [0, 520w]",
                                 list(self.hiring_freeze))
            if self.hiring_freeze[1] <= self.hiring_freeze[0]:
                raise KeyedError("hiring_freeze", "must end after it starts",
                                 list(self.hiring_freeze))
        return self


class Departure(Section):
    """``[[workforce.departures]]``: planned leavers, e.g. the outgoing provider's staff."""

    tier: TierName = Field(description="tier the leavers work in")
    group: str | None = Field(
        default=None, description="agent group of that tier the leavers work in "
                                  "(team.tiers.lN.groups); not set: any of the tier")
    count: Count = Field(ge=1, le=MAX_STAFF, description="how many leave")
    at: Hours = Field(default=0.0, ge=0, le=MAX_DURATION,
                      description="when the departures start")
    within: Hours = Field(default=0.0, ge=0, le=MAX_DURATION,
                          description="leavers go at uniform random times in [at, at + within]")
    refill: Hours | None = Field(
        default=None, ge=0, le=MAX_DURATION,
        description="each seat is refilled this long after its leaver "
        "goes, by a joiner on the learning curve; left out: the seat stays empty")


class Trigger(Section):
    """When a `surge` reserve is called: a tier's queue length or its oldest wait."""

    backlog: Count | None = Field(default=None, ge=1, le=1_000_000,
                                  description="tickets queued at the tier")
    wait: Hours | None = Field(default=None, ge=MIN_DURATION, le=MAX_DURATION,
                               description="age of the oldest queued ticket")

    @model_validator(mode="after")
    def _check(self) -> Trigger:
        if (self.backlog is None) == (self.wait is None):
            raise ValueError("must give exactly one of `backlog` and `wait`")
        return self


class Reserve(Section):
    """``[workforce.reserve]``: spare capacity of `fraction` x base staff per tier."""

    fraction: Real = Field(ge=0, le=1, description="share of each tier's base staff, rounded")
    mode: Literal["pool", "surge", "backfill"] = "pool"
    trigger: Trigger | None = Field(default=None, description="required for mode 'surge'")
    delay: Hours = Field(default=0.0, ge=0, le=MAX_DURATION,
                         description="call to being on the queue")
    release: Share = Field(
        default=0.5, description="surge leaves when the trigger measure falls below this "
        "share of its threshold (hysteresis)")
    # At least a minute: a wait trigger is read every `check` hours over the whole horizon.
    check: Hours = Field(default=0.25, ge=1 / 60, le=MAX_DURATION,
                         description="how often the surge trigger is read")

    @model_validator(mode="after")
    def _check(self) -> Reserve:
        if self.mode == "surge" and self.trigger is None:
            raise KeyedError("trigger", "is required for mode = 'surge'")
        if self.mode != "surge" and self.trigger is not None:
            raise KeyedError("trigger", f"only applies to mode = 'surge', not {self.mode!r}")
        return self


class Knowledge(Section):
    """``[workforce.knowledge]``: L1 learns to fix a growing share of L2 tickets."""

    l1_gain: Share = Field(description="share of L2-needing tickets L1 resolves once ramped up")
    ramp: Hours = Field(ge=MIN_DURATION, le=MAX_DURATION,
                        description="linear ramp from 0 to l1_gain")


class Workforce(Section):
    """``[workforce]``: optional people dynamics; each absent section is switched off."""

    learning: Learning | None = None
    attrition: Attrition | None = None
    departures: tuple[Departure, ...] = ()
    reserve: Reserve | None = None
    knowledge: Knowledge | None = None

