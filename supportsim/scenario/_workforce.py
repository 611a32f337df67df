"""Schema of ``[workforce.*]`` and ``[team.swarm]``: people who join, learn, leave and cover.

Each section is optional; leaving it out switches the mechanism off.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from supportsim.scenario._schema import Count, Hours, KeyedError, Real, Section, Share, TierName


class Learning(Section):
    """``[workforce.learning]``: a joiner's effort multiplier falls piecewise-linearly from
    `start` to `plateau` over the learning phase, then to 1.0 over the improvement phase."""

    learning: Hours = Field(gt=0, description="length of the learning phase")
    improvement: Hours = Field(ge=0, description="length of the improvement phase")
    start: Real = Field(ge=1, description="effort multiplier on the first day")
    plateau: Real = Field(ge=1, description="multiplier at the end of the learning phase")
    escalation: Share = Field(
        default=0.0, description="extra escalation probability on day one, fading with the curve")
    initial_joiners: dict[TierName, Count] = Field(
        default_factory=dict, description="agents per tier who are new on day one")

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

    annual_rate: Real = Field(ge=0, description="leavers per head-year (exponential)")
    transfers: Real = Field(default=0.0, ge=0, description="internal moves per head-year")
    hiring_lead: Hours = Field(ge=0, description="vacancy to joiner on the learning curve")
    hiring_freeze: tuple[Hours, Hours] | None = Field(
        default=None, description="[from, to]: no joiner starts inside this window")

    @model_validator(mode="after")
    def _check(self) -> Attrition:
        if self.hiring_freeze is not None and self.hiring_freeze[1] <= self.hiring_freeze[0]:
            raise KeyedError("hiring_freeze", "must end after it starts",
                             list(self.hiring_freeze))
        return self


class Departure(Section):
    """``[[workforce.departures]]``: planned leavers, e.g. the outgoing provider's staff."""

    tier: TierName = Field(description="tier the leavers work in")
    count: Count = Field(ge=1, description="how many leave")
    at: Hours = Field(default=0.0, ge=0, description="when the departures start")
    within: Hours = Field(default=0.0, ge=0,
                          description="leavers go at uniform random times in [at, at + within]")
    refill: Hours | None = Field(
        default=None, ge=0, description="each seat is refilled this long after its leaver "
        "goes, by a joiner on the learning curve; left out: the seat stays empty")


class Trigger(Section):
    """When a `surge` reserve is called: a tier's queue length or its oldest wait."""

    backlog: Count | None = Field(default=None, gt=0, description="tickets queued at the tier")
    wait: Hours | None = Field(default=None, gt=0, description="age of the oldest queued ticket")

    @model_validator(mode="after")
    def _check(self) -> Trigger:
        if (self.backlog is None) == (self.wait is None):
            raise KeyedError("backlog", "a trigger needs exactly one of `backlog` or `wait`")
        return self


class Reserve(Section):
    """``[workforce.reserve]``: spare capacity of `fraction` x base staff per tier."""

    fraction: Real = Field(ge=0, le=1, description="share of each tier's base staff, rounded")
    mode: Literal["pool", "surge", "backfill"] = "pool"
    trigger: Trigger | None = Field(default=None, description="required for mode 'surge'")
    delay: Hours = Field(default=0.0, ge=0, description="call to being on the queue")
    release: Share = Field(
        default=0.5, description="surge leaves when the trigger measure falls below this "
        "share of its threshold (hysteresis)")
    check: Hours = Field(default=0.25, gt=0, description="how often the surge trigger is read")

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
    ramp: Hours = Field(gt=0, description="linear ramp from 0 to l1_gain")


class Workforce(Section):
    """``[workforce]``: optional people dynamics; each absent section is switched off."""

    learning: Learning | None = None
    attrition: Attrition | None = None
    departures: tuple[Departure, ...] = ()
    reserve: Reserve | None = None
    knowledge: Knowledge | None = None

