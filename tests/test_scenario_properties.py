"""Hypothesis properties of the scenario schema.

1. Random valid small scenarios load and round-trip (dict, TOML) to an equal scenario.
2. A random unknown key put into any table of a valid scenario is an error naming it.
3. A numeric key pushed out of its range is an error naming its dotted key.
"""

from __future__ import annotations

import copy
import math
import re
import tomllib
import warnings
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from supportsim import CapacityWarning, Scenario, ScenarioError
from supportsim.scenario import _schema

TIERS = ("l1", "l2", "l3")
UNITS = {"s": 1 / 3600, "min": 1 / 60, "h": 1.0, "d": 24.0, "w": 168.0}
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

# Keep horizons short and the example counts modest so the module runs in seconds.
PROPERTY = settings(max_examples=50, deadline=None)

# Every generated scenario may be under- or over-staffed; that is a warning, not our topic.
pytestmark = pytest.mark.filterwarnings("ignore::supportsim.CapacityWarning")


# --------------------------------------------------------------------------- strategies


@st.composite
def durations(draw: st.DrawFn, max_hours: float = 48.0) -> tuple[str | float, float]:
    """A positive duration as written in a file, with its value in hours."""
    if draw(st.booleans()):
        unit = draw(st.sampled_from([u for u, h in UNITS.items() if h <= max_hours]))
        count = draw(st.integers(1, max(1, int(max_hours / UNITS[unit]))))
        return f"{count}{unit}", count * UNITS[unit]
    hours = draw(st.floats(0.01, max_hours, allow_nan=False))
    return hours, hours


def shares(draw: st.DrawFn, names: list[str]) -> dict[str, float]:
    """Shares that sum to 1: normalised integer weights, the last positive one fixed up."""
    weights = draw(st.lists(st.integers(0, 100), min_size=len(names), max_size=len(names)))
    weights[0] = max(weights[0], 1)
    total = sum(weights)
    values = [w / total for w in weights]
    last = max(i for i, w in enumerate(weights) if w > 0)
    values[last] = 1.0 - math.fsum(v for i, v in enumerate(values) if i != last)
    return dict(zip(names, values, strict=True))


@st.composite
def distributions(draw: st.DrawFn) -> dict[str, Any]:
    dist = draw(st.sampled_from(["exponential", "lognormal", "gamma", "fixed"]))
    out: dict[str, Any] = {"dist": dist, "mean": draw(durations(max_hours=8.0))[0]}
    if dist in ("lognormal", "gamma"):
        out["cv"] = draw(st.floats(0.1, 3.0))
    return out


@st.composite
def tier_hours(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(["24x7", "business", "shifts"]))
    if kind != "shifts":
        return {"staff": draw(st.integers(0, 12)), "hours": kind}
    shifts = []
    for index in range(draw(st.integers(1, 3))):
        start = draw(st.integers(0, 23))
        length = draw(st.integers(1, 23))
        shift = {"name": f"s{index}", "start": f"{start:02d}:00",
                 "end": f"{(start + length) % 24:02d}:00",
                 "staff": draw(st.integers(0, 5))}
        if draw(st.booleans()):
            shift["days"] = draw(st.lists(st.sampled_from(DAYS), min_size=1, max_size=7,
                                          unique=True))
        shifts.append(shift)
    tier: dict[str, Any] = {"hours": shifts}
    if draw(st.booleans()):
        tier["staff"] = sum(s["staff"] for s in shifts)
    return tier


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, Any]:
    """A valid small scenario as a file would give it (durations as unit strings or hours)."""
    weeks = draw(st.integers(1, 4))
    horizon = draw(st.sampled_from([f"{weeks}w", f"{7 * weeks}d", f"{168 * weeks}h",
                                    float(168 * weeks)]))
    data: dict[str, Any] = {
        "name": draw(st.text(min_size=1, max_size=20)),
        "horizon": horizon,
        "warmup": f"{draw(st.integers(0, 24 * 7 * weeks - 1))}h",
        "replications": draw(st.integers(1, 30)),
    }
    if draw(st.booleans()):
        data["seed"] = draw(st.integers(0, 2**63 - 1))
    if draw(st.booleans()):
        opens = draw(st.integers(0, 22))
        closes = draw(st.integers(opens + 1, 24))
        data["calendar"] = {
            "business_hours": [f"{opens:02d}:00", f"{closes:02d}:{'00' if closes == 24 else '30'}"],
            "business_days": draw(st.lists(st.sampled_from(DAYS), min_size=1, max_size=7,
                                           unique=True)),
            "holidays": draw(st.lists(st.dates(date(2025, 1, 1), date(2027, 12, 31)),
                                      max_size=3, unique=True)),
        }

    channel_names = draw(st.lists(st.sampled_from(["portal", "phone", "mail", "chat"]),
                                  min_size=1, max_size=3, unique=True))
    channels: dict[str, Any] = {}
    for name, share in shares(draw, channel_names).items():
        channels[name] = {"share": share}
        if draw(st.booleans()):
            channels[name]["patience"] = draw(durations(max_hours=2.0))[0]
    demand: dict[str, Any] = {
        "rate": draw(st.floats(0.1, 50.0)),
        "profile": draw(st.one_of(
            st.sampled_from(["flat", "office"]),
            st.fixed_dictionaries({"hourly": st.lists(st.floats(0.1, 5.0), min_size=24,
                                                      max_size=24)},
                                  optional={"daily": st.lists(st.floats(0.1, 5.0), min_size=7,
                                                              max_size=7)}))),
        "growth": draw(st.floats(-0.5, 0.5)),
        "channels": channels,
    }
    bursts = []
    for index in range(draw(st.integers(0, 2))):
        burst = {"name": f"burst {index}", "at": draw(durations(max_hours=168.0))[0],
                 "multiplier": draw(st.floats(0.0, 5.0))}
        burst["decay" if draw(st.booleans()) else "duration"] = draw(durations())[0]
        bursts.append(burst)
    if bursts:
        demand["bursts"] = bursts
    if draw(st.booleans()):
        demand["storms"] = {"changes_per_week": draw(st.floats(0.0, 10.0)),
                            "failure_rate": draw(st.floats(0.0, 1.0)),
                            "tickets": draw(st.floats(0.0, 50.0)),
                            "decay": draw(durations())[0]}
    data["demand"] = demand

    # 1-4 priorities; file order is rank order, whatever the names.
    names = draw(st.lists(st.text(alphabet="PSabc0123 -_", min_size=1, max_size=6),
                          min_size=1, max_size=4, unique=True))
    data["priorities"] = {
        name: {"share": share, "response": draw(durations())[0],
               "resolution": draw(durations())[0],
               "clock": draw(st.sampled_from(["24x7", "business"]))}
        for name, share in shares(draw, names).items()
    }

    present = ["l1", *draw(st.lists(st.sampled_from(["l2", "l3"]), max_size=2, unique=True))]
    present.sort()
    mix = shares(draw, present)
    needed = [TIERS.index(t) + 1 for t, s in mix.items() if s > 0]
    triage = {}
    for tier in present:
        level = TIERS.index(tier) + 1
        if any(need > level for need in needed) or draw(st.booleans()):
            triage[tier] = draw(distributions())
    work: dict[str, Any] = {"mix": mix, "effort": {t: draw(distributions()) for t in present}}
    if triage:
        work["triage"] = triage
    data["work"] = work

    tiers = {tier: draw(tier_hours()) for tier in present}
    if draw(st.booleans()):  # any file order
        tiers = dict(reversed(list(tiers.items())))
    data["team"] = {"structure": "tiered",
                    "discipline": draw(st.sampled_from(["fifo", "priority", "preemptive"])),
                    "tiers": tiers}
    if draw(st.booleans()):
        data["team"]["tennis"] = {"bounce": draw(st.floats(0.0, 1.0))}
    return data


def build(data: dict[str, Any]) -> Scenario:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CapacityWarning)
        return Scenario.from_dict(copy.deepcopy(data))


def hours_of(value: str | float) -> float:
    if isinstance(value, str):
        match = re.fullmatch(r"(\d+)(s|min|h|d|w)", value)
        assert match is not None
        return int(match.group(1)) * UNITS[match.group(2)]
    return value


# --------------------------------------------------------------------------- (1) round trip


@PROPERTY
@given(scenarios())
def test_valid_scenarios_load_and_round_trip(data: dict[str, Any]) -> None:
    sc = build(data)
    # Values as written, in hours and in file order.
    assert sc.horizon == pytest.approx(hours_of(data["horizon"]), rel=1e-12)
    assert sc.warmup == pytest.approx(hours_of(data["warmup"]), rel=1e-12)
    assert sc.demand.rate == data["demand"]["rate"]
    assert sc.priority_names == list(data["priorities"])
    assert sc.channel_names == list(data["demand"]["channels"])
    assert list(sc.team.tiers) == sorted(data["team"]["tiers"])
    for name, spec in data["priorities"].items():
        assert sc.priorities[name].response == pytest.approx(hours_of(spec["response"]),
                                                             rel=1e-12)
    # Round trips: dict, TOML text, and stability of the fingerprint.
    exported = sc.to_dict()
    again = build(exported)
    assert again == sc
    assert again.to_dict() == exported
    assert again.fingerprint() == sc.fingerprint()
    assert build(tomllib.loads(sc.to_toml())) == sc


# --------------------------------------------------------------------------- (2) unknown keys


def _known_names() -> set[str]:
    """Every key the schema knows anywhere, so a drawn key is surely unknown."""
    names: set[str] = set(TIERS) | {"default"}
    stack: list[type] = [_schema.Section]
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        for name, field in getattr(cls, "model_fields", {}).items():
            names.add(name)
            if field.alias:
                names.add(field.alias)
    return names


KNOWN = _known_names()


def tables(node: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], dict]]:
    """Every table (dict) in a scenario dict, with its dotted path; list items by index."""
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from tables(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from tables(value, (*path, str(index)))


unknown_keys = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_0123456789", min_size=1,
                       max_size=12).filter(lambda k: k not in KNOWN)
toml_values = st.one_of(st.integers(-10, 10), st.floats(-5, 5), st.text(max_size=5),
                        st.booleans(), st.lists(st.integers(0, 3), max_size=2))

# Tables whose keys the user names (priorities, channels) or that are keyed by tier: a new
# key there is a new entry, not a misspelt field, so the error differs (but names the key).
USER_KEYED = re.compile(
    r"^(priorities|demand\.channels|work\.(mix|effort|triage)|team\.tiers)$")


@PROPERTY
@given(scenarios(), st.data())
def test_unknown_key_in_any_table_is_named(data: dict[str, Any], draw: st.DataObject) -> None:
    # Every table of the scenario in turn, each with its own random key and value.
    for path, _ in list(tables(data)):
        key = draw.draw(unknown_keys, label=f"key in {'.'.join(path) or 'top level'}")
        broken = copy.deepcopy(data)
        target = dict(tables(broken))[path]
        target[key] = draw.draw(toml_values, label="value")
        dotted = ".".join([*path, key])

        with pytest.raises(ScenarioError) as info:
            build(broken)
        message = str(info.value)
        assert "\n" not in message
        assert re.search(rf"(^|; ){re.escape(dotted)}[ .]", message), (dotted, message)
        if not USER_KEYED.match(".".join(path)):
            assert f"{dotted} is not a known key" in message


@pytest.mark.parametrize("table", ["priorities", "demand.channels", "work.mix",
                                   "work.effort", "team.tiers"])
def test_unknown_entry_in_a_keyed_table_is_named(table: str) -> None:
    data = {
        "horizon": "1w",
        "demand": {"rate": 1.0, "channels": {"portal": {"share": 1.0}}},
        "priorities": {"P1": {"share": 1.0, "response": "1h", "resolution": "4h"}},
        "work": {"mix": {"l1": 1.0}, "effort": {"l1": {"mean": "10min"}}},
        "team": {"tiers": {"l1": {"staff": 2}}},
    }
    build(data)
    node: Any = data
    for part in table.split("."):
        node = node[part]
    node["zz_new"] = 1
    with pytest.raises(ScenarioError, match=rf"{re.escape(table)}\.zz_new"):
        build(data)


# --------------------------------------------------------------------------- (3) out of range

# Dotted-path patterns of numeric keys with their range; `*` is one path part. Each range
# is (kind, lower operator, lower bound, upper bound), the bounds as the message and
# docs/scenario.md write them (durations with a unit).
SECOND, WEEKS_520 = 1 / 3600, 520 * 168.0
SHARE = ("number", ">=", 0, 1)
POSITIVE_DURATION = ("duration", ">=", "1s", "520w")
DURATION = ("duration", ">=", "0", "520w")
STAFF = ("integer", ">=", 0, 10_000)
RANGES: dict[str, tuple[str, str, float | str, float | str]] = {
    "horizon": POSITIVE_DURATION, "warmup": DURATION,
    "replications": ("integer", ">=", 1, 10_000), "seed": ("integer", ">=", 0, 2**63 - 1),
    "demand.rate": ("number", ">", 0, 100_000), "demand.growth": ("number", ">", -1, 10),
    "demand.channels.*.share": SHARE, "demand.channels.*.patience": POSITIVE_DURATION,
    "demand.bursts.*.at": DURATION, "demand.bursts.*.multiplier": ("number", ">=", 0, 1000),
    "demand.bursts.*.decay": POSITIVE_DURATION, "demand.bursts.*.duration": POSITIVE_DURATION,
    "demand.storms.changes_per_week": ("number", ">=", 0, 10_000),
    "demand.storms.failure_rate": SHARE,
    "demand.storms.tickets": ("number", ">=", 0, 10_000),
    "demand.storms.decay": POSITIVE_DURATION,
    "priorities.*.share": SHARE, "priorities.*.response": POSITIVE_DURATION,
    "priorities.*.resolution": POSITIVE_DURATION,
    "work.mix.*": SHARE,
    "work.effort.*.mean": POSITIVE_DURATION, "work.effort.*.cv": ("number", ">=", 0.001, 100),
    "work.triage.*.mean": POSITIVE_DURATION, "work.triage.*.cv": ("number", ">=", 0.001, 100),
    "team.tiers.*.staff": STAFF, "team.tiers.*.hours.*.staff": STAFF,
    "team.tennis.bounce": SHARE,
}


def leaves(node: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from leaves(value, (*path, key))
    elif isinstance(node, list) and node and isinstance(node[0], dict):
        for index, value in enumerate(node):
            yield from leaves(value, (*path, str(index)))
    else:
        yield path


def pattern_of(path: tuple[str, ...]) -> str | None:
    """The RANGES pattern that the leaf `path` matches, if any."""
    for pattern in RANGES:
        parts = pattern.split(".")
        if len(parts) == len(path) and all(
            p in ("*", q) for p, q in zip(parts, path, strict=True)
        ):
            return pattern
    return None


def _hours(bound: float | str) -> float:
    return {"1s": SECOND, "0": 0.0, "520w": WEEKS_520}[bound] if isinstance(bound, str) else bound


def bad_values(kind: str, op: str, low: float | str, high: float | str
               ) -> st.SearchStrategy[tuple[float, str]]:
    """Values just or far outside the range, each with the bound its message must state."""
    lo, hi = _hours(low), _hours(high)
    if kind == "integer":
        below: st.SearchStrategy[float] = st.integers(int(lo) - 10**6, int(lo) - 1)
        above: st.SearchStrategy[float] = st.integers(int(hi) + 1, int(hi) + 10**12)
    else:
        below = st.one_of(st.floats(lo - 1e6, lo, exclude_max=op == ">="),
                          st.sampled_from([lo - 1, -1e308]))
        above = st.one_of(st.floats(hi, 1e308, exclude_min=True),
                          st.sampled_from([hi * 2 + 1, 1e308]))
    return st.one_of(below.map(lambda v: (v, f"{op} {low}")),
                     above.map(lambda v: (v, f"<= {high}")))


@PROPERTY
@given(scenarios(), st.data())
def test_out_of_range_number_is_named(data: dict[str, Any], draw: st.DataObject) -> None:
    candidates = [p for p in leaves(data) if pattern_of(p)]
    assert len(candidates) >= 8  # horizon, warmup, rate, shares, durations, staff ...
    # Every numeric key in turn, each with its own out-of-range value, below or above.
    for path in candidates:
        pattern = pattern_of(path)
        assert pattern is not None
        kind, op, low, high = RANGES[pattern]
        value, bound = draw.draw(bad_values(kind, op, low, high), label=".".join(path))

        broken = copy.deepcopy(data)
        node: Any = broken
        for part in path[:-1]:
            node = node[int(part)] if isinstance(node, list) else node[part]
        node[path[-1]] = value
        dotted = ".".join(path)

        with pytest.raises(ScenarioError) as info:
            build(broken)
        message = str(info.value)
        assert "\n" not in message
        noun = {"integer": "an integer", "number": "a number", "duration": "a duration"}[kind]
        assert message.startswith(f"{dotted} must be {noun} {bound}, got "), (
            dotted, value, message)


@PROPERTY
@given(scenarios(), st.data(), st.integers(-10**6, -1))
def test_negative_staff_message_has_the_documented_form(
    data: dict[str, Any], draw: st.DataObject, staff: int
) -> None:
    tier = draw.draw(st.sampled_from(sorted(data["team"]["tiers"])), label="tier")
    broken = copy.deepcopy(data)
    broken["team"]["tiers"][tier]["staff"] = staff
    with pytest.raises(ScenarioError) as info:
        Scenario.from_dict(broken, source="plan.toml")
    assert f"team.tiers.{tier}.staff must be an integer >= 0, got {staff}" in str(info.value)
    assert str(info.value).endswith(" (plan.toml)")
