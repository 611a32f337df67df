"""The :class:`Scenario`: a frozen, validated description of one support organisation."""

from __future__ import annotations

import copy
import hashlib
import json
import re
import tomllib
from collections.abc import Mapping
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any

import tomli_w
from pydantic import Field, PrivateAttr, ValidationError, field_validator, model_validator

from supportsim._errors import ScenarioError
from supportsim.calendar import Calendar
from supportsim.scenario._schema import (
    MAX_DURATION,
    MIN_DURATION,
    TIERS,
    CalendarSection,
    Count,
    Demand,
    Hours,
    KeyedError,
    Priority,
    Section,
    Team,
    Work,
    _check_growth,
    _check_shares,
)
from supportsim.scenario._validation import keyed_error, scenario_error
from supportsim.scenario._workforce import Workforce

__all__ = ["Scenario", "load_scenario"]

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
    horizon: Hours = Field(ge=MIN_DURATION, le=MAX_DURATION)
    warmup: Hours = Field(default=0.0, ge=0, le=MAX_DURATION)
    replications: Count = Field(default=10, ge=1, le=10_000)
    seed: Count | None = Field(default=None, ge=0, le=2**63 - 1)
    calendar_section: CalendarSection = Field(default_factory=CalendarSection, alias="calendar")
    demand: Demand
    priorities: dict[str, Priority]
    work: Work
    team: Team
    workforce: Workforce | None = None

    _source: str | None = PrivateAttr(default=None)

    # ------------------------------------------------------------------ validation

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
    def _check(self) -> Scenario:
        if self.warmup >= self.horizon:
            raise KeyedError("warmup", f"must be shorter than horizon ({self.horizon:g} h)",
                             self.warmup)
        if not self.priorities:
            raise KeyedError("priorities", "must define at least one priority")
        _check_growth(self.demand, self.horizon)
        _check_shares({k: p.share for k, p in self.priorities.items()}, "priorities")
        self._check_tiers()
        self._check_workforce()
        return self

    def _check_tiers(self) -> None:
        levels = self.levels
        tiered = self.team.structure == "tiered"
        if tiered and 1 not in levels:
            raise KeyedError("team.tiers.l1", "is required: every ticket enters L1")
        needed = [TIERS.index(t) + 1 for t, share in self.work.mix.items() if share > 0]
        for need in needed:
            if need > max(levels):
                raise KeyedError(f"work.mix.l{need}",
                                 f"is > 0 but the team has no tier at level >= {need}")
        if not tiered:
            return  # swarming: diagnosis before calling an expert is optional
        for level in levels:
            if any(need > level for need in needed) and TIERS[level - 1] not in self.work.triage:
                raise KeyedError(f"work.triage.l{level}",
                                 f"is required: tier l{level} escalates tickets it cannot fix")

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

        Warns
        -----
        CapacityWarning
            When the offered load of a tier reaches its capacity.
        """
        if not isinstance(data, Mapping):
            raise ScenarioError(f"a scenario must be a table of keys, got {type(data).__name__}"
                                + (f" ({source})" if source else ""))
        try:
            scenario = cls.model_validate(dict(data))
        except ValidationError as exc:
            raise scenario_error(exc, cls, source) from None
        scenario._source = source
        from supportsim.capacity import warn_if_overloaded

        warn_if_overloaded(scenario)
        return scenario

    def with_overrides(self, overrides: Mapping[str, Any]) -> Scenario:
        """A copy with dotted keys set, validated like a file.

        Parameters
        ----------
        overrides : mapping of str to value
            Dotted paths such as ``"team.tiers.l1.staff"`` or ``"demand.bursts.0.multiplier"``
            (list items by index or by their ``name``), each to a value as TOML would give it.

        Returns
        -------
        Scenario

        Raises
        ------
        ScenarioError
            If a path does not lead to a table key, or the result breaks a rule.
        """
        data = self.to_dict()
        for path, value in overrides.items():
            _set_dotted(data, path, value, self._source)
        return type(self).from_dict(data, source=self._source)

    # ------------------------------------------------------------------ export

    def to_dict(self) -> dict[str, Any]:
        """The scenario as plain data (TOML types; durations as unit strings)."""
        dumped = self.model_dump(by_alias=True, exclude_none=True)
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
        return json.dumps(self.to_dict(), default=str)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Scenario):
            return NotImplemented
        return self._canonical() == other._canonical()

    def __hash__(self) -> int:
        return hash(self.fingerprint())

    # ------------------------------------------------------------------ derived views

    @property
    def source(self) -> str | None:
        """The file this scenario was loaded from, if any."""
        return self._source

    @cached_property
    def calendar(self) -> Calendar:
        """The business calendar (:class:`~supportsim.Calendar`) anchored at `start`."""
        section = self.calendar_section
        return Calendar(self.start, business_hours=section.business_hours,
                        business_days=section.business_days, holidays=section.holidays)

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


def read_toml(path: Path, what: str) -> dict[str, Any]:
    """The tables of a TOML file; a :class:`ScenarioError` naming `what` and the file."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ScenarioError(f"cannot read {what}: {exc.strerror} ({path})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"not valid TOML: {exc} ({path})") from None


def _lists(value: Any) -> Any:
    """Tuples to lists, recursively, so the dict is plain TOML/JSON data."""
    if isinstance(value, dict):
        return {k: _lists(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_lists(v) for v in value]
    return value


def _set_dotted(data: dict[str, Any], path: str, value: Any, source: str | None) -> None:
    parts = path.split(".")
    if not path or any(not p for p in parts):
        raise keyed_error(
            KeyedError(f"override {path!r}", "is not a dotted key such as 'demand.rate'"), source
        )
    node: Any = data
    for depth, part in enumerate(parts[:-1]):
        node = _step(node, part, parts[: depth + 1], create=True, source=source)
    last = parts[-1]
    if isinstance(node, list):
        index = _list_index(node, last, parts, source)
        node[index] = copy.deepcopy(value)
    elif isinstance(node, dict):
        node[last] = copy.deepcopy(value)
    else:
        raise keyed_error(KeyedError(".".join(parts[:-1]), "is not a table", node), source)


def _step(node: Any, part: str, walked: list[str], *, create: bool, source: str | None) -> Any:
    if isinstance(node, dict):
        if part not in node and create:
            node[part] = {}
        return node[part]
    if isinstance(node, list):
        return node[_list_index(node, part, walked, source)]
    raise keyed_error(KeyedError(".".join(walked[:-1]), "is not a table", node), source)


def _list_index(items: list[Any], part: str, walked: list[str], source: str | None) -> int:
    if re.fullmatch(r"-?[0-9]+", part) and -len(items) <= int(part) < len(items):
        return int(part)
    for index, item in enumerate(items):
        if isinstance(item, dict) and item.get("name") == part:
            return index
    names = [str(i) for i in range(len(items))] + [
        str(item["name"]) for item in items if isinstance(item, dict) and item.get("name")
    ]
    raise keyed_error(
        KeyedError(".".join(walked[:-1]), f"has no item {part!r} (items: {', '.join(names)})"),
        source,
    )
