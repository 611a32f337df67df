"""What :func:`supportsim.plan` is asked: SLA targets and the decisions it may take."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from supportsim.scenario import Scenario
from supportsim.scenario._validation import _did_you_mean, closest

__all__ = ["CONTROLLED_ROOTS", "Decision", "Target", "check_controlled", "check_inputs",
           "default_decisions", "parse_decisions", "parse_targets"]

KINDS = ("response", "resolution")


@dataclass(frozen=True)
class Target:
    """Attainment of `kind` for `priority` whose lower confidence bound must reach `level`."""

    priority: str
    kind: str
    level: float

    @property
    def key(self) -> str:
        return f"{self.priority}.{self.kind}"


@dataclass(frozen=True)
class Decision:
    """A scenario key the plan sets: numeric on a grid, or one of listed values."""

    key: str
    values: tuple[Any, ...]  # the grid (numeric, ascending) or the categories
    categorical: bool

    @property
    def low(self) -> Any:
        return self.values[0]

    @property
    def high(self) -> Any:
        return self.values[-1]


def parse_targets(targets: Mapping[str, Any], scenario: Scenario) -> list[Target]:
    """``{"P1": {"response": 0.95}}`` or ``{"P1.response": 0.95}`` as a list of targets."""
    if not isinstance(targets, Mapping) or not targets:
        raise ValueError("plan: targets must be a non-empty mapping such as "
                         "{'P1': {'response': 0.95}} or {'P1.response': 0.95}")
    flat: dict[str, Any] = {}
    for key, value in targets.items():
        pairs = [(f"{key}.{kind}", level) for kind, level in value.items()] \
            if isinstance(value, Mapping) else [(str(key), value)]
        for name, level in pairs:
            if name in flat:  # {"P1": {"response": 0.9}, "P1.response": 0.8}
                raise ValueError(f"plan: target {name!r} is given twice ({flat[name]!r} and "
                                 f"{level!r}): give each target once")
            flat[name] = level
    out = []
    for key, level in flat.items():
        priority, _, kind = key.rpartition(".")
        if priority not in scenario.priorities:
            raise ValueError(f"plan: target {key!r}: priority must be one of "
                             f"{scenario.priority_names}, got {priority!r}"
                             + _did_you_mean(priority, scenario.priority_names))
        if kind not in KINDS:
            raise ValueError(f"plan: target {key!r}: metric must be 'response' or "
                             f"'resolution', got {kind!r}" + _did_you_mean(kind, KINDS))
        if isinstance(level, bool) or not isinstance(level, int | float) \
                or not 0 < level < 1:
            raise ValueError(f"plan: target {key!r} must be an attainment in (0, 1), got "
                             f"{level!r}")
        out.append(Target(priority, kind, float(level)))
    return out


def parse_decisions(decisions: Mapping[str, Any], scenario: Scenario) -> list[Decision]:
    """Each decision as a grid: ``(low, high)`` integers step 1, ``(low, high, step)``,
    or a list of values (a categorical choice such as ``team.structure``)."""
    if not isinstance(decisions, Mapping) or not decisions:
        raise ValueError("plan: decisions must be a non-empty mapping of dotted keys to "
                         "(low, high), (low, high, step) or a list of values")
    out = []
    for key, spec in decisions.items():
        check_controlled(str(key))
        _check_grouped(str(key), scenario)
        if isinstance(spec, list):
            if not spec or len(set(map(repr, spec))) != len(spec):
                raise ValueError(f"plan: decision {key!r}: a categorical choice must list "
                                 f"distinct values, got {spec!r}")
            out.append(Decision(str(key), tuple(spec), True))
            continue
        if not isinstance(spec, tuple) or len(spec) not in (2, 3) or any(
                isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v)
                for v in spec):
            raise ValueError(f"plan: decision {key!r} must be (low, high), (low, high, step) "
                             f"with numbers, or a list of values, got {spec!r}")
        low, high = spec[0], spec[1]
        step = spec[2] if len(spec) == 3 else 1
        if not low <= high or step <= 0:
            raise ValueError(f"plan: decision {key!r} must have low <= high and step > 0, got "
                             f"{spec!r}")
        count = math.floor((high - low) / step + 1e-9) + 1
        if count > 10_000:
            raise ValueError(f"plan: decision {key!r} has {count} values; at most 10,000")
        whole = all(isinstance(v, int) for v in (low, high, step))
        values = tuple(low + k * step if whole else round(low + k * step, 12)
                       for k in range(count))
        out.append(Decision(str(key), values, False))
    _check_overlap([d.key for d in out])
    # Fail now on a key the scenario does not have or a value it refuses (each end of a
    # range, each value of a choice), not after the first simulations.
    for d in out:
        for value in d.values if d.categorical else (d.low, d.high):
            scenario.with_overrides({d.key: value})
    return out


#: Top-level keys under which a decision may lie: what the desk controls.
CONTROLLED_ROOTS = ("team", "workforce")

#: What the other top-level keys are, for the message refusing them as decisions.
_NOT_CONTROLLED = {
    "name": "the scenario's name",
    "seed": "how the scenario is simulated (plan's own seed= / --seed sets the seeds)",
    "replications": "how the scenario is simulated (plan's own replications= / -r set "
                    "those)",
    "priorities": "the SLA the plan is judged on", "costs": "the prices the plan is judged on",
    "work": "the work tickets need", "sites": "where the users and agents are",
    "calendar": "the business clock the SLA is measured on",
}


def check_controlled(key: str) -> None:
    """Refuse a decision the desk does not control: a condition (the sweeps' rule,
    :func:`supportsim.sweeps._conditions.is_condition`: ``demand.*``, ``initial.*``,
    ``horizon``, ``warmup``, ``start``, ``start_zone``) or any key outside
    :data:`CONTROLLED_ROOTS` (``seed``, ``replications``, ``costs.*``, ``priorities.*``
    ...): searching those would "meet" a target by cutting the demand or the SLA."""
    from supportsim.sweeps._conditions import CONDITION_ROOTS, is_condition

    roots = " or ".join(f"{r}.*" for r in CONTROLLED_ROOTS)
    rule = (f"a decision must be a key the desk controls, under {roots} (staff, shifts, "
            f"reserve, structure ...)")
    if is_condition(key):
        raise ValueError(
            f"plan: decision {key!r} is a condition (a key under {', '.join(CONDITION_ROOTS)}: "
            f"what the desk faces, not what it chooses), and {rule}; set a condition with "
            f"--set or with_overrides, or compare plans under several with a sweep")
    root, _, rest = key.partition(".")
    if root not in CONTROLLED_ROOTS:
        what = _NOT_CONTROLLED.get(root)
        close = closest(root, CONTROLLED_ROOTS)  # "Team.tiers.l1.staff"
        hint = "" if what or close is None else \
            f" (did you mean {'.'.join(filter(None, (close, rest)))!r}?)"
        raise ValueError(f"plan: decision {key!r} is " + (f"{what}, not a choice of the desk"
                         if what else "not a key the desk controls") + f"{hint}: {rule}")


def _check_grouped(key: str, scenario: Scenario) -> None:
    """A tier's own staff or hours on a tier split into agent groups: name the groups'
    keys (the scenario's own error would blame the file for what the decision asked)."""
    parts = key.split(".")
    if len(parts) >= 4 and parts[:2] == ["team", "tiers"] and parts[3] in ("staff", "hours"):
        tier = next((t for n, t in scenario.team.tiers.items() if n == parts[2]), None)
        if tier is not None and tier.groups is not None:
            raise ValueError(
                f"plan: decision {key!r}: tier {parts[2]} is split into agent groups "
                f"{list(tier.groups)} and has no {parts[3]} of its own; decide each "
                f"group's, e.g. team.tiers.{parts[2]}.groups.{next(iter(tier.groups))}."
                f"{parts[3]}")


def _check_overlap(keys: Sequence[str]) -> None:
    """Refuse a tier's or group's staff decided together with one of its shifts' staff
    (``...central.staff`` and ``...central.hours.0.staff``): the head count scales the
    shifts' staff, so the two would set the same agents and the plan would show both."""
    for key in keys:
        if not key.endswith(".staff") or ".hours." in key:
            continue
        owner = key.removesuffix(".staff")
        shift = next((k for k in keys if k.startswith(f"{owner}.hours.")
                      and k.endswith(".staff")), None)
        if shift is not None:
            raise ValueError(
                f"plan: decisions {key!r} and {shift!r} overlap: the head count scales "
                f"the shifts' staff, so both would set the same agents; decide the head "
                f"count or the shifts' staff, not both")


def check_inputs(scenario: Scenario, targets: Mapping[str, Any],
                 decisions: Mapping[str, Any] | None, replications: int | None,
                 confidence: float) -> tuple[list[Target], list[Decision] | None, int]:
    """:func:`supportsim.plan`'s arguments checked against `scenario` before anything is
    simulated (or, on the command line, printed): the targets, the decisions given (None:
    the default, found later) and the replications per evaluation.

    Raises
    ------
    ValueError
        A target, decision, replications or confidence breaking its rule
        (:class:`~supportsim.ScenarioError` for a decision the scenario refuses).
    """
    goals = parse_targets(targets, scenario)
    count = scenario.replications if replications is None else replications
    if isinstance(count, bool) or not isinstance(count, int) or count < 2:
        raise ValueError(f"plan: replications must be an integer >= 2 (an interval needs "
                         f"two), got {count!r}")
    if isinstance(confidence, bool) or not isinstance(confidence, float | int) \
            or not 0 < confidence < 1:
        raise ValueError(f"plan: confidence must be in (0, 1), got {confidence!r}")
    return goals, None if decisions is None else parse_decisions(decisions, scenario), count


def default_decisions(scenario: Scenario, lower: Mapping[str, int],
                      starts: Mapping[str, int] | None = None) -> list[Decision]:
    """Staff per tier, from its analytic lower bound to at least twice today's head count
    and 10 past its analytic start; for a tier with agent groups, staff per group (a tier
    with groups has no staff of its own, :mod:`supportsim.planning._groups`), bounded the
    same way. `lower` and `starts` are keyed by tier name and by a group's dotted key."""
    from supportsim.planning._groups import group_key

    out = []
    for name, tier in scenario.team.tiers.items():
        owners = [(f"team.tiers.{name}.staff", name, tier.headcount)] \
            if tier.groups is None else \
            [(group_key(name, g), group_key(name, g), group.headcount)
             for g, group in tier.groups.items()]
        for key, ref, today in owners:
            low = lower[ref]
            # Other keys may ask for more (initial joiners must fit the tier): the
            # smallest head count the scenario accepts.
            while low < today and not _accepts(scenario, key, low):
                low += 1
            # A group's own bound is often 0 while its share of the tier's bound (its
            # start) is not: the range must reach past the start, or a busy tier's
            # groups could not add up to a desk that keeps up.
            start = (starts or {}).get(ref, low)
            high = max(2 * today, low + 10, start + 10)
            out.append(Decision(key, tuple(range(low, high + 1)), False))
    return out


def _accepts(scenario: Scenario, key: str, value: Any) -> bool:
    from supportsim._errors import ScenarioError

    try:
        scenario.with_overrides({key: value})
    except ScenarioError:
        return False
    return True


def targets_text(targets: Sequence[Target]) -> str:
    return ", ".join(f"{t.key} >= {t.level:g}" for t in targets)
