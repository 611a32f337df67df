"""The scenario schema: one pydantic model per section of a scenario file.

Every key, default and single-value rule lives here, so the reference in docs/ can be
generated from it. Rules that relate several keys raise :class:`KeyedError` naming the
dotted key they are about; :mod:`supportsim.scenario._errors` turns everything into a
:class:`~supportsim.ScenarioError`.
"""

from __future__ import annotations

import math
import numbers
import re
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    PlainSerializer,
    PrivateAttr,
    SerializerFunctionWrapHandler,
    ValidationInfo,
    field_validator,
    model_serializer,
    model_validator,
)

from supportsim.units import format_duration, parse_business_days, parse_duration

TIERS: tuple[str, ...] = ("l1", "l2", "l3")
#: Shares of one table (channels, priorities, work.mix) may miss 1 by this much either way.
SHARE_TOLERANCE = 1e-6

# Bounds on values. No real desk comes near them; beyond them the arithmetic over- or
# underflows, divides by zero or runs without end. Each is stated in docs/scenario.md.
#: Shortest positive duration: an effort, a decay or a target of 1 second.
MIN_DURATION = 1 / 3600
#: Longest duration, the horizon included: 520 weeks (10 years).
MAX_DURATION = 520 * 168.0
MAX_RATE = 100_000.0  # tickets/hour
MAX_GROWTH = 10.0  # per 4 weeks
#: Growth may raise the rate by at most this factor over the horizon.
MAX_GROWTH_FACTOR = 1000.0
MAX_MULTIPLIER = 1000.0
MAX_WEIGHT = 1e9
MAX_STAFF = 10_000  # agents per tier
MIN_CV, MAX_CV = 0.001, 100.0

TierName = Literal["l1", "l2", "l3"]
DayName = Literal["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
DAYS: tuple[DayName, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class KeyedError(ValueError):
    """A cross-key rule failed; ``key`` is the dotted path (relative to the model)."""

    def __init__(self, key: str, rule: str, value: object = None) -> None:
        super().__init__(rule)
        self.key = key
        self.rule = rule
        self.value = value


class KnockOnError(KeyedError):
    """A rule that cannot be checked while another key is invalid (a "3bd" target under a
    broken ``[calendar]``): left out of the message while that key's error is in it."""


def _hours(value: object) -> float:
    # A negative duration ("-5min") is read, so that the key's own bound refuses it
    # ("must be a duration >= 0") rather than its form; parse_duration takes none.
    if isinstance(value, str) and value.strip().startswith("-"):
        rest = value.strip()[1:]
        if not rest.lstrip().startswith(("-", "+")):
            try:
                return -parse_duration(rest)
            except ValueError:
                pass  # not a duration after the sign either: reported as written
    return parse_duration(value)


def _number(integer: bool) -> BeforeValidator:
    noun = "an integer" if integer else "a number"

    def check(value: object) -> object:
        # pydantic's lax mode reads true/false as 1/0 and "12" as 12: in a scenario either
        # is a slip, so only numbers pass (numpy's too); durations have their own parser.
        if isinstance(value, bool):
            raise ValueError(f"must be {noun}, not a boolean")
        if not isinstance(value, numbers.Real):
            raise ValueError(f"must be {noun}")
        if not integer and isinstance(value, numbers.Integral):
            try:
                float(value)  # an integer past the float range (TOML has none; Python has)
            except OverflowError:
                raise ValueError("must be a finite number") from None
        return value

    return BeforeValidator(check)


def _clock_time(value: object) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d|24:00", value):
        raise ValueError(f"must be a time of day 'HH:MM' between 00:00 and 24:00, got {value!r}")
    return value


#: A duration: a number of hours or a string with a unit; written back in the coarsest unit.
Hours = Annotated[float, BeforeValidator(_hours), PlainSerializer(format_duration)]
ClockTime = Annotated[str, BeforeValidator(_clock_time)]
#: A number or a whole number; never a boolean or a string.
Real = Annotated[float, _number(integer=False)]
Count = Annotated[int, _number(integer=True)]
Share = Annotated[Real, Field(ge=0.0, le=1.0)]


def clock_hours(text: str) -> float:
    """Hours after midnight of a validated ``'HH:MM'`` string."""
    hh, mm = text.split(":")
    return int(hh) + int(mm) / 60


class FrozenDict(dict[Any, Any]):
    """A read-only dict: the tables inside a frozen section (`frozen` stops at attributes)."""

    def _read_only(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError("scenario tables are read-only; use Scenario.with_overrides")

    __setitem__ = __delitem__ = __ior__ = _read_only
    clear = pop = popitem = setdefault = update = _read_only

    def __reduce__(self) -> tuple[Any, ...]:
        # pickle and deepcopy would otherwise refill the dict through __setitem__.
        return (type(self), (dict(self),))


class Section(BaseModel):
    """Base of every section: frozen (tables too), unknown keys rejected."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False
    )

    @model_validator(mode="after")
    def _freeze_tables(self) -> Section:
        for name, value in self.__dict__.items():
            if type(value) is dict:
                self.__dict__[name] = FrozenDict(value)
        return self


class AsWritten(Section):
    """A section that goes out as it came in for the keys its validator converts: a
    ``"3bd"`` target stays business days when the calendar changes (and ``"15min"`` reads
    better than its coarsest unit), a wave's date stays a date when ``start`` moves. The
    validator stores the written values in `_given`."""

    _given: dict[str, Any] = PrivateAttr(default_factory=dict)

    @model_serializer(mode="wrap")
    def _as_given(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        out: dict[str, Any] = handler(self)
        out.update(self._given)
        return out


def _check_shares(shares: dict[str, float], key: str) -> None:
    total = math.fsum(shares.values())
    # Rounded before the comparison: in binary 0.999999 misses 1 by a hair more than 1e-6
    # and 1.000001 by a hair less; both are 1e-6 off as written, so both must pass.
    if round(abs(total - 1.0), 12) > SHARE_TOLERANCE:
        parts = " + ".join(f"{name} {share:g}" for name, share in shares.items())
        raise KeyedError(key, f"shares must sum to 1, got {parts} = {total:g}", total)


# --------------------------------------------------------------------------- calendar


class CalendarSection(Section):
    """``[calendar]``: business time for "business" SLA clocks and business-hours staff."""

    business_hours: tuple[ClockTime, ClockTime] = ("08:00", "17:00")
    business_days: tuple[DayName, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri")
    holidays: tuple[date, ...] = ()

    @model_validator(mode="after")
    def _check(self) -> CalendarSection:
        opens, closes = (clock_hours(t) for t in self.business_hours)
        if closes <= opens:
            raise KeyedError("business_hours", "must close after it opens", self.business_hours)
        if not self.business_days:
            raise KeyedError("business_days", "must name at least one day", [])
        return self


# --------------------------------------------------------------------------- priorities


#: Validation context key: hours in one business day of the scenario's calendar.
BUSINESS_DAY_HOURS = "business_day_hours"
#: Validation context key: the rule a business-day target breaks when there is no one
#: length of business day (the sites' differ), naming them.
BUSINESS_DAY_RULE = "business_day_rule"
#: The SLA targets of a priority.
TARGETS: tuple[str, ...] = ("response", "resolution")


class Goal(Section):
    """``goal = {response = 0.95, resolution = 0.9}``: the share of a priority's tickets
    that must meet each target. ``res.verdicts()``, ``run`` and ``sweep`` judge it: holds
    when the whole 95 % interval of the attainment is at or above the goal, fails when it
    is below, uncertain when it straddles it; the weekly attainment figure draws it. A
    target without a goal is not judged.
    """

    response: Real | None = Field(
        default=None, ge=0.0, le=1.0,
        description="share of tickets that must meet the response target")
    resolution: Real | None = Field(
        default=None, ge=0.0, le=1.0,
        description="share of tickets that must meet the resolution target")

    @model_validator(mode="after")
    def _check(self) -> Goal:
        if self.response is None and self.resolution is None:
            raise KeyedError("response", "or resolution must be given: a goal names the "
                             "share of tickets that must meet a target", {})
        return self


class Priority(AsWritten):
    """``[priorities.NAME]``: share of tickets and SLA targets; file order is rank order.

    `response` and `resolution` are float hours. On a business clock they may be written
    in business days (``"3bd"``): N business days are N times the calendar's business
    day (``"3bd"`` = 27 business hours on 08:00–17:00), resolved when the scenario is
    validated. Each target keeps the text it was written in, for display and export.
    """

    share: Share
    response: Hours = Field(ge=MIN_DURATION, le=MAX_DURATION)
    resolution: Hours = Field(ge=MIN_DURATION, le=MAX_DURATION)
    clock: Literal["24x7", "business"] = "24x7"
    goal: Goal | None = Field(
        default=None, description="attainment goal per target, judged by res.verdicts()")

    @model_validator(mode="wrap")
    @classmethod
    def _targets(cls, data: Any, handler: ModelWrapValidatorHandler[Priority],
                 info: ValidationInfo) -> Priority:
        given: dict[str, str] = {}
        if isinstance(data, dict):
            data = dict(data)
            for key in TARGETS:
                value = data.get(key)
                if isinstance(value, str):
                    given[key] = value.strip()
                days = parse_business_days(value)
                if days is None:
                    continue
                if data.get("clock", "24x7") == "24x7":
                    raise KeyedError(key, "is in business days, which need clock = "
                                     "\"business\"; on a 24x7 clock write hours or days "
                                     "(\"3d\" is 72 h)", value)
                day = (info.context or {}).get(BUSINESS_DAY_HOURS)
                if day is None:  # without a rule, the invalid [calendar] reports itself
                    rule = (info.context or {}).get(BUSINESS_DAY_RULE)
                    raise (KeyedError if rule else KnockOnError)(key, rule or (
                        "is in business days, which need a valid [calendar]"), value)
                data[key] = days * day
        priority = handler(data)
        priority._given = given
        return priority

    def target(self, kind: str) -> str:
        """The `kind` target (``"response"`` or ``"resolution"``) as written.

        A unit string stays as given (``"3bd"``, ``"15min"``, ``"4h"``); a number of
        hours is shown in its coarsest exact unit (0.25 -> ``"15min"``), else in hours.
        """
        if kind not in TARGETS:
            raise ValueError(f"kind must be one of {TARGETS}, got {kind!r}")
        if kind in self._given:
            return self._given[kind]
        text = format_duration(getattr(self, kind))
        return text if isinstance(text, str) else f"{text:g}h"


# --------------------------------------------------------------------------- work


#: Most values an empirical distribution may list (``values`` or ``quantiles``).
MAX_EMPIRICAL = 100_000
#: A duration >= 0 (a value of an empirical distribution, a uniform's low end).
Duration0 = Annotated[Hours, Field(ge=0, le=MAX_DURATION)]
#: The shapes a distribution table names, and the keys each takes besides `dist`.
DIST_KEYS: dict[str, tuple[str, ...]] = {
    "exponential": ("mean",), "fixed": ("mean",), "lognormal": ("mean", "cv"),
    "gamma": ("mean", "cv"), "uniform": ("low", "high"),
    "empirical": ("values", "quantiles"),
}


class Distribution(Section):
    """A distribution of durations: ``{ dist = "lognormal", mean = "2h", cv = 1.2 }``.

    ``uniform`` takes `low` and `high`; ``empirical`` either `values` (resampled with
    equal weight) or `quantiles` (the inverse distribution function at the evenly spaced
    probabilities ``0, 1/m, ..., 1``, linear in between; see
    :func:`supportsim.distributions.draw`). Their mean follows from these and must be at
    least 1 second, like a written `mean`.
    """

    dist: Literal["exponential", "lognormal", "gamma", "fixed", "uniform", "empirical"] = (
        "exponential")
    mean: Hours | None = Field(default=None, ge=MIN_DURATION, le=MAX_DURATION)
    cv: Real | None = Field(default=None, ge=MIN_CV, le=MAX_CV)
    low: Hours | None = Field(default=None, ge=0, le=MAX_DURATION,
                              description="uniform: lower end; mean (low + high) / 2 >= 1s")
    high: Hours | None = Field(default=None, ge=0, le=MAX_DURATION,
                               description="uniform: upper end, above low")
    values: tuple[Duration0, ...] | None = Field(
        default=None,
        description=f"empirical: observed values, each drawn with equal weight; 1 to "
                    f"{MAX_EMPIRICAL:,} durations, each in [0, 520w], mean >= 1s")
    quantiles: tuple[Duration0, ...] | None = Field(
        default=None,
        description=f"empirical: 2 to {MAX_EMPIRICAL:,} non-decreasing durations in "
                    "[0, 520w], q_0..q_m, the values at probabilities 0, 1/m, ..., 1, linear "
                    "in between (docs/assumptions.md); mean >= 1s")

    @model_validator(mode="after")
    def _check(self) -> Distribution:
        wanted = DIST_KEYS[self.dist]
        for key in ("mean", "cv", "low", "high", "values", "quantiles"):
            given = getattr(self, key) is not None
            if given and key not in wanted:
                implied = {"exponential": " (cv is 1)", "fixed": " (cv is 0)"}
                raise KeyedError(key, f"must be left out for dist = {self.dist!r}"
                                 + (implied.get(self.dist, "") if key == "cv" else ""),
                                 getattr(self, key))
            if not given and key in wanted and self.dist != "empirical":
                raise KeyedError(key, f"is required for dist = {self.dist!r}")
        if self.dist == "uniform":
            assert self.low is not None and self.high is not None
            if not self.high > self.low:
                raise KeyedError("high", f"must be above low ({_duration_text(self.low)})",
                                 self.high)
        if self.dist == "empirical":
            if (self.values is None) == (self.quantiles is None):
                raise ValueError("must give exactly one of `values` and `quantiles` "
                                 "(dist = 'empirical')")
            for key, least in (("values", 1), ("quantiles", 2)):
                given = getattr(self, key)
                if given is not None and not least <= len(given) <= MAX_EMPIRICAL:
                    raise KeyedError(key, f"must list {least} to {MAX_EMPIRICAL:,} durations,"
                                     f" got {len(given):,}")
            q = self.quantiles
            if q is not None:
                for k in range(1, len(q)):
                    if q[k] < q[k - 1]:
                        raise KeyedError(f"quantiles.{k}", "must not be below the one "
                                         f"before ({_duration_text(q[k - 1])})", q[k])
        if self.dist in ("uniform", "empirical"):
            from supportsim.distributions import moments

            mean = moments(self)[0]
            if not mean >= MIN_DURATION:
                key = "high" if self.dist == "uniform" else (
                    "values" if self.values is not None else "quantiles")
                raise KeyedError(key, "must give a mean of at least 1s", mean)
        return self


def _duration_text(hours: float) -> str:
    written = format_duration(hours)
    return written if isinstance(written, str) else f"{written:g} h"


def _level_order(tiers: dict[str, Any] | None) -> dict[str, Any] | None:
    # Level order whatever the file order: the order carries no meaning here, so equal
    # scenarios compare (and fingerprint) equal.
    return None if tiers is None else {name: tiers[name] for name in TIERS if name in tiers}


class PriorityWork(Section):
    """``[work.priorities.NAME]``: the work of a priority of [priorities] where it differs
    from [work]: `mix` replaces the whole mix; `effort` and `triage` replace the tiers they
    name and keep [work]'s other tiers. A ticket whose skill has its own
    ``[work.skills.NAME]`` takes that on top: [work], then the priority's, then the skill's.
    """

    mix: dict[TierName, Share] | None = Field(
        default=None, description="replaces work.mix for this priority")
    effort: dict[TierName, Distribution] = Field(
        default_factory=dict, description="replaces work.effort.lN for the tiers named")
    triage: dict[TierName, Distribution] = Field(
        default_factory=dict, description="replaces work.triage.lN for the tiers named")

    @field_validator("mix", "effort", "triage")
    @classmethod
    def _order_tiers(cls, tiers: dict[str, Any] | None) -> dict[str, Any] | None:
        return _level_order(tiers)

    @model_validator(mode="after")
    def _check(self) -> PriorityWork:
        if self.mix is not None:
            _check_shares({str(k): v for k, v in self.mix.items()}, "mix")
        return self


class SkillWork(PriorityWork):
    """``[work.skills.NAME]``: the work of a skill of [demand.skills] where it differs from
    [work], applied after the ticket's priority's (``[work.priorities.NAME]``): the skill's
    `mix` replaces the whole mix, its `effort` and `triage` the tiers they name; a tier the
    skill leaves out keeps the priority's (or [work]'s) distribution.
    """

    mix: dict[TierName, Share] | None = Field(
        default=None, description="replaces the mix for tickets of this skill")
    effort: dict[TierName, Distribution] = Field(
        default_factory=dict, description="replaces work.effort.lN for the tiers named")
    triage: dict[TierName, Distribution] = Field(
        default_factory=dict, description="replaces work.triage.lN for the tiers named")


class Work(Section):
    """``[work]``: which tier each ticket needs and the effort it takes."""

    mix: dict[TierName, Share]
    effort: dict[TierName, Distribution]
    triage: dict[TierName, Distribution] = Field(default_factory=dict)
    priorities: dict[str, PriorityWork] = Field(
        default_factory=dict, description="overrides of mix, effort and triage per priority")
    skills: dict[str, SkillWork] | None = Field(
        default=None, description="overrides of mix, effort and triage per skill of "
                                  "[demand.skills], applied after the priority's")

    @field_validator("mix", "effort", "triage")
    @classmethod
    def _order_tiers(cls, tiers: dict[str, Any] | None) -> dict[str, Any] | None:
        return _level_order(tiers)

    @model_validator(mode="after")
    def _check(self) -> Work:
        if not self.mix:
            raise KeyedError("mix", "must give the share of at least one tier", {})
        _check_shares({str(k): v for k, v in self.mix.items()}, "mix")
        for name in ("", *self.priorities, *(f"/{s}" for s in self.skills or ())):
            skill = name.startswith("/")
            work = (self.for_skill(name[1:]) if skill else
                    self.for_priority(name) if name else self)
            where = (f"skills.{name[1:]}." if skill else
                     f"priorities.{name}." if name else "")
            for tier, share in work.mix.items():
                if share > 0 and tier not in work.effort:
                    raise KeyedError(f"{where}effort.{tier}",
                                     f"is required: {where}mix.{tier} = {share:g} > 0")
        return self

    def for_priority(self, name: str) -> Work:
        """The work of priority `name`: [work] with its ``[work.priorities.NAME]`` applied."""
        return self._with(self.priorities.get(name))

    def for_skill(self, name: str) -> Work:
        """The work of skill `name`: [work] with its ``[work.skills.NAME]`` applied."""
        return self._with((self.skills or {}).get(name))

    def then(self, override: PriorityWork | None) -> Work:
        """This work with `override` (a priority's or a skill's table) applied on top."""
        return self._with(override)

    def _with(self, override: PriorityWork | None) -> Work:
        if override is None:
            return self
        def merged(base: dict[Any, Any], own: dict[Any, Any]) -> FrozenDict:
            return FrozenDict({t: own.get(t, base.get(t)) for t in TIERS if t in own or t in base})

        return self.model_copy(update={
            "mix": FrozenDict(self.mix if override.mix is None else override.mix),
            "effort": merged(self.effort, override.effort),
            "triage": merged(self.triage, override.triage),
            "priorities": FrozenDict(),
            "skills": None,
        })

    @property
    def highest_need(self) -> int:
        """Level (1..3) of the highest tier any ticket (of any priority) needs."""
        overrides = [*self.priorities.values(), *(self.skills or {}).values()]
        mixes = [self.mix, *(p.mix for p in overrides if p.mix is not None)]
        return max(TIERS.index(t) + 1 for mix in mixes for t, share in mix.items() if share > 0)
