"""The ``[demand]`` section of the scenario schema: rate, profile, channels, bursts,
storms and rollout waves (split from :mod:`supportsim.scenario._schema`, whose
conventions it follows)."""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    Discriminator,
    Field,
    ModelWrapValidatorHandler,
    SerializerFunctionWrapHandler,
    Tag,
    ValidationInfo,
    model_serializer,
    model_validator,
)

from supportsim.scenario._routing import MAX_SKILLS, SkillName
from supportsim.scenario._schema import (
    MAX_DURATION,
    MAX_GROWTH,
    MAX_GROWTH_FACTOR,
    MAX_MULTIPLIER,
    MAX_RATE,
    MAX_WEIGHT,
    MIN_DURATION,
    AsWritten,
    Count,
    Distribution,
    Hours,
    KeyedError,
    KnockOnError,
    Real,
    Section,
    Share,
    _check_shares,
)
from supportsim.sites import hours_between
from supportsim.units import format_duration


def _delay_kind(value: Any) -> str:
    return "table" if isinstance(value, dict | Distribution) else "duration"


#: ``retry_after``: the mean of an exponential delay (a duration, as for `patience`), or
#: a distribution table.
RetryDelay = Annotated[
    Annotated[Hours, Field(ge=MIN_DURATION, le=MAX_DURATION), Tag("duration")]
    | Annotated[Distribution, Tag("table")],
    Discriminator(_delay_kind),
]


class Channel(Section):
    """``[demand.channels.NAME]``: how tickets come in; channels with patience abandon.

    With ``hours = "business"``, a ticket arriving outside its site's business hours is
    raised on the `closed` channel instead (docs/assumptions.md, "Opening hours per
    channel").

    With `retry`, a customer who abandons tries again after `retry_after`: the same
    ticket, re-entering the queue with the same patience (docs/assumptions.md). A
    channel with ``hours = "business"`` takes no retrials: they are not modelled.
    """

    share: Share
    patience: Hours | None = Field(default=None, ge=MIN_DURATION, le=MAX_DURATION)
    skills: dict[SkillName, Share] | None = Field(
        default=None, description="share of this channel's tickets per skill, replacing "
                                  "[demand.skills] for them")
    retry: Share = Field(default=0.0, description="probability that a customer who "
                         "abandons tries again (each time; at most 100 retrials); must be 0 "
                         'on a channel with hours = "business" (not modelled)')
    retry_after: RetryDelay | None = Field(
        default=None, description="delay before a retrial: the mean of an exponential "
        "(a duration in [1s, 520w]) or a distribution table; required with retry > 0")
    hours: Literal["24x7", "business"] = Field(
        default="24x7", description='when the channel is open: "24x7", or "business" (the '
        "business hours of the site the ticket is raised at, its zone, days and "
        "holidays; [calendar]'s without [sites]): a ticket arriving while it is closed "
        "is raised on the `closed` channel instead, with that channel's patience, "
        "retries and skill shares")
    closed: str | None = Field(
        default=None, description='the channel that takes the tickets raised while this '
        'one is closed; required with hours = "business", another channel, itself "24x7"')

    @model_validator(mode="after")
    def _check(self) -> Channel:
        if self.skills is not None:
            _check_skill_shares(self.skills, "skills")
        # Not modelled (yet): a retrial drawn while the line is closed would be queued and
        # answered on this channel at night. Refused rather than simulated wrongly.
        if self.retry > 0 and self.hours == "business":
            raise KeyedError("retry", 'must be 0 with hours = "business": retrials with '
                             "opening hours are not modelled (a caller retrying after the "
                             "line closed would be answered at night); give retry = 0, or "
                             'open the channel "24x7"', self.retry)
        if self.retry > 0 and self.patience is None:
            raise KeyedError("retry", "needs patience: only customers who abandon retry",
                             self.retry)
        if self.retry > 0 and self.retry_after is None:
            raise KeyedError("retry_after", f"is required with retry = {self.retry:g} > 0")
        # retry_after alone would be silently unused; retry = 0 written is a sweep's point.
        if self.retry_after is not None and "retry" not in self.model_fields_set:
            raise KeyedError("retry_after", "needs retry > 0: only customers who retry wait "
                             "for it (give retry, or leave retry_after out)")
        if self.hours == "business" and self.closed is None:
            raise KeyedError("closed", 'is required with hours = "business": the channel '
                             "that takes the tickets raised while this one is closed")
        if self.hours != "business" and self.closed is not None:
            raise KeyedError("closed", 'is read only with hours = "business" (this '
                             f'channel is open {self.hours}: remove `closed` too)', self.closed)
        return self

    @model_serializer(mode="wrap")
    def _dump(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # A channel nobody retries on dumps as before retrials existed, so the fingerprints
        # of scenarios without them (sweep stores, caches) do not change.
        data: dict[str, Any] = handler(self)
        if self.retry == 0 and self.retry_after is None:
            data.pop("retry", None)
        # Likewise a channel open 24x7 (opening hours came later).
        if self.hours == "24x7" and self.closed is None:
            data.pop("hours", None)
            data.pop("closed", None)
        return data


class WeeklyProfile(Section):
    """Explicit arrival profile: 24 hourly and 7 daily weights (Monday first)."""

    hourly: tuple[Real, ...] = Field(min_length=24, max_length=24)
    daily: tuple[Real, ...] = Field(default=(1.0,) * 7, min_length=7, max_length=7)

    @model_validator(mode="after")
    def _check(self) -> WeeklyProfile:
        for key in ("hourly", "daily"):
            weights = getattr(self, key)
            if min(weights) < 0 or sum(weights) <= 0:
                raise KeyedError(key, "weights must be >= 0 with a positive sum", list(weights))
            for index, weight in enumerate(weights):
                if weight > MAX_WEIGHT:
                    raise KeyedError(f"{key}.{index}", f"must be a weight <= {MAX_WEIGHT:g}",
                                     weight)
        return self


def _profile_kind(value: Any) -> str:
    return "named" if isinstance(value, str) else "weights"


Profile = Annotated[
    Annotated[Literal["flat", "office"], Tag("named")]
    | Annotated[WeeklyProfile, Tag("weights")],
    Discriminator(_profile_kind),
]


class Burst(Section):
    """``[[demand.bursts]]``: the rate times `multiplier`, decaying back or for a block."""

    name: str = ""
    at: Hours = Field(ge=0, le=MAX_DURATION)
    multiplier: Real = Field(ge=0, le=MAX_MULTIPLIER)
    decay: Hours | None = Field(default=None, ge=MIN_DURATION, le=MAX_DURATION)
    duration: Hours | None = Field(default=None, ge=MIN_DURATION, le=MAX_DURATION)

    @model_validator(mode="after")
    def _check(self) -> Burst:
        if (self.decay is None) == (self.duration is None):
            given = "neither" if self.decay is None else "both"
            raise ValueError(f"must give exactly one of `decay` and `duration`, got {given}")
        return self


class Storms(Section):
    """``[demand.storms]``: failed changes each set off a decaying storm of tickets."""

    changes_per_week: Real = Field(ge=0, le=10_000)
    failure_rate: Share
    tickets: Real = Field(ge=0, le=10_000, description="mean tickets per storm (Poisson)")
    decay: Hours = Field(ge=MIN_DURATION, le=MAX_DURATION)


#: Validation context key: the scenario's `start` (a datetime), to place waves given by date.
SCENARIO_START = "scenario_start"
#: Validation context key: the time zone `start` is read in (None: start's own clock).
SCENARIO_ZONE = "scenario_zone"
MAX_USERS = 10_000_000  # users in one wave
MAX_USER_RATE = 100.0  # tickets per user per week
MAX_EARLY = 100.0  # first-day multiplier of a wave's rate
#: Column names of :func:`supportsim.demand_curve` that a wave may not take.
RESERVED_WAVE_NAMES = ("t", "base", "total")
_DATE_TEXT = re.compile(r"^\s*\d{4}-\d{2}-\d{2}([T ][0-9:.]+)?\s*$")


class SettleCurve(Section):
    """A wave's piecewise-linear settling, like the agents' learning curve: the rate
    multiplier falls linearly from `early` to `plateau` over `learning`, then to 1 over
    `improvement`."""

    learning: Hours = Field(ge=MIN_DURATION, le=MAX_DURATION,
                            description="from early to plateau")
    plateau: Real = Field(ge=1, le=MAX_EARLY, description="multiplier after `learning`")
    improvement: Hours = Field(default=0.0, ge=0, le=MAX_DURATION,
                               description="from plateau to 1")


def _settle_kind(value: Any) -> str:
    return "curve" if isinstance(value, dict | SettleCurve) else "exponential"


#: ``settle``: an exponential time constant (a duration), or a piecewise-linear curve.
Settle = Annotated[
    Annotated[Hours, Field(ge=MIN_DURATION, le=MAX_DURATION), Tag("exponential")]
    | Annotated[SettleCurve, Tag("curve")],
    Discriminator(_settle_kind),
]


class Wave(AsWritten):
    """``[[demand.waves]]``: users who go live together and raise tickets as they learn.

    Each user raises ``rate / 168 * (1 + (early - 1) * exp(-(t - at) / settle))`` tickets
    an hour from `at` on (or `rate` / 168 times a piecewise-linear `settle` curve); with
    `ramp`, the users go live evenly over ``[at, at + ramp]``.
    The wave's tickets add to the base demand and follow its weekly profile and bursts
    (docs/assumptions.md). `at` is an instant (``2026-03-02T08:00``), a date (midnight),
    or hours since start (a number or a duration such as ``"2w"``); it keeps the form it
    was written in.
    """

    name: str = Field(min_length=1, max_length=100,
                      description="unique; names the wave's column in demand_curve")
    at: Hours = Field(ge=0, le=MAX_DURATION, description="go-live: an instant, a date or "
                      "hours since start; at or after start")
    users: Count = Field(ge=0, le=MAX_USERS, description="users who go live")
    rate: Real = Field(ge=0, le=MAX_USER_RATE,
                       description="tickets per user per week once settled")
    early: Real = Field(default=1.0, ge=1, le=MAX_EARLY,
                        description="multiplier on the rate on the first day")
    settle: Settle = Field(
        description="time constant of the users' learning (exponential; a duration in "
                    "[1s, 520w]), or a table { learning, plateau, improvement } for a "
                    "piecewise-linear curve")
    ramp: Hours | None = Field(default=None, ge=MIN_DURATION, le=MAX_DURATION,
                               description="users go live evenly over this period")
    channels: dict[str, Share] | None = Field(
        default=None, description="the wave's channel shares (default: demand.channels')")
    priorities: dict[str, Share] | None = Field(
        default=None, description="the wave's priority shares (default: [priorities]')")
    site: str | None = Field(default=None, description="the site of [sites] whose users go "
                             "live: its tickets are raised there (default: by demand.sites)")

    @model_validator(mode="wrap")
    @classmethod
    def _place(cls, data: Any, handler: ModelWrapValidatorHandler[Wave],
               info: ValidationInfo) -> Wave:
        # A date or an instant becomes hours since start; the text is kept for export.
        given: dict[str, Any] = {}
        if isinstance(data, dict) and _is_instant(data.get("at")):
            data = dict(data)
            at = data["at"]
            given["at"] = at
            start = (info.context or {}).get(SCENARIO_START)
            if start is None:  # `start` has a default: None means it is invalid, and
                # that error is the one reported (not one more per wave).
                raise KnockOnError("at", "is a date, which needs a valid `start`", at)
            when = _as_datetime(at)
            # In start's zone: real hours, a clock change between them included.
            hours = hours_between(start, when, (info.context or {}).get(SCENARIO_ZONE))
            if hours < 0:
                raise KeyedError("at", f"is before start ({start.isoformat(timespec='minutes')})"
                                 ": a wave must go live at or after start (tickets raised "
                                 "before start are a backlog, not a wave)", at)
            data["at"] = hours
        wave = handler(data)
        wave._given = given
        return wave

    @model_validator(mode="after")
    def _check(self) -> Wave:
        if isinstance(self.settle, SettleCurve) and self.settle.plateau > self.early:
            raise KeyedError("settle.plateau", f"must be <= early ({self.early:g})",
                             self.settle.plateau)
        if self.name in RESERVED_WAVE_NAMES:
            raise KeyedError("name", f"must not be one of {', '.join(RESERVED_WAVE_NAMES)} "
                             "(demand_curve's columns)", self.name)
        for key in ("channels", "priorities"):
            shares = getattr(self, key)
            if shares is not None:
                if not shares:
                    raise KeyedError(key, "must give at least one share", {})
                _check_shares(dict(shares), key)
        return self


def _is_instant(value: object) -> bool:
    return isinstance(value, date) or (isinstance(value, str)
                                       and _DATE_TEXT.match(value) is not None)


def _as_datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        when = value
    elif isinstance(value, date):
        when = datetime(value.year, value.month, value.day)
    else:
        try:
            when = datetime.fromisoformat(value.strip())
        except ValueError:
            raise KeyedError("at", "is not a valid date or date-time (YYYY-MM-DD or "
                             "YYYY-MM-DDTHH:MM)", value) from None
    if when.tzinfo is not None:
        raise KeyedError("at", "must be a local date-time without a UTC offset", value)
    return when


class Demand(Section):
    """``[demand]``: the ticket stream, independent of the team."""

    rate: Real = Field(gt=0, le=MAX_RATE, description="tickets/hour, weekly mean at start")
    profile: Profile = "flat"
    growth: Real = Field(
        default=0.0, gt=-1, le=MAX_GROWTH, description="per 4 weeks, compound; it may raise "
        f"the rate at most {MAX_GROWTH_FACTOR:g}-fold over the horizon")
    channels: dict[str, Channel] = Field(default_factory=lambda: {"default": Channel(share=1.0)})
    bursts: tuple[Burst, ...] = ()
    storms: Storms | None = None
    waves: tuple[Wave, ...] = Field(
        default=(), description="rollout waves: users whose tickets add to the base rate")
    sites: dict[str, Share] | None = Field(
        default=None, description="share of tickets raised per site of [sites] (default: "
        "all at the only site)")
    skills: dict[SkillName, Share] | None = Field(
        default=None, description='share of tickets per skill (a language, a product); '
                                  'not set: one skill "any"')

    @model_validator(mode="after")
    def _check(self) -> Demand:
        if not self.channels:
            raise KeyedError("channels", "must define at least one channel")
        if self.skills is not None:
            _check_skill_shares(self.skills, "skills")
        _check_shares({k: c.share for k, c in self.channels.items()}, "channels")
        _check_closed(self)
        _check_waves(self)
        if self.sites is not None:
            if not self.sites:
                raise KeyedError("sites", "must give at least one share", {})
            _check_shares(dict(self.sites), "sites")
        return self


def _check_skill_shares(skills: dict[str, float], key: str) -> None:
    if not skills:
        raise KeyedError(key, "must give the share of at least one skill", {})
    if len(skills) > MAX_SKILLS:
        raise KeyedError(key, f"must name at most {MAX_SKILLS} skills, got {len(skills)}")
    _check_shares(skills, key)


def _check_closed(demand: Demand) -> None:
    """A channel with business hours sends its closed-hours tickets to another channel
    that is always open (no chains: the redirect is applied once)."""
    for name, channel in demand.channels.items():
        target = channel.closed
        if target is None:
            continue
        key = f"channels.{name}.closed"
        if target == name:
            raise KeyedError(key, "must name another channel, not this one", target)
        if target not in demand.channels:
            raise KeyedError(key, "is not a channel of [demand.channels] ("
                             + ", ".join(demand.channels) + ")", target)
        if demand.channels[target].hours != "24x7":
            raise KeyedError(key, f'must name a channel open "24x7", but {target} has '
                             f'hours = "{demand.channels[target].hours}" (no chains: a '
                             "closed channel's tickets are redirected once)", target)


def _check_waves(demand: Demand) -> None:
    seen: set[str] = set()
    for index, wave in enumerate(demand.waves):
        if wave.name in seen:
            raise KeyedError(f"waves.{index}.name", "must be unique among the waves", wave.name)
        seen.add(wave.name)
        for name in wave.channels or ():
            if name not in demand.channels:
                raise KeyedError(f"waves.{index}.channels.{name}",
                                 "is not a channel of [demand.channels]", name)


def _check_growth(demand: Demand, horizon: float) -> None:
    """Growth may raise the rate at most MAX_GROWTH_FACTOR-fold over the horizon."""
    periods = horizon / 672.0  # growth is quoted per 4 weeks
    if demand.growth > 0 and periods * math.log1p(demand.growth) > math.log(MAX_GROWTH_FACTOR):
        written = format_duration(horizon)
        raise KeyedError(
            "demand.growth", f"must raise the rate at most {MAX_GROWTH_FACTOR:g}-fold over the "
            f"horizon ({written if isinstance(written, str) else f'{written:g} h'})",
            demand.growth)


