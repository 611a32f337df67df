"""Value bounds, strict number types and share sums of the scenario schema (issue 18).

Every numeric value is checked at load: finite, within a documented bound (the
"Constraints" column of docs/scenario.md), numbers not strings. The reproducers of issue
18 defect 10 each crashed, hung or ran silently wrong before these rules; now each is a
one-line ``ScenarioError`` naming key, rule, value and file.
"""

from __future__ import annotations

import math
import types
import typing
import warnings
from datetime import datetime
from pathlib import Path
from typing import Any

import annotated_types as at
import numpy as np
import pytest
from pydantic import BaseModel

import supportsim as ss
from supportsim import Scenario, ScenarioError, load_scenario
from supportsim.capacity import tier_loads
from supportsim.demand import weekly_profile
from supportsim.scenario import _schema
from supportsim.scenario._demand import WeeklyProfile

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"

pytestmark = pytest.mark.filterwarnings("ignore::supportsim.CapacityWarning")


def loaded(name: str) -> Scenario:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ss.CapacityWarning)
        return load_scenario(SCENARIOS / name)


def override_error(name: str, overrides: dict[str, Any]) -> str:
    with pytest.raises(ScenarioError) as info:
        loaded(name).with_overrides(overrides)
    message = str(info.value)
    assert "\n" not in message
    # The overrides broke the rule, on the file: both are named (not the file alone).
    assert message.endswith(f", on {SCENARIOS / name})"), message
    assert " (override" in message, message
    return message


# --------------------------------------------------------------------------- reproducers

# Issue 18, defect 10: what each did before (in the comment) and the message it gives now.
REPRODUCERS: dict[str, tuple[str, dict[str, Any], str]] = {
    # ZeroDivisionError in capacity.py
    "tiny effort": ("mmc.toml", {"work.effort.l1.mean": 1e-300},
                    "work.effort.l1.mean must be a duration >= 1s, got 1e-300"),
    # OverflowError
    "huge effort": ("mmc.toml", {"work.effort.l1.mean": 1e308},
                    "work.effort.l1.mean must be a duration <= 520w, got 1e+308"),
    "huge horizon": ("mmc.toml", {"horizon": 1e308}, "horizon must be a duration <= 520w"),
    # ValueError from the analytic check
    "huge rate": ("mmc.toml", {"demand.rate": 1e308},
                  "demand.rate must be a number <= 100000, got 1e+308"),
    # accepted, then IndexError in engine/_tiered.py on every run
    "empty mix": ("mmc.toml", {"work.mix": {}}, "work.mix must give the share of at least one"),
    # numpy: lam value too large
    "huge growth": ("golive_tiered.toml", {"demand.growth": 1e6},
                    "demand.growth must be a number <= 10, got 1000000.0"),
    "huge burst": ("golive_tiered.toml", {"demand.bursts.0.multiplier": 1e308},
                   "demand.bursts.0.multiplier must be a number <= 1000, got 1e+308"),
    # OverflowError / ZeroDivisionError in distributions.py
    "huge cv": ("rollout_tiered.toml", {"work.effort.l2.cv": 1e308},
                "work.effort.l2.cv must be a number <= 100, got 1e+308"),
    "tiny gamma cv": ("mmc.toml",
                      {"work.effort.l1": {"dist": "gamma", "mean": "15min", "cv": 1e-300}},
                      "work.effort.l1.cv must be a number >= 0.001, got 1e-300"),
    # OverflowError: date value out of range (shift rosters look at the days around start)
    "start in year 1": ("golive_tiered.toml", {"start": datetime(1, 1, 1)},
                        "start must be a date-time from 1900-01-01 to 2199-12-31, "
                        "got 0001-01-01T00:00:00"),
    "start in year 9999": ("golive_tiered.toml", {"start": datetime(9999, 12, 1)},
                           "start must be a date-time from 1900-01-01 to 2199-12-31, "
                           "got 9999-12-01T00:00:00"),
    # silently zero tickets (the weights' sum overflowed to inf)
    "huge profile weights": ("growth_year.toml", {"demand.profile.hourly": [1e308] * 24},
                             "demand.profile.hourly.0 must be a weight <= 1e+09, got 1e+308"),
    # hung for ever in the surge loop
    "tiny reserve check": ("reserve_20pct.toml", {"workforce.reserve.check": 1e-300},
                           "workforce.reserve.check must be a duration >= 1min, got 1e-300"),
    # ran for minutes
    "huge staff": ("mmc.toml", {"team.tiers.l1.staff": 10**12},
                   "team.tiers.l1.staff must be an integer <= 10000, got 1000000000000"),
    "huge shift staff": ("golive_tiered.toml", {"team.tiers.l1.hours.0.staff": 10**12},
                         "team.tiers.l1.hours.0.staff must be an integer <= 10000"),
}


@pytest.mark.parametrize("case", list(REPRODUCERS))
def test_issue_reproducers_are_clean_errors(case: str) -> None:
    name, overrides, expected = REPRODUCERS[case]
    assert expected in override_error(name, overrides)


def test_growth_may_compound_at_most_a_thousandfold_over_the_horizon() -> None:
    # 1.5 per 4 weeks over 26 weeks: 2.5^6.5 = 386-fold, allowed; over 52 weeks
    # 2.5^13 = 149,000-fold, refused (the growth bound alone, <= 10, allows it).
    sc = loaded("golive_tiered.toml").with_overrides({"demand.growth": 1.5})
    assert sc.demand.growth == 1.5
    message = override_error("golive_tiered.toml", {"demand.growth": 1.5, "horizon": "52w"})
    assert message.startswith("demand.growth must raise the rate at most 1000-fold over the "
                              "horizon (52w), got 1.5")


def test_roster_sum_is_bounded_like_tier_staff() -> None:
    shifts = [{"start": "00:00", "end": "12:00", "staff": 6_000},
              {"start": "12:00", "end": "24:00", "staff": 6_000}]
    message = override_error("golive_tiered.toml", {"team.tiers.l1.hours": shifts})
    assert message.startswith("team.tiers.l1.hours shifts' staff must sum to <= 10000, "
                              "got 12000")


@pytest.mark.parametrize("start", [datetime(1900, 1, 1), datetime(2199, 12, 31, 23)])
def test_start_at_either_end_of_its_range_works_with_rosters(start: datetime) -> None:
    # The longest horizon from the last start: every date a roster or calendar needs
    # must stay representable.
    sc = loaded("golive_tiered.toml").with_overrides({"start": start, "horizon": "520w"})
    loads = tier_loads(sc)
    assert np.isfinite(loads["on_duty"]).all() and (loads["on_duty"] > 0).all()


def test_tiny_profile_weights_give_a_profile_with_mean_one() -> None:
    # Valid weights whose products underflow: before, the week's weights were all 0 and
    # their mean 0, so the profile was NaN everywhere.
    tiny = WeeklyProfile(hourly=(1e-300,) * 24, daily=(1e-300,) * 7)
    profile = weekly_profile(tiny)
    assert np.allclose(profile, 1.0)
    skewed = WeeklyProfile(hourly=(1e9,) + (1e-300,) * 23, daily=(1.0,) * 7)
    profile = weekly_profile(skewed)
    assert np.isfinite(profile).all() and profile.mean() == pytest.approx(1.0)
    assert profile[0] == pytest.approx(24.0)


def test_bounds_are_inclusive() -> None:
    sc = loaded("reserve_20pct.toml").with_overrides({
        "workforce.reserve.check": "1min", "work.effort.l1.mean": "1s",
        "work.effort.l2.cv": 100, "work.effort.l3.cv": 0.001, "demand.bursts.0.multiplier": 1000,
        "team.tiers.l2.hours": "24x7", "team.tiers.l2.staff": 10_000})
    assert sc.workforce is not None and sc.workforce.reserve is not None
    assert sc.workforce.reserve.check == pytest.approx(1 / 60)
    assert sc.team.tiers["l2"].staff == 10_000


# --------------------------------------------------------------------------- every key bounded


def _section_models() -> list[type[BaseModel]]:
    seen: list[type[BaseModel]] = []
    stack: list[type] = [_schema.Section]
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if cls is not _schema.Section and cls not in seen:
            seen.append(cls)
    return seen


def _is_number(annotation: Any) -> bool:
    """A float or int field (optionally None), not a container or a choice."""
    while typing.get_origin(annotation) in (typing.Annotated, typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) != 1 and typing.get_origin(annotation) is not typing.Annotated:
            return False
        annotation = args[0]
    return annotation in (int, float)


def _bounded(annotation: Any, metadata: list[Any]) -> bool:
    """Both a lower and an upper bound in the field's or the (element) type's metadata."""
    kinds = {type(m) for m in metadata}
    while typing.get_origin(annotation) is typing.Annotated:
        for meta in annotation.__metadata__:
            kinds |= {type(m) for m in [meta, *getattr(meta, "metadata", [])]}
        annotation = typing.get_args(annotation)[0]
    return bool(kinds & {at.Ge, at.Gt} and kinds & {at.Le, at.Lt})


def _unbounded_elements(annotation: Any) -> bool:
    """A list or table (possibly optional) of numbers without bounds of their own."""
    args = [a for a in typing.get_args(annotation) if a is not type(None) and a is not ...]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return any(_unbounded_elements(a) for a in args)
    return (typing.get_origin(annotation) in (tuple, dict) and _is_number(args[-1])
            and not _bounded(args[-1], []))


# Numbers in lists and tables, bounded by their model's rule (and the description says so).
BOUNDED_ELSEWHERE = {"WeeklyProfile.hourly", "WeeklyProfile.daily", "Attrition.hiring_freeze",
                     "Learning.initial_joiners"}


def test_every_numeric_key_has_a_lower_and_an_upper_bound() -> None:
    # A new numeric key without bounds fails here: say in the schema what no desk exceeds.
    unbounded, elsewhere = [], []
    for model in _section_models():
        for name, field in model.model_fields.items():
            if _unbounded_elements(field.annotation):
                elsewhere.append(f"{model.__name__}.{name}")
            if _is_number(field.annotation) and not _bounded(field.annotation, field.metadata):
                unbounded.append(f"{model.__name__}.{name}")
    assert not unbounded, f"numeric keys without both bounds: {unbounded}"
    assert set(elsewhere) == BOUNDED_ELSEWHERE


@pytest.mark.parametrize(("key", "value", "expected"), [
    ("demand.profile", {"hourly": [1.0] * 23 + [2e9]},
     "demand.profile.hourly.23 must be a weight <= 1e+09, got 2000000000.0"),
    ("workforce.attrition.hiring_freeze", [0, 1e308],
     "workforce.attrition.hiring_freeze must lie in [0, 520w], got [0.0, 1e+308]"),
    ("workforce.attrition.hiring_freeze", [-1, 10],
     "workforce.attrition.hiring_freeze must lie in [0, 520w], got [-1.0, 10.0]"),
    ("workforce.learning.initial_joiners.l1", 10**12,
     "workforce.learning.initial_joiners.l1 must be <= the tier's staff (13), got 10000"),
])
def test_numbers_in_lists_and_tables_are_bounded(key: str, value: Any, expected: str) -> None:
    assert override_error("rollout_tiered.toml", {key: value}).startswith(expected)


# --------------------------------------------------------------------------- strict types


@pytest.mark.parametrize(("key", "value", "expected"), [
    ("demand.rate", "12", "demand.rate must be a number, got '12'"),
    ("team.tiers.l1.staff", "7", "team.tiers.l1.staff must be an integer, got '7'"),
    ("team.tiers.l1.staff", 7.5, "team.tiers.l1.staff must be an integer, got 7.5"),
    ("priorities.P1.share", "1", "priorities.P1.share must be a number, got '1'"),
    ("replications", "3", "replications must be an integer, got '3'"),
    ("seed", "7", "seed must be an integer, got '7'"),
    ("demand.growth", "0.1", "demand.growth must be a number, got '0.1'"),
    ("demand.rate", b"12", "demand.rate must be a number, got b'12'"),
    ("demand.rate", 10**400, "demand.rate must be a finite number, got 1000"),
])
def test_numeric_strings_are_rejected_like_other_wrong_types(
        key: str, value: Any, expected: str) -> None:
    assert override_error("mmc.toml", {key: value}).startswith(expected)


def test_numbers_of_any_numeric_type_and_duration_strings_are_accepted() -> None:
    sc = loaded("mmc.toml").with_overrides({
        "demand.rate": np.float64(12.5), "team.tiers.l1.staff": np.int64(8),
        "horizon": "2w", "work.effort.l1.mean": 0.25, "warmup": 0})
    assert sc.demand.rate == 12.5 and sc.team.tiers["l1"].staff == 8
    assert sc.horizon == 336.0


# --------------------------------------------------------------------------- share sums

# One symmetric tolerance for every share table: a sum within 1e-6 of 1 either way is
# accepted, further away refused, the same on both sides and in every table.
SHARE_TABLES = {
    "priorities": ("priorities.P4.share", 0.25),
    "channels": ("demand.channels.portal.share", 0.65),
    "mix": ("work.mix.l1", 0.65),
}


@pytest.mark.parametrize("table", list(SHARE_TABLES))
@pytest.mark.parametrize("offset", [1e-6, -1e-6, 5e-7, -5e-7])
def test_share_sums_within_the_tolerance_either_way_are_accepted(
        table: str, offset: float) -> None:
    key, share = SHARE_TABLES[table]
    loaded("golive_tiered.toml").with_overrides({key: share + offset})


@pytest.mark.parametrize("table", list(SHARE_TABLES))
@pytest.mark.parametrize("offset", [2e-6, -2e-6, 1.1e-6, -1.1e-6, 0.01, -0.01])
def test_share_sums_beyond_the_tolerance_either_way_are_refused(
        table: str, offset: float) -> None:
    key, share = SHARE_TABLES[table]
    message = override_error("golive_tiered.toml", {key: share + offset})
    assert "shares must sum to 1, got " in message
    total = float(message.split(" = ")[1].split(" ")[0])
    assert math.isclose(total, 1 + offset, rel_tol=1e-5)
