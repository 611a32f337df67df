"""Shift rosters: :func:`roster`, the minimum-cost shifts that cover a staffing curve.

An integer program (solved by HiGHS through :func:`scipy.optimize.milp`): one integer
variable per catalogue shift, the agents working it; every interval of the cycle must
have at least the curve's agents on duty; the cost of a shift is its paid hours times the
hourly rate. When caps on shifts make full cover impossible, a first program minimises
the shortfall (agent-hours short, summed over intervals), a second the cost among the
rosters with that least shortfall, and the intervals left short are reported (the
complaint of pyworkforce #45: a solver that returns nothing, or silently less).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from supportsim.report._display import Card, CardDisplay
from supportsim.scenario import Scenario
from supportsim.scenario._schema import DAYS

__all__ = ["Roster", "roster"]

_CATALOGUE_KEYS = {"name", "start", "length", "days", "max", "hourly"}


@dataclass(frozen=True, repr=False)  # the short repr of CardDisplay
class Roster(CardDisplay):
    """What :func:`roster` returns.

    Attributes
    ----------
    shifts : DataFrame
        The shifts worked: ``name``, ``start`` ("HH:MM"), ``end``, ``length`` (h),
        ``days`` (list of day names; every day for a daily cycle), ``staff`` (agents),
        ``cost`` (of those agents over one cycle).
    uncovered : DataFrame
        Intervals left short: ``interval_start``, ``required``, ``covered``, ``short``;
        empty when the roster covers the curve.
    cost : float
        Total over one cycle (a week, or a day for a daily curve), in the rate's currency.
    cycle : str
        ``"week"`` or ``"day"``.
    coverage : DataFrame
        Every interval: ``interval_start``, ``required``, ``covered``.

    In a notebook a roster shows as a card (the shifts, the cost, the hours left short);
    ``repr`` is one line.
    """

    shifts: pd.DataFrame
    uncovered: pd.DataFrame
    cost: float
    cycle: str
    coverage: pd.DataFrame = field(repr=False)

    def _short(self) -> tuple[str, str, list[str]]:
        from supportsim.planning._display import roster_short

        return roster_short(self)

    def _card(self) -> Card:
        from supportsim.planning._display import roster_card

        return roster_card(self)

    def apply(self, scenario: Scenario, tier: str, group: str | None = None) -> Scenario:
        """`scenario` with tier `tier` working these shifts (``team.tiers.TIER.hours``),
        or, on a tier split into agent groups, its group `group`
        (``team.tiers.TIER.groups.GROUP.hours``; the group keeps its skills and site).

        Raises
        ------
        ValueError
            An unknown tier or group, or a tier with agent groups and no `group` (the
            shifts would otherwise replace every group by one pool of agents).
        ScenarioError
            If the result breaks a rule.
        """
        rows = [{"name": row.name, "start": row.start, "end": row.end,
                 "days": list(row.days), "staff": int(row.staff)}
                for row in self.shifts.itertuples()]
        if not rows:  # no agent needed: a tier still needs one shift
            rows = [{"name": "none", "start": "00:00", "end": "12:00", "staff": 0}]
        data = scenario.to_dict()
        tiers = data["team"]["tiers"]
        if tier not in tiers:
            raise ValueError(f"Roster.apply: tier must be one of {list(tiers)}, got {tier!r}"
                             + _hint(tier, list(tiers)))
        groups = tiers[tier].get("groups")
        if groups is None:
            if group is not None:
                raise ValueError(f"Roster.apply: group={group!r} given, but tier {tier} has "
                                 f"no agent groups (team.tiers.{tier}.groups)")
            tiers[tier] = {"hours": rows}
        elif group is None or group not in groups:
            raise ValueError(
                f"Roster.apply: tier {tier} is split into agent groups {list(groups)}, so "
                f"shifts for the whole tier would merge them into one pool; pass "
                f"group= one of them (the shifts replace that group's hours), got "
                f"group={group!r}" + _hint(group, list(groups)))
        else:
            groups[group].pop("staff", None)
            groups[group]["hours"] = rows
        return Scenario.from_dict(data, source=scenario.source)


def roster(curve: pd.DataFrame, shifts: Sequence[Mapping[str, Any]] | pd.DataFrame, *,
           costs: float | None = None) -> Roster:
    """The cheapest set of shifts from a catalogue that puts the curve's agents on duty.

    Parameters
    ----------
    curve : DataFrame
        ``interval_start``, ``staff``: hourly intervals over a week (168 rows, from Monday
        00:00) or a day (24 rows), as :func:`staffing_curve` returns.
    shifts : list of mappings, or DataFrame
        The catalogue. Each: ``start`` ("HH:00"), ``length`` (whole hours, 1 to 23),
        optional ``name``, ``days`` (day names; default every day; with a daily curve
        only all seven, or none), ``max`` (most agents on it; default no cap) and
        ``hourly`` (this shift's rate, overriding `costs`). An agent on a shift works
        every listed day.
    costs : float, optional
        Cost per paid agent-hour; default 1 (the cost is then agent-hours per cycle).

    Returns
    -------
    Roster

    Raises
    ------
    ValueError
        If the curve or a catalogue entry breaks a rule (named), or the solver fails.

    Examples
    --------
    >>> import pandas as pd
    >>> import supportsim as ss
    >>> curve = pd.DataFrame({"interval_start": range(24), "staff": [1] * 8 + [3] * 16})
    >>> r = ss.roster(curve, [{"start": "00:00", "length": 8}, {"start": "08:00",
    ...                       "length": 8}, {"start": "16:00", "length": 8}])
    >>> r.shifts["staff"].tolist(), r.cost
    ([1, 3, 3], 56.0)
    """
    from scipy.optimize import Bounds, LinearConstraint, milp

    need, cycle = _curve_values(curve)
    rate = 1.0 if costs is None else _number("costs", costs, 0.0)
    table = _catalogue(shifts, cycle, rate)
    period = need.size
    cover = np.zeros((period, len(table)))
    for j, entry in enumerate(table):
        for hour in entry["hours"]:
            cover[hour % period, j] += 1
    unit = np.array([entry["unit_cost"] for entry in table])
    caps = np.array([entry["max"] for entry in table])
    n = len(table)
    # Phase 1: least shortfall. Variables: agents per shift, then shortfall per interval.
    c = np.concatenate([np.zeros(n), np.ones(period)])
    a = np.hstack([cover, np.eye(period)])
    integrality = np.concatenate([np.ones(n), np.zeros(period)])
    bounds = Bounds(np.zeros(n + period), np.concatenate([caps, need]))
    first = milp(c, integrality=integrality, bounds=bounds,
                 constraints=LinearConstraint(a, need, np.inf))
    if not first.success:
        raise ValueError(f"roster: the solver failed: {first.message}")
    least = float(round(first.fun))  # shortfalls are integral at an integral optimum
    # Phase 2: least cost among rosters with that shortfall.
    c2 = np.concatenate([unit, np.zeros(period)])
    rows = np.vstack([a, np.concatenate([np.zeros(n), np.ones(period)])])
    low = np.concatenate([need, [-np.inf]])
    high = np.concatenate([np.full(period, np.inf), [least + 1e-6]])
    second = milp(c2, integrality=integrality, bounds=bounds,
                  constraints=LinearConstraint(rows, low, high))
    if not second.success:
        raise ValueError(f"roster: the solver failed: {second.message}")
    agents = np.round(second.x[:n]).astype(np.int64)
    covered = (cover @ agents).astype(np.int64)
    starts = np.arange(period, dtype=float)
    coverage = pd.DataFrame({"interval_start": starts, "required": need, "covered": covered})
    short = coverage[coverage["covered"] < coverage["required"]].copy()
    short["short"] = short["required"] - short["covered"]
    worked = [
        {"name": entry["name"], "start": entry["start"], "end": entry["end"],
         "length": entry["length"], "days": entry["days"], "staff": int(k),
         "cost": float(k * entry["unit_cost"])}
        for entry, k in zip(table, agents, strict=True) if k > 0]
    frame = pd.DataFrame(worked, columns=["name", "start", "end", "length", "days", "staff",
                                          "cost"])
    return Roster(shifts=frame, uncovered=short.reset_index(drop=True),
                  cost=float(frame["cost"].sum()), cycle=cycle, coverage=coverage)


def _number(key: str, value: Any, low: float, high: float = math.inf) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) \
            or not low <= value <= high:
        raise ValueError(f"roster: {key} must be a number in [{low:g}, {high:g}], got {value!r}")
    return float(value)


def _curve_values(curve: pd.DataFrame) -> tuple[np.ndarray, str]:
    if not isinstance(curve, pd.DataFrame) or not {"interval_start", "staff"} <= set(curve):
        raise ValueError("roster: curve must be a DataFrame with columns interval_start and "
                         "staff (as staffing_curve returns)")
    cycle = {24: "day", 168: "week"}.get(len(curve))
    starts = curve["interval_start"].to_numpy(dtype=float)
    if cycle is None or not np.array_equal(starts, np.arange(len(curve))):
        raise ValueError(f"roster: curve must have hourly intervals 0, 1, ... over a day (24 "
                         f"rows) or a week (168 rows), got {len(curve)} rows")
    staff = curve["staff"].to_numpy()
    if not np.all(np.isfinite(staff.astype(float))) or (staff < 0).any() \
            or not np.array_equal(staff, np.round(staff)):
        raise ValueError("roster: curve.staff must be whole numbers of agents >= 0")
    return staff.astype(np.int64), cycle


def _catalogue(shifts: Sequence[Mapping[str, Any]] | pd.DataFrame, cycle: str,
               rate: float) -> list[dict[str, Any]]:
    entries = shifts.to_dict("records") if isinstance(shifts, pd.DataFrame) else list(shifts)
    if not entries:
        raise ValueError("roster: shifts must list at least one catalogue shift")
    table = []
    for index, entry in enumerate(entries):
        where = f"shifts.{index}"
        if not isinstance(entry, Mapping):
            raise ValueError(f"roster: {where} must be a mapping, got {entry!r}")
        unknown = set(entry) - _CATALOGUE_KEYS
        if unknown:
            raise ValueError(f"roster: {where} has unknown keys {sorted(unknown)}; allowed: "
                             f"{sorted(_CATALOGUE_KEYS)}")
        start = entry.get("start")
        if not isinstance(start, str) or len(start) != 5 or start[2] != ":" \
                or start[3:] != "00" or not start[:2].isdigit() or int(start[:2]) > 23:
            raise ValueError(f"roster: {where}.start must be a whole hour 'HH:00', got "
                             f"{start!r}")
        length = entry.get("length")
        if isinstance(length, bool) or not isinstance(length, int) or not 1 <= length <= 23:
            raise ValueError(f"roster: {where}.length must be whole hours in [1, 23], got "
                             f"{length!r}")
        days = list(entry.get("days", DAYS))
        if not days or any(d not in DAYS for d in days) or len(set(days)) != len(days):
            raise ValueError(f"roster: {where}.days must be distinct day names of {list(DAYS)}, "
                             f"got {entry.get('days')!r}")
        if cycle == "day":
            if "days" in entry and set(days) != set(DAYS):
                # A 24-hour curve is every day alike: a weekday shift cannot be costed
                # or placed on it, and dropping the days would roster it every day.
                name = f" ({entry['name']!r})" if entry.get("name") else ""
                raise ValueError(f"roster: {where}{name}.days = {days} cannot apply to a "
                                 f"24-hour curve (a day cycle, every day alike, has no "
                                 f"weekdays): leave days out, or give a weekly curve of 168 "
                                 f"hours (staffing_curve(..., cycle='week'))")
            days = list(DAYS)
        cap = entry.get("max")
        cap_value = math.inf if cap is None else _number(f"{where}.max", cap, 0, 10_000)
        if cap is not None and cap_value != int(cap_value):
            raise ValueError(f"roster: {where}.max must be a whole number, got {cap!r}")
        hourly = rate if entry.get("hourly") is None else _number(f"{where}.hourly",
                                                                  entry["hourly"], 0.0)
        first = int(start[:2])
        offsets = [0] if cycle == "day" else [DAYS.index(d) * 24 for d in days]
        hours = [offset + first + k for offset in offsets for k in range(length)]
        table.append({
            "name": str(entry.get("name") or f"{start}+{length}h"), "start": start,
            "end": f"{(first + length) % 24:02d}:00", "length": length,
            "days": days, "max": cap_value, "hours": hours,
            "unit_cost": hourly * length * len(offsets)})
    return table


def _hint(word: object, choices: list[str]) -> str:
    """`` (did you mean 'central'?)`` for "Central" (the shared helper; "" for None)."""
    from supportsim.scenario._validation import _did_you_mean

    return _did_you_mean(word, choices) if isinstance(word, str) else ""
