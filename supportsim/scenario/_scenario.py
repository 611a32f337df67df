"""The :class:`Scenario`: a frozen, validated description of one support organisation."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any

import tomli_w
from pydantic import (
    Field,
    PrivateAttr,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from supportsim._errors import ScenarioError
from supportsim.calendar import Calendar
from supportsim.scenario._context import (
    _BASE,
    _GIVEN,
    _as_given,
    _business_day_hours,
    _unequal_days,
)
from supportsim.scenario._costs import Costs, check_costs
from supportsim.scenario._demand import SCENARIO_START, SCENARIO_ZONE, Demand, _check_growth
from supportsim.scenario._initial import Backlog, Initial, resolve_backlog
from supportsim.scenario._override_source import override_source, relabel
from supportsim.scenario._overrides import _scale_shifts, _set_dotted
from supportsim.scenario._routing import check_routing
from supportsim.scenario._schema import (
    BUSINESS_DAY_HOURS,
    BUSINESS_DAY_RULE,
    MAX_DURATION,
    MIN_DURATION,
    TIERS,
    CalendarSection,
    Count,
    Hours,
    KeyedError,
    Priority,
    Section,
    Work,
    _check_shares,
)
from supportsim.scenario._sites import (
    Site,
    ZoneName,
    check_sites,
    site_calendars,
    zone_of_data,
)
from supportsim.scenario._team import Team
from supportsim.scenario._toml import read_toml
from supportsim.scenario._validation import _did_you_mean, scenario_error
from supportsim.scenario._workforce import Workforce
from supportsim.sites import IMPLICIT_SITE

__all__ = ["AUTO", "Scenario", "load_scenario"]

#: The value of ``warmup`` that asks for MSER-5 after the run.
AUTO = "auto"

#: The range of `start`: with a horizon of at most 10 years every date stays in range.
FIRST_START = datetime(1900, 1, 1)
LAST_START = datetime(2199, 12, 31, 23, 59, 59)


class Scenario(Section):
    """A support organisation and its demand: the input of every simulation.

    Build one with :func:`load_scenario` or :meth:`from_dict`; change it with
    :meth:`with_overrides`. Instances are frozen and compare equal when their contents are
    equal, whatever file they came from. Durations are float hours; see ``docs/scenario.md``
    for every key.

    Examples
    --------
    >>> sc = load_scenario("scenarios/mmc.toml")  # doctest: +SKIP
    >>> sc.with_overrides({"team.tiers.l1.staff": 8}).team.tiers["l1"].staff  # doctest: +SKIP
    8
    """

    name: str = "scenario"
    start: datetime = datetime(2026, 1, 5)
    start_zone: ZoneName | None = Field(
        default=None, description="IANA time zone of `start` (default: the only site's "
        "zone, else UTC; without [sites], none: [calendar] on start's own clock)")
    horizon: Hours = Field(ge=MIN_DURATION, le=MAX_DURATION)
    warmup: Hours = Field(default=0.0, ge=0, le=MAX_DURATION)
    replications: Count = Field(default=10, ge=1, le=10_000)
    seed: Count | None = Field(default=None, ge=0, le=2**63 - 1)
    calendar_section: CalendarSection = Field(default_factory=CalendarSection, alias="calendar")
    sites: dict[str, Site] | None = Field(
        default=None, description="sites: time zone, business hours and holidays (local)")
    demand: Demand
    priorities: dict[str, Priority]
    work: Work
    team: Team
    workforce: Workforce | None = None
    initial: Initial | None = None
    costs: Costs | None = None

    _backlog: Backlog | None = PrivateAttr(default=None)
    _source: str | None = PrivateAttr(default=None)
    _auto_warmup: bool = PrivateAttr(default=False)

    # ------------------------------------------------------------------ validation

    @model_validator(mode="before")
    @classmethod
    def _warmup_auto(cls, data: Any) -> Any:
        # warmup = "auto": simulated from 0 and cut by MSER-5 after the run
        # (supportsim.sequential); `warmup` stays a float for everything else.
        if isinstance(data, Mapping) and data.get("warmup") == AUTO:
            return {**data, "warmup": 0.0}
        given = data.get("warmup") if isinstance(data, Mapping) else None
        if isinstance(given, str) and given.strip().casefold() == AUTO:  # "Auto", " auto"
            raise KeyedError("warmup", f"must be a duration or {AUTO!r} (did you mean "
                             f"{AUTO!r}?)", given)
        return data

    @field_validator("start")
    @classmethod
    def _naive_start(cls, start: datetime) -> datetime:
        if start.tzinfo is not None:
            raise ValueError("must be a local date-time without a UTC offset")
        # Calendars and rosters look at dates before the start and after the horizon.
        if not FIRST_START <= start <= LAST_START:
            raise ValueError(f"must be a date-time from {FIRST_START:%Y-%m-%d} to "
                             f"{LAST_START:%Y-%m-%d}, got {start.isoformat()}")
        return start

    @model_validator(mode="after")
    def _check(self, info: ValidationInfo) -> Scenario:
        self._auto_warmup = (info.context or {}).get(_GIVEN, {}).get("warmup") == AUTO
        if self.warmup >= self.horizon:
            given = (info.context or {}).get(_GIVEN, {})
            raise KeyedError("warmup", "must be shorter than horizon, got "
                             f"{_as_given(given, 'warmup', self.warmup)} >= "
                             f"{_as_given(given, 'horizon', self.horizon)}", self.warmup)
        if not self.priorities:
            raise KeyedError("priorities", "must define at least one priority")
        _check_growth(self.demand, self.horizon)
        _check_shares({k: p.share for k, p in self.priorities.items()}, "priorities")
        self._check_tiers()
        self._check_workforce()
        self._check_wave_priorities()
        check_sites(self)
        check_costs(self)
        check_routing(self)
        base = (info.context or {}).get(_BASE)
        self._backlog = resolve_backlog(self, Path(base) if base is not None else None)
        return self

    def _check_wave_priorities(self) -> None:
        for index, wave in enumerate(self.demand.waves):
            for name in wave.priorities or ():
                if name not in self.priorities:
                    raise KeyedError(f"demand.waves.{index}.priorities.{name}",
                                     "is not a priority of [priorities]"
                                     + _did_you_mean(name, list(self.priorities)), name)

    def _check_tiers(self) -> None:
        levels = self.levels
        tiered = self.team.structure == "tiered"
        if tiered and 1 not in levels:
            raise KeyedError("team.tiers.l1", "is required: every ticket enters L1")
        self._check_work_priorities()
        for name in ("", *self.work.priorities):
            # Each priority's own work (DESIGN section 10): its mix, with its triage.
            work = self.work.for_priority(name) if name else self.work
            where = f"work.priorities.{name}." if name else "work."
            needed = [TIERS.index(t) + 1 for t, share in work.mix.items() if share > 0]
            for need in needed:
                if need > max(levels):
                    raise KeyedError(f"{where}mix.l{need}",
                                     f"is > 0 but the team has no tier at level >= {need}")
            if not tiered:
                continue  # swarming: diagnosis before calling an expert is optional
            for level in levels:
                if any(need > level for need in needed) and TIERS[level - 1] not in work.triage:
                    raise KeyedError(f"work.triage.l{level}", f"is required: tier l{level} "
                                     "escalates tickets it cannot fix"
                                     + (f" ({where}mix)" if name else ""))
        self._check_channel_order()

    def _check_work_priorities(self) -> None:
        for name in self.work.priorities:
            if name not in self.priorities:
                raise KeyedError(f"work.priorities.{name}", "is not a priority of [priorities]"
                                 + _did_you_mean(name, list(self.priorities)))

    def _check_channel_order(self) -> None:
        order = self.team.channel_order
        if isinstance(order, str):
            return
        channels = list(self.demand.channels)
        for name in order:
            if name not in channels:
                raise KeyedError("team.channel_order", f"names {name!r}, not a channel of "
                                 f"[demand.channels]{_did_you_mean(name, channels)}", list(order))
        missing = [c for c in channels if c not in order]
        if missing or len(set(order)) != len(order):
            raise KeyedError("team.channel_order", "must name every channel of "
                             f"[demand.channels] once ({', '.join(channels)})", list(order))

    def _check_workforce(self) -> None:
        workforce = self.workforce
        if workforce is None:
            return
        learning, knowledge = workforce.learning, workforce.knowledge
        if learning is not None:
            for tier, count in learning.initial_joiners.items():
                key = f"workforce.learning.initial_joiners.{tier}"
                if tier not in self.team.tiers:
                    raise KeyedError(key, "names a tier the team does not have", tier)
                if count > self.team.tiers[tier].headcount:
                    raise KeyedError(key, f"must be <= the tier's staff "
                                     f"({self.team.tiers[tier].headcount})", count)
            if learning.escalation > 0 and self.team.structure == "tiered":
                for level in self.levels[:-1]:
                    if TIERS[level - 1] not in self.work.triage:
                        raise KeyedError(f"work.triage.l{level}", "is required: "
                                         "workforce.learning.escalation lets joiners escalate")
        for k, departure in enumerate(workforce.departures):
            key = f"workforce.departures.{k}"
            if departure.tier not in self.team.tiers:
                raise KeyedError(f"{key}.tier", "names a tier the team does not have",
                                 departure.tier)
            staff = self.team.tiers[departure.tier]
            if departure.count > staff.headcount:
                raise KeyedError(f"{key}.count", f"must be <= the tier's staff "
                                 f"({staff.headcount})", departure.count)
        shifts_left = knowledge is not None and knowledge.l1_gain > 0
        if shifts_left and ("l1" not in self.team.tiers or "l1" not in self.work.effort):
            raise KeyedError("workforce.knowledge", "needs tier l1 and work.effort.l1: "
                             "shifted-left tickets take L1's effort")

    # ------------------------------------------------------------------ construction

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: str | None = None) -> Scenario:
        """Validate a nested dict (as read from TOML) into a Scenario.

        Parameters
        ----------
        data : mapping
            Sections and keys as in a scenario file; durations may be unit strings.
        source : str, optional
            Where the data came from; named in error messages.

        Returns
        -------
        Scenario

        Raises
        ------
        ScenarioError
            Naming the dotted key, the rule, the value and `source`.

        Notes
        -----
        Validation never warns: whether the load fits the staff is checked by
        :func:`supportsim.check`, and :func:`supportsim.simulate` warns (a
        :class:`~supportsim.CapacityWarning`) when a simulation starts.
        """
        if not isinstance(data, Mapping):
            raise ScenarioError(f"a scenario must be a table of keys, got {type(data).__name__}"
                                + (f" ({source})" if source else ""))
        data = dict(data)
        day_hours = _business_day_hours(data)
        context = {BUSINESS_DAY_HOURS: day_hours, _GIVEN: data,
                   BUSINESS_DAY_RULE: _unequal_days(data) if day_hours is None else None,
                   SCENARIO_START: _start_of(data), SCENARIO_ZONE: zone_of_data(data),
                   # A backlog file is named relative to the scenario file, like a sweep's base.
                   _BASE: Path(source).parent if source else None}
        try:
            scenario = cls.model_validate(data, context=context)
        except ValidationError as exc:
            for error in exc.errors():
                # A backlog file's error names its own file, line and column already.
                found = (error.get("ctx") or {}).get("error")
                if isinstance(found, ScenarioError):
                    raise ScenarioError(f"{found}" + (f" (scenario {source})" if source
                                                      else "")) from None
            raise scenario_error(exc, cls, source, data) from None
        scenario._source = source
        return scenario

    def with_overrides(self, overrides: Mapping[str, Any]) -> Scenario:
        """A copy with dotted keys set, validated like a file.

        Parameters
        ----------
        overrides : mapping of str to value
            Dotted paths such as ``"team.tiers.l1.staff"`` or ``"demand.bursts.0.multiplier"``
            (list items by index or by their ``name``), each to a value as TOML would give it,
            applied in order. The ``staff`` of a tier or agent group that works shifts
            scales the shifts' staff to that head count
            (:func:`~supportsim.scenario._team.scale_roster`).

        Returns
        -------
        Scenario

        Raises
        ------
        ScenarioError
            If a path does not lead to a table key, or the result breaks a rule; named
            after the overrides on the file, e.g. ``(override horizon="1w", on mmc.toml)``.
        """
        data = self.to_dict()
        try:
            for path, value in overrides.items():
                if not _scale_shifts(data, path, value, self._source):
                    _set_dotted(Scenario, data, path, value, self._source)
            return type(self).from_dict(data, source=self._source)
        except ScenarioError as exc:  # the file was valid: the overrides are named
            raise relabel(exc, self._source, override_source(self._source, overrides)) \
                from None

    # ------------------------------------------------------------------ export

    def to_dict(self) -> dict[str, Any]:
        """The scenario as plain data (TOML types; durations as unit strings)."""
        dumped = self.model_dump(by_alias=True, exclude_none=True)
        if self._auto_warmup:
            dumped["warmup"] = AUTO
        return _lists(dumped)

    def to_toml(self, path: str | Path | None = None) -> str:
        """Write the scenario as TOML to `path` (if given) and return the text."""
        text = tomli_w.dumps(self.to_dict())
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text

    def fingerprint(self) -> str:
        """A SHA-256 of the contents: equal scenarios have equal fingerprints."""
        return hashlib.sha256(self._canonical().encode()).hexdigest()

    def _canonical(self) -> str:
        # Key order is kept, not sorted: the order of priorities (rank) and of channels
        # (draw order) is part of a scenario; fields come in schema order and tier-keyed
        # tables in level order, so equal contents give equal text.
        data = self.to_dict()
        if self.initial is not None and isinstance(self.initial.backlog, str):
            # A backlog file's rows, not only its name: an edited file is another scenario.
            data["initial"]["rows"] = self._backlog.digest() if self._backlog else ""
        return json.dumps(data, default=str)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Scenario):
            return NotImplemented
        return self._canonical() == other._canonical()

    def __hash__(self) -> int:
        return hash(self.fingerprint())

    def __repr__(self) -> str:
        # One line, never the whole model (the dict is `to_dict()`).
        from supportsim.report._scenario import scenario_repr

        return scenario_repr(self)

    def _repr_html_(self) -> str:
        from supportsim.report._display import render_card
        from supportsim.report._scenario import scenario_card

        return render_card(scenario_card(self))

    # ------------------------------------------------------------------ derived views

    @property
    def auto_warmup(self) -> bool:
        """Whether ``warmup = "auto"``: `warmup` reads 0 and :func:`~supportsim.simulate`
        finds the cut by MSER-5 after the run (docs/analysis.md)."""
        return self._auto_warmup

    @property
    def source(self) -> str | None:
        """The file this scenario was loaded from, if any."""
        return self._source

    @cached_property
    def calendar(self) -> Calendar:
        """The business calendar (:class:`~supportsim.Calendar`) anchored at `start`: the
        first site's (without [sites], the one implicit site's: ``[calendar]``)."""
        return next(iter(self.site_calendars.values()))

    @cached_property
    def site_calendars(self) -> dict[str, Calendar]:
        """Each site's business calendar by name, in file order (one implicit site,
        :data:`supportsim.sites.IMPLICIT_SITE`, without [sites])."""
        return site_calendars(self.sites or {}, self.calendar_section, self.start,
                              self.zone_of_start, self.horizon)

    @property
    def site_names(self) -> list[str]:
        """Site names in file order (the implicit site's without [sites])."""
        return list(self.sites) if self.sites else [IMPLICIT_SITE]

    @property
    def zone_of_start(self) -> str | None:
        """The time zone `start` is read in: `start_zone`, else the only site's zone, else
        UTC; None without [sites] and start_zone (start's own clock)."""
        if self.start_zone is not None or not self.sites:
            return self.start_zone
        zones = {site.timezone for site in self.sites.values()}
        return zones.pop() if len(self.sites) == 1 else "UTC"

    @property
    def backlog(self) -> Backlog | None:
        """The checked open tickets of ``[initial]`` at `start` (None without a backlog)."""
        return self._backlog

    @property
    def levels(self) -> list[int]:
        """Levels (1..3) of the tiers present, ascending."""
        return [TIERS.index(name) + 1 for name in self.team.tiers]

    @property
    def priority_names(self) -> list[str]:
        """Priority names in rank order (file order: the first is the most urgent)."""
        return list(self.priorities)

    @property
    def channel_names(self) -> list[str]:
        """Channel names in file order."""
        return list(self.demand.channels)


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario TOML file.

    Parameters
    ----------
    path : str or Path
        The scenario file.

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        If the file cannot be read, is not TOML, or breaks a rule (the message names the
        key, the value, the rule and the file).
    """
    path = Path(path)
    return Scenario.from_dict(read_toml(path, "scenario file"), source=str(path))


def _lists(value: Any) -> Any:
    """Tuples to lists, recursively, so the dict is plain TOML/JSON data."""
    if isinstance(value, dict):
        return {k: _lists(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_lists(v) for v in value]
    return value


def _start_of(data: Mapping[str, Any]) -> datetime | None:
    """The data's `start` as validated, None if it is invalid (it reports its own error).

    Waves given by date are placed with it while the demand is validated.
    """
    try:
        start = TypeAdapter(datetime).validate_python(
            data.get("start", Scenario.model_fields["start"].default))
        return Scenario._naive_start(start)
    except (ValidationError, ValueError):
        return None
